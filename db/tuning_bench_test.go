package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// The benchmarks and tests of the store's tuning: the pools' pragmas, the
// statements kept prepared, and how Import batches.

// Each pool runs with the pragmas its DSN asks for, on every connection
// (a PRAGMA run through database/sql would reach one of them only).
func TestPoolTuning(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newsdesk.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, genArticle(1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	tests := []struct {
		pool   string
		pragma string
		want   int
	}{
		{"writer", "temp_store", 2}, // MEMORY
		{"writer", "cache_size", -16384},
		{"writer", "wal_autocheckpoint", 10000},
		{"writer", "synchronous", 1},    // NORMAL
		{"reader", "temp_store", 0},     // DEFAULT
		{"reader", "cache_size", -2000}, // SQLite's default
		{"reader", "query_only", 1},
		{"read-only reader", "temp_store", 0},
		{"read-only reader", "query_only", 1},
	}
	pools := map[string]*Store{"writer": s, "reader": s, "read-only reader": ro}
	for _, tt := range tests {
		t.Run(tt.pool+" "+tt.pragma, func(t *testing.T) {
			st := pools[tt.pool]
			pool := st.r
			conns := readerConns
			if tt.pool == "writer" {
				pool, conns = st.w, 1
			}
			// Hold every connection of the pool at once, so each is asked.
			for i := range conns {
				c, err := pool.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var got int
				if err := c.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("connection %d: PRAGMA %s = %d, want %d", i, tt.pragma, got, tt.want)
				}
			}
		})
	}
}

// Import looks up a batch's stored articles in one query as the batch
// begins; a key that comes again later in the same batch must see what
// the batch stored under it, and the search index (written at the end of
// the batch) must hold the last version only.
func TestImportBatchRepeatsKey(t *testing.T) {
	v1 := genArticle(7)
	v1.Title = "Zeppelin launch delayed"
	v1.Raw = renderRaw(v1)
	v2 := genArticle(7)
	v2.Title = "Hovercraft launch delayed"
	v2.Raw = renderRaw(v2)
	v3 := genArticle(7)
	v3.Title = "Submarine launch delayed"
	v3.Raw = renderRaw(v3)
	tests := []struct {
		name      string
		batch     []*article.Article
		want      []ImportResult
		found     string // a title word search must find
		notFound  string // and one it must not
		wantTitle string
	}{
		{"same file twice", []*article.Article{v1, v1}, []ImportResult{ImportNew, ImportUnchanged}, "zeppelin", "hovercraft", v1.Title},
		{"changed in the batch", []*article.Article{v1, v2}, []ImportResult{ImportNew, ImportUpdated}, "hovercraft", "zeppelin", v2.Title},
		{"changed twice", []*article.Article{v1, v2, v3}, []ImportResult{ImportNew, ImportUpdated, ImportUpdated}, "submarine", "hovercraft", v3.Title},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			out := mustImport(t, s, tt.batch...)
			for i, o := range out {
				if o.Result != tt.want[i] {
					t.Errorf("outcome %d = %s, want %s", i, o.Result, tt.want[i])
				}
			}
			if n := countRows(t, s, "articles"); n != 1 {
				t.Errorf("%d articles, want 1", n)
			}
			if got := mustGetByKey(t, s, v1.Key).Article.Title; got != tt.wantTitle {
				t.Errorf("title %q, want %q", got, tt.wantTitle)
			}
			for word, want := range map[string]int{tt.found: 1, tt.notFound: 0} {
				p, err := s.List(ctx, ListQuery{Text: word})
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) != want {
					t.Errorf("search %q found %d, want %d", word, len(p.Items), want)
				}
			}
			if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
				t.Errorf("Check: %v, %v", ps, err)
			}
		})
	}
}

// Importing files again finds each stored article, whatever its key: one
// that is not valid UTF-8 (a file name is bytes), one with accents, and
// batches larger than one lookup query (lookupChunk keys) in which the
// known keys fall into several queries.
func TestImportAgainFindsEveryKey(t *testing.T) {
	odd := []string{"caf\xe9-latin1", "café-nfc", "\u202e-bidi", "ünïcödé"}
	tests := []struct {
		name string
		n    int // articles besides the odd ones
	}{
		{"small batch", 3},
		{"several lookup queries", 2*lookupChunk + 7},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			arts := genArticles(tt.n)
			for i, k := range odd {
				a := genArticle(tt.n + i)
				a.Key, a.FileName = k, k+".md"
				arts = append(arts, a)
			}
			mustImport(t, s, arts...)
			out, err := s.Import(ctx, arts)
			if err != nil {
				t.Fatalf("importing the same files again: %v", err)
			}
			for _, o := range out {
				if o.Result != ImportUnchanged {
					t.Errorf("%q: %s, want unchanged", o.Key, o.Result)
				}
			}
			if n := countRows(t, s, "articles"); n != len(arts) {
				t.Errorf("%d articles, want %d", n, len(arts))
			}
		})
	}
}

