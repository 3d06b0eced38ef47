package main

import (
	"context"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
)

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("backup", "newsdesk backup [--db PATH] OUT",
		"Writes a consistent copy of the database to OUT while the app keeps running.\n"+
			"OUT must not exist yet. The copy is mode 0600: it holds the session keys.\n"+
			"The database is only read, so a read-only database file works too.\n"+
			"SQLite only: for a PostgreSQL database (--db postgres://...) use pg_dump.", stdout)
	dbPath := c.dbFlag()
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return c.usageErr("backup: name exactly one output file")
	}
	if postgres.IsURL(*dbPath) {
		// A usage mistake, exit status 2; the usage text would not help.
		return &usageError{msg: "backup copies an SQLite file; for PostgreSQL use pg_dump: " +
			"pg_dump --format=custom --file=news.dump '" + displayDB(*dbPath) + "'"}
	}
	store, err := db.OpenReadOnly(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", rest[0])
	return nil
}
