package article

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

func TestYAMLDocumentStream(t *testing.T) {
	files := readCorpus(t, "valid")
	extra := map[string]string{
		"has_body_key.md":     "---\ntitle: Has body key\nbody: front-matter value\n_body: also taken\n---\nThe real body.\n",
		"leading_space.md":    "---\ntitle: Indented body\n---\n\n    code block first\nthen text",
		"control_chars.md":    "---\ntitle: Control characters\n---\nbell \x07 and\rlone CR\n",
		"trailing_lines.md":   "---\ntitle: Trailing lines\n---\nbody\n\n\n",
		"flow_root.md":        "---\n{title: Flow root}\n---\nbody\n",
		"line\nbreak name.md": "---\ntitle: Odd name\n---\n",
	}
	for n, s := range extra {
		files[n] = []byte(s)
	}
	names := slices.Sorted(maps.Keys(files))

	var stream bytes.Buffer
	for _, n := range names {
		doc := YAMLDocument(n, files[n])
		if !bytes.HasPrefix(doc, []byte("---")) || bytes.HasPrefix(doc[3:], bom) {
			t.Errorf("%s: document does not start with ---", n)
		}
		stream.Write(doc)
	}
	dec := yaml.NewDecoder(&stream)
	for _, n := range names {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s: %v\n%s", n, err, YAMLDocument(n, files[n]))
		}
		a, err := Parse(n, files[n])
		if err != nil {
			t.Fatal(err)
		}
		if m["title"] != a.Title {
			t.Errorf("%s: title %v", n, m["title"])
		}
		key := "body"
		switch n {
		case "has_body_key.md":
			key = "__body"
			if m["body"] != "front-matter value" {
				t.Errorf("front matter's own body key lost: %v", m["body"])
			}
		}
		want := a.Body
		if strings.Contains(a.Body, "\r\n") {
			want = strings.ReplaceAll(a.Body, "\r\n", "\n") // YAML reads line breaks as LF
		}
		if strings.TrimSpace(a.Body) == "" {
			if _, ok := m[key]; ok {
				t.Errorf("%s: blank body written", n)
			}
		} else if m[key] != want {
			t.Errorf("%s: %s = %q, want %q", n, key, m[key], want)
		}
	}
	var m map[string]any
	if err := dec.Decode(&m); !errors.Is(err, io.EOF) {
		t.Errorf("extra document: %v %v", m, err)
	}
}

