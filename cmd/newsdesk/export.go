package main

import (
	"context"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("export", "newsdesk export [--db PATH] [--status approved|pending|rejected|all] --out DIR|-",
		"Exports articles losslessly: every byte of a file stays as imported except the\n"+
			"text of the keys an editor changed (quality, topics, published).\n"+
			"--out DIR writes one file per article under its original name;\n"+
			"--out - writes one YAML stream to standard output.", stdout)
	dbPath := c.dbFlag()
	status := c.fs.String("status", envString("NEWSDESK_STATUS", "approved"), "which articles: approved, pending, rejected or all (env NEWSDESK_STATUS)")
	out := c.fs.String("out", envString("NEWSDESK_OUT", ""), "folder to write, or - for a YAML stream on stdout (env NEWSDESK_OUT)")
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
	q := db.ListQuery{}
	if *status != "all" {
		st, err := article.ParseStatus(*status)
		if err != nil {
			return c.usageErr("export: --status: %v", err)
		}
		q.Status = st
	}

	store, err := openExisting(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	var exp article.Exporter
	if *out == "-" {
		exp = article.NewStreamExporter(stdout)
	} else if exp, err = article.NewDirExporter(*out); err != nil {
		return err
	}
	n, err := exportTo(ctx, store, q, exp)
	if err != nil {
		return err
	}
	where := *out
	if where == "-" {
		where = "standard output"
	}
	fmt.Fprintf(stderr, "exported %d articles to %s\n", n, where)
	return nil
}

// exportTo patches each matching article's original bytes with its editor
// values and hands the result to exp.
func exportTo(ctx context.Context, store *db.Store, q db.ListQuery, exp article.Exporter) (int, error) {
	n := 0
	err := store.Export(ctx, q, func(r db.ExportRecord) error {
		data, err := article.Patch(r.Raw, r.Changes)
		if err != nil {
			return fmt.Errorf("export %s: %w", r.FileName, err)
		}
		n++
		return exp.Add(r.FileName, data)
	})
	if cerr := exp.Close(); err == nil {
		err = cerr
	}
	return n, err
}
