package handlers_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// countsSpecs are articles spread over categories, providers, topics and
// published states.
func countsSpecs() []webtest.Spec {
	cats := []string{"news", "tech", "health"}
	provs := []string{"Alpha", "Beta"}
	topics := [][]string{{"AI"}, {"ai ethics", "Health"}, {"Robotics", "AI"}, nil}
	var specs []webtest.Spec
	for i := range 14 {
		specs = append(specs, webtest.Spec{
			Key: fmt.Sprintf("c%02d", i), Title: fmt.Sprintf("Story %d about things", i),
			Category: cats[i%len(cats)], Provider: provs[i%len(provs)], Topics: topics[i%len(topics)],
			Quality: (i * 17) % 101, Published: i%4 == 1,
			Date: time.Date(2022, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
		})
	}
	return specs
}

// saveForm is the review form of rec with its stored values, as the page
// sends it; change edits it.
func saveForm(rec *db.Record, change func(url.Values)) url.Values {
	v := url.Values{
		"version": {strconv.FormatInt(rec.Version, 10)},
		"quality": {strconv.Itoa(rec.Quality)},
		"topics":  rec.Topics,
		"status":  {string(rec.Status)},
		"note":    {rec.Note},
		"action":  {"save"},
	}
	if rec.Published {
		v.Set("published", "on")
	}
	change(v)
	return v
}

// tabCounts reads the numbers of the status tabs.
func tabCounts(t *testing.T, d *goquery.Document) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, st := range []string{"pending", "approved", "rejected", "all"} {
		text := strings.ReplaceAll(webtest.TestIDText(d, "count-"+st), ",", "")
		n, err := strconv.Atoi(text)
		if err != nil {
			t.Fatalf("tab %s shows %q", st, text)
		}
		out[st] = n
	}
	return out
}

