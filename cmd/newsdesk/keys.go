package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func cmdRotateKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("rotate-keys", "newsdesk rotate-keys [--db PATH|URL]",
		"Replaces the session keys kept in the database with new random ones, which\n"+
			"logs everybody out. A running server keeps the keys it read at start:\n"+
			"restart it afterwards (every server, when several share a PostgreSQL\n"+
			"database). Servers started with NEWSDESK_SESSION_KEY do not use the\n"+
			"stored keys; to rotate theirs, change that variable and restart.", stdout)
	dbPath := c.dbFlag()
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("rotate-keys: unexpected argument %q", rest[0])
	}
	store, err := openStore(ctx, *dbPath, storeExisting)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.RotateSessionKeys(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "session keys of %s replaced: restart the server; everyone logs in again\n", displayDB(*dbPath))
	if os.Getenv("NEWSDESK_SESSION_KEY") != "" {
		fmt.Fprintln(stderr, "newsdesk: note: NEWSDESK_SESSION_KEY is set here; a server started with it ignores the stored keys")
	}
	return nil
}
