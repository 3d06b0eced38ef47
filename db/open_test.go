package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// fixtureDB makes a closed database at dir/name with n articles and a
// user, and returns its path.
func fixtureDB(t *testing.T, dir string, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "newsdesk.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, genArticles(n)...)
	if _, err := s.CreateUser(ctx, "ann", "hash", RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A command that works on a database, and every read-only one, must not
// answer from an empty database made on a mistyped path.
func TestOpenExistingAndReadOnlyRefuseAPathWithNoDatabase(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other.sqlite")
	other, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	other.Close()
	foreignBytes, _ := os.ReadFile(foreign)

	tests := []struct {
		name, path, want string
		notExist         bool
	}{
		{"missing", filepath.Join(dir, "typo.db"), "does not exist; create it with `newsdesk import --db", true},
		{"empty file", empty, "is an empty file; create it with", true},
		{"another program's database", foreign, "not a newsdesk database", false},
	}
	openers := map[string]func(context.Context, string) (*Store, error){
		"OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly,
	}
	for _, tt := range tests {
		for name, open := range openers {
			s, err := open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Errorf("%s(%s) opened it", name, tt.name)
				continue
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("%s(%s): %q, want it to name the file and say %q", name, tt.name, err, tt.want)
			}
			if errors.Is(err, fs.ErrNotExist) != tt.notExist {
				t.Errorf("%s(%s): errors.Is(fs.ErrNotExist) = %v", name, tt.name, !tt.notExist)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a database was created on the mistyped path: %v", err)
	}
	if b, _ := os.ReadFile(empty); len(b) != 0 {
		t.Error("the empty file was written to")
	}
	if b, _ := os.ReadFile(foreign); !bytes.Equal(b, foreignBytes) {
		t.Error("another program's database was changed")
	}
}

func TestOpenExistingUpgradesAndReadOnlyRefusesOtherSchemas(t *testing.T) {
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version int
		want    string // OpenReadOnly's refusal
	}{
		{"older", len(ms) - 1, "older than this program's"},
		{"newer", len(ms) + 1, "newer than this program"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "newsdesk.db")
			if tt.version < len(ms) { // as the newsdesk before the last migration left it
				storeAtVersion(t, path, tt.version, genArticles(2))
			} else {
				path = fixtureDB(t, t.TempDir(), 2)
				s, err := Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.w.Exec(`UPDATE schema_version SET version = ?`, tt.version); err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
			before, _ := os.ReadFile(path)

			if ro, err := OpenReadOnly(ctx, path); err == nil {
				ro.Close()
				t.Fatal("OpenReadOnly accepted a schema it was not made for")
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenReadOnly: %q, want %q", err, tt.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("OpenReadOnly changed the file")
			}

			s, err := OpenExisting(ctx, path)
			if tt.version > len(ms) {
				if err == nil {
					s.Close()
					t.Fatal("OpenExisting accepted a newer schema")
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenExisting of an older schema: %v", err)
			}
			s.Close()
			ro, err := OpenReadOnly(ctx, path)
			if err != nil {
				t.Fatalf("OpenReadOnly after the upgrade: %v", err)
			}
			ro.Close()
		})
	}
}

// A read-only store answers every read and refuses every write, whichever
// way the write goes.
func TestReadOnlyStoreRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := fixtureDB(t, t.TempDir(), 3)
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := mustGetByKey(t, s, genArticle(1).Key)
	writes := map[string]func() error{
		"Import": func() error { _, err := s.Import(ctx, []*article.Article{genArticle(9)}); return err },
		"Update": func() error {
			_, err := s.Update(ctx, rec.ID, Edit{Version: rec.Version, Actor: "a", Quality: ptr(1)})
			return err
		},
		"SessionKeys":       func() error { _, _, err := s.SessionKeys(ctx); return err },
		"RotateSessionKeys": func() error { return s.RotateSessionKeys(ctx) },
		"CreateUser":        func() error { _, err := s.CreateUser(ctx, "bob", "h", RoleEditor); return err },
		"SetDisabled":       func() error { return s.SetDisabled(ctx, 1, true) },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := s.r.Exec(`DELETE FROM users`); err == nil {
		t.Error("the read pool accepted a write")
	}
	if us, err := s.Users(ctx); err != nil || len(us) != 1 {
		t.Errorf("Users = %v, %v", us, err)
	}
	if p, err := s.List(ctx, ListQuery{Text: "report"}); err != nil || p.Total == 0 {
		t.Errorf("List = %d, %v", p.Total, err)
	}
}

// exportAll exports every article of s and fails on any damage.
func exportAll(t *testing.T, s *Store) []ExportRecord {
	t.Helper()
	var got []ExportRecord
	err := s.Export(context.Background(), ListQuery{}, func(r ExportRecord) error {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Key, r.Err)
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// fileState is what a read must leave as it was: the folder's names and
// the database's bytes and modification time.
type fileState struct {
	names []string
	data  []byte
	mtime time.Time
	mode  fs.FileMode
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var st fileState
	for _, e := range entries {
		st.names = append(st.names, e.Name())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st.mtime, st.mode = fi.ModTime(), fi.Mode()
	if st.data, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return st
}

// readEverything runs every read-only command's reads on path: export,
// user list, check and backup (to out), and closes the store.
func readEverything(t *testing.T, path, out string, articles int) {
	t.Helper()
	ctx := context.Background()
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	if got := exportAll(t, s); len(got) != articles {
		t.Errorf("exported %d articles, want %d", len(got), articles)
	}
	if us, err := s.Users(ctx); err != nil || len(us) != 1 {
		t.Errorf("Users = %v, %v", us, err)
	}
	if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
		t.Errorf("Check = %v, %v", ps, err)
	}
	if err := s.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	b, err := OpenReadOnly(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := exportAll(t, b); len(got) != articles {
		t.Errorf("backup holds %d articles, want %d", len(got), articles)
	}
}

// Export, backup, user list and check work on a database file and folder
// nobody may write to, and change nothing there: no byte, no modification
// time, no -wal, -shm or journal file. SQLite needs immutable=1 for that
// (see readOnlyParams). chmod does not stop root, so as root the
// permissions prove nothing and that part is skipped.
func TestReadOnlyCommandsOnAReadOnlyFileAndFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write to a 0444 file in a 0555 folder; TestReadOnlyOpenWritesNothing covers what root can test")
	}
	dir := t.TempDir()
	path := fixtureDB(t, dir, 30)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) }) // so TempDir can remove it
	before := stateOf(t, path)

	if params, err := readOnlyParams(path); err != nil || !slices.Contains(params, "immutable=1") {
		t.Errorf("readOnlyParams = %v, %v; want immutable=1 for a file nobody can write", params, err)
	}
	readEverything(t, path, filepath.Join(t.TempDir(), "backup.db"), 30)

	after := stateOf(t, path)
	if !slices.Equal(before.names, after.names) {
		t.Errorf("folder holds %v after reading, was %v", after.names, before.names)
	}
	if !bytes.Equal(before.data, after.data) || !before.mtime.Equal(after.mtime) {
		t.Error("reading changed the database file")
	}
}

