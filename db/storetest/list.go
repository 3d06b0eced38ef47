package storetest

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The queue's cases: filters, sorts, keyset paging both ways, positions,
// cursors, counts in every mode. Ported from db/list_test.go and
// db/counts_test.go, through db.Database only.

func init() {
	add("List/FiltersAndSorts", testListFiltersAndSorts)
	add("List/CountsAndSummary", testListCountsAndSummary)
	add("List/KeysetPagingVisitsEveryRowOnce", testListKeysetPaging)
	add("List/Limits", testListLimits)
	add("List/BadInput", testListBadInput)
	add("List/PagingBothWays", testListPagingBothWays)
	add("List/PagingAfterRowsChanged", testListPagingAfterRowsChanged)
	add("List/ManyMatches", testListManyMatches)
	add("List/CountsFromCounters", testListCountsFromCounters)
	add("List/CountsUncovered", testListCountsUncovered)
	add("List/Empty", testListEmpty)
}

var (
	listCategories = []string{"news", "tech", "health", "science", "business"}
	listProviders  = []article.Provider{
		{Name: "Digital Health", Domain: "digitalhealth.net"},
		{Name: "Computer Weekly", Domain: "computerweekly.com"},
		{Name: "The Verge", Domain: "theverge.com"},
		{Name: "Ars Technica", Domain: "arstechnica.com"},
		{Name: "Nature", Domain: "nature.com"},
		{Name: "Reuters", Domain: "reuters.com"},
		{Name: "BBC News", Domain: "bbc.co.uk"},
	}
	listTopics = []string{"AI", "AI Ethics", "AI in Healthcare", "Robotics", "Climate", "Energy",
		"Space", "Quantum Computing", "Cybersecurity", "Privacy", "Semiconductors", "Biotech",
		"Ökonomie", "Startups", "Regulation", "Open Source", "Cloud", "5G", "Batteries", "Vaccines"}
	listWords = strings.Fields(`report calls artificial intelligence training staff hospital data
		model chip launch market growth study finds risk patients network rules climate satellite
		energy battery quantum security breach privacy startup funding open source cloud vaccine`)
)

// listArticle is article number i, as db's tests generate it: fields
// spread over a few categories, providers, topics and values; every title
// holds "number".
func listArticle(i int) *article.Article {
	w := func(k int) string { return listWords[(i*7+k*13)%len(listWords)] }
	a := &article.Article{
		Key:         fmt.Sprintf("%04d_%08x", i, uint32(i)*2654435761),
		Category:    listCategories[i%len(listCategories)],
		Title:       fmt.Sprintf("%s %s %s %s number %d", strings.ToUpper(w(0)[:1])+w(0)[1:], w(1), w(2), w(3), i),
		Excerpt:     fmt.Sprintf("A %s on %s %s says %s %s could change %s.", w(4), w(5), w(6), w(7), w(8), w(9)),
		PublishedAt: time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC).Add(time.Duration(i%500) * time.Hour),
		OriginalURL: fmt.Sprintf("https://example.com/%d/original", i),
		WebURL:      fmt.Sprintf("https://example.com/%d", i),
		Type:        "article",
		Heat:        (i * 37) % 101,
		Provider:    listProviders[i%len(listProviders)],
		Quality:     (i * 53) % 101,
		HasQuality:  i%11 != 0,
		Published:   i%3 == 0,
		Topics:      []string{listTopics[i%len(listTopics)], listTopics[(i+1+(i/3)%(len(listTopics)-1))%len(listTopics)]},
	}
	if !a.HasQuality {
		a.Quality = 0
	}
	a.FileName = a.Key + ".md"
	a.Raw = artRender(a)
	return a
}

// listArticles are articles 0..n-1.
func listArticles(n int) []*article.Article {
	arts := make([]*article.Article, n)
	for i := range arts {
		arts[i] = listArticle(i)
	}
	return arts
}

// listImport imports arts in batches of at most 1,000.
func listImport(t *testing.T, s db.Database, arts ...*article.Article) {
	t.Helper()
	for lo := 0; lo < len(arts); lo += 1000 {
		if _, err := s.Import(context.Background(), arts[lo:min(lo+1000, len(arts))]); err != nil {
			t.Fatal(err)
		}
	}
}

