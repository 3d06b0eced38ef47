package handlers_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
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
func queueFixture(t *testing.T) (*webtest.Env, *webtest.Client) {
	t.Helper()
	env := webtest.New(t)
	env.ImportSpecs(t,
		webtest.Spec{Key: "a1", Title: "Alpha one hospitals", Provider: "Alpha", Quality: 50, Heat: 10, Topics: []string{"AI", "Health"}, Date: day(3)},
		webtest.Spec{Key: "a2", Title: "Beta two robots", Category: "tech", Provider: "Beta", Quality: 80, Heat: 30, Topics: []string{"Robotics"}, Date: day(2)},
		webtest.Spec{Key: "a3", Title: "Alpha three published", Provider: "Alpha", Quality: 20, Heat: 20, Published: true, Topics: []string{"AI"}, Date: day(4)},
		webtest.Spec{Key: "a4", Title: "Beta four approved", Category: "tech", Provider: "Beta", Quality: 90, Heat: 5, Topics: []string{"ai ethics"}, Date: day(1)},
		webtest.Spec{Key: "a5", Title: "Gamma five rejected", Provider: "Gamma", Quality: 10, Heat: 50, Topics: []string{"Health"}, Date: day(5)},
	)
	env.SetStatus(t, "a4", article.StatusApproved)
	env.SetStatus(t, "a5", article.StatusRejected)
	return env, loginAlice(t, env)
}

