package review

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/text/unicode/norm"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
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
// name order). The same file named twice ("in" and "in/a.md", or through
// a symlink) is kept once. Files that claim one key (a.md and a.txt both
// claim "a", as do the NFC and NFD spellings of one name) are all kept:
// Import stores the first of them that is valid and refuses the others.
// Entries that are not plain files are kept too: parsing says why they
// cannot be read, where skipping them would lose an article without a
// word.
func CollectFiles(paths []string) ([]Source, []Failure) {
	c := collector{seen: map[string][]string{}}
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
	seen     map[string][]string // article key -> the paths that claim it
	sources  []Source
	failures []Failure
}

func (c *collector) fail(path string, err error) {
	c.failures = append(c.failures, Failure{path, err})
}

// add queues path, unless it is a file already queued under another
// name.
func (c *collector) add(path string) {
	key := article.KeyOf(path)
	for _, other := range c.seen[key] {
		if sameFile(other, path) {
			return
		}
	}
	c.seen[key] = append(c.seen[key], path)
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
		case db.ImportRefused:
			r.Failures = append(r.Failures, Failure{names[o.Key], o.Err})
			continue
		default:
			r.Unchanged++
		}
		if len(o.Kept) > 0 {
			r.Kept = append(r.Kept, DisplayName(o.Key)+": "+strings.Join(o.Kept, ", "))
		}
		if o.PreviousFileName != "" {
			r.Renamed = append(r.Renamed, renamed(o.Key, o.PreviousFileName, names[o.Key]))
		}
	}
}

// renamed is the report's line for a key imported under a new file name.
// Names that differ only in their Unicode form (a Mac writes "é" as e and
// a combining accent, NFD) look the same printed, so the line says so.
func renamed(key, before, now string) string {
	line := fmt.Sprintf("%s: stored as %s, now imported from %s", DisplayName(key), DisplayName(before), DisplayName(now))
	if norm.NFC.String(before) == norm.NFC.String(filepath.Base(now)) {
		line += " (the same name in another Unicode form, as macOS writes it)"
	}
	return line
}

// ImportOptions tune an import.
type ImportOptions struct {
	MaxFileSize int64           // bytes; article.DefaultMaxFileSize when 0
	Progress    func(files int) // called as files are done, from one goroutine
}

// Import parses sources on every core and stores them in batches bounded
// by BatchFiles, BatchBytes and BatchTime, one transaction each: a crash
// keeps every committed batch, editors' saves interleave with the
// batches, and memory stays bounded by two batches (one being stored, the
// next being filled) and the few files being parsed. Parsing and storing
// overlap: the store writes one batch while the workers parse the next.
// Every valid file is stored whatever its neighbours do; each failed file
// is in the report. The error is for the store or ctx only.
func (s *Service) Import(ctx context.Context, sources []Source, opts ImportOptions) (*ImportReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the parse workers early when the store fails
	st := startStorer(ctx, s.store, opts.Progress)
	b := batcher{st: st}
	var failures []Failure
	claimed := map[string]string{} // article key -> the file storing it in this run
	for r := range parseAll(ctx, sources, opts.MaxFileSize) {
		switch {
		case st.failed():
			cancel() // drain the workers
		case r.err != nil:
			failures = append(failures, Failure{r.src.Display, r.err})
			b.failed++
		case claimed[r.art.Key] != "":
			// Two valid files of one key would overwrite each other; the
			// first, in file order (parseAll keeps it), is stored.
			failures = append(failures, Failure{r.src.Display,
				fmt.Errorf("same article key %q as %s", r.art.Key, DisplayName(claimed[r.art.Key]))})
			b.failed++
		default:
			claimed[r.art.Key] = r.src.Display
			b.add(r.src, r.art)
		}
	}
	b.flush()
	rep, storeErr := st.finish()
	rep.Failures = append(failures, rep.Failures...) // parse failures, then refused files
	if storeErr == nil {
		storeErr = ctx.Err()
	}
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].Display < rep.Failures[j].Display })
	return rep, storeErr
}