// What root can test of the read-only opening: the database file's bytes,
// modification time and mode stay as they were (a world-readable one is
// not made private by a read), and the -wal and -shm files SQLite needs
// when it could create them are empty or private and removed by the next
// writer.
func TestReadOnlyOpenWritesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := fixtureDB(t, dir, 30)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, path)
	readEverything(t, path, filepath.Join(t.TempDir(), "backup.db"), 30)
	after := stateOf(t, path)
	if !bytes.Equal(before.data, after.data) || !before.mtime.Equal(after.mtime) || before.mode != after.mode {
		t.Errorf("reading changed the database file (mode %v -> %v)", before.mode, after.mode)
	}
	for _, name := range after.names {
		switch name {
		case "newsdesk.db":
		case "newsdesk.db-wal", "newsdesk.db-shm":
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if name == "newsdesk.db-wal" && fi.Size() != 0 {
				t.Errorf("%s holds %d bytes after a read", name, fi.Size())
			}
		default:
			t.Errorf("reading left %s behind", name)
		}
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := stateOf(t, path).names; !slices.Equal(got, []string{"newsdesk.db"}) {
		t.Errorf("after the next writer, the folder holds %v", got)
	}
}

// A read-only store reads beside a writer that holds the write lock, and
// sees what it committed to the WAL: it does not treat a database in use
// as immutable.
func TestReadOnlyOpenBesideAWriter(t *testing.T) {
	ctx := context.Background()
	path := fixtureDB(t, t.TempDir(), 5)
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustImport(t, w, genArticle(5))  // in the WAL, not yet in the file
	tx, err := w.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock, held
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE articles SET note = 'uncommitted'`); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := exportAll(t, s); len(got) != 6 {
		t.Errorf("exported %d articles beside the writer, want 6", len(got))
	}
	if r := mustGetByKey(t, s, genArticle(1).Key); r.Note != "" {
		t.Errorf("read an uncommitted note %q", r.Note)
	}
	if err := s.Backup(ctx, filepath.Join(t.TempDir(), "b.db")); err != nil {
		t.Errorf("backup beside a writer: %v", err)
	}
}

// Another program's database is refused, and left as it was: newsdesk's
// tables would otherwise be made beside its own. A database with no
// tables at all (an empty file) is newsdesk's to make.
func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open took another program's database")
	}
	if !errors.Is(err, ErrForeignDatabase) || !strings.Contains(err.Error(), `"customers", "orders"`) {
		t.Errorf("error %q, want ErrForeignDatabase naming its tables", err)
	}
	tables, err := queryStrings(ctx, other, `SELECT name FROM sqlite_schema ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tables, " ") != "customers orders" {
		t.Errorf("the database now holds %q", tables)
	}
	var journal string
	if err := other.QueryRow(`PRAGMA journal_mode`).Scan(&journal); err != nil || journal != "delete" {
		t.Errorf("journal mode %q (%v), want the file's own: delete", journal, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v (%v), want 0644 as it was", fi.Mode(), err)
	}
	other.Close()
	if _, err := OpenExisting(ctx, path); !errors.Is(err, ErrForeignDatabase) {
		t.Errorf("OpenExisting: %v, want ErrForeignDatabase", err)
	}

	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, empty)
	if err != nil {
		t.Fatalf("an empty file: %v", err)
	}
	s.Close()
}