// The default queue is what awaits a decision: every pending article,
// published or not (issue 10), newest first.
func TestQueueDefaultsArePendingNewestFirst(t *testing.T) {
	env, alice := queueFixture(t)
	res := alice.Get("/articles")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	d := alice.Doc(res)
	if got, want := rowTitles(d), []string{"Alpha three published", "Alpha one hospitals", "Beta two robots"}; !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	counts := map[string]string{"count-pending": "3", "count-approved": "1", "count-rejected": "1", "count-all": "5"}
	for id, want := range counts {
		if got := webtest.TestIDText(d, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if n := len(webtest.TestIDTexts(d, "filter-notice")); n != 0 {
		t.Errorf("%d notices on the default queue", n)
	}
	if d.Find(`[data-testid="search"]`).Length() != 1 {
		t.Error("no search box")
	}
	if got, _ := d.Find(`[data-testid="filter-published"] option[selected]`).Attr("value"); got != "any" {
		t.Errorf("the Published filter shows %q on the default queue, want any", got)
	}
	// A tab keeps the other filters and changes only the status.
	href, _ := d.Find(`a:has([data-testid="count-approved"])`).Attr("href")
	if !strings.Contains(href, "status=approved") || !strings.Contains(href, "published=any") {
		t.Errorf("approved tab links to %q", href)
	}
	// A row links to its review page and remembers the queue.
	href, _ = d.Find(`[data-testid="row-title"]`).Eq(1).Attr("href")
	if !strings.HasPrefix(href, fmt.Sprintf("/articles/%d?from=", env.ID(t, "a1"))) {
		t.Errorf("row links to %q", href)
	}
}

// publishedColumn reads the Published column: row title -> its text.
func publishedColumn(d *goquery.Document) map[string]string {
	out := map[string]string{}
	d.Find(`[data-testid="queue-row"]`).Each(func(_ int, r *goquery.Selection) {
		title := strings.TrimSpace(r.Find(`[data-testid="row-title"]`).Text())
		out[title] = strings.TrimSpace(r.Find(`[data-testid="row-published"]`).Text())
	})
	return out
}

// Published is a column of its own, headed so, and a filter (yes, no,
// any) that narrows the queue without touching the status tabs' meaning.
func TestQueuePublishedColumnAndFilter(t *testing.T) {
	_, alice := queueFixture(t)
	d := alice.GetDoc("/articles")
	var heads []string
	d.Find(`table[data-testid="queue"] thead th`).Each(func(_ int, s *goquery.Selection) {
		heads = append(heads, strings.TrimSpace(s.Text()))
	})
	if !slices.Contains(heads, "Published") || !slices.Contains(heads, "Status") {
		t.Errorf("column heads %q, want a Published and a Status column", heads)
	}
	want := map[string]string{"Alpha three published": "yes", "Alpha one hospitals": "no", "Beta two robots": "no"}
	if got := publishedColumn(d); !maps.Equal(got, want) {
		t.Errorf("Published column %v, want %v", got, want)
	}
	tests := []struct {
		query, choice string
		want          []string
	}{
		{"published=yes", "yes", []string{"Alpha three published"}},
		{"published=no", "no", []string{"Alpha one hospitals", "Beta two robots"}},
		{"published=any", "any", []string{"Alpha three published", "Alpha one hospitals", "Beta two robots"}},
		{"status=all&published=no", "no", []string{"Gamma five rejected", "Alpha one hospitals", "Beta two robots", "Beta four approved"}},
	}
	for _, tt := range tests {
		d := alice.GetDoc("/articles?" + tt.query)
		if got := rowTitles(d); !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %q, want %q", tt.query, got, tt.want)
		}
		if got, _ := d.Find(`[data-testid="filter-published"] option[selected]`).Attr("value"); got != tt.choice {
			t.Errorf("%s: the Published filter shows %q", tt.query, got)
		}
	}
}

// Ticking Published on an undecided article never takes it out of the
// default queue: only a decision (approve, reject) does.
func TestQueuePublishingKeepsAPendingArticleInTheDefaultQueue(t *testing.T) {
	env, alice := queueFixture(t)
	rec := env.Record(t, env.ID(t, "a1"))
	res := alice.PostForm(webtest.ArticlePath(rec.ID), saveForm(rec, func(v url.Values) { v.Set("published", "on") }))
	webtest.WantStatus(t, res, http.StatusSeeOther)
	if !env.Record(t, rec.ID).Published {
		t.Fatal("the save did not publish a1")
	}
	d := alice.GetDoc("/articles")
	if got := publishedColumn(d)["Alpha one hospitals"]; got != "yes" {
		t.Errorf("a1 after publishing: Published column %q, want yes (and the row there)", got)
	}
	if got := webtest.TestIDText(d, "count-pending"); got != "3" {
		t.Errorf("pending count %q after publishing a pending article, want 3", got)
	}
	rec = env.Record(t, rec.ID)
	res = alice.PostForm(webtest.ArticlePath(rec.ID), saveForm(rec, func(v url.Values) { v.Set("status", "approved") }))
	webtest.WantStatus(t, res, http.StatusSeeOther)
	if got := rowTitles(alice.GetDoc("/articles")); slices.Contains(got, "Alpha one hospitals") {
		t.Errorf("a1 approved is still in the default queue: %q", got)
	}
}

// Each row has a checkbox (name ids, the article id) for bulk actions, in
// no form yet, and an id the keyboard script and a #row-ID link can use;
// the table names its queue for the script's memory of the current row.
func TestQueueRowsCarrySelectionHooks(t *testing.T) {
	env, alice := queueFixture(t)
	d := alice.GetDoc("/articles?sort=newest")
	id := env.ID(t, "a1")
	row := d.Find(fmt.Sprintf(`tr#row-%d[data-testid="queue-row"]`, id))
	if row.Length() != 1 {
		t.Fatalf("no row with id row-%d", id)
	}
	box := row.Find(`input[type="checkbox"][name="ids"]`)
	if v, _ := box.Attr("value"); v != fmt.Sprint(id) {
		t.Errorf("row checkbox value %q, want %d", v, id)
	}
	if label, _ := box.Attr("aria-label"); label != "Select Alpha one hospitals" {
		t.Errorf("row checkbox label %q", label)
	}
	if box.Closest("form").Length() != 0 {
		t.Error("the row checkbox is inside a form: bulk actions do not exist yet")
	}
	// The same queue, however the URL spells it, has one name.
	key, _ := d.Find(`table[data-testid="queue"]`).Attr("data-queue")
	key2, _ := alice.GetDoc("/articles").Find(`table[data-testid="queue"]`).Attr("data-queue")
	if key == "" || key != key2 {
		t.Errorf("data-queue %q and %q for the same queue", key, key2)
	}
	href, _ := row.Find(`[data-testid="row-title"]`).Attr("href")
	if from := strings.SplitN(href, "?from=", 2); len(from) != 2 || must(url.QueryUnescape(from[1])) != key {
		t.Errorf("row link %q does not carry the queue %q", href, key)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestQueueFilters(t *testing.T) {
	env, alice := queueFixture(t)
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
		titles[env.Record(t, env.ID(t, k)).Article.Title] = k
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := alice.Get("/articles?" + tt.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			d := alice.Doc(res)
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
			if n := webtest.TestIDTexts(d, "filter-notice"); len(n) != 0 {
				t.Errorf("unexpected notices %q", n)
			}
		})
	}
}

func TestQueueBadParametersAreResetWithAMessage(t *testing.T) {
	_, alice := queueFixture(t)
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
			res := alice.Get("/articles?" + tt.query)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			d := alice.Doc(res)
			notices := strings.Join(webtest.TestIDTexts(d, "filter-notice"), " | ")
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
	_, alice := queueFixture(t)
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
			res := alice.Get("/articles?status=all&q=" + url.QueryEscape(q))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.200s", res.StatusCode, alice.Bytes(res))
			}
			d := alice.Doc(res)
			if len(rowTitles(d)) == 0 && d.Find(`[data-testid="queue-empty"]`).Length() != 1 {
				t.Error("neither results nor the empty state")
			}
			if strings.Contains(alice.Text(res), "<script>alert(1)") {
				t.Error("search text is not escaped")
			}
		})
	}
	// Invalid UTF-8, percent-encoded by hand.
	res := alice.Get("/articles?q=%ff%fe%80abc")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("invalid UTF-8: status %d", res.StatusCode)
	}
}

func TestQueuePagesThroughToTheLastPage(t *testing.T) {
	env := webtest.New(t)
	const n = db.DefaultLimit*2 + 7
	specs := make([]webtest.Spec, n)
	for i := range specs {
		specs[i] = webtest.Spec{
			Key: fmt.Sprintf("p%03d", i), Title: fmt.Sprintf("Story %03d", i),
			Date: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			// Equal heat for many rows: the id breaks ties across pages.
			Heat: i % 3, Quality: i % 101,
		}
	}
	env.ImportSpecs(t, specs...)
	alice := loginAlice(t, env)
	for _, sort := range []string{"newest", "heat", "quality"} {
		t.Run(sort, func(t *testing.T) {
			seen := map[string]bool{}
			path, pages := "/articles?sort="+sort, 0
			for path != "" {
				pages++
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				d := alice.GetDoc(path)
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
	d := alice.GetDoc("/articles")
	if got := rowTitles(d)[0]; got != fmt.Sprintf("Story %03d", n-1) {
		t.Errorf("first row %q", got)
	}
}

// rowTitles are the titles of the queue rows, in order.
func rowTitles(d *goquery.Document) []string {
	var out []string
	d.Find(`[data-testid="queue-row"] [data-testid="row-title"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}
