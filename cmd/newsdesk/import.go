package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/review"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("import", "newsdesk import [--db PATH|URL] [--max-size BYTES] PATH...",
		"Imports article files, and folders of them recursively (.md .markdown .txt .yaml .yml).\n"+
			"Every valid file is stored whatever its neighbours do; the report lists each\n"+
			"failed file with its reason. Exit status 1 when any file failed.\n"+
			"--db is an SQLite file, created when missing, or a postgres:// URL of an existing\n"+
			"PostgreSQL database, which gets newsdesk's tables when it has none.", stdout)
	dbPath := c.dbFlag()
	defMax, err := int64Env("NEWSDESK_MAX_SIZE", article.DefaultMaxFileSize)
	if err != nil {
		return err
	}
	maxSize := c.fs.Int64("max-size", defMax, "largest accepted file in bytes (env NEWSDESK_MAX_SIZE)")
	paths, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return c.usageErr("import: name at least one file or folder")
	}
	if *maxSize <= 0 {
		return c.usageErr("import: --max-size must be positive, got %d", *maxSize)
	}

	sources, failures := review.CollectFiles(paths)
	if len(sources) == 0 {
		// Nothing to store: a mistyped path must not create an empty
		// database that serve would then accept.
		printImport(stdout, &review.ImportReport{Failures: failures})
		if len(failures) > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
	store, err := openStore(ctx, *dbPath, storeCreate)
	if err != nil {
		return err
	}
	defer store.Close()

	bar := progressFor(stderr, len(sources))
	opts := review.ImportOptions{MaxFileSize: *maxSize}
	if bar != nil {
		opts.Progress = func(n int) { bar.Add(n) }
	}
	rep, err := review.New(store).Import(ctx, sources, opts)
	if bar != nil {
		bar.Finish()
	}
	rep.Failures = append(failures, rep.Failures...)
	printImport(stdout, rep)
	if err != nil {
		return err
	}
	if len(rep.Failures) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// printImport writes the report: a summary, then one line per kept
// editor value, renamed key and failed file.
func printImport(w io.Writer, r *review.ImportReport) {
	fmt.Fprintf(w, "%d files: %d new, %d updated, %d unchanged, %d editor values kept, %d failed\n",
		r.Files(), r.New, r.Updated, r.Unchanged, len(r.Kept), len(r.Failures))
	for _, k := range r.Kept {
		fmt.Fprintf(w, "kept editor values: %s\n", k)
	}
	for _, k := range r.Renamed {
		fmt.Fprintf(w, "renamed: %s\n", k)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
}

// progressFor draws a bar on stderr only when a person is watching it.
func progressFor(stderr io.Writer, n int) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || n < 2 {
		return nil
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
}
