package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// importBatch is the batch size the import command uses.
const importBatch = 500

// BenchmarkImport10k imports 10,000 generated article files end to end:
// article.Parse from bytes, then Store.Import in batches of 500, FTS
// included, into a fresh database file each round.
func BenchmarkImport10k(b *testing.B) {
	const n = 10_000
	files := make([][]byte, n)
	names := make([]string, n)
	for i := range files {
		a := genArticle(i)
		files[i], names[i] = a.Raw, a.FileName
	}
	ctx := context.Background()
	var parsing, storing time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for lo := 0; lo < n; lo += importBatch {
			start := time.Now()
			batch := make([]*article.Article, 0, importBatch)
			for j := lo; j < min(lo+importBatch, n); j++ {
				a, err := article.Parse(names[j], files[j])
				if err != nil {
					b.Fatalf("%s: %v", names[j], err)
				}
				batch = append(batch, a)
			}
			parsed := time.Now()
			if _, err := s.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			parsing += parsed.Sub(start)
			storing += time.Since(parsed)
		}
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	total := float64(n * b.N)
	b.ReportMetric(total/(parsing+storing).Seconds(), "articles/s")
	b.ReportMetric(total/storing.Seconds(), "stored/s") // Store.Import alone
}

// BenchmarkReimportUnchanged10k is the common nightly case: every file
// already imported, nothing changed.
func BenchmarkReimportUnchanged10k(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	s := newStore(b)
	arts := genArticles(n)
	for lo := 0; lo < n; lo += importBatch {
		mustImport(b, s, arts[lo:min(lo+importBatch, n)]...)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for lo := 0; lo < n; lo += importBatch {
			if _, err := s.Import(ctx, arts[lo:min(lo+importBatch, n)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "articles/s")
}

// BenchmarkList100k times queue pages on 100,000 articles: the first and a
// deep keyset page, and the common filters. Each op is one List call,
// per-status counts included.
func BenchmarkList100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	s := newStore(b)
	arts := genArticles(n)
	for lo := 0; lo < n; lo += 5000 {
		mustImport(b, s, arts[lo:min(lo+5000, n)]...)
	}
	deep := func(q ListQuery) ListQuery {
		for range 100 { // 100 pages in
			p, err := s.List(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			q.Cursor = p.Next
		}
		return q
	}
	cases := []struct {
		name string
		q    ListQuery
	}{
		{"pending-newest", ListQuery{Status: article.StatusPending}},
		{"pending-newest-page100", deep(ListQuery{Status: article.StatusPending})},
		{"all-heat", ListQuery{Sort: SortHeat}},
		{"pending-quality-page100", deep(ListQuery{Status: article.StatusPending, Sort: SortQuality})},
		{"pending-unpublished", ListQuery{Status: article.StatusPending, Published: ptr(false)}},
		{"category", ListQuery{Status: article.StatusPending, Category: "tech"}},
		{"provider", ListQuery{Provider: "Nature"}},
		{"topic", ListQuery{Status: article.StatusPending, Topic: "ai ethics"}},
		{"text", ListQuery{Status: article.StatusPending, Text: "quantum"}},
		{"text-prefix", ListQuery{Text: "sec"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.List(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
