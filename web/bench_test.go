package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// benchEnd is the end date of the generated set, as bench/run uses.
var benchEnd = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// benchArticles is the size of the benchmarks' database:
// NEWSDESK_BENCH_ARTICLES, default 100,000 (the scale).
func benchArticles(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("NEWSDESK_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 200 {
			b.Fatalf("NEWSDESK_BENCH_ARTICLES=%q: want a whole number of at least 200", v)
		}
	}
	return n
}

// fillStore puts n generated articles (bench/gen, seed 1) into the
// store through its import, in batches of 500.
func fillStore(b *testing.B, store *db.Store, n int) {
	b.Helper()
	ctx := context.Background()
	g := gen.New(gen.Options{Seed: 1, End: benchEnd})
	start := time.Now()
	batch := make([]*article.Article, 0, 500)
	flush := func() {
		if _, err := store.Import(ctx, batch); err != nil {
			b.Fatalf("import: %v", err)
		}
		batch = batch[:0]
	}
	for i := range n {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data)) // the generator reuses data
		if err != nil {
			b.Fatalf("generated article %d (%s): %v", i, name, err)
		}
		if batch = append(batch, a); len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	b.Logf("%d articles generated and imported in %.1f s", n, time.Since(start).Seconds())
}

// deepCursor is the queue cursor of the page that starts after row
// `rows` of the "all" view (every status, published or not, newest
// first), found by paging through the store as the queue's next link
// does, 200 rows at a time.
func deepCursor(b *testing.B, store *db.Store, rows int) string {
	b.Helper()
	cursor := ""
	for seen := 0; seen < rows; {
		page, err := store.List(context.Background(), db.ListQuery{Cursor: cursor, Limit: min(db.MaxLimit, rows-seen)})
		if err != nil {
			b.Fatalf("paging to row %d: %v", rows, err)
		}
		if page.Next == "" {
			b.Fatalf("the list ends after %d rows, before row %d", seen+len(page.Items), rows)
		}
		seen += len(page.Items)
		cursor = page.Next
	}
	return cursor
}

// BenchmarkHandlers measures the queue (default view, a two-word search,
// the first page of the "all" view and a page 90% of the way down it)
// and the review page through the whole handler stack (middleware,
// session, store, templates, gzip as a browser asks for it) with
// httptest, on one database of NEWSDESK_BENCH_ARTICLES generated
// articles built once for all of them. Allocations are per request.
//
//	go test -run '^$' -bench Handlers -benchmem ./web/
//	go test -run '^$' -bench Handlers/queue/default -cpuprofile cpu.out ./web/ && go tool pprof -top web.test cpu.out
func BenchmarkHandlers(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 100,000 articles; not in -short")
	}
	n := benchArticles(b)
	env := webtest.New(b)
	fillStore(b, env.Store, n)
	first, err := env.Store.List(context.Background(), db.ListQuery{Limit: 1})
	if err != nil || len(first.Items) == 0 {
		b.Fatalf("newest article: %v (%d items)", err, len(first.Items))
	}
	deepRows := n * 9 / 10
	all := "/articles?status=all&published=any&sort=newest"
	cases := []struct{ name, path string }{
		{"queue/default", "/articles"},
		{"queue/search", "/articles?q=" + url.QueryEscape("genomics trial")},
		{"queue/all-first", all},
		{"queue/all-deep-" + strconv.Itoa(deepRows), all + "&cursor=" + url.QueryEscape(deepCursor(b, env.Store, deepRows))},
		{"review", webtest.ArticlePath(first.Items[0].ID)},
	}
	editor := env.Login(b, webtest.EditorName, webtest.EditorPassword)
	u, _ := url.Parse(env.Server.URL) // httptest URLs parse
	cookies := editor.HTTP.Jar.Cookies(u)
	h := env.Web.Handler()
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: status %d, Location %q", bc.path, rec.Code, rec.Header().Get("Location"))
				}
			}
		})
	}
}