// listEdit applies e (its version and actor filled in) to the article of
// key and returns the record it leaves.
func listEdit(t *testing.T, s db.Database, key string, e db.Edit) *db.Record {
	t.Helper()
	ctx := context.Background()
	r, err := s.GetByKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	e.Version, e.Actor = r.Version, "alice"
	r, err = s.Update(ctx, r.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// listFixture imports n generated articles and reviews some of them:
// every 5th approved, every 7th rejected, every 4th given quality 99.
func listFixture(t *testing.T, s db.Database, n int) []*db.Record {
	t.Helper()
	listImport(t, s, listArticles(n)...)
	var recs []*db.Record
	for i := range n {
		var e db.Edit
		switch {
		case i%5 == 0:
			e.Status = artPtr(article.StatusApproved)
		case i%7 == 0:
			e.Status = artPtr(article.StatusRejected)
		}
		if i%4 == 0 {
			e.Quality = artPtr(99)
		}
		recs = append(recs, listEdit(t, s, listArticle(i).Key, e))
	}
	return recs
}

// listExpect returns the ids of the records matching keep, in the order
// of sort.
func listExpect(recs []*db.Record, sort db.Sort, keep func(*db.Record) bool) []int64 {
	var sel []*db.Record
	for _, r := range recs {
		if keep(r) {
			sel = append(sel, r)
		}
	}
	key := func(r *db.Record) int64 {
		switch sort {
		case db.SortHeat:
			return int64(r.Article.Heat)
		case db.SortQuality:
			if !r.HasQuality {
				return -1
			}
			return int64(r.Quality)
		}
		return r.Article.PublishedAt.Unix()
	}
	slices.SortFunc(sel, func(a, b *db.Record) int {
		return cmp.Or(cmp.Compare(key(b), key(a)), cmp.Compare(b.ID, a.ID))
	})
	ids := make([]int64, len(sel))
	for i, r := range sel {
		ids[i] = r.ID
	}
	return ids
}

func listIDs(p db.Page) []int64 {
	var ids []int64
	for _, it := range p.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func listPage(t *testing.T, s db.Database, q db.ListQuery) db.Page {
	t.Helper()
	p, err := s.List(context.Background(), q)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	return p
}

// listAll pages through q with Next and returns the ids in order, failing
// on a repeated id.
func listAll(t *testing.T, s db.Database, q db.ListQuery) []int64 {
	t.Helper()
	var ids []int64
	seen := map[int64]bool{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		p := listPage(t, s, q)
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("id %d on two pages", it.ID)
			}
			seen[it.ID] = true
			ids = append(ids, it.ID)
		}
		if p.Next == "" {
			return ids
		}
		q.Cursor = p.Next
	}
}

// listWantCounts is the per-status count of the records keep accepts:
// what a page's Counts must say.
func listWantCounts(recs []*db.Record, keep func(*db.Record) bool) map[article.Status]int {
	want := map[article.Status]int{}
	for _, r := range recs {
		if keep(r) {
			want[r.Status]++
		}
	}
	return want
}

func listHasTopic(ts []string, want string) bool {
	return slices.ContainsFunc(ts, func(x string) bool { return article.SameTopic(x, want) })
}

func testListFiltersAndSorts(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 120)
	tests := []struct {
		name string
		q    db.ListQuery
		keep func(*db.Record) bool
	}{
		{"all", db.ListQuery{}, func(*db.Record) bool { return true }},
		{"pending", db.ListQuery{Status: article.StatusPending}, func(r *db.Record) bool { return r.Status == article.StatusPending }},
		{"approved", db.ListQuery{Status: article.StatusApproved}, func(r *db.Record) bool { return r.Status == article.StatusApproved }},
		{"rejected", db.ListQuery{Status: article.StatusRejected}, func(r *db.Record) bool { return r.Status == article.StatusRejected }},
		{"category", db.ListQuery{Category: "tech"}, func(r *db.Record) bool { return r.Article.Category == "tech" }},
		{"category, other case", db.ListQuery{Category: "TECH"}, func(r *db.Record) bool { return false }},
		{"provider", db.ListQuery{Provider: "The Verge"}, func(r *db.Record) bool { return r.Article.Provider.Name == "The Verge" }},
		{"topic, other case", db.ListQuery{Topic: "ai ETHICS"}, func(r *db.Record) bool { return listHasTopic(r.Topics, "AI Ethics") }},
		{"topic, non-ASCII case", db.ListQuery{Topic: "ÖKONOMIE"}, func(r *db.Record) bool { return listHasTopic(r.Topics, "Ökonomie") }},
		{"topic, spaces", db.ListQuery{Topic: "  climate "}, func(r *db.Record) bool { return listHasTopic(r.Topics, "Climate") }},
		{"unknown topic", db.ListQuery{Topic: "nothing"}, func(*db.Record) bool { return false }},
		{"topic and quality", db.ListQuery{Topic: "ai", MinQuality: artPtr(30)}, func(r *db.Record) bool {
			return listHasTopic(r.Topics, "AI") && r.HasQuality && r.Quality >= 30
		}},
		{"topic and category", db.ListQuery{Topic: "ai", Category: "news"}, func(r *db.Record) bool {
			return listHasTopic(r.Topics, "AI") && r.Article.Category == "news"
		}},
		{"published", db.ListQuery{Published: artPtr(true)}, func(r *db.Record) bool { return r.Published }},
		{"unpublished", db.ListQuery{Published: artPtr(false)}, func(r *db.Record) bool { return !r.Published }},
		{"min quality", db.ListQuery{MinQuality: artPtr(50)}, func(r *db.Record) bool { return r.HasQuality && r.Quality >= 50 }},
		{"negative min quality", db.ListQuery{MinQuality: artPtr(-5)}, func(r *db.Record) bool { return r.HasQuality }},
		{"max quality", db.ListQuery{MaxQuality: artPtr(20)}, func(r *db.Record) bool { return r.HasQuality && r.Quality <= 20 }},
		{"quality range", db.ListQuery{MinQuality: artPtr(20), MaxQuality: artPtr(60)}, func(r *db.Record) bool {
			return r.HasQuality && r.Quality >= 20 && r.Quality <= 60
		}},
		{"combined", db.ListQuery{Status: article.StatusPending, Category: "news", Published: artPtr(false)}, func(r *db.Record) bool {
			return r.Status == article.StatusPending && r.Article.Category == "news" && !r.Published
		}},
		{"text and status", db.ListQuery{Text: "number", Status: article.StatusApproved}, func(r *db.Record) bool {
			return r.Status == article.StatusApproved
		}},
	}
	for _, tt := range tests {
		for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
			t.Run(tt.name+"/"+string(sort), func(t *testing.T) {
				q := tt.q
				q.Sort, q.Limit = sort, 200
				p := listPage(t, s, q)
				want := listExpect(recs, sort, tt.keep)
				if got := listIDs(p); !slices.Equal(got, want) {
					t.Errorf("ids\n got %v\nwant %v", got, want)
				}
				if p.Total != len(want) || p.Next != "" || p.Prev != "" || p.Offset != 0 {
					t.Errorf("total %d next %q prev %q offset %d, want %d and one page", p.Total, p.Next, p.Prev, p.Offset, len(want))
				}
			})
		}
	}
}

