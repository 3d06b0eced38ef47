package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// importBenchBatch is the batch review.Import makes (review.BatchFiles).
const importBenchBatch = 500

var (
	benchCategories = []string{"news", "tech", "health", "science", "business"}
	benchProviders  = []string{"Digital Health", "Computer Weekly", "The Verge", "Ars Technica", "Nature", "Reuters", "BBC News"}
	benchTopics     = []string{"AI", "AI Ethics", "AI in Healthcare", "Robotics", "Climate", "Energy",
		"Space", "Quantum Computing", "Cybersecurity", "Privacy", "Semiconductors", "Biotech",
		"Ökonomie", "Startups", "Regulation", "Open Source", "Cloud", "5G", "Batteries", "Vaccines"}
	benchWords = strings.Fields(`report calls artificial intelligence training staff hospital data
		model chip launch market growth study finds risk patients network rules climate satellite
		energy battery quantum security breach privacy startup funding open source cloud vaccine`)
)

// benchArticle is realistic article number i, as `newsdesk gen` and the
// SQLite benchmarks make them: fields spread over categories, providers,
// topics and values, parsed from a file in the seed's format.
func benchArticle(tb testing.TB, i int) *article.Article {
	w := func(k int) string { return benchWords[(i*7+k*13)%len(benchWords)] }
	var b strings.Builder
	fmt.Fprintf(&b, "---\ncategory: %s\ntitle: \"%s %s %s %s number %d\"\n", benchCategories[i%len(benchCategories)], w(0), w(1), w(2), w(3), i)
	fmt.Fprintf(&b, "excerpt: \"A %s on %s %s says %s %s could change %s.\"\n", w(4), w(5), w(6), w(7), w(8), w(9))
	fmt.Fprintf(&b, "publishedDateTime: %s\n", time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC).Add(time.Duration(i%500)*time.Hour).Format(time.RFC3339))
	fmt.Fprintf(&b, "originalUrl: \"https://example.com/%d/original\"\nwebUrl: \"https://example.com/%d\"\ntype: article\n", i, i)
	if i%11 != 0 {
		fmt.Fprintf(&b, "quality: %d\n", (i*53)%101)
	}
	p := benchProviders[i%len(benchProviders)]
	fmt.Fprintf(&b, "heat: %d\npublished: %t\n\nprovider:\n  name: %s\n  domain: %s.com\n\n", (i*37)%101, i%3 == 0, p, strings.ToLower(strings.ReplaceAll(p, " ", "")))
	fmt.Fprintf(&b, "topics:\n  - %s\n  - %s\n\n", benchTopics[i%len(benchTopics)], benchTopics[(i+1+(i/3)%(len(benchTopics)-1))%len(benchTopics)])
	fmt.Fprintf(&b, "images:\n  - url: \"https://example.com/%d.jpg\"\n    width: 555\n    height: 330\n    isCached: true\n\n", i)
	fmt.Fprintf(&b, "related:\n  - title: \"Related %s\"\n    excerpt: \"More on %s\"\n    publishedDateTime: 2022-11-03T07:53:00Z\n"+
		"    webUrl: \"https://example.org/r\"\n    type: article\n    provider:\n      name: Nature\n      domain: nature.com\n    quality: 41\n", w(10), w(11))
	b.WriteString("secured: \"2Zw7YxcOA4itZI7BjZZ5+hls6bRdH426SKrLiu1qMnk11Ij440cBIDdXcigS/CH5iRwqkbi4v1dRX489ceUcM0jtsgOl2Wj4oeMyVOY==;gBOMG72PBnlhX8hTKpA0Vg==\"\n---\n")
	if i%4 == 0 {
		b.WriteString("Some **Markdown** body.\n\n---\n\nwith a rule.\n")
	}
	a, err := article.Parse(fmt.Sprintf("%05d_%08x.md", i, uint32(i)*2654435761), []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkImport times Store.Import of 10,000 new articles in batches of
// 500 into an empty database, then of the same 10,000 again (all
// unchanged, what a re-run of the pipeline's import costs), then of
// changed files of them (another title, category and topic list), all
// parsed beforehand. For example:
//
//	NEWSDESK_TEST_POSTGRES=postgres://... go test -run '^$' -bench Import -benchtime 1x ./db/postgres
func BenchmarkImport(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	arts := make([]*article.Article, n)
	changed := make([]*article.Article, n)
	for i := range arts {
		arts[i] = benchArticle(b, i)
		raw := strings.Replace(string(arts[i].Raw), "title: \"", "title: \"Updated: ", 1)
		raw = strings.Replace(raw, "category: ", "category: x", 1)
		raw = strings.Replace(raw, "topics:\n", "topics:\n  - Updated\n", 1)
		var err error
		if changed[i], err = article.Parse(arts[i].FileName, []byte(raw)); err != nil {
			b.Fatal(err)
		}
	}
	passes := []struct {
		name string
		arts []*article.Article
	}{{"new", arts}, {"unchanged", arts}, {"changed", changed}}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s, err := postgres.Open(ctx, pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, pass := range passes {
			start := time.Now()
			for lo := 0; lo < n; lo += importBenchBatch {
				if _, err := s.Import(ctx, pass.arts[lo:min(lo+importBenchBatch, n)]); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(n) / time.Since(start).Seconds()
			b.Logf("%d %s articles: %.0f articles/s", n, pass.name, rate)
			b.ReportMetric(rate, pass.name+"-articles/s")
		}
		b.StopTimer()
		s.Close()
	}
}

// BenchmarkExport times Store.Export of 10,000 articles, page by page
// (db.ExportPageRows), the callback doing nothing.
func BenchmarkExport(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for lo := 0; lo < n; lo += importBenchBatch {
		batch := make([]*article.Article, 0, importBenchBatch)
		for i := lo; i < min(lo+importBenchBatch, n); i++ {
			batch = append(batch, benchArticle(b, i))
		}
		if _, err := s.Import(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		start, got := time.Now(), 0
		if err := s.Export(ctx, db.ListQuery{}, func(db.ExportRecord) error { got++; return nil }); err != nil || got != n {
			b.Fatalf("export: %v after %d", err, got)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "articles/s")
	}
}
