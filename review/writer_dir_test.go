//go:build unix

package review

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// exportDir runs one folder export of files (name -> content) with
// skipped, and returns the writer for its report.
func exportDir(t *testing.T, dir string, opts DirOptions, files map[string]string, skipped ...string) *DirWriter {
	t.Helper()
	d, err := NewDirWriter(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var sk []Skipped
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if err := d.Add(n, []byte(files[n])); err != nil {
			t.Fatalf("Add(%q): %v", n, err)
		}
	}
	for _, n := range skipped {
		sk = append(sk, Skipped{Key: strings.TrimSuffix(n, ".md"), FileName: n, Reason: "cannot patch"})
	}
	if err := d.Close(sk); err != nil {
		t.Fatal(err)
	}
	return d
}

func readManifest(t *testing.T, dir string) manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, data)
	}
	return m
}

// dirFiles is the folder's files other than the manifest: name -> content.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.Name() == ManifestName {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
		if info, _ := e.Info(); info.Mode().Perm() != 0o666&^umask() {
			t.Errorf("%q: mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	return out
}

func names(m manifest) (files, earlier []string) {
	for _, f := range m.Files {
		files = append(files, f.name())
	}
	for _, f := range m.Earlier {
		earlier = append(earlier, f.name())
	}
	return files, earlier
}

// TestDirWriterHostileNames: every name Linux can hold is written as it
// is, with its bytes, mode 0644; longer names are refused and the export
// goes on.
func TestDirWriterHostileNames(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDirWriter(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i, n := range hostileNames {
		err := d.Add(n, articleFor(i))
		if len(n) > nameMax {
			if !errors.Is(err, ErrUnwritable) || !strings.Contains(err.Error(), "at most 255") {
				t.Errorf("Add(%d-byte name) = %v, want a refusal naming the limit", len(n), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Add(%q): %v", n, err)
		}
		want[n] = string(articleFor(i))
	}
	if err := d.Close(nil); err != nil {
		t.Fatal(err)
	}
	if got := dirFiles(t, dir); !maps.Equal(got, want) {
		t.Errorf("folder holds %q,\nwant %q", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	m := readManifest(t, dir)
	files, _ := names(m)
	if !m.Complete || len(files) != len(want) {
		t.Errorf("manifest complete=%v with %d files, want %d", m.Complete, len(files), len(want))
	}
	for _, f := range m.Files {
		sum := sha256.Sum256([]byte(want[f.name()]))
		if f.SHA256 != hex.EncodeToString(sum[:]) || (f.Name == "") != (f.NameBase64 != nil) {
			t.Errorf("manifest entry %+v", f)
		}
	}
}

// TestDirWriterRefusals: the folder's own names, a folder in the way and
// a second spelling of a written file are refused, and the export goes on.
func TestDirWriterRefusals(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "folder.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := NewDirWriter(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Add("a.md", []byte("A")); err != nil {
		t.Fatal(err)
	}
	// A file system that folds case makes A.md the file a.md: a hard link
	// gives the same answer on any file system.
	if err := os.Link(filepath.Join(dir, "a.md"), filepath.Join(dir, "A.md")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{ManifestName, "kept for the export folder's own files"},
		{".newsdesk-tmp-123", "kept for the export folder's own files"},
		{"folder.md", "a folder of that name is in the way"},
		{"A.md", "takes this name for a.md"},
		{"a.md", "same file name"},
	}
	for _, tt := range tests {
		if err := d.Add(tt.name, []byte("x")); !errors.Is(err, ErrUnwritable) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Add(%q) = %v, want a refusal containing %q", tt.name, err, tt.want)
		}
	}
	if err := d.Add("b.md", []byte("B")); err != nil {
		t.Errorf("Add after refusals: %v", err)
	}
	if err := d.Close(nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.md")); string(b) != "A" {
		t.Errorf("a.md = %q", b)
	}
}

// TestDirWriterStale: over exports with articles leaving the set, the
// folder ends holding exactly the exported set, files newsdesk did not
// write are never removed, and --keep-stale keeps them until an export
// without it.
func TestDirWriterStale(t *testing.T) {
	odd := "caf\xe9\nname.md" // not UTF-8: the manifest must still know it
	tests := []struct {
		name         string
		second       map[string]string
		skipped      []string
		keep         bool
		change       string // a file the user changes before the second export
		wantFiles    []string
		wantStale    []string
		wantEarlier  []string
		wantComplete bool
	}{
		{"an article left", map[string]string{"a.md": "A2", "c.md": "C"}, nil, false, "",
			[]string{"a.md", "c.md", "mine.md"}, []string{"removed b.md", `removed "caf\xe9\nname.md"`}, nil, true},
		{"keep stale", map[string]string{"a.md": "A"}, nil, true, "",
			[]string{"a.md", "b.md", odd, "mine.md"},
			[]string{"kept b.md: kept as asked (--keep-stale)", `kept "caf\xe9\nname.md": kept as asked (--keep-stale)`}, []string{"b.md", odd}, true},
		{"left out this time", map[string]string{"a.md": "A"}, []string{"b.md"}, false, "",
			[]string{"a.md", "b.md", "mine.md"},
			[]string{"kept b.md: its article was left out of this export; its last export stays", `removed "caf\xe9\nname.md"`}, []string{"b.md"}, false},
		{"changed by someone", map[string]string{"a.md": "A"}, nil, false, "b.md",
			[]string{"a.md", "b.md", "mine.md"},
			[]string{"kept b.md: changed since newsdesk wrote it", `removed "caf\xe9\nname.md"`}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A", "b.md": "B", odd: "O"})
			if err := os.WriteFile(filepath.Join(dir, "mine.md"), []byte("not newsdesk's"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.change != "" {
				if err := os.WriteFile(filepath.Join(dir, tt.change), []byte("edited"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			d := exportDir(t, dir, DirOptions{KeepStale: tt.keep}, tt.second, tt.skipped...)
			if got := slices.Sorted(maps.Keys(dirFiles(t, dir))); !slices.Equal(got, tt.wantFiles) {
				t.Errorf("folder holds %q, want %q", got, tt.wantFiles)
			}
			var stale []string
			for _, s := range d.Stale() {
				stale = append(stale, s.String())
			}
			if !slices.Equal(stale, tt.wantStale) {
				t.Errorf("Stale() = %q, want %q", stale, tt.wantStale)
			}
			m := readManifest(t, dir)
			files, earlier := names(m)
			if !slices.Equal(files, slices.Sorted(maps.Keys(tt.second))) || !slices.Equal(earlier, tt.wantEarlier) || m.Complete != tt.wantComplete {
				t.Errorf("manifest files %q, earlier %q, complete %v", files, earlier, m.Complete)
			}
			if len(tt.skipped) > 0 && (len(m.Skipped) != 1 || m.Skipped[0].name() != "b.md" || m.Skipped[0].Reason == "") {
				t.Errorf("manifest skipped %+v", m.Skipped)
			}

			// A third export without --keep-stale removes what is still
			// newsdesk's, and never mine.md or a changed file.
			exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A"})
			wantLeft := []string{"a.md", "mine.md"}
			if tt.change != "" {
				wantLeft = []string{"a.md", tt.change, "mine.md"}
			}
			if got := slices.Sorted(maps.Keys(dirFiles(t, dir))); !slices.Equal(got, wantLeft) {
				t.Errorf("after a third export the folder holds %q, want %q", got, wantLeft)
			}
		})
	}
}

// TestDirWriterForgedManifest: names in a manifest changed by hand never
// make newsdesk remove a file outside the folder or its own files.
func TestDirWriterForgedManifest(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	outside := filepath.Join(root, "outside.md")
	if err := os.WriteFile(outside, []byte("X"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("X"))
	var m manifest
	m.Format, m.Version, m.Complete = manifestFormat, manifestVersion, true
	for _, n := range []string{"../outside.md", outside, "..", ".", ""} {
		m.Files = append(m.Files, newManifestFile(n, hex.EncodeToString(sum[:]), 1))
	}
	data, _ := json.Marshal(m)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	d := exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A"})
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("a file outside the folder was removed: %v", err)
	}
	if len(d.Stale()) != 0 {
		t.Errorf("Stale() = %v", d.Stale())
	}
}

// TestDirWriterOpen: a missing folder is created as mkdir(1) would,
// under umask 077 private like the files in it; a file in its place, an
// unreadable manifest and a second export at once are errors naming the
// folder.
func TestDirWriterOpen(t *testing.T) {
	root := t.TempDir()
	old := syscall.Umask(0o077)
	dir := filepath.Join(root, "new", "out")
	d, err := NewDirWriter(dir, DirOptions{})
	if err == nil {
		err = d.Add("a.md", []byte("a"))
	}
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, %v; want 0700 under umask 077", fi.Mode().Perm(), err)
	}
	for _, name := range []string{"a.md", ManifestName} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, %v; want 0600 under umask 077", name, fi.Mode().Perm(), err)
		}
	}
	if m := readManifest(t, dir); m.Complete || m.Finished != nil {
		t.Errorf("manifest while exporting: complete %v, finished %v", m.Complete, m.Finished)
	}
	if _, err := NewDirWriter(dir, DirOptions{}); err == nil || !strings.Contains(err.Error(), "another export is writing") || !strings.Contains(err.Error(), dir) {
		t.Errorf("second export at once: %v", err)
	}
	if err := d.Close(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, journalName)); !os.IsNotExist(err) {
		t.Errorf("journal left after Close: %v", err)
	}

	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	bad := filepath.Join(root, "bad")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, ManifestName), []byte("{not json"), 0o644)
	for _, tt := range []struct{ dir, want string }{{file, "not a folder"}, {bad, "remove it to export afresh"}} {
		if _, err := NewDirWriter(tt.dir, DirOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.dir) {
			t.Errorf("NewDirWriter(%s) = %v, want an error naming it and %q", tt.dir, err, tt.want)
		}
	}
}

// TestDirWriterAbort: an export that stopped early removes nothing and
// says it is incomplete and why.
func TestDirWriterAbort(t *testing.T) {
	dir := t.TempDir()
	exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A", "z.md": "Z"})
	d, err := NewDirWriter(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Add("a.md", []byte("A2")); err != nil {
		t.Fatal(err)
	}
	if err := d.Abort(errors.New("database is locked")); err != nil {
		t.Fatal(err)
	}
	if got := dirFiles(t, dir); got["z.md"] != "Z" || got["a.md"] != "A2" {
		t.Errorf("after an abort the folder holds %v", got)
	}
	m := readManifest(t, dir)
	files, earlier := names(m)
	if m.Complete || m.Error != "database is locked" || !slices.Equal(files, []string{"a.md"}) || !slices.Equal(earlier, []string{"z.md"}) {
		t.Errorf("manifest %+v", m)
	}
	// The next export still knows z.md is newsdesk's.
	exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A"})
	if _, err := os.Stat(filepath.Join(dir, "z.md")); !os.IsNotExist(err) {
		t.Errorf("z.md after the next export: %v", err)
	}
}

// TestDirWriterKilled: an export killed mid-way (SIGKILL, in a child
// process) leaves an incomplete manifest and temporary files; the next
// export removes those, and the files the killed one wrote that left the
// set.
func TestDirWriterKilled(t *testing.T) {
	if dir := os.Getenv("NEWSDESK_TEST_KILLED_EXPORT"); dir != "" {
		killedExport(dir)
		return
	}
	dir := t.TempDir()
	exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A"})
	cmd := exec.Command(os.Args[0], "-test.run=^TestDirWriterKilled$")
	cmd.Env = append(os.Environ(), "NEWSDESK_TEST_KILLED_EXPORT="+dir)
	if err := cmd.Run(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child: %v, want killed", err)
	}
	if m := readManifest(t, dir); m.Complete {
		t.Error("manifest of a killed export says complete")
	}
	temps, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	if len(temps) == 0 {
		t.Fatal("the killed export left no temporary file: the test proves nothing")
	}

	d := exportDir(t, dir, DirOptions{}, map[string]string{"a.md": "A", "k1.md": "K1"})
	if len(d.TempRemoved()) != len(temps) {
		t.Errorf("TempRemoved() = %q, want %d files", d.TempRemoved(), len(temps))
	}
	if got := slices.Sorted(maps.Keys(dirFiles(t, dir))); !slices.Equal(got, []string{"a.md", "k1.md"}) {
		t.Errorf("folder holds %q after the next export", got)
	}
}

// killedExport is the child of TestDirWriterKilled: it writes two files,
// starts a third and is killed.
func killedExport(dir string) {
	d, err := NewDirWriter(dir, DirOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	d.Add("k1.md", []byte("K1"))
	d.Add("k2.md", []byte("K2"))
	f, _ := os.CreateTemp(dir, tempPrefix+"*")
	f.WriteString("half an arti")
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// umask is the process's file mode creation mask.
func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}
