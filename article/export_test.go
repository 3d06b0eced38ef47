package article

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

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
		case "flow_root.md":
			if _, ok := m["body"]; ok {
				t.Error("flow root got a body key")
			}
			continue
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
			"---\r\n# file: b.md\r\ntitle: T\r\nbody: |\r\n  x\r\n  y\r\n"},
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
