package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSetsPragmasOnBothPools(t *testing.T) {
	s := newStore(t)
	for name, pool := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		for pragma, want := range map[string]string{
			"busy_timeout": "5000",
			"journal_mode": "wal",
			"synchronous":  "1", // NORMAL
			"foreign_keys": "1",
		} {
			var got string
			if err := pool.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
				t.Fatalf("%s %s: %v", name, pragma, err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
			}
		}
	}
	if _, err := s.r.Exec(`UPDATE users SET role = 'admin'`); err == nil {
		t.Error("reader pool accepted a write; want query_only")
	}
}

func TestOpenIsIdempotentAndRecordsVersion(t *testing.T) {
	ctx := context.Background()
	// A '?' and a '#' in the path must not be taken for DSN syntax.
	path := filepath.Join(t.TempDir(), "odd?name#1.db")
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var v, rows int
		if err := s.r.QueryRow(`SELECT max(version), count(*) FROM schema_version`).Scan(&v, &rows); err != nil {
			t.Fatal(err)
		}
		ms, err := loadMigrations()
		if err != nil {
			t.Fatal(err)
		}
		if v != len(ms) || rows != 1 {
			t.Errorf("schema_version = %d (%d rows), want %d (1 row)", v, rows, len(ms))
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %s: %v", path, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "n.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`UPDATE schema_version SET version = 999`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer program")
	}
}

func TestPingAfterCloseFails(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

func TestConcurrentOpenOfNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	errs := make(chan error, 4)
	stores := make(chan *Store, 4)
	for range 4 {
		go func() {
			s, err := Open(context.Background(), path)
			errs <- err
			stores <- s
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if s := <-stores; s != nil {
			s.Close()
		}
	}
}

// SQLite's own errors do not say which file: "unable to open database file".
func TestOpenErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(notDB, []byte("---\ntitle: not a database\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing", "n.db"), notDB, dir} {
		s, err := Open(context.Background(), path)
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", path)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s): %q does not name the file", path, err)
		}
	}
	if b, _ := os.ReadFile(notDB); string(b) != "---\ntitle: not a database\n---\n" {
		t.Errorf("a file that is not a database was changed: %q", b)
	}
}