func testListCountsAndSummary(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 60)
	p := listPage(t, s, db.ListQuery{Status: article.StatusApproved, Category: "news", Limit: 5})
	want := listWantCounts(recs, func(r *db.Record) bool { return r.Article.Category == "news" })
	for _, st := range article.Statuses {
		if c, ok := p.Counts[st]; !ok || c != want[st] || p.Capped[st] {
			t.Errorf("count %s = %d (present %v, capped %v), want %d", st, c, ok, p.Capped[st], want[st])
		}
	}
	if p.Total != want[article.StatusApproved] || p.TotalCapped {
		t.Errorf("total %d (capped %v), want %d", p.Total, p.TotalCapped, want[article.StatusApproved])
	}
	if len(p.Items) == 0 {
		t.Fatal("no items")
	}
	it := p.Items[0]
	i := slices.IndexFunc(recs, func(r *db.Record) bool { return r.ID == it.ID })
	if i < 0 {
		t.Fatalf("item %d is no record", it.ID)
	}
	r := recs[i]
	w := db.Summary{ID: r.ID, Key: r.Article.Key, Title: r.Article.Title, Category: r.Article.Category,
		ProviderName: r.Article.Provider.Name, PublishedAt: r.Article.PublishedAt, Quality: r.Quality,
		HasQuality: r.HasQuality, Heat: r.Article.Heat, Topics: r.Topics, Status: r.Status, Published: r.Published,
		Version: r.Version}
	if it.ID != w.ID || it.Key != w.Key || it.Title != w.Title || it.Category != w.Category || it.ProviderName != w.ProviderName ||
		!it.PublishedAt.Equal(w.PublishedAt) || it.PublishedAt.Location() != time.UTC || it.Quality != w.Quality ||
		it.HasQuality != w.HasQuality || it.Heat != w.Heat || !slices.Equal(it.Topics, w.Topics) || it.Status != w.Status ||
		it.Published != w.Published || it.Version != w.Version {
		t.Errorf("summary\n got %+v\nwant %+v", it, w)
	}
	// An article without a quality: HasQuality false, Quality 0.
	none := listPage(t, s, db.ListQuery{Sort: db.SortQuality, Limit: 200})
	last := none.Items[len(none.Items)-1]
	if last.HasQuality || last.Quality != 0 {
		t.Errorf("last by quality: %+v, want no quality", last)
	}
	// Editor topics are the effective ones; no topics is nil.
	r = listEdit(t, s, listArticle(1).Key, db.Edit{Topics: nil, SetTopics: true})
	p = listPage(t, s, db.ListQuery{Text: "number 1 ", Limit: 200})
	for _, it := range p.Items {
		if it.ID == r.ID && it.Topics != nil {
			t.Errorf("topics edited away: %q, want nil", it.Topics)
		}
	}
}

