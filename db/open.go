package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
)

// privateMode is the mode of every file newsdesk creates for a database:
// the database, and through it its -wal and -shm files, and backups. They
// hold the session keys, which sign every login.
const privateMode = 0o600

// createPrivate creates an empty database file, mode 0600, before SQLite
// opens it. Another Open creating the same file at the same moment is not
// an error: both then open the one file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("db: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("db: create %s: %w", path, err)
	}
	return nil
}

// makePrivate makes a database that anyone may read, and its -wal and -shm
// files, private before a command that writes opens it. Such a file is
// what newsdesk created before its files were private (0644 under the usual
// umask), and it hands the session keys to every local user: it becomes
// 0600. A mode without the world bits (0640 for a backup group, say) was
// chosen by someone and is left as it is; a world-readable -wal or -shm
// gets the database's mode, the one SQLite gives them when it creates
// them. A file we may not chmod (owned by another user) is opened anyway,
// as before, with a warning: refusing would stop the newsroom over a mode.
func makePrivate(path string) error {
	mode := fs.FileMode(privateMode)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("db: open %s: %w", path, err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if fi.Mode().Perm()&0o004 == 0 {
			if p == path {
				mode = fi.Mode().Perm()
			}
			continue
		}
		if err := os.Chmod(p, mode); err != nil {
			slog.Warn("database file is readable by every local user and cannot be made private; it holds the session keys",
				"file", p, "mode", fi.Mode().Perm().String(), "err", err)
		}
	}
	return nil
}

// readOnlyParams are the SQLite URI parameters OpenReadOnly opens path
// with. mode=ro opens the file read-only (https://sqlite.org/uri.html).
//
// A WAL database needs its -shm file even to read, and SQLite creates the
// -wal and -shm files when they are missing and the folder allows it, and
// leaves them there when a read-only connection closes, since only a
// connection that may write can checkpoint and remove them (seen with
// modernc.org/sqlite 1.62, SQLite 3.54; https://sqlite.org/wal.html#readonly).
// They are empty, private (SQLite gives them the database's mode) and the
// next writer removes them. They are needed: while another process may
// write, reading without them could see a half-copied checkpoint.
//
// When neither exists and SQLite could not create them (the folder or the
// file is not writable to us), no process is using the database in WAL mode
// at the moment and we could not start to: then immutable=1 tells SQLite
// the file cannot change, so it reads it with no -shm, no locks and no
// files created. A process with more rights (root, or the owner after a
// chmod) that starts writing during such a read is not seen; that is the
// documented cost of immutable, accepted for archived, read-only copies.
func readOnlyParams(path string) ([]string, error) {
	params := []string{"mode=ro"}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		_, err := os.Lstat(path + side)
		if err == nil {
			return params, nil // in use, or left by a reader or a crash: let SQLite read it
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if canWrite(path) && canWrite(filepath.Dir(path)) {
		return params, nil
	}
	return append(params, "immutable=1"), nil
}

// mustBeNewsdesk refuses an SQLite file that newsdesk did not make. A
// newsdesk database has a schema_version table of the one column version,
// holding one row beside the articles table, or none yet beside nothing
// (Open made it and was stopped before the first migration); another
// program's table of that name is not it. A file that holds other tables
// or views is another program's (ForeignTables); one with none at all is
// refused too unless empty is set (Open makes its schema in it). Every
// refusal wraps ErrForeignDatabase. A file that is not SQLite at all fails
// here too, with SQLite's "file is not a database".
func mustBeNewsdesk(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, empty bool) error {
	names, err := queryStrings(ctx, q, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		if empty {
			return nil
		}
		return fmt.Errorf("%w (it has no schema_version table)", ErrForeignDatabase)
	}
	if slices.Contains(names, "schema_version") {
		ours, err := newsdeskVersionTable(ctx, q, names)
		if ours || err != nil {
			return err
		}
	}
	return ForeignTables(names[:min(len(names), 3)])
}

// newsdeskVersionTable reports whether the schema_version table among
// names (the database's tables and views) is newsdesk's (see
// mustBeNewsdesk).
func newsdeskVersionTable(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, names []string) (bool, error) {
	cols, err := queryStrings(ctx, q, `SELECT name FROM pragma_table_info('schema_version')`)
	if err != nil || !slices.Equal(cols, []string{"version"}) {
		return false, err
	}
	rows, err := queryStrings(ctx, q, `SELECT CAST(count(*) AS TEXT) FROM schema_version`)
	switch {
	case err != nil:
		return false, err
	case rows[0] == "1":
		return slices.Contains(names, "articles"), nil
	case rows[0] == "0":
		return len(names) == 1, nil
	}
	return false, nil
}

// probeNewsdesk runs mustBeNewsdesk on a read-only connection of its own,
// before anything changes the file: its mode, or the writer's pragmas
// (journal_mode WAL rewrites the header).
func probeNewsdesk(ctx context.Context, path string, o options) error {
	params, err := readOnlyParams(path)
	if err != nil {
		return err
	}
	pool, err := openPool(roDSN(path, o.busyTimeout, params, readerParam), 1)
	if err != nil {
		return err
	}
	err = mustBeNewsdesk(ctx, pool, o.create)
	return errors.Join(err, pool.Close())
}

// schemaIsCurrent refuses, for a read-only store that cannot migrate, a
// schema other than the one this program's migrations make.
func (s *Store) schemaIsCurrent(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var current int
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	switch known := len(ms); {
	case current < known:
		return fmt.Errorf("database schema version %d is older than this program's (%d), and a read-only command does not upgrade it: run `newsdesk serve` or `newsdesk import` on it once", current, known)
	case current > known:
		return fmt.Errorf("database schema version %d is newer than this program (%d): use a newer newsdesk", current, known)
	}
	return nil
}

// writable returns an error wrapping ErrReadOnly for a read-only store.
func (s *Store) writable() error {
	if s.readOnly {
		return fmt.Errorf("db: write to %s refused: %w", s.path, ErrReadOnly)
	}
	return nil
}

// refusingPool is the writer of a read-only store: every use fails with an
// error wrapping ErrReadOnly, so a write that does not go through inTx is
// refused as clearly as one that does.
func refusingPool(path string) *sql.DB {
	return sql.OpenDB(refusingConnector{path})
}

type refusingConnector struct{ path string }

func (c refusingConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, fmt.Errorf("db: write to %s refused: %w", c.path, ErrReadOnly)
}

func (c refusingConnector) Driver() driver.Driver { return refusingDriver(c) }

type refusingDriver refusingConnector

func (d refusingDriver) Open(string) (driver.Conn, error) {
	return refusingConnector(d).Connect(context.Background())
}
