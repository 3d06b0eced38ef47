package review

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var fixedNow = time.Date(2024, 5, 6, 7, 8, 0, 0, time.UTC)

// writeZip writes names (article i under names[i]) and skipped into a zip.
func writeZip(t *testing.T, names []string, skipped []Skipped) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := NewZipWriter(&buf, fixedNow)
	for i, n := range names {
		if err := z.Add(n, articleFor(i)); err != nil {
			t.Fatalf("Add(%q): %v", n, err)
		}
	}
	if err := z.Close(skipped); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readZip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		if _, dup := out[f.Name]; dup {
			t.Errorf("two entries named %q", f.Name)
		}
		if f.Mode().Perm() != 0o644 || !f.Modified.Equal(fixedNow) {
			t.Errorf("%q: mode %v, time %v", f.Name, f.Mode(), f.Modified)
		}
		if !isASCII(f.Name) && f.Flags&0x800 == 0 {
			t.Errorf("%q: no UTF-8 flag", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%q: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// TestZipWriterHostileNames: every legal name becomes its own safe entry
// holding its article's bytes; url.PathUnescape of the entry, or the
// RENAMED note for a cut one, gives the name back.
func TestZipWriterHostileNames(t *testing.T) {
	entries := readZip(t, writeZip(t, hostileNames, nil))
	if _, ok := entries[NotExportedNote]; ok {
		t.Error("NOT-EXPORTED note without skipped articles")
	}
	renamed := parseRenamed(t, string(entries[RenamedNote]))
	delete(entries, RenamedNote)
	if len(entries) != len(hostileNames) {
		t.Fatalf("%d entries for %d articles", len(entries), len(hostileNames))
	}
	byName := map[string]string{}
	for entry := range entries {
		if msg := unsafeEntry(entry); msg != "" {
			t.Errorf("entry %q: %s", entry, msg)
		}
		orig, err := url.PathUnescape(entry)
		if err != nil {
			t.Errorf("entry %q: %v", entry, err)
		}
		r, listed := renamed[entry]
		switch {
		case !listed && orig != entry:
			t.Errorf("entry %q is escaped but not in RENAMED", entry)
		case listed && r != orig && !strings.Contains(entry, "~"):
			t.Errorf("entry %q: RENAMED gives %q, unescaping %q", entry, r, orig)
		case listed:
			orig = r // a name cut to fit is known by the note only
		}
		byName[orig] = entry
	}
	for i, n := range hostileNames {
		entry, ok := byName[n]
		if !ok {
			t.Errorf("%q: no entry", n)
			continue
		}
		if !bytes.Equal(entries[entry], articleFor(i)) {
			t.Errorf("%q (entry %q): wrong bytes %q", n, entry, entries[entry])
		}
	}
}

// unsafeEntry says what in an entry name a common unzip tool would
// change, or "".
func unsafeEntry(e string) string {
	switch {
	case !utf8.ValidString(e):
		return "not UTF-8"
	case len(e) > nameMax:
		return "longer than 255 bytes"
	case strings.ContainsAny(e, `/\:*?"<>|`):
		return "a character Windows or a separator takes"
	case strings.ContainsFunc(e, func(r rune) bool { return unicode.IsControl(r) || r == 0x2028 || r == 0x2029 || r == 0xfeff }):
		return "a control character"
	case strings.TrimSpace(e) != e || strings.HasSuffix(e, "."):
		return "space or dot at an end"
	case e == NotExportedNote || e == RenamedNote:
		return "a note's name"
	}
	stem, _, _ := strings.Cut(e, ".")
	if windowsReserved[strings.ToUpper(stem)] {
		return "a Windows device name"
	}
	return ""
}

// parseRenamed reads RENAMED.txt: entry, tab, original Go-quoted.
func parseRenamed(t *testing.T, note string) map[string]string {
	t.Helper()
	_, body, ok := strings.Cut(note, "\n\n")
	if !ok {
		t.Fatalf("RENAMED note without a header:\n%s", note)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		entry, orig, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("RENAMED line %q", line)
		}
		name, err := strconv.Unquote(orig)
		if err != nil {
			t.Fatalf("RENAMED line %q: %v", line, err)
		}
		m[entry] = name
	}
	return m
}

// TestZipEntryName: the rule in examples, and names that escape alike.
func TestZipEntryName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.md", "a.md"},
		{"café 日本.md", "café 日本.md"},
		{`a\b.md`, "a%5Cb.md"},
		{"a:b?.md", "a%3Ab%3F.md"},
		{"a\nb.md", "a%0Ab.md"},
		{"a%0Ab.md", "a%250Ab.md"},
		{"caf\xe9.md", "caf%E9.md"},
		{"x.", "x%2E"},
		{"x.md ", "x.md%20"},
		{"con.txt", "%63on.txt"},
		{"LPT1", "%4CPT1"},
		{"console.md", "console.md"},
		{"Not-Exported.TXT", "%4Eot-Exported.TXT"},
	}
	for _, tt := range tests {
		if got := zipEntryName(tt.in, false); got != tt.want {
			t.Errorf("zipEntryName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("\n", 200) + ".md"
	e := zipEntryName(long, false)
	if len(e) > nameMax || !strings.HasSuffix(e, ".md") || strings.HasSuffix(strings.TrimSuffix(e, ".md"), "%") {
		t.Errorf("long name: %q (%d bytes)", e, len(e))
	}
	if e2 := zipEntryName(strings.Repeat("\n", 201)+".md", false); e2 == e {
		t.Errorf("two long names give one entry %q", e)
	}
}

// TestZipWriterFoldedNames: names that differ only in case or Unicode
// normalisation, which Windows, macOS and bsdtar extract as one file, get
// entries that no such extraction merges.
func TestZipWriterFoldedNames(t *testing.T) {
	in := []string{"Report.md", "report.md", "REPORT.MD", "café.md", "cafe\u0301.md", "straße.md", "STRASSE.md"}
	entries := readZip(t, writeZip(t, in, nil))
	delete(entries, RenamedNote)
	folded := map[string]string{}
	for e := range entries {
		if other, ok := folded[foldName(e)]; ok {
			t.Errorf("entries %q and %q fold alike", e, other)
		}
		folded[foldName(e)] = e
	}
	if len(entries) != len(in) {
		t.Errorf("%d entries for %d names: %q", len(entries), len(in), slices.Sorted(maps.Keys(entries)))
	}
	if _, ok := entries["Report.md"]; !ok {
		t.Errorf("the first name is escaped: %q", slices.Sorted(maps.Keys(entries)))
	}
}

// TestZipWriterNotes: skipped articles are listed with their reasons, odd
// names quoted, and a note never takes the place of an article.
func TestZipWriterNotes(t *testing.T) {
	skipped := []Skipped{
		{Key: "bad", FileName: "bad.md", Reason: "the editors' values cannot be written into this file"},
		{Key: "odd", FileName: "odd\nname.md", Reason: "content hash mismatch:\nstored bytes damaged"},
	}
	entries := readZip(t, writeZip(t, []string{"NOT-EXPORTED.txt", "good.md"}, skipped))
	if len(entries) != 4 {
		t.Errorf("entries %v", slices.Sorted(maps.Keys(entries)))
	}
	note := string(entries[NotExportedNote])
	for _, want := range []string{"2 articles left out", "bad.md\n    the editors' values", `"odd\nname.md"`, "mismatch: stored bytes"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
	if !bytes.Equal(entries["%4EOT-EXPORTED.txt"], articleFor(0)) {
		t.Errorf("the article named like the note is lost: %v", slices.Sorted(maps.Keys(entries)))
	}
}

// TestZipWriterAbort: a zip whose export stopped is not a readable archive.
func TestZipWriterAbort(t *testing.T) {
	var buf bytes.Buffer
	z := NewZipWriter(&buf, fixedNow)
	if err := z.Add("a.md", articleFor(1)); err != nil {
		t.Fatal(err)
	}
	if err := z.Abort(errors.New("store failed")); err != nil {
		t.Fatal(err)
	}
	if _, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
		t.Error("an aborted zip reads as whole")
	}
}

// TestZipUnzipTools extracts a zip of hostile names with the unzip tools
// found on the machine (Info-ZIP unzip, bsdtar, Python's zipfile): one
// file per article, each with its article's bytes.
func TestZipUnzipTools(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "export.zip")
	if err := os.WriteFile(zipPath, writeZip(t, hostileNames, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	tools := []struct{ name, bin string }{{"unzip", "unzip"}, {"bsdtar", "bsdtar"}, {"python", "python3"}}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			if _, err := exec.LookPath(tool.bin); err != nil {
				t.Skipf("%s not installed (Debian: apt-get install unzip libarchive-tools)", tool.bin)
			}
			out := t.TempDir()
			var cmd *exec.Cmd
			switch tool.name {
			case "unzip":
				cmd = exec.Command("unzip", "-q", "-d", out, zipPath)
			case "bsdtar":
				cmd = exec.Command("bsdtar", "-x", "-f", zipPath, "-C", out)
			default:
				cmd = exec.Command("python3", "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zipPath, out)
			}
			cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", cmd.Args, err, msg)
			}
			files, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(out, f.Name()))
				if err != nil || !f.Type().IsRegular() {
					t.Errorf("%q: %v %v", f.Name(), f.Type(), err)
				}
				got[string(b)] = true
			}
			if len(files) != len(hostileNames)+1 { // and RENAMED.txt
				t.Errorf("%d files extracted for %d articles", len(files), len(hostileNames))
			}
			for i, n := range hostileNames {
				if !got[string(articleFor(i))] {
					t.Errorf("article %d (%q) not extracted whole", i, n)
				}
			}
		})
	}
}