func testListKeysetPaging(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 237)
	for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
		for _, limit := range []int{1, 10, 50} {
			for _, st := range []article.Status{"", article.StatusPending} {
				got := listAll(t, s, db.ListQuery{Sort: sort, Limit: limit, Status: st})
				want := listExpect(recs, sort, func(r *db.Record) bool { return st == "" || r.Status == st })
				if !slices.Equal(got, want) {
					t.Errorf("sort %s limit %d status %q: paged ids differ (%d vs %d)", sort, limit, st, len(got), len(want))
				}
			}
		}
	}
}

func testListLimits(t *testing.T, s db.Database) {
	listImport(t, s, listArticles(260)...)
	for limit, want := range map[int]int{0: db.DefaultLimit, -3: db.DefaultLimit, 7: 7, 500: db.MaxLimit} {
		if p := listPage(t, s, db.ListQuery{Limit: limit}); len(p.Items) != want {
			t.Errorf("limit %d gave %d items, want %d", limit, len(p.Items), want)
		}
	}
}

func listRawCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func testListBadInput(t *testing.T, s db.Database) {
	ctx := context.Background()
	listImport(t, s, listArticles(30)...)
	p := listPage(t, s, db.ListQuery{Limit: 5, Sort: db.SortHeat})
	for name, cursor := range map[string]string{
		"not base64":      "%%%",
		"garbage":         "aGVsbG8",
		"other sort":      strings.Replace(p.Next, "aGVhd", "bmV3Z", 1),
		"old format":      listRawCursor("heat|5|3"),
		"negative id":     listRawCursor("heat|a|5|-1|0"),
		"zero id":         listRawCursor("heat|b|5|0|0"),
		"not a number":    listRawCursor("heat|a|x|3|0"),
		"bad position":    listRawCursor("heat|a|5|3|x"),
		"negative pos":    listRawCursor("heat|a|5|3|-50"),
		"huge pos":        listRawCursor("heat|a|5|3|99999999999999999"),
		"unknown dir":     listRawCursor("heat|z|5|3|0"),
		"long dir":        listRawCursor("heat|ab|5|3|0"),
		"last with a row": listRawCursor("heat|l|5|3|0"),
		"too many parts":  listRawCursor("heat|a|1|2|3|4"),
		"huge":            strings.Repeat("A", 4096),
	} {
		if _, err := s.List(ctx, db.ListQuery{Sort: db.SortHeat, Cursor: cursor}); !errors.Is(err, db.ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
	if _, err := s.List(ctx, db.ListQuery{Sort: db.SortNewest, Cursor: p.Next}); !errors.Is(err, db.ErrBadCursor) {
		t.Errorf("cursor of another sort: %v, want ErrBadCursor", err)
	}
	if _, err := s.List(ctx, db.ListQuery{Sort: "random"}); err == nil {
		t.Error("unknown sort accepted")
	}
	if _, err := s.List(ctx, db.ListQuery{Status: "published"}); err == nil {
		t.Error("unknown status accepted")
	}
	// Values a cursor may hold at the ends of their range are only
	// arguments: a page, no error.
	for _, raw := range []string{"heat|a|9223372036854775807|9223372036854775807|0", "heat|b|-9223372036854775808|1|1099511627776"} {
		if _, err := s.List(ctx, db.ListQuery{Sort: db.SortHeat, Cursor: listRawCursor(raw)}); err != nil {
			t.Errorf("cursor %q: %v", raw, err)
		}
	}
}

func testListPagingBothWays(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 237)
	for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
		for _, st := range []article.Status{"", article.StatusPending, article.StatusRejected} {
			t.Run(string(sort)+"/"+string(st), func(t *testing.T) {
				want := listExpect(recs, sort, func(r *db.Record) bool { return st == "" || r.Status == st })
				const limit = 10
				q := db.ListQuery{Sort: sort, Status: st, Limit: limit}
				var pages []db.Page
				for cur := ""; ; {
					q.Cursor = cur
					p := listPage(t, s, q)
					pages = append(pages, p)
					if cur = p.Next; cur == "" {
						break
					}
				}
				var all []int64
				for i, pg := range pages {
					all = append(all, listIDs(pg)...)
					if pg.Offset != i*limit || pg.Total != len(want) {
						t.Errorf("page %d: offset %d total %d, want %d and %d", i, pg.Offset, pg.Total, i*limit, len(want))
					}
					if (pg.Prev == "") != (i == 0) || (pg.Last == "") != (i == len(pages)-1) {
						t.Errorf("page %d of %d: prev %q last %q", i, len(pages), pg.Prev, pg.Last)
					}
					if i > 0 {
						q.Cursor = pg.Prev
						prev := listPage(t, s, q)
						if !slices.Equal(listIDs(prev), listIDs(pages[i-1])) || prev.Offset != pages[i-1].Offset {
							t.Errorf("previous of page %d: offset %d ids %v, want %d %v", i, prev.Offset, listIDs(prev), pages[i-1].Offset, listIDs(pages[i-1]))
						}
					}
					// The last page is the one Next reaches at the end:
					// what the full pages before it leave.
					if pg.Last != "" {
						q.Cursor = pg.Last
						last := listPage(t, s, q)
						from := (len(want) - 1) / limit * limit
						if lp := pages[len(pages)-1]; !slices.Equal(listIDs(last), listIDs(lp)) || last.Offset != lp.Offset {
							t.Errorf("last from page %d: offset %d ids %v; Next reached offset %d ids %v", i, last.Offset, listIDs(last), lp.Offset, listIDs(lp))
						}
						if !slices.Equal(listIDs(last), want[from:]) || last.Offset != from || last.Next != "" {
							t.Errorf("last from page %d: offset %d ids %v next %q, want %d %v", i, last.Offset, listIDs(last), last.Next, from, want[from:])
						}
						q.Cursor = last.Prev
						before := listPage(t, s, q)
						if from2 := max(from-limit, 0); !slices.Equal(listIDs(before), want[from2:from2+limit]) || before.Offset != from2 {
							t.Errorf("previous of last: offset %d ids %v, want %d %v", before.Offset, listIDs(before), from2, want[from2:from2+limit])
						}
					}
				}
				if !slices.Equal(all, want) {
					t.Errorf("pages hold %d ids, want %d in order", len(all), len(want))
				}
			})
		}
	}
}

