package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func day(n int) time.Time { return time.Date(2022, 11, n, 9, 0, 0, 0, time.UTC) }

// queueFixture: five articles covering every filter.
//
//	key  status    published category provider  quality heat topics        date
//	a1   pending   no        news     Alpha     50      10   AI, Health    3 Nov
//	a2   pending   no        tech     Beta      80      30   Robotics      2 Nov
//	a3   pending   yes       news     Alpha     20      20   AI            4 Nov
//	a4   approved  no        tech     Beta      90      5    ai ethics     1 Nov
//	a5   rejected  no        news     Gamma     10      50   Health        5 Nov
func queueFixture(t *testing.T) *env {
	e := newEnv(t)
	e.importSpecs(
		spec{key: "a1", title: "Alpha one hospitals", provider: "Alpha", quality: 50, heat: 10, topics: []string{"AI", "Health"}, date: day(3)},
		spec{key: "a2", title: "Beta two robots", category: "tech", provider: "Beta", quality: 80, heat: 30, topics: []string{"Robotics"}, date: day(2)},
		spec{key: "a3", title: "Alpha three published", provider: "Alpha", quality: 20, heat: 20, published: true, topics: []string{"AI"}, date: day(4)},
		spec{key: "a4", title: "Beta four approved", category: "tech", provider: "Beta", quality: 90, heat: 5, topics: []string{"ai ethics"}, date: day(1)},
		spec{key: "a5", title: "Gamma five rejected", provider: "Gamma", quality: 10, heat: 50, topics: []string{"Health"}, date: day(5)},
	)
	e.setStatus("a4", article.StatusApproved)
	e.setStatus("a5", article.StatusRejected)
	return e
}

func (e *env) setStatus(key string, st article.Status) {
	e.t.Helper()
	r := e.get(e.id(key))
	if _, err := e.store.Update(context.Background(), r.ID, db.Edit{Version: r.Version, Status: &st, Actor: "setup"}); err != nil {
		e.t.Fatal(err)
	}
}

func TestQueueDefaultsArePendingUnpublishedNewestFirst(t *testing.T) {
	e := queueFixture(t)
	res := e.GET("/articles")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	d := res.doc(t)
	if got, want := rowTitles(d), []string{"Alpha one hospitals", "Beta two robots"}; !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	counts := map[string]string{"count-pending": "2", "count-approved": "1", "count-rejected": "1", "count-all": "4"}
	for id, want := range counts {
		if got := testID(d, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if n := len(testIDs(d, "filter-notice")); n != 0 {
		t.Errorf("%d notices on the default queue", n)
	}
	if d.Find(`[data-testid="search"]`).Length() != 1 {
		t.Error("no search box")
	}
	// A tab keeps the other filters and changes only the status.
	href, _ := d.Find(`a:has([data-testid="count-approved"])`).Attr("href")
	if !strings.Contains(href, "status=approved") || !strings.Contains(href, "published=no") {
		t.Errorf("approved tab links to %q", href)
	}
	// A row links to its review page and remembers the queue.
	href, _ = d.Find(`[data-testid="row-title"]`).First().Attr("href")
	if !strings.HasPrefix(href, fmt.Sprintf("/articles/%d?from=", e.id("a1"))) {
		t.Errorf("row links to %q", href)
	}
}

func TestQueueFilters(t *testing.T) {
	e := queueFixture(t)
	tests := []struct {
		name  string
		query string
		want  []string // keys in order
	}{
		{"all statuses, any published", "status=all&published=any", []string{"a5", "a3", "a1", "a2", "a4"}},
		{"approved", "status=approved", []string{"a4"}},
		{"rejected", "status=rejected", []string{"a5"}},
		{"published only", "published=yes", []string{"a3"}},
		{"category", "status=all&category=tech", []string{"a2", "a4"}},
		{"provider", "status=all&published=any&provider=Alpha", []string{"a3", "a1"}},
		{"topic, any case", "status=all&published=any&topic=ai", []string{"a3", "a1"}},
		{"topic with space", "status=all&topic=AI+Ethics", []string{"a4"}},
		{"min quality", "status=all&published=any&qmin=50", []string{"a1", "a2", "a4"}},
		{"max quality", "status=all&published=any&qmax=20", []string{"a5", "a3"}},
		{"quality range", "status=all&published=any&qmin=40&qmax=85", []string{"a1", "a2"}},
		{"full text", "status=all&published=any&q=robots", []string{"a2"}},
		{"full text prefix", "status=all&published=any&q=hosp", []string{"a1"}},
		{"sort by heat", "status=all&published=any&sort=heat", []string{"a5", "a2", "a3", "a1", "a4"}},
		{"sort by quality", "status=all&published=any&sort=quality", []string{"a4", "a2", "a1", "a3", "a5"}},
		{"nothing matches", "q=zebra", nil},
	}
	titles := map[string]string{}
	for _, k := range []string{"a1", "a2", "a3", "a4", "a5"} {
		titles[e.get(e.id(k)).Article.Title] = k
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.GET("/articles?" + tt.query)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			d := res.doc(t)
			var got []string
			for _, title := range rowTitles(d) {
				got = append(got, titles[title])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.want == nil && d.Find(`[data-testid="queue-empty"]`).Length() != 1 {
				t.Error("no empty state")
			}
			if n := testIDs(d, "filter-notice"); len(n) != 0 {
				t.Errorf("unexpected notices %q", n)
			}
		})
	}
}

func TestQueueBadParametersAreResetWithAMessage(t *testing.T) {
	e := queueFixture(t)
	tests := []struct {
		query, notice string
	}{
		{"qmax=abc", "Maximum quality"},
		{"qmin=150", "Minimum quality"},
		{"qmin=-1", "Minimum quality"},
		{"qmin=90&qmax=10", "above the maximum"},
		{"status=bogus", "no status"},
		{"published=maybe", "Published must be"},
		{"sort=random", "cannot be sorted"},
		{"cursor=not-a-cursor", "page link"},
		{"cursor=" + strings.Repeat("x", 300), "page link"},
		{"sort=heat&cursor=" + url.QueryEscape("bmV3ZXN0fDE2Njc0NjYwMDB8Mw"), "page link"}, // made for "newest"
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := e.GET("/articles?" + tt.query)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			d := res.doc(t)
			notices := strings.Join(testIDs(d, "filter-notice"), " | ")
			if !strings.Contains(notices, tt.notice) {
				t.Errorf("notices %q lack %q", notices, tt.notice)
			}
			if got := rowTitles(d); len(got) == 0 {
				t.Error("the reset filter shows no articles")
			}
		})
	}
}

