package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to out with VACUUM INTO:
// it reads one snapshot, so writers carry on meanwhile, and the copy is
// compacted and complete (no WAL beside it). out must not exist yet. It
// works on a read-only store too.
//
// The copy holds the session keys, so it is mode 0600 from its first byte:
// VACUUM INTO fills an empty file it is given, keeping its mode (SQLite
// refuses a non-empty one), so the copy is written to a temporary file
// created 0600 in out's folder, then linked to out, which fails rather
// than replace a file made meanwhile. A failed or killed backup leaves
// nothing under out's name (a killed one may leave ".OUT.*.tmp").
func (s *Store) Backup(ctx context.Context, out string) error {
	if out == "" {
		return errors.New("db: backup: empty output path")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("db: backup: %s already exists; refusing to overwrite it", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("db: backup: %w", err)
	}
	// SQLite takes a name starting with "file:" for a URI; an absolute
	// path never does.
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, only the temporary name goes
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	if err := s.vacuumInto(ctx, tmpName); err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	return publish(tmpName, abs, out)
}

// publish gives the finished file tmp the name abs, never replacing a file
// there. A hard link does that atomically; where the file system has no
// hard links (FAT, some network file systems) it renames after checking
// again that the name is free.
func publish(tmp, abs, out string) error {
	err := os.Link(tmp, abs)
	if err == nil {
		return nil
	}
	exists := fmt.Errorf("db: backup: %s already exists; refusing to overwrite it", out)
	if errors.Is(err, fs.ErrExist) {
		return exists
	}
	if _, serr := os.Lstat(abs); serr == nil {
		return exists
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	return nil
}

// vacuumInto runs VACUUM INTO on a connection of its own: the copy reads
// one snapshot of this database, so it needs neither the writer, which
// would hold up saves meanwhile, nor a pool reader, which is query_only and
// may not write the output file. A read-only store's connection is opened
// with the store's read-only parameters.
func (s *Store) vacuumInto(ctx context.Context, file string) error {
	name := dsn(s.path, defaultBusyTimeout, "mode=rw")
	if s.readOnly {
		name = roDSN(s.path, defaultBusyTimeout, s.roParams)
	}
	conn, err := openPool(name, 1)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		conn.Close()
		return err
	}
	return conn.Close()
}

// syncFile flushes a finished file to disk before it gets its name.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