// A database is newsdesk's by the shape of its schema_version table, not
// by the name alone: other tools keep one too. Views count as another
// program's as tables do. Each is refused untouched.
func TestOpenRefusesLookalikes(t *testing.T) {
	ctx := context.Background()
	for name, schema := range map[string]string{
		"flyway-like":  `CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT); INSERT INTO schema_version VALUES (1, 'x'); CREATE TABLE invoices (id)`,
		"same columns": `CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (3); CREATE TABLE invoices (id)`,
		"views only":   `CREATE VIEW v AS SELECT 1`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			other, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.Exec(schema); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatal("Open took another program's database")
			}
			if !errors.Is(err, ErrForeignDatabase) {
				t.Errorf("error %v, want ErrForeignDatabase", err)
			}
			if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
				t.Errorf("the file changed (%v)", err)
			}
		})
	}
}

// A folder named as the database is said to be one, by every opener (SQLite
// itself says "disk I/O error").
func TestOpenRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	for name, open := range map[string]func(context.Context, string) (*Store, error){
		"Open": Open, "OpenExisting": OpenExisting, "OpenReadOnly": OpenReadOnly,
	} {
		if s, err := open(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "a folder, not a database file") {
			if err == nil {
				s.Close()
			}
			t.Errorf("%s(folder): %v", name, err)
		}
	}
}