// batch is what the batcher hands to the storer: the articles to store in
// one transaction, their display names for the report, and how many files
// failed to parse meanwhile (for the progress count).
type batch struct {
	arts   []*article.Article
	names  map[string]string // key -> display name
	failed int
}

// batcher collects parsed articles into bounded batches and hands each to
// the storer. It runs on the goroutine that reads the parse results.
type batcher struct {
	st      *storer
	cur     batch
	bytes   int
	started time.Time
	failed  int
}

func (b *batcher) add(src Source, a *article.Article) {
	if len(b.cur.arts) == 0 {
		b.started = time.Now()
		b.cur = batch{arts: make([]*article.Article, 0, BatchFiles), names: map[string]string{}}
	}
	b.cur.arts = append(b.cur.arts, a)
	b.bytes += len(a.Raw) + len(a.Body)
	b.cur.names[a.Key] = src.Display
	if len(b.cur.arts) >= BatchFiles || b.bytes >= BatchBytes || time.Since(b.started) >= BatchTime {
		b.flush()
	}
}

// flush hands the current batch, and the failures counted since the last
// one, to the storer; it waits while the storer still writes the previous
// batch, which bounds memory to two batches.
func (b *batcher) flush() {
	if len(b.cur.arts) == 0 && b.failed == 0 {
		return
	}
	b.cur.failed = b.failed
	b.st.batches <- b.cur
	b.cur, b.bytes, b.failed = batch{}, 0, 0
}

// storer writes batches to the store, in the order received, on a
// goroutine of its own, so the store's work overlaps the parsing of the
// next batch. It owns the report's counts and calls Progress, so both
// happen on one goroutine. After a store error it drops what it receives.
type storer struct {
	store    Store
	progress func(int)
	batches  chan batch // unbuffered: one batch stored, one filled at a time
	done     chan struct{}
	rep      *ImportReport
	err      error
	bad      atomic.Bool // err is set
}

func startStorer(ctx context.Context, store Store, progress func(int)) *storer {
	st := &storer{store: store, progress: progress, batches: make(chan batch),
		done: make(chan struct{}), rep: &ImportReport{}}
	go st.run(ctx)
	return st
}

func (st *storer) run(ctx context.Context) {
	defer close(st.done)
	for b := range st.batches {
		if st.err != nil {
			continue
		}
		if len(b.arts) > 0 {
			outcomes, err := st.store.Import(ctx, b.arts)
			if err != nil {
				st.err = err
				st.bad.Store(true)
				continue
			}
			st.rep.add(outcomes, b.names)
		}
		if st.progress != nil {
			st.progress(len(b.arts) + b.failed)
		}
	}
}

func (st *storer) failed() bool { return st.bad.Load() }

// finish waits for the batches handed over to be stored and returns the
// counts and the first store error.
func (st *storer) finish() (*ImportReport, error) {
	close(st.batches)
	<-st.done
	return st.rep, st.err
}

// parsed is the result of parsing one source on a worker.
type parsed struct {
	src Source
	art *article.Article
	err error
}

// parseAll parses sources on one worker per core and sends the results
// in the order of sources, so that one import gives its articles ids (and
// import times) in file order whatever each file takes to parse. The
// channel closes when all are done or ctx ends. At most about
// (2 × workers) files are in memory beyond the batch being filled: those
// being parsed and those parsed ahead of a slower one before them.
func parseAll(ctx context.Context, sources []Source, maxSize int64) <-chan parsed {
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		src Source
		out chan parsed // buffered: a worker never waits on it
	}
	jobs := make(chan job)
	inOrder := make(chan chan parsed, workers)
	for range workers {
		go func() {
			for j := range jobs {
				a, err := article.ReadFile(j.src.Path, maxSize)
				j.out <- parsed{src: j.src, art: a, err: err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(inOrder)
		for _, src := range sources {
			j := job{src: src, out: make(chan parsed, 1)}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
			select {
			case inOrder <- j.out:
			case <-ctx.Done():
				return
			}
		}
	}()
	results := make(chan parsed)
	go func() {
		defer close(results)
		for out := range inOrder {
			select {
			case r := <-out:
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return results
}
