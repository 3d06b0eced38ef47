//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

// TestImportOddPaths feeds import the paths people really have: symlinks,
// FIFOs, names with spaces, folders named like files, a file named twice.
// Each case says what the report must and must not say, the exit status,
// and which article keys end up stored.
func TestImportOddPaths(t *testing.T) {
	valid := "---\ntitle: \"An article\"\nquality: 50\n---\nBody\n"
	tests := []struct {
		name     string
		layout   map[string]string // path -> file content, "->target" for a symlink, "|fifo" for a FIFO
		args     []string          // relative to the temp folder
		code     int
		want     []string
		dontWant []string
		keys     []string
	}{
		{
			name:   "a folder named through a symlink",
			layout: map[string]string{"in/a.md": valid, "linked": "->in"},
			args:   []string{"linked"}, code: 0,
			want: []string{"1 files: 1 new"}, keys: []string{"a"},
		},
		{
			name:   "a symlinked file inside a folder",
			layout: map[string]string{"in/a.md": valid, "other/b.md": valid, "in/b.md": "->../other/b.md"},
			args:   []string{"in"}, code: 0,
			want: []string{"2 files: 2 new"}, keys: []string{"a", "b"},
		},
		{
			name:   "a FIFO inside a folder is refused, its neighbours stored",
			layout: map[string]string{"in/a.md": valid, "in/pipe.md": "|fifo"},
			args:   []string{"in"}, code: 1,
			want: []string{"failed: in/pipe.md: not a regular file", "1 new"}, keys: []string{"a"},
		},
		{
			name:   "a FIFO named on the command line is refused",
			layout: map[string]string{"pipe.md": "|fifo"},
			args:   []string{"pipe.md"}, code: 1,
			want: []string{"failed: pipe.md: not a regular file"},
		},
		{
			name:   "spaces, a folder named like a file, a name that is all extension",
			layout: map[string]string{"my in/with space.md": valid, "my in/folder.md/inner.md": valid, "my in/.md": valid},
			args:   []string{"my in"}, code: 0,
			want: []string{"3 files: 3 new"}, dontWant: []string{"failed:"}, keys: []string{"with space", "inner", ".md"},
		},
		{
			name:   "the same file named twice is imported once, without a failure",
			layout: map[string]string{"in/a.md": valid, "linked": "->in"},
			args:   []string{"in", "in/a.md", "./in/a.md", "linked"}, code: 0,
			want: []string{"1 files: 1 new"}, dontWant: []string{"failed:"}, keys: []string{"a"},
		},
		{
			name:   "two files with one key still clash",
			layout: map[string]string{"in/a.md": valid, "in/a.txt": valid},
			args:   []string{"in"}, code: 1,
			want: []string{`failed: in/a.txt: same article key "a" as in/a.md`}, keys: []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			makeLayout(t, dir, tt.layout)
			t.Chdir(dir)
			out, errOut, code := runCmd(t, append([]string{"import", "--db", "n.db"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(out, w) {
					t.Errorf("report says %q:\n%s", w, out)
				}
			}
			checkKeys(t, "n.db", tt.keys)
		})
	}
}

func makeLayout(t *testing.T, dir string, layout map[string]string) {
	t.Helper()
	for rel, content := range layout {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(content, "->"):
			err = os.Symlink(strings.TrimPrefix(content, "->"), p)
		case content == "|fifo":
			err = syscall.Mkfifo(p, 0o644)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkKeys asserts that the database holds exactly the articles with these keys.
func checkKeys(t *testing.T, dbPath string, keys []string) {
	t.Helper()
	if n := countArticles(t, dbPath); n != len(keys) {
		t.Errorf("%d articles stored, want %d (%q)", n, len(keys), keys)
	}
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, k := range keys {
		if _, err := store.GetByKey(context.Background(), k); err != nil {
			t.Errorf("key %q: %v", k, err)
		}
	}
}
