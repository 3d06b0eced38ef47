package review

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Import batches are bounded three ways, so that one transaction stays
// short (an editor's save waits behind it, well under a second) and an
// import of large files stays small in memory: at most BatchFiles
// articles, BatchBytes of file bytes, or BatchTime since the batch began.
const (
	BatchFiles = 500
	BatchBytes = 8 << 20
	BatchTime  = 250 * time.Millisecond
)

// ArticleExts are the extensions picked up when walking a folder; a file
// named on its own is imported whatever its extension.
var ArticleExts = map[string]bool{".md": true, ".markdown": true, ".txt": true, ".yaml": true, ".yml": true}

// Source is one file to import.
type Source struct {
	Display string // the path as the user named it, for the report
	Path    string
}

// Failure is one file that could not be imported, and why.
type Failure struct {
	Display string
	Err     error
}

// String is the report line of f: the name once (parse errors start with
// it), quoted when it holds characters that would break the line.
func (f Failure) String() string {
	msg := f.Err.Error()
	if base := filepath.Base(f.Display); strings.HasPrefix(msg, base+":") {
		msg = strings.TrimSpace(strings.TrimPrefix(msg, base+":"))
	}
	return DisplayName(f.Display) + ": " + oneLine(msg)
}

// DisplayName is a file name as one line of a report: as it is when it is
// printable UTF-8, else Go-quoted ("a\nb.md", "caf\xe9.md"), so no name
// can split a line or pass for another. A name that starts with a quote is
// quoted too, so it cannot pass for a quoted one.
func DisplayName(name string) string {
	if utf8.ValidString(name) && !strings.HasPrefix(name, `"`) &&
		!strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return name
	}
	return strconv.Quote(name)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// CollectFiles expands folders (recursively, files with ArticleExts, in
// name order) and refuses second files with a key already taken (a.md and
// a.txt both claim "a", as do the NFC and NFD spellings of one name),
// which would otherwise overwrite each other in one run. Entries that are
// not plain files are kept: parsing says why they cannot be read, where
// skipping them would lose an article without a word.
func CollectFiles(paths []string) ([]Source, []Failure) {
	c := collector{seen: map[string]string{}}
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
	seen     map[string]string // article key -> path that claimed it
	sources  []Source
	failures []Failure
}

func (c *collector) fail(path string, err error) {
	c.failures = append(c.failures, Failure{path, err})
}

// add queues path, unless its key is taken. The same file named twice
// ("in" and "in/a.md", or through a symlink) is no clash: it is imported
// once.
func (c *collector) add(path string) {
	key := article.KeyOf(path)
	if first, dup := c.seen[key]; dup {
		if !sameFile(first, path) {
			c.fail(path, fmt.Errorf("same article key %q as %s", key, DisplayName(first)))
		}
		return
	}
	c.seen[key] = path
	c.sources = append(c.sources, Source{Display: path, Path: path})
}

func sameFile(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

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
		} else if !d.IsDir() && ArticleExts[strings.ToLower(filepath.Ext(path))] {
			found = append(found, path)
		}
		return nil // keep going: every readable file is imported
	})
	sort.Strings(found)
	for _, f := range found {
		c.add(f)
	}
}

// ImportReport counts what an import did.
type ImportReport struct {
	New, Updated, Unchanged int
	Kept                    []string // "key: quality, topics": editor values kept over a changed file
	Renamed                 []string // "key: was a.md, now b.txt": a key found under another name
	Failures                []Failure
}

// Files is how many files the import looked at.
func (r *ImportReport) Files() int { return r.New + r.Updated + r.Unchanged + len(r.Failures) }

func (r *ImportReport) add(outcomes []db.ImportOutcome, names map[string]string) {
	for _, o := range outcomes {
		switch o.Result {
		case db.ImportNew:
			r.New++
		case db.ImportUpdated:
			r.Updated++
		default:
			r.Unchanged++
		}
		if len(o.Kept) > 0 {
			r.Kept = append(r.Kept, DisplayName(o.Key)+": "+strings.Join(o.Kept, ", "))
		}
		if o.PreviousFileName != "" {
			r.Renamed = append(r.Renamed, fmt.Sprintf("%s: stored as %s, now imported from %s",
				DisplayName(o.Key), DisplayName(o.PreviousFileName), DisplayName(names[o.Key])))
		}
	}
}

// ImportOptions tune an import.
type ImportOptions struct {
	MaxFileSize int64           // bytes; article.DefaultMaxFileSize when 0
	Progress    func(files int) // called as files are done, from one goroutine
}

// Import parses sources on every core and stores them in batches bounded
// by BatchFiles, BatchBytes and BatchTime, one transaction each: a crash
// keeps every committed batch, editors' saves interleave with the
// batches, and memory stays bounded by the batch and the few files being
// parsed. Every valid file is stored whatever its neighbours do; each
// failed file is in the report. The error is for the store or ctx only.
func (s *Service) Import(ctx context.Context, sources []Source, opts ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{}
	b := batcher{s: s, rep: rep, progress: opts.Progress, names: map[string]string{}}
	var storeErr error
	for r := range parseAll(ctx, sources, opts.MaxFileSize) {
		switch {
		case storeErr != nil:
			continue // drain the workers
		case r.err != nil:
			rep.Failures = append(rep.Failures, Failure{r.src.Display, r.err})
			b.done(1)
		default:
			storeErr = b.add(ctx, r.src, r.art)
		}
	}
	if storeErr == nil {
		storeErr = b.flush(ctx)
	}
	if storeErr == nil {
		storeErr = ctx.Err()
	}
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].Display < rep.Failures[j].Display })
	return rep, storeErr
}

// batcher collects parsed articles into bounded batches.
type batcher struct {
	s        *Service
	rep      *ImportReport
	progress func(int)
	batch    []*article.Article
	bytes    int
	started  time.Time
	names    map[string]string // key -> display name, for the report
}

func (b *batcher) add(ctx context.Context, src Source, a *article.Article) error {
	if len(b.batch) == 0 {
		b.started = time.Now()
	}
	b.batch = append(b.batch, a)
	b.bytes += len(a.Raw) + len(a.Body)
	b.names[a.Key] = src.Display
	if len(b.batch) >= BatchFiles || b.bytes >= BatchBytes || time.Since(b.started) >= BatchTime {
		return b.flush(ctx)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	outcomes, err := b.s.store.Import(ctx, b.batch)
	if err != nil {
		return err
	}
	b.rep.add(outcomes, b.names)
	b.done(len(b.batch))
	clear(b.batch) // let the articles go before the next batch fills
	b.batch, b.bytes = b.batch[:0], 0
	clear(b.names)
	return nil
}

func (b *batcher) done(n int) {
	if b.progress != nil {
		b.progress(n)
	}
}

// parsed is the result of parsing one source on a worker.
type parsed struct {
	src Source
	art *article.Article
	err error
}

// parseAll parses sources on one worker per core and sends the results as
// they come; the channel closes when all are done or ctx ends. The channel
// holds few results, so at most about (2 × workers) files are in memory
// beyond the batch being filled.
func parseAll(ctx context.Context, sources []Source, maxSize int64) <-chan parsed {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan Source)
	results := make(chan parsed, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range jobs {
				a, err := article.ReadFile(src.Path, maxSize)
				results <- parsed{src: src, art: a, err: err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, src := range sources {
			select {
			case jobs <- src:
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
