package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/transfer"
)

// maxCopyBatch bounds --batch: a batch is one transaction, held in memory.
const maxCopyBatch = 100_000

func cmdCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("copy", "newsdesk copy --from PATH|URL --to PATH|URL [--batch N]",
		"Moves a newsroom between SQLite and PostgreSQL, either way: articles with their\n"+
			"original bytes, topics, users (password hashes, roles, sessions, last login),\n"+
			"the audit, bulk batches and snapshots, and the settings (the session keys, so\n"+
			"everyone stays logged in). The counts and the search index are rebuilt on the\n"+
			"target; presence and login throttling are not copied.\n"+
			"\n"+
			"The target must be empty: a new SQLite file (created), or a PostgreSQL database\n"+
			"with no newsdesk schema or one without articles or users. Stop the servers on\n"+
			"the source first. The copy runs in batches, each its own transaction; when it\n"+
			"is interrupted, run the same command again: it resumes where it stopped.\n"+
			"At the end it compares every row of both sides, checks every article's bytes\n"+
			"against its content hash and the counts against a fresh count, and exits 1\n"+
			"naming what differs.\n"+
			"\n"+
			"For SQLite to SQLite use `newsdesk backup`; for PostgreSQL to PostgreSQL,\n"+
			"pg_dump and pg_restore.", stdout)
	from := c.fs.String("from", envString("NEWSDESK_FROM", ""), "the newsroom to copy: an SQLite file or a postgres:// URL (env NEWSDESK_FROM)")
	to := c.fs.String("to", envString("NEWSDESK_TO", ""), "where to copy it: an SQLite file or a postgres:// URL (env NEWSDESK_TO)")
	for _, name := range []string{"from", "to"} { // --help shows them: never a URL's password
		f := c.fs.Lookup(name)
		f.DefValue = displayDB(f.DefValue)
	}
	defBatch, err := int64Env("NEWSDESK_BATCH", transfer.DefaultBatch)
	if err != nil {
		return c.usageErr("copy: %v", err)
	}
	batch := c.fs.Int64("batch", defBatch, "rows per transaction (env NEWSDESK_BATCH)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return c.usageErr("copy: unexpected argument %q", rest[0])
	case *from == "" || *to == "":
		return c.usageErr("copy: name the source and the target: --from PATH|URL --to PATH|URL")
	case *batch < 1 || *batch > maxCopyBatch:
		return c.usageErr("copy: --batch must be 1 to %d, got %d", maxCopyBatch, *batch)
	case checkDSN(*from) != nil:
		return c.usageErr("copy: --from: %v", checkDSN(*from))
	case checkDSN(*to) != nil:
		return c.usageErr("copy: --to: %v", checkDSN(*to))
	case !postgres.IsURL(*from) && !postgres.IsURL(*to):
		return c.usageErr("copy: both are SQLite files; copy moves a newsroom between SQLite and PostgreSQL. To copy an SQLite database use `newsdesk backup --db FILE OUT` (OUT a new file)")
	case postgres.IsURL(*from) && postgres.IsURL(*to):
		return c.usageErr("copy: both are PostgreSQL databases; copy moves a newsroom between SQLite and PostgreSQL. To copy a PostgreSQL database use pg_dump and pg_restore")
	}

	src, err := openStore(ctx, *from, storeReadOnly)
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	defer src.Close()
	mode := storeCreate
	if _, err := os.Stat(*to); !postgres.IsURL(*to) && !errors.Is(err, fs.ErrNotExist) {
		mode = storeExisting // never turn a stranger's file into a newsdesk database
	}
	dst, err := openStore(ctx, *to, mode)
	if err != nil {
		return fmt.Errorf("copy: target: %w", err)
	}
	defer dst.Close()

	p := newCopyProgress(stderr)
	rep, err := transfer.Copy(ctx, src.(transfer.Side), dst.(transfer.Side), transfer.Options{
		Source:   sourceName(*from),
		Batch:    int(*batch),
		Progress: p.update,
	})
	p.finish()
	var ve *transfer.VerifyError
	switch {
	case errors.As(err, &ve):
		for _, pr := range ve.Problems {
			fmt.Fprintln(stderr, "differs:", pr)
		}
		return &exitError{code: 1, msg: fmt.Sprintf("copy: the copy in %s differs from %s in %d places (listed above)",
			displayDB(*to), displayDB(*from), len(ve.Problems))}
	case ctx.Err() != nil:
		return fmt.Errorf("copy: interrupted; run the same command again to resume: %w", err)
	case err != nil:
		return fmt.Errorf("copy: %w", err)
	}
	printCopy(stdout, *from, *to, rep)
	return nil
}

// sourceName names the source in the target's copy marker: an SQLite
// file by its absolute path, so a re-run from another folder resumes
// too; a PostgreSQL database without its password.
func sourceName(dsn string) string {
	if postgres.IsURL(dsn) {
		return displayDB(dsn)
	}
	if abs, err := filepath.Abs(dsn); err == nil {
		return abs
	}
	return dsn
}

// printCopy writes the summary of a finished, verified copy.
func printCopy(w io.Writer, from, to string, rep *transfer.Report) {
	switch {
	case rep.Finished:
		fmt.Fprintf(w, "%s was copied to %s already: nothing written, verified again\n", displayDB(from), displayDB(to))
	case rep.Resumed:
		fmt.Fprintf(w, "resumed and finished the copy of %s to %s\n", displayDB(from), displayDB(to))
	default:
		fmt.Fprintf(w, "copied %s to %s\n", displayDB(from), displayDB(to))
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(w, "  %-20s %10s rows, %s copied now\n", t.Name, thousands(int(t.Rows)), thousands(int(t.Copied)))
	}
	fmt.Fprintf(w, "verified: every row, %s content hashes, the counts\n", thousands(int(rep.Articles)))
	if !rep.Finished {
		rate := float64(rep.Articles) / max(rep.Elapsed.Seconds(), 1e-3)
		fmt.Fprintf(w, "%s articles in %s (%s articles/s)\n", thousands(int(rep.Articles)),
			rep.Elapsed.Round(time.Millisecond), thousands(int(rate)))
	}
}

// copyProgress shows a copy's progress on stderr: a bar per table when a
// person watches, else one line per table as it ends.
type copyProgress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	table string
	done  int64
}

func newCopyProgress(stderr io.Writer) *copyProgress {
	f, ok := stderr.(*os.File)
	return &copyProgress{w: stderr, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// update is transfer.Options.Progress.
func (p *copyProgress) update(table string, done, total int64) {
	if table != p.table {
		p.finish()
		p.table = table
		if p.tty {
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(table),
				progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
	}
	p.done = done
	if p.bar != nil {
		p.bar.Set64(done)
	}
}

// finish ends the current table's bar or prints its line.
func (p *copyProgress) finish() {
	if p.table == "" {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	fmt.Fprintf(p.w, "%s: %s rows\n", p.table, thousands(int(p.done)))
	p.table = ""
}