// testListPagingAfterRowsChanged follows cursors made before rows left
// the queue (approved, out of the pending queue): the pages stay full and
// their positions consistent.
func testListPagingAfterRowsChanged(t *testing.T, s db.Database) {
	ctx := context.Background()
	listImport(t, s, listArticles(35)...)
	q := db.ListQuery{Sort: db.SortHeat, Limit: 10, Status: article.StatusPending}
	first := listPage(t, s, q)
	q.Cursor = first.Next
	second := listPage(t, s, q)
	q.Cursor = second.Next
	third := listPage(t, s, q)
	leave := func(ids []int64) {
		t.Helper()
		for _, id := range ids {
			r, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			listEdit(t, s, r.Article.Key, db.Edit{Status: artPtr(article.StatusApproved)})
		}
	}
	// Three rows of the first page go: "previous" from the second page
	// finds 7 rows, so it shows the first page, full, at position 0.
	leave(listIDs(first)[:3])
	q.Cursor = second.Prev
	prev := listPage(t, s, q)
	if ids := listIDs(prev); len(ids) != 10 || prev.Offset != 0 || prev.Prev != "" || !slices.Equal(ids[:7], listIDs(first)[3:]) {
		t.Errorf("previous after removals: %d rows at %d, prev %q", len(ids), prev.Offset, prev.Prev)
	}
	// Everything after the third page's start goes: its cursor shows the
	// last page there is, at its true position.
	leave(listIDs(third))
	q.Cursor = third.Next
	leave(listIDs(listPage(t, s, q)))
	q.Cursor = second.Next
	gone := listPage(t, s, q)
	if !slices.Equal(listIDs(gone), listIDs(second)) || gone.Offset != 7 || gone.Next != "" || gone.Total != 17 {
		t.Errorf("past the end: ids %v at %d (total %d), want %v at 7 of 17", listIDs(gone), gone.Offset, gone.Total, listIDs(second))
	}
	// A position larger than the rows is clamped to the rows.
	forged := db.EncodeCursor(db.SortHeat, db.CursorAfter, &prev.Items[9], 5000)
	p := listPage(t, s, db.ListQuery{Sort: db.SortHeat, Limit: 10, Status: article.StatusPending, Cursor: forged})
	if p.Offset != 10 || len(p.Items) != 7 {
		t.Errorf("forged position: offset %d with %d items, want 10 and 7", p.Offset, len(p.Items))
	}
	// Without counts (a text search, which the counter tables do not
	// cover), positions come from the cursors alone.
	q = db.ListQuery{Sort: db.SortHeat, Limit: 10, Status: article.StatusPending, Text: "number", Counts: db.CountsNone, Cursor: forged}
	if p := listPage(t, s, q); p.Offset != 5000 || len(p.Items) != 7 || p.Last != "" || p.Counts != nil {
		t.Errorf("forged position without counts: offset %d, %d items, last %q, counts %v", p.Offset, len(p.Items), p.Last, p.Counts)
	}
}

