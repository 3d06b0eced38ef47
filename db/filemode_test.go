//go:build unix

package db

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// withUmask runs the test under the usual umask 022, with which SQLite
// would create files 0644, whatever the umask of the machine running it.
func withUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// The database holds the session keys: it, its -wal and -shm files and
// every backup are private to the user from their first byte.
func TestNewDatabaseFilesArePrivate(t *testing.T) {
	withUmask(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "newsdesk.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustImport(t, s, genArticles(3)...)
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	roBackup := filepath.Join(dir, "backup-ro.db")
	if err := ro.Backup(ctx, roBackup); err != nil {
		t.Fatal(err)
	}
	ro.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", backup, roBackup} {
		if m := modeOf(t, p); m != 0o600 {
			t.Errorf("%s is mode %v, want 0600", filepath.Base(p), m)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("backup left %s behind", e.Name())
		}
	}
}

// A database an older newsdesk made world-readable is made private by the
// next command that writes to it, -wal and -shm included (a server may be
// running). A mode someone chose without the world bits stays, and a
// command that only reads changes no mode.
func TestOpenMakesAWorldReadableDatabasePrivate(t *testing.T) {
	withUmask(t)
	ctx := context.Background()
	tests := []struct {
		mode, sideMode fs.FileMode // of the database, and of its -wal and -shm
		want, sideWant fs.FileMode
	}{
		{0o644, 0o644, 0o600, 0o600},
		{0o604, 0o604, 0o600, 0o600},
		{0o640, 0o640, 0o640, 0o640},
		{0o640, 0o644, 0o640, 0o640},
		{0o600, 0o600, 0o600, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+" "+tt.sideMode.String(), func(t *testing.T) {
			path := fixtureDB(t, t.TempDir(), 2)
			running, err := Open(ctx, path) // keeps -wal and -shm there
			if err != nil {
				t.Fatal(err)
			}
			defer running.Close()
			files := []string{path, path + "-wal", path + "-shm"}
			for i, p := range files {
				mode := tt.sideMode
				if i == 0 {
					mode = tt.mode
				}
				if err := os.Chmod(p, mode); err != nil {
					t.Fatal(err)
				}
			}
			ro, err := OpenReadOnly(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			ro.Close()
			if m := modeOf(t, path); m != tt.mode {
				t.Errorf("OpenReadOnly changed the mode to %v", m)
			}
			s, err := OpenExisting(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i, p := range files {
				want := tt.sideWant
				if i == 0 {
					want = tt.want
				}
				if m := modeOf(t, p); m != want {
					t.Errorf("%s is mode %v after opening, want %v", filepath.Base(p), m, want)
				}
			}
		})
	}
}
