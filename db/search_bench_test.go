package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
)

// searchBenchArticles is the size of the set BenchmarkSearch100k searches.
const searchBenchArticles = 100_000

// searchBenchStore returns a store holding the articles 0 to n-1 of the
// generated set of seed 1 dated before 2026-01-01. Building it takes a
// minute or two; NEWSDESK_BENCH_DB names a file to keep it in between runs
// (made when missing, reused when present, upgraded by Open when older).
func searchBenchStore(b *testing.B, n int) *Store {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("NEWSDESK_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "search.db")
	}
	_, err := os.Stat(path)
	fresh := errors.Is(err, fs.ErrNotExist)
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if !fresh {
		return s
	}
	start := time.Now()
	g := gen.New(gen.Options{Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	batch := make([]*article.Article, 0, importBatch)
	for i := range n {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data)) // g reuses data
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		if batch = append(batch, a); len(batch) == importBatch || i == n-1 {
			if _, err := s.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("built %d articles in %s", n, time.Since(start).Round(time.Second))
	return s
}

// searchBenchQueries are what BenchmarkSearch100k looks for: a common pair
// of words, a word in about 30% of the articles, rarer words and pairs
// (8, 102, 300 and no matches in the set), a word typed without its marks,
// a CJK word (a phrase of two bigrams) and a prefix.
var searchBenchQueries = []struct{ name, text string }{
	{"two-words", "genomics trial"},
	{"word-in-30pct", "said"},
	{"rare", "basketball zurich"},
	{"few", "basketball said"},
	{"some", "basketball"},
	{"none", "basketball playoffs"},
	{"folded", "lodz"},
	{"cjk", "自行车"},
	{"prefix", "genom"},
}

// BenchmarkSearch100k measures a search of the queue at 100,000 generated
// articles, newest first:
//   - plan=sort-index: the first page query alone, with searchFilter (the
//     sort's index drives; each row's id is looked up in the matches);
//   - plan=matches-first: the same with the condition before it, which
//     lets SQLite read every match and sort them;
//   - list-no-counts and list-capped: List as the queue calls it, without
//     counts and with counts capped at CountCap.
//
// Each reports the number of matches of its query.
func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	s := searchBenchStore(b, searchBenchArticles)
	plans := []struct {
		name, cond string
		adapt      bool
	}{
		{"plan=sort-index", searchFilter, false},
		{"plan=matches-first", sparseSearchFilter, false},
		{"plan=adaptive", searchFilter, true},
	}
	for _, q := range searchBenchQueries {
		match := ftsQuery(q.text)
		var matches int
		if err := s.r.QueryRow(`SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`, match).Scan(&matches); err != nil {
			b.Fatal(err)
		}
		for _, p := range plans {
			b.Run(q.name+"/"+p.name, func(b *testing.B) {
				for b.Loop() {
					firstPage(b, s, q.text, p.cond, p.adapt)
				}
				b.ReportMetric(float64(matches), "matches")
			})
		}
		for _, l := range []struct {
			name string
			mode CountMode
		}{{"list-no-counts", CountsNone}, {"list-capped", CountsCapped}} {
			b.Run(q.name+"/"+l.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.List(ctx, ListQuery{Text: q.text, Counts: l.mode}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(matches), "matches")
			})
		}
	}
}

// firstPage runs the queue's first page query, newest first, with one
// condition: cond on the FTS5 query of text, or when adapt is set the form
// searchPlan picks. It reads the rows, in one read transaction.
func firstPage(b *testing.B, s *Store, text, cond string, adapt bool) {
	ctx := context.Background()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	var f where
	f.add(cond, ftsQuery(text))
	if adapt {
		if err := (ListQuery{Text: text}).searchPlan(ctx, readTx{tx: tx}, &f, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.key, a.title, a.category, a.provider_name, a.published_at,
		a.eff_quality, a.heat, coalesce(a.edit_topics, a.topics), a.status, a.eff_published
		FROM articles a`+f.sql()+` ORDER BY a.published_at DESC, a.id DESC LIMIT ?`, append(f.args, DefaultLimit+1)...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var key, title, category, provider, topics, status string
	var id, published, quality, heat, pub int64
	for rows.Next() {
		if err := rows.Scan(&id, &key, &title, &category, &provider, &published, &quality, &heat, &topics, &status, &pub); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFTSColumns10k is what searchText adds to an import: the
// processing of the indexed columns of 10,000 generated articles (seed 1,
// about 8% of them Chinese or Japanese). It reports ns per article.
func BenchmarkFTSColumns10k(b *testing.B) {
	const n = 10_000
	g := gen.New(gen.Options{Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	arts := make([]*article.Article, n)
	for i := range arts {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data))
		if err != nil {
			b.Fatal(err)
		}
		arts[i] = a
	}
	for b.Loop() {
		for _, a := range arts {
			ftsColumns(a.Title, a.Excerpt, a.Provider.Name, a.Topics)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/article")
}