// testListManyMatches: a category, provider or topic filter that every
// article matches pages as the whole table does, also to its last page.
func testListManyMatches(t *testing.T, s db.Database) {
	const n = 240
	arts := listArticles(n)
	for _, a := range arts {
		a.Category, a.Provider.Name = "tech", "Nature"
		a.Topics = append(a.Topics, "Everywhere")
		a.Raw = artRender(a)
	}
	listImport(t, s, arts...)
	for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
		want := listAll(t, s, db.ListQuery{Sort: sort, Limit: 30})
		if len(want) != n {
			t.Fatalf("%d articles listed, want %d", len(want), n)
		}
		for _, q := range []db.ListQuery{{Category: "tech"}, {Provider: "Nature"}, {Topic: "everywhere"}, {Text: "number"}} {
			q.Sort, q.Limit = sort, 30
			if got := listAll(t, s, q); !slices.Equal(got, want) {
				t.Errorf("%+v: %d ids, want the %d of the whole table in order", q, len(got), len(want))
			}
			q.Counts = db.CountsCapped
			q.Cursor = listPage(t, s, q).Last
			last := listPage(t, s, q)
			if !slices.Equal(listIDs(last), want[n-30:]) || last.Offset != n-30 {
				t.Errorf("%+v: last page at %d, want %d", q, last.Offset, n-30)
			}
		}
	}
}

