package main

import (
	"context"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("check", "newsdesk check [--db PATH]",
		"Checks a database without changing it: SQLite's integrity and foreign-key checks,\n"+
			"every stored file against its content hash, and the search index against the\n"+
			"articles. Prints each fault; exit status 1 when there is any.", stdout)
	dbPath := c.dbFlag()
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("check: unexpected argument %q", rest[0])
	}
	store, err := db.OpenReadOnly(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	problems, err := store.Check(ctx)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "fault: %s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%s: %s\n", *dbPath, review.Plural(len(problems), "fault"))
		return &exitError{code: 1}
	}
	fmt.Fprintf(stdout, "%s: no faults found\n", *dbPath)
	return nil
}