// The writer's statements are prepared once and reused by the next
// transactions, and closed with the store.
func TestWriterStatementsReused(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, genArticles(3)...)
	cached := len(s.wStmts.m)
	if cached == 0 {
		t.Fatal("no statement kept after an import")
	}
	var missed []string
	err = s.inWriteTx(ctx, func(w *writer) error {
		for i := 3; i < 6; i++ {
			if _, err := w.importOne(genArticle(i), &batchLookup{w: w, asked: map[string]bool{}, used: map[int64]bool{}}, time.Now()); err != nil {
				return err
			}
		}
		if err := w.flushFTS(); err != nil {
			return err
		}
		missed = w.missed
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missed) > 0 {
		t.Errorf("the second transaction prepared %q again", missed)
	}
	if got := len(s.wStmts.m); got != cached {
		t.Errorf("%d statements cached after the second import, want %d", got, cached)
	}
	if n := countRows(t, s, "articles"); n != 6 {
		t.Errorf("%d articles, want 6", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.wStmts.m); n != 0 {
		t.Errorf("%d statements left open after Close", n)
	}
}

// An import asks for a pause once it has held the write lock for
// lockShare, summed over batches; a gap of maxBatchPause between batches
// (the caller parsing slowly) starts the sum again.
func TestBatchPacerShare(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		batches [][2]time.Duration // gap before, lock held
		pausing bool
	}{
		{"short", [][2]time.Duration{{0, 100 * ms}}, false},
		{"adds up", [][2]time.Duration{{0, 200 * ms}, {ms, 200 * ms}, {ms, 200 * ms}}, true},
		{"one long batch", [][2]time.Duration{{0, 600 * ms}}, true},
		{"gaps reset", [][2]time.Duration{{0, 300 * ms}, {200 * ms, 300 * ms}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p batchPacer
			// Replayed so the last batch ends now: pausing compares with the clock.
			var total time.Duration
			for _, b := range tt.batches {
				total += b[0] + b[1]
			}
			at := time.Now().Add(-total)
			for _, b := range tt.batches {
				began := at.Add(b[0])
				at = began.Add(b[1])
				p.done(began, at)
			}
			if got := p.pausing(); got != tt.pausing {
				t.Errorf("pausing = %v, want %v", got, tt.pausing)
			}
		})
	}
}

// BenchmarkSmallWriteTx times one-article import transactions, the size
// of an editor's save, with the writer's statements kept prepared across
// transactions (as Store.inWriteTx does) and prepared in each one (as
// before).
func BenchmarkSmallWriteTx(b *testing.B) {
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			s := newStore(b)
			mustImport(b, s, genArticles(1000)...)
			if !cached {
				s.wStmts = nil
			}
			arts := make([]*article.Article, 200)
			for i := range arts { // changed files: an update and its audit rows
				arts[i] = genArticle(i)
				arts[i].Title += " (corrected)"
				arts[i].Raw = renderRaw(arts[i])
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				a := *arts[i%len(arts)]
				a.Raw = append(a.Raw, fmt.Sprintf("\nrevision %d\n", i)...)
				if _, err := s.Import(context.Background(), []*article.Article{&a}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadQuery times a lookup by id on the read pool with the
// statement kept prepared (readQueryRow) and prepared for each call (as
// database/sql does for a query without a prepared statement).
func BenchmarkReadQuery(b *testing.B) {
	s := newStore(b)
	mustImport(b, s, genArticles(1000)...)
	ctx := context.Background()
	q := `SELECT ` + recordColumns + ` FROM articles WHERE id = ?`
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var row *sql.Row
				if cached {
					row = s.readQueryRow(ctx, q, 1+i%1000)
				} else {
					row = s.r.QueryRowContext(ctx, q, 1+i%1000)
				}
				if _, err := recordOrNotFound(row, "article %d", 1+i%1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
