package article

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestTabIndentationMessage: a tab in indentation is named, on its line,
// whatever error yaml.v3 gives for it.
func TestTabIndentationMessage(t *testing.T) {
	const reason = "a tab is used for indentation; YAML allows only spaces"
	tests := []struct {
		name, raw string
		line      int
	}{
		{"list items", "---\ntitle: T\ntopics:\n\t- a\n\t- b\n---\n", 4},
		{"mapping under a key", "---\ntitle: T\nprovider:\n  name: x\n\tdomain: y\n---\n", 5},
		{"key after a plain scalar", "---\ntitle: T\n\tquality: 5\n---\n", 3},
		{"line after a multi-line plain scalar", "---\ntitle: T\nexcerpt: a\n  b\n\tc\n---\n", 5},
		{"tab after a dash", "---\ntitle: T\ntopics:\n  - a\n  -\tb\n---\n", 5},
		{"mixed spaces and tab", "---\ntitle: T\nprovider:\n    name: x\n  \t  domain: y\n---\n", 5},
		{"first line", "---\n\ttitle: T\n---\n", 2},
		{"block scalar", "---\ntitle: T\nexcerpt: |\n  a\n\tb\n---\n", 5},
		{"crlf", "---\r\ntitle: T\r\ntopics:\r\n\t- a\r\n---\r\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.md", []byte(tt.raw))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || pe.Reason != reason {
				t.Errorf("got %v, want line %d: %s", err, tt.line, reason)
			}
		})
	}
	// Tabs YAML allows stay allowed, and other errors keep their message.
	if _, err := Parse("f.md", []byte("---\ntitle:\tT\ntopics: [a,\n\tb]\nexcerpt: \"a\n\tb\"\n---\n")); err != nil {
		t.Errorf("allowed tabs: %v", err)
	}
	_, err := Parse("f.md", []byte("---\ntitle: T\nx: @foo\nexcerpt: |\n\t\tcode\n---\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3: invalid YAML: found character that cannot start any token") {
		t.Errorf("other error: %v", err)
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	var b []byte
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func utf32Bytes(s string, bigEndian, bom bool) []byte {
	rs := []rune(s)
	if bom {
		rs = append([]rune{0xFEFF}, rs...)
	}
	var b []byte
	for _, r := range rs {
		if bigEndian {
			b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		} else {
			b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	return b
}

// TestUTF16And32Named: a file in UTF-16 or UTF-32, with or without a BOM,
// is named as such, not as a binary file.
func TestUTF16And32Named(t *testing.T) {
	text := "---\r\ntitle: Café\r\n---\r\n"
	tests := []struct {
		name string
		raw  []byte
		enc  string
	}{
		{"utf-16le bom", utf16Bytes(text, false, true), "UTF-16 (little-endian)"},
		{"utf-16be bom", utf16Bytes(text, true, true), "UTF-16 (big-endian)"},
		{"utf-16le", utf16Bytes(text, false, false), "UTF-16 (little-endian)"},
		{"utf-16be", utf16Bytes(text, true, false), "UTF-16 (big-endian)"},
		{"utf-32le bom", utf32Bytes(text, false, true), "UTF-32 (little-endian)"},
		{"utf-32be bom", utf32Bytes(text, true, true), "UTF-32 (big-endian)"},
		{"utf-32le", utf32Bytes(text, false, false), "UTF-32 (little-endian)"},
		{"utf-32be", utf32Bytes(text, true, false), "UTF-32 (big-endian)"},
		{"bom only", []byte{0xFF, 0xFE}, "UTF-16 (little-endian)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.md", tt.raw)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Reason != "file is "+tt.enc+": save it as UTF-8" || pe.Line != 0 {
				t.Errorf("got %v, want %s", err, tt.enc)
			}
		})
	}
	for _, raw := range []string{"\x89PNG\r\n\x1a\n\x00\x00", "---\ntitle: T\x00\n---\n", "a\x00"} {
		if _, err := Parse("f.md", []byte(raw)); err == nil || !strings.Contains(err.Error(), "binary file") {
			t.Errorf("%q: %v, want a binary file", raw, err)
		}
	}
}

// TestCROnlyLineEndings: classic Mac line endings are refused with their
// name; a lone CR elsewhere keeps YAML's reading.
func TestCROnlyLineEndings(t *testing.T) {
	const reason = "file uses CR-only line endings; save it with LF or CRLF line endings"
	for _, raw := range []string{
		"---\rtitle: T\r---\r",
		"\ufeff---\rtitle: T\r---\rBody.\r",
		"---  \rtitle: T\r",
		"---\ntitle: T\rquality: 5\r---\r",
	} {
		_, err := Parse("f.md", []byte(raw))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason != reason || pe.Line != 1 {
			t.Errorf("%q: got %v", raw, err)
		}
	}
	if _, err := Parse("f.md", []byte("---\ntitle: \"a\rb\"\n---\n")); err != nil {
		t.Errorf("a CR inside an LF file: %v", err)
	}
	if _, err := Parse("f.md", []byte("title: T\r")); err == nil || !strings.Contains(err.Error(), "must start with a front-matter fence") {
		t.Errorf("no fence: %v", err)
	}
}

// TestKeyIsNFC: the name macOS writes (NFD) and the precomposed name give
// one key; FileName stays as given, for export.
func TestKeyIsNFC(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpus, "valid", "nfd_filename.md"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := []string{"caf\u00e9.md", "cafe\u0301.md"}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := ReadFile(filepath.Join(dir, name), 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.Key != "caf\u00e9" || a.FileName != name {
			t.Errorf("%q: key %q, file name %q", name, a.Key, a.FileName)
		}
	}
	tests := map[string]string{
		"cafe\u0301.md":              "caf\u00e9",
		"dir/A\u030angstr\u00f6m.md": "\u00c5ngstr\u00f6m",
		"\u1100\u1161.txt":           "\uac00", // Hangul jamo compose
		"e\u0301.markdown":           "\u00e9",
		".e\u0301":                   ".\u00e9", // all extension: the whole name
		"plain.md":                   "plain",
	}
	for in, want := range tests {
		if got := KeyOf(in); got != want {
			t.Errorf("KeyOf(%q) = %q, want %q", in, got, want)
		}
	}
}
