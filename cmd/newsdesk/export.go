package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("export", "newsdesk export [--db PATH|URL] [--status approved|pending|rejected|all] [--keep-stale] --out DIR|-",
		"Exports articles losslessly: every byte of a file stays as imported except the\n"+
			"text of the keys an editor changed (quality, topics, published).\n"+
			"--out DIR writes one file per article under its original name, and a manifest;\n"+
			"files an earlier export wrote there that left the set are removed (--keep-stale\n"+
			"keeps them); no other file in DIR is touched.\n"+
			"--out - writes one YAML stream to standard output.\n"+
			"An article that cannot be written is named and skipped; the exit status is then 1.", stdout)
	dbPath := c.dbFlag()
	status := c.fs.String("status", envString("NEWSDESK_STATUS", "approved"), "which articles: approved, pending, rejected or all (env NEWSDESK_STATUS)")
	out := c.fs.String("out", envString("NEWSDESK_OUT", ""), "folder to write, or - for a YAML stream on stdout (env NEWSDESK_OUT)")
	keepStale := c.fs.Bool("keep-stale", envString("NEWSDESK_KEEP_STALE", "") == "1", "keep files an earlier export wrote to DIR that left the set (env NEWSDESK_KEEP_STALE=1)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("export: unexpected argument %q", rest[0])
	}
	if *out == "" {
		return c.usageErr("export: --out DIR or --out - is required")
	}
	if *out == "-" && *keepStale {
		return c.usageErr("export: --keep-stale applies to --out DIR only")
	}
	q := db.ListQuery{}
	if *status != "all" {
		st, err := article.ParseStatus(*status)
		if err != nil {
			return c.usageErr("export: --status must be approved, pending, rejected or all, got %q", *status)
		}
		q.Status = st
	}

	store, err := openStore(ctx, *dbPath, storeReadOnly)
	if err != nil {
		return err
	}
	defer store.Close()

	where := "standard output"
	var w review.Writer
	var dir *review.DirWriter
	if *out == "-" {
		w = review.NewStreamWriter(stdout)
	} else {
		if dir, err = review.NewDirWriter(*out, review.DirOptions{KeepStale: *keepStale}); err != nil {
			return err
		}
		w, where = dir, *out
	}
	rep, err := review.New(store).Export(ctx, q, w)
	for _, s := range rep.Skipped {
		fmt.Fprintf(stderr, "not exported: %s: %s\n", review.DisplayName(s.FileName), s.Reason)
	}
	if dir != nil {
		for _, name := range dir.TempRemoved() {
			fmt.Fprintf(stderr, "removed %s, left by an export that was stopped\n", review.DisplayName(name))
		}
		printStale(stderr, dir.Stale())
	}
	if err != nil && !errors.Is(err, review.ErrIncomplete) {
		return err
	}
	fmt.Fprintf(stderr, "exported %s to %s", review.Plural(rep.Written, "article"), review.DisplayName(where))
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(stderr, "; %d not exported (named above)\n", len(rep.Skipped))
		return &exitError{code: 1}
	}
	fmt.Fprintln(stderr)
	return nil
}

// printStale says what happened to the files an earlier export wrote
// that left the set.
func printStale(w io.Writer, stale []review.StaleFile) {
	for _, f := range stale {
		fmt.Fprintf(w, "stale: %s\n", f)
	}
}
