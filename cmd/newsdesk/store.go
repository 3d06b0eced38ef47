package main

import (
	"context"

	"github.com/newsdesk/newsdesk/db"
)

// openExisting opens, for writing, a database that must already exist: the
// commands that change one (user passwd and disable, rotate-keys) on a
// mistyped path say so and how to create one, rather than create an empty
// database. Commands that only read use db.OpenReadOnly.
func openExisting(ctx context.Context, path string) (*db.Store, error) {
	return db.OpenExisting(ctx, path)
}