// TestQueueTabCountsEqualTheDatabase saves, imports and changes statuses
// through the app, and after each step compares the status tabs of
// several queues, and the dropdowns, with counts made from the stored
// articles themselves.
func TestQueueTabCountsEqualTheDatabase(t *testing.T) {
	env := webtest.New(t)
	ids := env.ImportSpecs(t, countsSpecs()...)
	alice := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	hasTopic := func(r *db.Record, name string) bool {
		return slices.ContainsFunc(r.Topics, func(x string) bool { return strings.EqualFold(x, name) })
	}
	queues := []struct {
		query string
		keep  func(*db.Record) bool // the filters but status
	}{
		// The default queue counts every article, published or not.
		{"", func(*db.Record) bool { return true }},
		{"published=no", func(r *db.Record) bool { return !r.Published }},
		{"category=tech", func(r *db.Record) bool { return r.Article.Category == "tech" }},
		{"published=no&category=tech", func(r *db.Record) bool { return r.Article.Category == "tech" && !r.Published }},
		{"published=yes&provider=Beta", func(r *db.Record) bool { return r.Article.Provider.Name == "Beta" && r.Published }},
		{"published=any&topic=ai", func(r *db.Record) bool { return hasTopic(r, "AI") }},
		{"published=any&topic=AI+ETHICS", func(r *db.Record) bool { return hasTopic(r, "ai ethics") }},
		// Not covered by the counter tables: counted from the articles.
		{"published=any&q=story", func(*db.Record) bool { return true }},
		{"published=any&qmin=50", func(r *db.Record) bool { return r.HasQuality && r.Quality >= 50 }},
		{"published=any&category=tech&provider=Beta", func(r *db.Record) bool {
			return r.Article.Category == "tech" && r.Article.Provider.Name == "Beta"
		}},
	}
	save := func(t *testing.T, key string, change func(url.Values)) {
		t.Helper()
		rec := env.Record(t, env.ID(t, key))
		res := alice.PostForm(webtest.ArticlePath(rec.ID), saveForm(rec, change))
		webtest.WantStatus(t, res, http.StatusSeeOther)
	}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"import", func(*testing.T) {}},
		{"save: status", func(t *testing.T) {
			save(t, "c00", func(v url.Values) { v.Set("status", "approved") })
			save(t, "c03", func(v url.Values) { v.Set("status", "rejected") })
		}},
		{"save: published", func(t *testing.T) {
			save(t, "c02", func(v url.Values) { v.Set("published", "on") })
			save(t, "c01", func(v url.Values) { v.Del("published") })
		}},
		{"save: topics", func(t *testing.T) {
			save(t, "c04", func(v url.Values) { v["topics"] = []string{"Robotics", "Brand New"} })
			save(t, "c05", func(v url.Values) { v["topics"] = nil })
		}},
		{"save and next: status, published and topics", func(t *testing.T) {
			save(t, "c06", func(v url.Values) {
				v.Set("status", "approved")
				v.Set("published", "on")
				v["topics"] = []string{"ai"}
				v.Set("action", "next")
			})
		}},
		{"import of changed files", func(t *testing.T) {
			specs := countsSpecs()
			specs[7].Category, specs[7].Topics = "tech", []string{"AI", "Space"}
			specs[8].Provider = "Gamma"
			specs[10].Published = true
			specs[4].Topics = []string{"Upstream"} // the editor's topics stay
			env.ImportSpecs(t, specs[4], specs[7], specs[8], specs[10])
		}},
		{"import of new files", func(t *testing.T) {
			env.ImportSpecs(t, webtest.Spec{Key: "n1", Title: "Story new", Category: "tech", Provider: "Beta", Topics: []string{"AI"}})
		}},
		{"status change in the store", func(t *testing.T) { env.SetStatus(t, "n1", article.StatusRejected) }},
	}
	for _, st := range steps {
		st.run(t)
		var recs []*db.Record
		for _, key := range slices.Sorted(maps.Keys(ids)) {
			recs = append(recs, env.Record(t, ids[key]))
		}
		if st.name == "import of new files" || st.name == "status change in the store" {
			recs = append(recs, env.Record(t, env.ID(t, "n1")))
		}
		for _, q := range queues {
			want := map[string]int{}
			for _, r := range recs {
				if q.keep(r) {
					want[string(r.Status)]++
					want["all"]++
				}
			}
			for _, st := range []string{"pending", "approved", "rejected", "all"} {
				want[st] += 0 // every tab shows a number
			}
			d := alice.GetDoc("/articles?" + q.query)
			if got := tabCounts(t, d); !maps.Equal(got, want) {
				t.Errorf("after %s: /articles?%s tabs %v, want %v", st.name, q.query, got, want)
			}
		}
		// The category dropdown counts every article of a category.
		cats := map[string]int{}
		for _, r := range recs {
			cats[r.Article.Category]++
		}
		d := alice.GetDoc("/articles")
		for cat, n := range cats {
			label := strings.TrimSpace(d.Find(`[data-testid="filter-category"] option[value="` + cat + `"]`).Text())
			if want := fmt.Sprintf("%s (%d)", cat, n); label != want {
				t.Errorf("after %s: category option %q, want %q", st.name, label, want)
			}
		}
	}
}

