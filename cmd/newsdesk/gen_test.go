package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bench/gen"
)

func TestGenCommandLineErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file.md")
	os.WriteFile(file, []byte("---\ntitle: x\n---\n"), 0o644)
	foreign := filepath.Join(tmp, "foreign")
	os.Mkdir(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	out := filepath.Join(tmp, "out")
	tests := []struct {
		name string
		env  string // NEWSDESK_SEED
		args []string
		want string
	}{
		{"no arguments", "", []string{"gen"}, "name the number of articles and a folder"},
		{"DIR missing", "", []string{"gen", "10"}, "name the number of articles and a folder"},
		{"extra argument", "", []string{"gen", "10", out, "more"}, "name the number of articles and a folder"},
		{"N not a number", "", []string{"gen", "ten", out}, `N: want a whole number from 1 to 10,000,000, got "ten"`},
		{"N zero", "", []string{"gen", "0", out}, `got "0"`},
		{"N negative", "", []string{"gen", "--", "-5", out}, `got "-5"`},
		{"N with a sign", "", []string{"gen", "+5", out}, `got "+5"`},
		{"N fractional", "", []string{"gen", "1.5", out}, `got "1.5"`},
		{"N above the limit", "", []string{"gen", "10000001", out}, "10,000,001 articles is more than the limit of 10,000,000"},
		{"DIR is a file", "", []string{"gen", "10", file}, "file.md: is a file, not a folder"},
		{"DIR holds other files", "", []string{"gen", "10", foreign}, `holds "notes.txt", which newsdesk gen did not write`},
		{"bad --seed", "", []string{"gen", "--seed", "x", "10", out}, `invalid value "x" for flag -seed`},
		{"bad NEWSDESK_SEED", "abc", []string{"gen", "10", out}, `environment NEWSDESK_SEED="abc": not a whole number`},
		{"bad --end", "", []string{"gen", "--end", "2026-13-01", "10", out}, `--end "2026-13-01" is not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NEWSDESK_SEED", tt.env)
			stdout, stderr, code := runCmd(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "Usage: newsdesk gen") {
				t.Errorf("exit %d, stderr %q; want exit 2 with %q and the usage", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused command created %s", out)
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "mine" {
		t.Errorf("a refused command touched a file it did not write")
	}
}

func TestGenHelp(t *testing.T) {
	out, _, code := runCmd(t, "gen", "--help")
	for _, want := range []string{"Usage: newsdesk gen", "Flags:", "-seed", "NEWSDESK_SEED", "-end", "NEWSDESK_END"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("gen --help: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	if out, _, _ := runCmd(t, "help"); !strings.Contains(out, "newsdesk gen    N DIR") {
		t.Errorf("the main usage does not list gen:\n%s", out)
	}
}

// TestGenThenImport runs gen as a user would, checks the flag, its
// environment equivalent and a rerun agree byte for byte, and imports the
// folder with the real import command: every file is stored.
func TestGenThenImport(t *testing.T) {
	const n = 300
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	stdout, stderr, code := runCmd(t, "gen", "--seed", "5", "--end", "2026-11-30", "300", a)
	if code != 0 || !strings.Contains(stdout, "wrote 300 articles to "+a) || !strings.Contains(stdout, "dated 2026-09-01 to 2026-11-29") {
		t.Fatalf("gen: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Setenv("NEWSDESK_SEED", "5")
	t.Setenv("NEWSDESK_END", "2026-11-30")
	if _, stderr, code := runCmd(t, "gen", "300", b); code != 0 {
		t.Fatalf("gen with the environment: exit %d: %s", code, stderr)
	}
	sameFiles(t, a, b)

	// A rerun into the folder replaces the earlier set.
	if stdout, stderr, code := runCmd(t, "gen", "300", a); code != 0 || !strings.Contains(stdout, "replaced an earlier set: 300 files written again, 0 removed") {
		t.Fatalf("gen again: exit %d\n%s%s", code, stdout, stderr)
	}
	sameFiles(t, a, b)
	if stdout, stderr, code := runCmd(t, "gen", "--seed", "6", "300", b); code != 0 || !strings.Contains(stdout, "replaced an earlier set: 0 files written again, 300 removed") {
		t.Fatalf("gen with another seed: exit %d\n%s%s", code, stdout, stderr)
	}
	if names := listNames(t, b); len(names) != n+1 {
		t.Fatalf("after a set of another seed, %d entries, want %d", len(names), n+1)
	}

	dbPath := filepath.Join(tmp, "n.db")
	stdout, stderr, code = runCmd(t, "import", "--db", dbPath, a)
	if code != 0 || !strings.Contains(stdout, "300 files: 300 new, 0 updated, 0 unchanged, 0 editor values kept, 0 failed") {
		t.Fatalf("import of generated files: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := countArticles(t, dbPath); got != n {
		t.Errorf("%d articles stored, want %d", got, n)
	}
}

// sameFiles fails unless dirs a and b hold the same names with the same bytes.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	na, nb := listNames(t, a), listNames(t, b)
	if !slices.Equal(na, nb) || !slices.Contains(na, gen.Marker) {
		t.Fatalf("%s and %s hold different names (%d and %d)", a, b, len(na), len(nb))
	}
	for _, name := range na {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs between %s and %s", name, a, b)
		}
	}
}

func listNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 10000000: "10,000,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