func TestYAMLDocumentLayout(t *testing.T) {
	tests := []struct {
		name, file, in, want string
	}{
		{"body as literal block", "a.md", "\ufeff---\ntitle: T # c\n---\nline 1\n\nline 3",
			"---\n# file: a.md\ntitle: T # c\nbody: |-\n  line 1\n\n  line 3\n"},
		{"clip chomping", "a.md", "---\ntitle: T\n---\nx\n",
			"---\n# file: a.md\ntitle: T\nbody: |\n  x\n"},
		{"CRLF", "b.md", "---\r\ntitle: T\r\n---\r\nx\r\ny\r\n",
			"---\n# file: b.md\ntitle: T\r\nbody: |\r\n  x\r\n  y\r\n"},
		{"blank body omitted", "c.md", "---\ntitle: T\n---\n\n", "---\n# file: c.md\ntitle: T\n"},
		{"indented root", "d.md", "---\n  title: T\n---\nx", "---\n# file: d.md\n  title: T\n  body: |-\n    x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(YAMLDocument(tt.file, []byte(tt.in))); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestYAMLDocumentBodies: whatever the body holds, the document decodes to it.
func TestYAMLDocumentBodies(t *testing.T) {
	bodies := []string{
		"a\n   ", "a\n   \n", "   \na", "\ta\n", "a\n\n\n  \n", "---\n...\n", "# h\n\n- x\n", "x: y\n",
		"\n\nx", "  \n  x\n", " x", "é\u00a0\n", "a\r\nb", "a\u2028b", "\"q\" 'q' \\", "a\n\n", "\ufeffa",
		"a\t\n\tb\t", "bell\x07", "del\x7f",
	}
	for _, body := range bodies {
		doc := YAMLDocument("f.md", []byte("---\ntitle: T\n---\n"+body))
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil || m["body"] != body {
			t.Errorf("%q: got %q, %v\n%s", body, m["body"], err, doc)
		}
	}
}

func TestEscapeName(t *testing.T) {
	colon := func(r rune) bool { return r == ':' }
	tests := []struct {
		name, in, want string
		also           func(rune) bool
	}{
		{"ordinary", "a.md", "a.md", nil},
		{"non-ASCII stays", "café 日本 🗞.md", "café 日本 🗞.md", nil},
		{"backslash and colon stay", `a\b:c.md`, `a\b:c.md`, nil},
		{"percent", "100%.md", "100%25.md", nil},
		{"an escape's look-alike", "a%0Ab.md", "a%250Ab.md", nil},
		{"line break", "a\nb.md", "a%0Ab.md", nil},
		{"CR and tab", "a\r\tb", "a%0D%09b", nil},
		{"controls and DEL", "\x00\x07\x1b\x7f", "%00%07%1B%7F", nil},
		{"not UTF-8", "caf\xe9.md", "caf%E9.md", nil},
		{"cut UTF-8 sequence", "a\xc3", "a%C3", nil},
		{"surrogate bytes", "\xed\xa0\x80", "%ED%A0%80", nil},
		{"C1 control NEL", "a\u0085b", "a%C2%85b", nil},
		{"line separator", "a\u2028b", "a%E2%80%A8b", nil},
		{"BOM", "\ufeffa", "%EF%BB%BFa", nil},
		{"non-character", "a\uffffb", "a%EF%BF%BFb", nil},
		{"U+FFFD itself stays", "a\ufffdb", "a\ufffdb", nil},
		{"spaces at the ends", "  a b  ", "%20%20a b%20%20", nil},
		{"no-break space at the end", "a\u00a0", "a%C2%A0", nil},
		{"all spaces", "   ", "%20%20%20", nil},
		{"also", "a:b", "a%3Ab", colon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EscapeName(tt.in, tt.also)
			if got != tt.want {
				t.Errorf("EscapeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back, err := url.PathUnescape(got); err != nil || back != tt.in {
				t.Errorf("PathUnescape(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

// FuzzEscapeName: for any bytes, the escape is printable UTF-8 on one line
// that YAML keeps in a comment, and gives the name back.
func FuzzEscapeName(f *testing.F) {
	for _, s := range []string{"a.md", "a\nb", "caf\xe9", "%", " x ", "\u2028", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		e := EscapeName(name, nil)
		if !utf8.ValidString(e) || strings.ContainsFunc(e, func(r rune) bool { return escapeRune(r) != "" }) {
			t.Fatalf("EscapeName(%q) = %q: not printable UTF-8", name, e)
		}
		if back, err := url.PathUnescape(e); err != nil || back != name {
			t.Fatalf("PathUnescape(EscapeName(%q)) = %q, %v", name, back, err)
		}
		if strings.TrimSpace(e) != e {
			t.Fatalf("EscapeName(%q) = %q: white space at an end", name, e)
		}
	})
}

// TestYAMLDocumentFileLine: every name gives a "# file: " line that is
// valid UTF-8, that a YAML reader takes as a comment, that gives the name
// back, and that no other name gives. The old rule (Go quoting when
// needed) gave the names a"\n" and the quoted form of a-newline the same line.
func TestYAMLDocumentFileLine(t *testing.T) {
	names := []string{
		"a.md", "a\nb.md", `a\nb.md`, `"a\nb.md"`, "\"a\nb.md\"", "caf\xe9.md", "café.md", "caf%C3%A9.md",
		"x\x00y", "tab\t.md", " lead.md", "trail.md ", "a\u2028b.md", "# hash.md", "---", "...", "a: b", "'q'.md",
		"\xff\xfe", "\ufeffbom.md", strings.Repeat("n", 255),
	}
	seen := map[string]string{}
	for _, n := range names {
		doc := YAMLDocument(n, []byte("---\ntitle: T\n---\nbody\n"))
		line, _, _ := strings.Cut(strings.TrimPrefix(string(doc), "---\n"), "\n")
		if !utf8.ValidString(line) || !strings.HasPrefix(line, "# file: ") {
			t.Errorf("%q: file line %q", n, line)
			continue
		}
		if other, ok := seen[line]; ok {
			t.Errorf("%q and %q both give %q", n, other, line)
		}
		seen[line] = n
		if back, err := url.PathUnescape(strings.TrimPrefix(line, "# file: ")); err != nil || back != n {
			t.Errorf("%q: line %q gives back %q, %v", n, line, back, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil || m["title"] != "T" || m["body"] != "body\n" {
			t.Errorf("%q: document reads %v, %v\n%s", n, m, err, doc)
		}
	}
}

// The stream keeps the body of an article whose front matter is a flow
// mapping or JSON: it becomes the mapping's last member.
func TestYAMLDocumentBodyOfFlowFrontMatter(t *testing.T) {
	for name, file := range map[string]string{
		"json":     "---\n{\n  \"title\": \"T\",\n  \"quality\": 61\n}\n---\nThe terminal opens in spring.\nSecond line.\n",
		"one line": "---\n{title: T, quality: 61}\n---\nBody: with \"quotes\" and # hash\n",
	} {
		t.Run(name, func(t *testing.T) {
			doc := YAMLDocument("x.md", []byte(file))
			var got map[string]any
			if err := yaml.Unmarshal(doc, &got); err != nil {
				t.Fatalf("%v:\n%s", err, doc)
			}
			_, body, _ := strings.Cut(file[4:], "---\n")
			if got["body"] != body || got["title"] != "T" || got["quality"] != 61 {
				t.Errorf("decoded %q from:\n%s", got, doc)
			}
		})
	}
}
