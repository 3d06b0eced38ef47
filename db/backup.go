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
// compacted and complete (no WAL beside it). out must not exist yet.
func (s *Store) Backup(ctx context.Context, out string) error {
	if out == "" {
		return errors.New("db: backup: empty output path")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("db: backup: %s already exists; refusing to overwrite it", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("db: backup: %w", err)
	}
	// VACUUM INTO reads one snapshot of this database, so it needs neither
	// the writer, which would hold up saves meanwhile, nor a pool reader,
	// which is query_only and may not create the output file. It gets a
	// connection of its own.
	conn, err := openPool(dsn(s.path), 1)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	defer conn.Close()
	// SQLite takes a name starting with "file:" for a URI; an absolute
	// path never does.
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("db: backup to %s: %w", out, err)
	}
	return conn.Close()
}
