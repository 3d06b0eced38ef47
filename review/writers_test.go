package review

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// hostileNames are legal Linux file names that broke an export before:
// each writer must write every one of them (the folder writer all but the
// ones longer than 255 bytes, which Linux cannot hold), each to its own
// output file.
var hostileNames = []string{
	"plain.md",
	`back\slash.md`,
	`\\server\share.md`,
	"space name.md",
	"line\nbreak.md",
	`line\nbreak.md`, // what Go-quoting the one above gave
	`"line\nbreak.md"`,
	"cr\rname.md",
	"tab\tname.md",
	"bell\x07.md",
	"esc\x1b[31m.md",
	"del\x7f.md",
	"caf\xe9.md", // Latin-1, not UTF-8
	"café.md",
	"cafe\u0301.md", // the NFD spelling: another name to Linux
	"\xff\xfe.md",
	"nel\u0085.md",
	"ls\u2028.md",
	"\ufeffbom.md",
	"bidi\u202etxt.md",
	"pct%41.md",
	"pctA.md",
	"100%.md",
	"colon:name.md",
	`win*?"<>|.md`,
	"trailing dot.",
	"trailing space.md ",
	" leading space.md",
	"CON.md",
	"nul",
	"NOT-EXPORTED.txt",
	"renamed.txt",
	"-dash.md",
	".hidden.md",
	"...",
	"日本語の記事.md",
	"emoji 🗞.md",
	"Upper.md",
	"upper.md",
	strings.Repeat("x", 247) + ".md",      // 250 bytes
	strings.Repeat("y", 252) + ".md",      // 255 bytes, the Linux maximum
	strings.Repeat("é", 126) + ".md",      // 255 bytes of UTF-8
	strings.Repeat("\x01", 84) + ".md",    // 87 bytes, 255 escaped
	strings.Repeat("\n", 200) + ".md",     // 600 bytes escaped: cut in a zip
	strings.Repeat("z", 256) + ".md",      // longer than Linux allows
	strings.Repeat("\xff", 300) + ".yaml", // likewise, and not UTF-8
}

// notNames are not file names on Linux: every writer refuses them.
var notNames = []string{"", ".", "..", "a/b.md", "../up.md", "/abs.md", "nul\x00.md"}

// articleFor is a small article whose title says which name it was
// written under, so an output file can be traced back.
// articleFor is article i's file; every third one has CRLF line endings.
func articleFor(i int) []byte {
	b := fmt.Appendf(nil, "---\ntitle: \"Article %d\"\nquality: %d\n---\nBody of article %d.\n", i, i%100, i)
	if i%3 == 1 {
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
	}
	return b
}

// TestWritersRefuseNotNames: what is not a file name is refused by every
// writer as ErrUnwritable, and the writer goes on with the next file.
func TestWritersRefuseNotNames(t *testing.T) {
	for _, kind := range []string{"dir", "zip", "stream"} {
		t.Run(kind, func(t *testing.T) {
			w := newTestWriter(t, kind)
			for _, n := range notNames {
				if err := w.Add(n, []byte("x")); !errors.Is(err, ErrUnwritable) {
					t.Errorf("Add(%q) = %v, want ErrUnwritable", n, err)
				}
			}
			if err := w.Add("ok.md", articleFor(1)); err != nil {
				t.Errorf("Add after refusals: %v", err)
			}
			if err := w.Add("ok.md", articleFor(2)); !errors.Is(err, ErrUnwritable) || !strings.Contains(err.Error(), "same") {
				t.Errorf("second ok.md: %v, want a refusal naming the same name", err)
			}
			if err := w.Close(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func newTestWriter(t *testing.T, kind string) Writer {
	t.Helper()
	switch kind {
	case "dir":
		d, err := NewDirWriter(t.TempDir(), DirOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	case "zip":
		return NewZipWriter(&strings.Builder{}, fixedNow)
	default:
		return NewStreamWriter(&strings.Builder{})
	}
}
