package db

import (
	"context"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// BenchmarkQueueRequest100k times what one GET /articles asks of the
// store at 100,000 articles: the page with its per-status counts (as the
// queue asks, CountsCapped) and the three dropdowns. Each op is one
// request, warm and cold (see below). The facets case is the dropdowns alone; review-suggestions is
// what the review page reads for its topic suggestions.
//
//	go test -run '^$' -bench QueueRequest100k -benchtime 3x ./db
func BenchmarkQueueRequest100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	s := newStore(b)
	arts := genArticles(n)
	for lo := 0; lo < n; lo += 5000 {
		mustImport(b, s, arts[lo:min(lo+5000, n)]...)
	}
	// A cursor 90,000 rows into the whole table, paged to by keyset.
	deep := ListQuery{Limit: MaxLimit}
	for range 90_000 / MaxLimit {
		p, err := s.List(ctx, ListQuery{Cursor: deep.Cursor, Limit: MaxLimit, Counts: CountsNone})
		if err != nil {
			b.Fatal(err)
		}
		deep.Cursor = p.Next
	}
	deep.Limit = DefaultLimit
	first, err := s.List(ctx, ListQuery{})
	if err != nil {
		b.Fatal(err)
	}
	unpublished := ptr(false)
	facets := func(b *testing.B) {
		for _, get := range []func(context.Context) ([]Facet, error){s.Categories, s.Providers,
			func(ctx context.Context) ([]Facet, error) { return s.TopTopics(ctx, 500) }} {
			if _, err := get(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	cases := []struct {
		name string
		q    *ListQuery // nil: the dropdowns alone
	}{
		{"default", &ListQuery{Status: article.StatusPending, Published: unpublished}},
		{"category", &ListQuery{Status: article.StatusPending, Published: unpublished, Category: "tech"}},
		{"topic", &ListQuery{Status: article.StatusPending, Published: unpublished, Topic: "ai ethics"}},
		{"search-one-word", &ListQuery{Status: article.StatusPending, Published: unpublished, Text: "quantum"}},
		{"search-two-words", &ListQuery{Status: article.StatusPending, Published: unpublished, Text: "quantum security"}},
		{"search-rare", &ListQuery{Status: article.StatusPending, Published: unpublished, Text: "number 4242"}},
		{"all-first-page", &ListQuery{}},
		{"all-page-90000", &deep},
		{"all-last-page", &ListQuery{Cursor: first.Last}},
		{"facets", nil},
	}
	// Each case twice: as a repeated request finds it (counts and
	// dropdowns from the cache of results, see resultCache), and cold, as
	// after every save (the cache emptied before each request).
	for _, cold := range []bool{false, true} {
		for _, c := range cases {
			name := c.name
			if cold {
				name += "/cold"
			}
			b.Run(name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if cold {
						forgetResults(s)
					}
					if c.q != nil {
						q := *c.q
						q.Counts = CountsCapped
						if _, err := s.List(ctx, q); err != nil {
							b.Fatal(err)
						}
					}
					facets(b)
				}
			})
		}
	}
	b.Run("review-suggestions", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.TopTopics(ctx, 500); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// forgetResults empties s's cache of results, as a write would.
func forgetResults(s *Store) {
	s.results.mu.Lock()
	defer s.results.mu.Unlock()
	s.results.m = map[string]any{}
}
