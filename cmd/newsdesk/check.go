package main

import (
	"context"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/review"
)

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("check", "newsdesk check [--db PATH|URL]",
		"Checks a database without changing it: SQLite's integrity and foreign-key checks\n"+
			"(on an SQLite file), every stored file against its content hash, and the search\n"+
			"index against the articles. Prints each fault; exit status 1 when there is any.\n"+
			"--db is an SQLite file or a postgres:// URL.", stdout)
	dbPath := c.dbFlag()
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("check: unexpected argument %q", rest[0])
	}
	store, err := openStore(ctx, *dbPath, storeReadOnly)
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
		fmt.Fprintf(stdout, "%s: %s\n", displayDB(*dbPath), review.Plural(len(problems), "fault"))
		return &exitError{code: 1}
	}
	fmt.Fprintf(stdout, "%s: no faults found\n", displayDB(*dbPath))
	return nil
}
