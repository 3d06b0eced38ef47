package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/newsdesk/newsdesk/db"
)

// openExisting opens a database that must already exist: export, backup and
// user management (but adding a user) on a mistyped path should say so,
// not create an empty one.
func openExisting(ctx context.Context, path string) (*db.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("database %s does not exist (import articles first, or pass --db)", path)
	} else if err != nil {
		return nil, err
	}
	return db.Open(ctx, path)
}
