// Package gen writes realistic synthetic article files in the pipeline's
// format (see ../shared/seed/), for benchmarks and load tests: varied
// lengths, providers, categories, topics, dates, Markdown bodies, related
// items and secured blobs, with the variations real files have (CRLF line
// endings, flow style, key order, extensions).
//
// The set is deterministic: article i depends only on the Options and i,
// so the same count, seed and end date give byte-identical files, whatever
// the number of goroutines that write them.
package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// MaxArticles is the largest set Write makes. File names carry a 6-digit
// hex tag that is a one-to-one function of the index below 2^24, which is
// what makes every name (and so every article key) unique.
const MaxArticles = 10_000_000

// Days is the span of publication dates: the Days days before Options.End.
const Days = 90

// Marker is the file Write leaves in a folder it filled. A folder holding
// it and only generated files may be filled again; any other non-empty
// folder is refused. Its name has no article extension, so import skips it.
const Marker = ".newsdesk-gen"

// Options choose one set of articles.
type Options struct {
	Seed uint64    // any value; each seed is a different set
	End  time.Time // articles are dated in the Days days before End (UTC)
}

// Generator makes the articles of one set, one at a time. It is not safe
// for concurrent use: make one per goroutine.
type Generator struct {
	opts   Options
	end    time.Time
	pcg    *rand.PCG
	r      *rand.Rand
	k1, k2 uint32 // keys of the name tag
	buf    bytes.Buffer
	crlf   []byte
}

// New returns a Generator for the set opts chooses.
func New(opts Options) *Generator {
	pcg := rand.NewPCG(0, 0)
	return &Generator{
		opts: opts,
		end:  opts.End.UTC(),
		pcg:  pcg,
		r:    rand.New(pcg),
		k1:   uint32(mix64(opts.Seed)),
		k2:   uint32(mix64(opts.Seed ^ 0x5bd1e995)),
	}
}

// Article returns the file name and the bytes of article i of the set,
// 0 <= i < MaxArticles (it panics otherwise). The bytes are reused by the
// next call.
func (g *Generator) Article(i int) (name string, data []byte) {
	if i < 0 || i >= MaxArticles {
		panic(fmt.Sprintf("gen: article index %d out of range [0, %d)", i, MaxArticles))
	}
	// One PCG stream per article, seeded from the set's seed and the index.
	g.pcg.Seed(g.opts.Seed, mix64(uint64(i)))
	s := newStory(g, i)
	g.buf.Reset()
	s.render(&g.buf)
	data = g.buf.Bytes()
	if chance(g.r, pctCRLF) {
		g.crlf = g.crlf[:0]
		for _, c := range data {
			if c == '\n' {
				g.crlf = append(g.crlf, '\r')
			}
			g.crlf = append(g.crlf, c)
		}
		data = g.crlf
	}
	return s.fileName, data
}

// tag is a 24-bit value that is a one-to-one function of i for
// i < 2^24 (each step is invertible modulo 2^24), keyed by the seed, shown
// as 6 hex digits in the file name.
func (g *Generator) tag(i int) uint32 {
	const mask = 1<<24 - 1
	x := uint32(i) & mask
	x = (x + g.k1) & mask
	x = (x * 0x2c1b3d) & mask // odd: invertible
	x ^= x >> 13
	x = (x * 0x5a4e2b) & mask
	x ^= x >> 11
	return (x + g.k2) & mask
}

// mix64 is the splitmix64 finaliser (Steele, Lea, Flood 2014): spreads
// neighbouring indexes over the whole seed space.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Stats is what Write did.
type Stats struct {
	Files     int   // articles written
	Bytes     int64 // their total size
	Rewritten int   // of those, files of an earlier set written again in place
	Removed   int   // files of an earlier set that are not in this one, removed
}

// DirError says why a folder cannot be filled.
type DirError struct {
	Dir    string
	Reason string
}

func (e *DirError) Error() string { return e.Dir + ": " + e.Reason }

// namePattern matches the files Write makes: date, slug, tag, extension.
var namePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-[\p{L}\p{N}-]+-[0-9a-f]{6}\.(md|markdown|txt|yaml|yml)$`)

// writers is the number of goroutines writing files: file creation waits
// on the file system more than on the CPU, so a few more than 2 cores help.
const writers = 4

// Write fills dir with articles 0..n-1 of the set opts chooses
// (1 <= n <= MaxArticles), creating dir when it is missing. A dir that
// holds the Marker and only files named as Write names them holds an
// earlier set: files of it that are in the new set are written again in
// place, the others removed at the end (unlinking is slow on some file
// systems, so a rerun with the same options removes nothing). Any other
// non-empty dir, or a dir that is a file, is refused with a *DirError.
// On an error or a cancelled ctx it stops and returns what it wrote so
// far, removing nothing; the Marker stays, so the folder can be filled
// again.
func Write(ctx context.Context, dir string, n int, opts Options) (Stats, error) {
	var st Stats
	if n < 1 || n > MaxArticles {
		return st, fmt.Errorf("gen: %d articles: want 1 to %d", n, MaxArticles)
	}
	old, err := prepare(dir)
	if err != nil {
		return st, err
	}
	note := fmt.Sprintf("Written by newsdesk gen: %d articles, seed %d, dated before %s.\n"+
		"newsdesk gen may remove and rewrite the articles here; keep no other files in this folder.\n",
		n, opts.Seed, opts.End.UTC().Format(time.DateOnly))
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte(note), 0o644); err != nil {
		return st, err
	}

	var next, files, size atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, writers)
	kept := make([][]string, writers) // names of old that were written again
	for w := range writers {
		wg.Go(func() {
			g := New(opts)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				name, data := g.Article(int(i))
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					errs[w] = err
					next.Store(int64(n)) // stop the others too
					return
				}
				if old[name] { // old is only read here: safe to share
					kept[w] = append(kept[w], name)
				}
				files.Add(1)
				size.Add(int64(len(data)))
			}
		})
	}
	wg.Wait()
	st.Files, st.Bytes = int(files.Load()), size.Load()
	if err := errors.Join(errs...); err != nil {
		return st, err
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	for _, names := range kept {
		st.Rewritten += len(names)
		for _, name := range names {
			delete(old, name)
		}
	}
	for name := range old {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return st, err
		}
		st.Removed++
	}
	return st, nil
}

// prepare makes dir ready to fill, and returns the names of the files of
// an earlier set in it.
func prepare(dir string) (map[string]bool, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &DirError{Dir: dir, Reason: "is a file, not a folder"}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	marked := false
	old := make(map[string]bool, len(entries))
	for _, e := range entries {
		switch name := e.Name(); {
		case name == Marker && e.Type().IsRegular():
			marked = true
		case e.Type().IsRegular() && namePattern.MatchString(name):
			old[name] = true
		default:
			return nil, &DirError{Dir: dir, Reason: fmt.Sprintf("holds %q, which newsdesk gen did not write; name an empty or new folder", name)}
		}
	}
	if len(entries) > 0 && !marked {
		return nil, &DirError{Dir: dir, Reason: fmt.Sprintf("already holds %d files and no %s marker; name an empty or new folder", len(entries), Marker)}
	}
	return old, nil
}