func TestQueueHostileSearchNeverFails(t *testing.T) {
	e := queueFixture(t)
	hostile := []string{
		`"`, `AND (`, `*`, `title:`, `'; DROP TABLE articles; --`, `NEAR(a b)`, `a OR`, `-`, `^x`,
		"\xff\xfe", "\x00", `<script>alert(1)</script>`, strings.Repeat("a ", 5000),
		strings.Repeat(`"(`, 2000),
	}
	for _, q := range hostile {
		name := q
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			res := e.GET("/articles?status=all&q=" + url.QueryEscape(q))
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %.200s", res.status, res.body)
			}
			d := res.doc(t)
			if len(rowTitles(d)) == 0 && d.Find(`[data-testid="queue-empty"]`).Length() != 1 {
				t.Error("neither results nor the empty state")
			}
			if strings.Contains(string(res.body), "<script>alert(1)") {
				t.Error("search text is not escaped")
			}
		})
	}
	// Invalid UTF-8, percent-encoded by hand.
	res := e.GET("/articles?q=%ff%fe%80abc")
	if res.status != http.StatusOK {
		t.Fatalf("invalid UTF-8: status %d", res.status)
	}
}

func TestQueuePagesThroughToTheLastPage(t *testing.T) {
	e := newEnv(t)
	const n = db.DefaultLimit*2 + 7
	specs := make([]spec, n)
	for i := range specs {
		specs[i] = spec{
			key: fmt.Sprintf("p%03d", i), title: fmt.Sprintf("Story %03d", i),
			date: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			// Equal heat for many rows: the id breaks ties across pages.
			heat: i % 3, quality: i % 101,
		}
	}
	e.importSpecs(specs...)
	for _, sort := range []string{"newest", "heat", "quality"} {
		t.Run(sort, func(t *testing.T) {
			seen := map[string]bool{}
			path, pages := "/articles?sort="+sort, 0
			for path != "" {
				pages++
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				d := e.GET(path).doc(t)
				for _, title := range rowTitles(d) {
					if seen[title] {
						t.Fatalf("%s shown twice", title)
					}
					seen[title] = true
				}
				if pages > 1 && d.Find(`[data-testid="first-page"]`).Length() != 1 {
					t.Error("no first-page link after the first page")
				}
				path, _ = d.Find(`[data-testid="next-page"]`).Attr("href")
			}
			if len(seen) != n || pages != 3 {
				t.Errorf("saw %d articles on %d pages, want %d on 3", len(seen), pages, n)
			}
		})
	}
	// Newest first, across the page boundary.
	d := e.GET("/articles").doc(t)
	if got := rowTitles(d)[0]; got != fmt.Sprintf("Story %03d", n-1) {
		t.Errorf("first row %q", got)
	}
}
