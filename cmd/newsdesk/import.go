package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// importBatch is how many articles go into one transaction: large enough to
// amortise the commit, small enough that a crash loses little work.
const importBatch = 500

// articleExts are the extensions picked up when walking a folder; a file
// named on the command line is imported whatever its extension.
var articleExts = map[string]bool{".md": true, ".markdown": true, ".txt": true, ".yaml": true, ".yml": true}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("import", "newsdesk import [--db PATH] [--max-size BYTES] PATH...",
		"Imports article files, and folders of them recursively (.md .markdown .txt .yaml .yml).\n"+
			"Every valid file is stored whatever its neighbours do; the report lists each\n"+
			"failed file with its reason. Exit status 1 when any file failed.", stdout)
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

	sources, failures := collectFiles(paths, *maxSize)
	store, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer store.Close()

	rep, err := importSources(ctx, store, sources, progressFor(stderr, len(sources)))
	rep.failures = append(failures, rep.failures...)
	rep.print(stdout)
	if err != nil {
		return err
	}
	if len(rep.failures) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// source is one file to import: a name for the report and a way to parse it.
type source struct {
	display string // path as the user named it
	parse   func() (*article.Article, error)
}

// failure is one file that could not be imported, with the reason.
type failure struct {
	display string
	err     error
}

// collectFiles expands folders and drops second files with a key already
// taken (a.md and a.txt both claim "a"), which would otherwise overwrite
// each other in one run.
func collectFiles(paths []string, maxSize int64) ([]source, []failure) {
	c := collector{maxSize: maxSize, seen: map[string]string{}}
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			c.fail(p, err)
		case info.IsDir():
			c.walk(p)
		default:
			c.add(p)
		}
	}
	return c.sources, c.failures
}

type collector struct {
	maxSize  int64
	seen     map[string]string // article key -> path that claimed it
	sources  []source
	failures []failure
}

func (c *collector) fail(path string, err error) {
	c.failures = append(c.failures, failure{path, err})
}

// add queues path, unless its key is taken. The same file named twice
// ("in" and "in/a.md", or through a symlink) is no clash: it is imported
// once.
func (c *collector) add(path string) {
	key := article.KeyOf(path)
	if first, dup := c.seen[key]; dup {
		if !sameFile(first, path) {
			c.fail(path, fmt.Errorf("same article key %q as %s", key, first))
		}
		return
	}
	c.seen[key] = path
	c.sources = append(c.sources, source{display: path, parse: func() (*article.Article, error) {
		return article.ReadFile(path, c.maxSize)
	}})
}

func sameFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// walk adds the files below dir that have an article extension, in name
// order. Entries that are not plain files (symlinks, FIFOs) are added too:
// ReadFile follows a link, or says why the entry is not a file, where
// skipping it would lose an article without a word.
func (c *collector) walk(dir string) {
	// WalkDir does not enter a root that is a symlink; with a trailing
	// separator the system resolves the link first.
	if !os.IsPathSeparator(dir[len(dir)-1]) {
		dir += string(filepath.Separator)
	}
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			c.fail(path, err)
		} else if !d.IsDir() && articleExts[strings.ToLower(filepath.Ext(path))] {
			found = append(found, path)
		}
		return nil // keep going: every readable file is imported
	})
	sort.Strings(found)
	for _, f := range found {
		c.add(f)
	}
}

// importReport counts what an import did.
type importReport struct {
	counts   map[db.ImportResult]int
	kept     []string // "key: quality, topics"
	failures []failure
}

func (r *importReport) print(w io.Writer) {
	total := r.counts[db.ImportNew] + r.counts[db.ImportUpdated] + r.counts[db.ImportUnchanged] + len(r.failures)
	fmt.Fprintf(w, "%d files: %d new, %d updated, %d unchanged, %d editor values kept, %d failed\n",
		total, r.counts[db.ImportNew], r.counts[db.ImportUpdated], r.counts[db.ImportUnchanged], len(r.kept), len(r.failures))
	for _, k := range r.kept {
		fmt.Fprintf(w, "kept editor values: %s\n", k)
	}
	sort.Slice(r.failures, func(i, j int) bool { return r.failures[i].display < r.failures[j].display })
	for _, f := range r.failures {
		fmt.Fprintf(w, "failed: %s\n", failureText(f))
	}
}

// failureText names the file once: parse errors already start with its name.
func failureText(f failure) string {
	msg := f.err.Error()
	base := filepath.Base(f.display)
	if strings.HasPrefix(msg, base+":") {
		msg = strings.TrimSpace(strings.TrimPrefix(msg, base+":"))
	}
	return f.display + ": " + msg
}

// parsed is the result of parsing one source on a worker.
type parsed struct {
	src source
	art *article.Article
	err error
}

// importSources parses on every core and stores in batches of importBatch,
// one transaction each, so a crash keeps every committed batch intact.
func importSources(ctx context.Context, store *db.Store, sources []source, bar *progressbar.ProgressBar) (*importReport, error) {
	rep := &importReport{counts: map[db.ImportResult]int{}}
	results := parseAll(ctx, sources)
	batch := make([]*article.Article, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outcomes, err := store.Import(ctx, batch)
		if err != nil {
			return err
		}
		for _, o := range outcomes {
			rep.counts[o.Result]++
			if len(o.Kept) > 0 {
				rep.kept = append(rep.kept, o.Key+": "+strings.Join(o.Kept, ", "))
			}
		}
		if bar != nil {
			bar.Add(len(batch))
		}
		batch = batch[:0]
		return nil
	}
	var storeErr error
	for r := range results {
		if storeErr != nil {
			continue // drain the workers
		}
		switch {
		case r.err != nil:
			rep.failures = append(rep.failures, failure{r.src.display, r.err})
			if bar != nil {
				bar.Add(1)
			}
		default:
			batch = append(batch, r.art)
			if len(batch) == importBatch {
				storeErr = flush()
			}
		}
	}
	if storeErr == nil {
		storeErr = flush()
	}
	if bar != nil {
		bar.Finish()
	}
	if storeErr == nil {
		storeErr = ctx.Err()
	}
	return rep, storeErr
}

// parseAll parses sources on one worker per core and sends the results as
// they come; the channel closes when all are done or ctx ends.
func parseAll(ctx context.Context, sources []source) <-chan parsed {
	jobs := make(chan source)
	results := make(chan parsed, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				a, err := s.parse()
				results <- parsed{src: s, art: a, err: err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, s := range sources {
			select {
			case jobs <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
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