// testListCountsFromCounters compares the counts of the filters the
// counter tables cover with a count of the records.
func testListCountsFromCounters(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 90)
	tests := []struct {
		name string
		q    db.ListQuery
		keep func(*db.Record) bool
	}{
		{"none", db.ListQuery{}, func(*db.Record) bool { return true }},
		{"unpublished", db.ListQuery{Published: artPtr(false)}, func(r *db.Record) bool { return !r.Published }},
		{"category", db.ListQuery{Category: "news"}, func(r *db.Record) bool { return r.Article.Category == "news" }},
		{"category, published", db.ListQuery{Category: "news", Published: artPtr(true)}, func(r *db.Record) bool {
			return r.Article.Category == "news" && r.Published
		}},
		{"provider", db.ListQuery{Provider: "Nature", Published: artPtr(false)}, func(r *db.Record) bool {
			return r.Article.Provider.Name == "Nature" && !r.Published
		}},
		{"topic, other case", db.ListQuery{Topic: "ÖKONOMIE"}, func(r *db.Record) bool { return listHasTopic(r.Topics, "Ökonomie") }},
		{"unknown topic", db.ListQuery{Topic: "nothing"}, func(*db.Record) bool { return false }},
		{"unknown category", db.ListQuery{Category: "nothing"}, func(*db.Record) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.q.CountersCover() {
				t.Fatal("not covered by the counter tables")
			}
			want := listWantCounts(recs, tt.keep)
			for _, mode := range []db.CountMode{db.CountsExact, db.CountsCapped} {
				q := tt.q
				q.Counts = mode
				p := listPage(t, s, q)
				for _, st := range article.Statuses {
					if p.Counts[st] != want[st] || p.Capped[st] {
						t.Errorf("mode %d: %s = %d (capped %v), want %d", mode, st, p.Counts[st], p.Capped[st], want[st])
					}
				}
			}
		})
	}
}

// testListCountsUncovered: the filters the counter tables do not cover
// are counted from the articles, exactly below the cap; with CountsNone
// not at all.
func testListCountsUncovered(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 90)
	tests := []struct {
		name string
		q    db.ListQuery
		keep func(*db.Record) bool
	}{
		{"category and provider", db.ListQuery{Category: "tech", Provider: "Nature"}, func(r *db.Record) bool {
			return r.Article.Category == "tech" && r.Article.Provider.Name == "Nature"
		}},
		{"quality", db.ListQuery{MinQuality: artPtr(50)}, func(r *db.Record) bool { return r.HasQuality && r.Quality >= 50 }},
		{"text", db.ListQuery{Text: "number"}, func(*db.Record) bool { return true }},
		{"text and published", db.ListQuery{Text: "number", Published: artPtr(true)}, func(r *db.Record) bool { return r.Published }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.q.CountersCover() {
				t.Fatal("covered by the counter tables")
			}
			want := listWantCounts(recs, tt.keep)
			for _, mode := range []db.CountMode{db.CountsExact, db.CountsCapped} {
				q := tt.q
				q.Counts = mode
				p := listPage(t, s, q)
				for _, st := range article.Statuses {
					if c, ok := p.Counts[st]; !ok || c != want[st] {
						t.Errorf("mode %d: counts %v, want %v", mode, p.Counts, want)
					}
				}
				if p.TotalCapped || p.Last == "" && p.Next != "" {
					t.Errorf("mode %d: capped %v, last %q with a next page", mode, p.TotalCapped, p.Last)
				}
			}
		})
	}
	p := listPage(t, s, db.ListQuery{Text: "number", Counts: db.CountsNone, Limit: 10})
	if p.Counts != nil || p.Capped != nil || p.Total != 0 || p.Last != "" || len(p.Items) != 10 || p.Next == "" {
		t.Errorf("CountsNone: counts %v total %d last %q, %d items, next %q", p.Counts, p.Total, p.Last, len(p.Items), p.Next)
	}
	// Covered by the counter tables, CountsNone still shows no counts.
	p = listPage(t, s, db.ListQuery{Category: "tech", Counts: db.CountsNone, Limit: 5})
	if p.Counts != nil || p.Total != 0 || p.Last != "" || len(p.Items) != 5 || p.Next == "" {
		t.Errorf("CountsNone, covered: counts %v total %d last %q, %d items", p.Counts, p.Total, p.Last, len(p.Items))
	}
}

// testListEmpty: an empty store, and filters nothing matches, give an
// empty page with every status counted as zero.
func testListEmpty(t *testing.T, s db.Database) {
	for _, q := range []db.ListQuery{{}, {Text: "zebra"}, {Category: "tech", Provider: "Nature"}, {Status: article.StatusPending}} {
		p := listPage(t, s, q)
		if len(p.Items) != 0 || p.Next != "" || p.Prev != "" || p.Last != "" || p.Total != 0 || len(p.Counts) != len(article.Statuses) {
			t.Errorf("%+v on an empty store: %+v", q, p)
		}
	}
	listImport(t, s, listArticles(10)...)
	p := listPage(t, s, db.ListQuery{Text: "zebra", Counts: db.CountsNone})
	if len(p.Items) != 0 || p.Next != "" || p.Counts != nil {
		t.Errorf("no match without counts: %+v", p)
	}
}

