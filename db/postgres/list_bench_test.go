package postgres

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The queue at scale: run against a database that already holds many
// articles (importing 100,000 takes minutes), named by
// NEWSDESK_BENCH_POSTGRES, e.g. made with
//
//	newsdesk gen 100000 /tmp/gen100k --seed 1
//	createdb bench && newsdesk import --db postgres://.../bench /tmp/gen100k
//	psql bench -c "UPDATE articles SET status = CASE WHEN id % 10 < 3 THEN 'approved'
//	    WHEN id % 10 = 3 THEN 'rejected' ELSE 'pending' END; VACUUM ANALYZE"
//
// then
//
//	NEWSDESK_BENCH_POSTGRES=postgres://.../bench go test ./db/postgres -run ListPlans100k -v
//	NEWSDESK_BENCH_POSTGRES=postgres://.../bench go test ./db/postgres -run '^$' -bench List100k
//
// Both only read.

func benchStore(tb testing.TB) *Store {
	tb.Helper()
	url := os.Getenv("NEWSDESK_BENCH_POSTGRES")
	if url == "" {
		tb.Skip("NEWSDESK_BENCH_POSTGRES names no database of many articles")
	}
	s, err := OpenReadOnly(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// benchQueries are the queue's usual requests; deep is a cursor half way
// through the pending queue.
func benchQueries(tb testing.TB, s *Store) []struct {
	name string
	q    db.ListQuery
} {
	tb.Helper()
	ctx := context.Background()
	// The most used topic, and a row half way down the pending queue.
	var topic string
	if err := s.pool.QueryRow(ctx, `SELECT t.name FROM count_topic c JOIN topics t ON t.id = c.topic_id
		GROUP BY t.name ORDER BY sum(c.n) DESC LIMIT 1`).Scan(&topic); err != nil {
		tb.Fatal(err)
	}
	var pending int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM count_status WHERE status = 'pending'`).Scan(&pending); err != nil {
		tb.Fatal(err)
	}
	var row db.Summary
	var publishedAt int64
	if err := s.pool.QueryRow(ctx, `SELECT id, published_at FROM articles WHERE status = 'pending'
		ORDER BY published_at DESC, id DESC OFFSET $1 LIMIT 1`, pending/2).Scan(&row.ID, &publishedAt); err != nil {
		tb.Fatal(err)
	}
	row.PublishedAt = time.Unix(publishedAt, 0)
	deep := db.EncodeCursor(db.SortNewest, db.CursorAfter, &row, pending/2)
	last := db.EncodeCursor(db.SortNewest, db.CursorLast, nil, (pending-1)/db.DefaultLimit*db.DefaultLimit) // the last page's first row
	capped := db.CountsCapped
	unpublished := false
	return []struct {
		name string
		q    db.ListQuery
	}{
		{"first-page", db.ListQuery{Status: article.StatusPending, Counts: capped}},
		{"first-page-unpublished", db.ListQuery{Status: article.StatusPending, Published: &unpublished, Counts: capped}},
		{"first-page-heat", db.ListQuery{Status: article.StatusPending, Sort: db.SortHeat, Counts: capped}},
		{"deep-page", db.ListQuery{Status: article.StatusPending, Cursor: deep, Counts: capped}},
		{"last-page", db.ListQuery{Status: article.StatusPending, Cursor: last, Counts: capped}},
		{"topic " + topic, db.ListQuery{Status: article.StatusPending, Topic: topic, Counts: capped}},
		{"topic-and-category", db.ListQuery{Status: article.StatusPending, Topic: topic, Category: "politics", Counts: capped}},
		{"category", db.ListQuery{Status: article.StatusPending, Category: "politics", Counts: capped}},
		{"search-common", db.ListQuery{Status: article.StatusPending, Text: "the ", Counts: capped}},
		{"search-word", db.ListQuery{Status: article.StatusPending, Text: "council ", Counts: capped}},
		{"search-prefix", db.ListQuery{Status: article.StatusPending, Text: "trans", Counts: capped}},
		{"search-rare", db.ListQuery{Status: article.StatusPending, Text: "ålesund ", Counts: capped}},
		{"search-phrase", db.ListQuery{Status: article.StatusPending, Text: `"trade deal"`, Counts: capped}},
		{"search-none", db.ListQuery{Status: article.StatusPending, Text: "zebra ", Counts: capped}},
		{"search-exact-counts", db.ListQuery{Status: article.StatusPending, Text: "the "}},
		{"search-and-topic", db.ListQuery{Status: article.StatusPending, Text: "the ", Topic: topic, Counts: capped}},
	}
}

// TestListPlans100k prints, for each usual request, the plan and time of
// its page query (EXPLAIN ANALYZE) and the time of the whole List call,
// counts included. It asserts no timing; it checks that the first pages
// of the queue are read along a sort index, without a sort.
func TestListPlans100k(t *testing.T) {
	s := benchStore(t)
	ctx := context.Background()
	for _, c := range benchQueries(t, s) {
		sort, _ := c.q.SortOrder()
		// The forms List picks, in a transaction of their own.
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := countStatuses(ctx, tx, c.q, buildWhere(c.q, false, filterForms{search: searchFilter, topic: topicFilter}))
		if err != nil {
			t.Fatal(err)
		}
		forms, err := searchForms(ctx, tx, c.q.Text)
		tx.Rollback(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f := pageWhere(c.q, counts, forms)
		cur, err := db.DecodeCursor(c.q.Cursor, sort)
		if err != nil {
			t.Fatal(err)
		}
		reverse := cur.Dir == db.CursorLast
		if cur.Dir == db.CursorAfter {
			f.add("("+sortColumn[sort]+", a.id) < (?, ?)", cur.Value, cur.ID)
		}
		query, args := pageQuery(f, sort, reverse, c.q.PageLimit()+1)
		plan := explain(t, s, query, args...)
		times := make([]time.Duration, 0, 9)
		for range cap(times) {
			start := time.Now()
			if _, err := s.List(ctx, c.q); err != nil {
				t.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		t.Logf("%s: List median %v, max %v\n%s", c.name, times[len(times)/2], times[len(times)-1], plan)
		if strings.HasPrefix(c.name, "first-page") && (strings.Contains(plan, "Sort Key") || !strings.Contains(plan, "Index Scan")) {
			t.Errorf("%s: plan sorts or scans no index:\n%s", c.name, plan)
		}
	}
}

func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// BenchmarkList100k times List on the usual requests.
func BenchmarkList100k(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, c := range benchQueries(b, s) {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.List(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, name := range []string{"topics", "categories", "providers"} {
		b.Run(name, func(b *testing.B) {
			get := map[string]func(context.Context) ([]db.Facet, error){"topics": s.Topics, "categories": s.Categories, "providers": s.Providers}[name]
			for b.Loop() {
				if _, err := get(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("topic-counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.TopicCounts(ctx, db.TopicQuery{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The literals of search: the tokens of db.SearchTerms and of the SQLite
// index, quoted, with positions that keep phrases inside a column.
func TestSearchLiterals(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"!!! *":                "",
		"nhs":                  `'nhs':*`,
		"NHS report ":          `'nhs' & 'report'`,
		"Łódź":                 `'lodz':*`,
		"自行车":                  `('自行' <-> '行车':*)`,
		"车 计划 ":                `'车':* & '计划'`,
		`"cycle lane" plan`:    `('cycle' <-> 'lane') & 'plan':*`,
		`'; DROP TABLE x; --`:  `'drop' & 'table' & 'x'`,
		`a & b | !c <-> 'd':*`: `'a' & 'b' & 'c' & 'd'`,
	} {
		if got := searchQuery(in); got != want {
			t.Errorf("searchQuery(%q) = %s, want %s", in, got, want)
		}
	}
	got := searchDocument("NHS Report", "Café, “hi”", "Digital Health", []string{"AI in Healthcare", "Zürich"})
	want := `'nhs':1 'report':2 'digital':4 'health':5 'ai':7 'in':8 'healthcare':9 'zurich':10 'cafe':12 'hi':13`
	if got != want {
		t.Errorf("searchDocument = %s\nwant %s", got, want)
	}
	if got := searchDocument(strings.Repeat("x", 3000), "", "", nil); len(got) != maxLexemeBytes+4 {
		t.Errorf("a long token is %d bytes in the document, want it cut to %d", len(got)-4, maxLexemeBytes)
	}
}