// TestQueuePagerMovesBothWays pages a queue of 107 articles forward,
// backward and to the last page, and reads the position of each page.
func TestQueuePagerMovesBothWays(t *testing.T) {
	env := webtest.New(t)
	const n = db.DefaultLimit*2 + 7
	specs := make([]webtest.Spec, n)
	for i := range specs {
		specs[i] = webtest.Spec{Key: fmt.Sprintf("p%03d", i), Title: fmt.Sprintf("Story %03d", i),
			Date: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)}
	}
	env.ImportSpecs(t, specs...)
	alice := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	link := func(d *goquery.Document, id string) string {
		href, _ := d.Find(`[data-testid="` + id + `"]`).Attr("href")
		return href
	}
	type want struct {
		position, first, last string // first and last row titles
		links                 []string
	}
	check := func(path string, w want) *goquery.Document {
		t.Helper()
		d := alice.GetDoc(path)
		titles := rowTitles(d)
		if got := webtest.TestIDText(d, "position"); got != w.position {
			t.Errorf("%s: position %q, want %q", path, got, w.position)
		}
		if len(titles) == 0 || titles[0] != w.first || titles[len(titles)-1] != w.last {
			t.Errorf("%s: rows %q…, want %s to %s", path, titles, w.first, w.last)
		}
		var links []string
		for _, id := range []string{"first-page", "prev-page", "next-page", "last-page"} {
			if link(d, id) != "" {
				links = append(links, id)
			}
		}
		if !slices.Equal(links, w.links) {
			t.Errorf("%s: links %q, want %q", path, links, w.links)
		}
		return d
	}
	story := func(i int) string { return fmt.Sprintf("Story %03d", i) }
	d := check("/articles", want{"1–50 of 107", story(106), story(57), []string{"next-page", "last-page"}})
	d = check(link(d, "next-page"), want{"51–100 of 107", story(56), story(7), []string{"first-page", "prev-page", "next-page", "last-page"}})
	second := link(d, "prev-page")
	check(second, want{"1–50 of 107", story(106), story(57), []string{"next-page", "last-page"}})
	// The last page is the one Next reaches: the 7 oldest.
	d = check(link(d, "last-page"), want{"101–107 of 107", story(6), story(0), []string{"first-page", "prev-page"}})
	d = check(link(d, "prev-page"), want{"51–100 of 107", story(56), story(7), []string{"first-page", "prev-page", "next-page", "last-page"}})
	check(link(d, "first-page"), want{"1–50 of 107", story(106), story(57), []string{"next-page", "last-page"}})
}

// TestQueueSaysWhereTheArticlesAre: an empty status tab names the other
// tabs that have articles, and links to them.
func TestQueueSaysWhereTheArticlesAre(t *testing.T) {
	env := webtest.New(t)
	env.ImportSpecs(t,
		webtest.Spec{Key: "e1", Title: "One", Category: "tech"},
		webtest.Spec{Key: "e2", Title: "Two", Category: "tech"},
		webtest.Spec{Key: "e3", Title: "Three", Category: "tech"},
		webtest.Spec{Key: "e4", Title: "Four", Category: "tech"},
		webtest.Spec{Key: "e5", Title: "Five", Category: "news"},
	)
	for _, k := range []string{"e1", "e2", "e3"} {
		env.SetStatus(t, k, article.StatusApproved)
	}
	env.SetStatus(t, "e4", article.StatusRejected)
	alice := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	tests := []struct {
		query string
		want  string   // the sentence; "" when there is none
		links []string // its links' status parameters
	}{
		{"category=tech", "No pending articles match; 3 approved and 1 rejected do.", []string{"approved", "rejected"}},
		{"category=tech&status=rejected&q=one", "No rejected articles match; 1 approved does.", []string{"approved"}},
		{"category=tech&status=all&q=zebra", "", nil},
		{"q=zebra", "", nil},
		{"category=news", "", nil}, // e5 is pending: rows, no sentence
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			d := alice.GetDoc("/articles?" + tt.query)
			got := strings.Join(strings.Fields(webtest.TestIDText(d, "elsewhere")), " ")
			if got != tt.want {
				t.Errorf("sentence %q, want %q", got, tt.want)
			}
			var links []string
			d.Find(`[data-testid="elsewhere-link"]`).Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				u, err := url.Parse(href)
				if err != nil || u.Path != "/articles" || u.Query().Get("category") != "tech" {
					t.Errorf("link %q does not keep the filters", href)
				}
				links = append(links, u.Query().Get("status"))
			})
			if !slices.Equal(links, tt.links) {
				t.Errorf("links to %q, want %q", links, tt.links)
			}
		})
	}
}