func init() { add("List/CountsCapped", testListCountsCapped) }

// testListCountsCapped imports more than db.CountCap articles matching a
// search and checks the capped counts, the total, and that no last page
// is offered while the total is not exact.
func testListCountsCapped(t *testing.T, s db.Database) {
	if testing.Short() {
		t.Skip("imports 10,005 articles")
	}
	arts := listArticles(db.CountCap + 5)
	for i, a := range arts {
		a.Title = fmt.Sprintf("Zebra story %d", i)
		if i >= db.CountCap {
			a.Title = fmt.Sprintf("Plain story %d", i)
		}
		a.Raw = artRender(a)
	}
	listImport(t, s, arts...)
	for i := range 3 {
		listEdit(t, s, arts[i].Key, db.Edit{Status: artPtr(article.StatusApproved)})
	}
	const zebras = db.CountCap // of which 3 approved
	// A search every article matches pages as the whole table does, first
	// and next pages, and the last one.
	for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
		for _, q := range []db.ListQuery{{Sort: sort}, {Sort: sort, Status: article.StatusPending}} {
			all, story := q, q
			story.Text = "story"
			want, got := listPage(t, s, all), listPage(t, s, story)
			all.Cursor, story.Cursor = want.Next, got.Next
			next, gotNext := listPage(t, s, all), listPage(t, s, story)
			all.Cursor, story.Cursor = want.Last, gotNext.Prev
			last, prev := listPage(t, s, all), listPage(t, s, story)
			if !slices.Equal(listIDs(got), listIDs(want)) || !slices.Equal(listIDs(gotNext), listIDs(next)) ||
				!slices.Equal(listIDs(prev), listIDs(want)) || len(listIDs(last)) == 0 {
				t.Errorf("%+v: a search matching all pages otherwise", story)
			}
		}
	}
	tests := []struct {
		name        string
		q           db.ListQuery
		pending     int
		capped      bool
		total       int
		totalCapped bool
	}{
		{"capped search, pending", db.ListQuery{Text: "zebra", Status: article.StatusPending, Counts: db.CountsCapped}, zebras - 3, false, zebras - 3, false},
		{"capped search, all", db.ListQuery{Text: "zebra", Counts: db.CountsCapped}, zebras - 3, false, zebras, false},
		{"capped search, both", db.ListQuery{Text: "zebra story", Counts: db.CountsCapped}, zebras - 3, false, zebras, false},
		{"exact search", db.ListQuery{Text: "zebra", Status: article.StatusPending}, zebras - 3, false, zebras - 3, false},
		{"capped, all", db.ListQuery{Text: "story", Counts: db.CountsCapped}, db.CountCap, true, db.CountCap + 3, true},
		{"capped, pending", db.ListQuery{Text: "story", Status: article.StatusPending, Counts: db.CountsCapped},
			db.CountCap, true, db.CountCap, true},
		{"exact, pending", db.ListQuery{Text: "story", Status: article.StatusPending}, db.CountCap + 2, false, db.CountCap + 2, false},
		{"capped, approved", db.ListQuery{Text: "story", Status: article.StatusApproved, Counts: db.CountsCapped},
			db.CountCap, true, 3, false},
		{"counters are never capped", db.ListQuery{Status: article.StatusPending, Counts: db.CountsCapped}, db.CountCap + 2, false, db.CountCap + 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := listPage(t, s, tt.q)
			if p.Counts[article.StatusPending] != tt.pending || p.Capped[article.StatusPending] != tt.capped ||
				p.Counts[article.StatusApproved] != 3 || p.Capped[article.StatusApproved] {
				t.Errorf("counts %v capped %v, want pending %d (capped %v) and 3 approved", p.Counts, p.Capped, tt.pending, tt.capped)
			}
			if p.Total != tt.total || p.TotalCapped != tt.totalCapped {
				t.Errorf("total %d capped %v, want %d %v", p.Total, p.TotalCapped, tt.total, tt.totalCapped)
			}
			if wantLast := !tt.totalCapped && p.Next != ""; (p.Last != "") != wantLast {
				t.Errorf("last %q, want one: %v", p.Last, wantLast)
			}
		})
	}
}
