package db

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// listFixture imports n generated articles and reviews some of them:
// every 5th approved, every 7th rejected, every 4th given quality 99.
func listFixture(t *testing.T, n int) (*Store, []*Record) {
	t.Helper()
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(n)...)
	var recs []*Record
	for i := range n {
		r := mustGetByKey(t, s, genArticle(i).Key)
		e := Edit{Version: r.Version, Actor: "alice"}
		switch {
		case i%5 == 0:
			e.Status = ptr(article.StatusApproved)
		case i%7 == 0:
			e.Status = ptr(article.StatusRejected)
		}
		if i%4 == 0 {
			e.Quality = ptr(99)
		}
		r, err := s.Update(ctx, r.ID, e)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return s, recs
}

// expect returns the records matching keep, in the order of sort.
func expect(recs []*Record, sort Sort, keep func(*Record) bool) []int64 {
	var sel []*Record
	for _, r := range recs {
		if keep(r) {
			sel = append(sel, r)
		}
	}
	key := func(r *Record) int64 {
		switch sort {
		case SortHeat:
			return int64(r.Article.Heat)
		case SortQuality:
			if !r.HasQuality {
				return -1
			}
			return int64(r.Quality)
		}
		return r.Article.PublishedAt.Unix()
	}
	slices.SortFunc(sel, func(a, b *Record) int {
		return cmp.Or(cmp.Compare(key(b), key(a)), cmp.Compare(b.ID, a.ID))
	})
	ids := make([]int64, len(sel))
	for i, r := range sel {
		ids[i] = r.ID
	}
	return ids
}

// listAll pages through q and returns the ids in order, failing on a
// repeated id.
func listAll(t *testing.T, s *Store, q ListQuery) []int64 {
	t.Helper()
	var ids []int64
	seen := map[int64]bool{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		p, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
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

func TestListFiltersAndSorts(t *testing.T) {
	s, recs := listFixture(t, 120)
	has := func(ts []string, want string) bool {
		return slices.ContainsFunc(ts, func(x string) bool { return strings.EqualFold(x, want) })
	}
	tests := []struct {
		name string
		q    ListQuery
		keep func(*Record) bool
	}{
		{"all", ListQuery{}, func(*Record) bool { return true }},
		{"pending", ListQuery{Status: article.StatusPending}, func(r *Record) bool { return r.Status == article.StatusPending }},
		{"approved", ListQuery{Status: article.StatusApproved}, func(r *Record) bool { return r.Status == article.StatusApproved }},
		{"rejected", ListQuery{Status: article.StatusRejected}, func(r *Record) bool { return r.Status == article.StatusRejected }},
		{"category", ListQuery{Category: "tech"}, func(r *Record) bool { return r.Article.Category == "tech" }},
		{"provider", ListQuery{Provider: "The Verge"}, func(r *Record) bool { return r.Article.Provider.Name == "The Verge" }},
		{"topic, other case", ListQuery{Topic: "ai ETHICS"}, func(r *Record) bool { return has(r.Topics, "AI Ethics") }},
		{"topic, non-ASCII case", ListQuery{Topic: "ÖKONOMIE"}, func(r *Record) bool { return has(r.Topics, "Ökonomie") }},
		{"unknown topic", ListQuery{Topic: "nothing"}, func(*Record) bool { return false }},
		// Not covered by the counter tables: the sort index drives.
		{"topic and quality", ListQuery{Topic: "ai", MinQuality: ptr(30)}, func(r *Record) bool {
			return has(r.Topics, "AI") && r.HasQuality && r.Quality >= 30
		}},
		{"published", ListQuery{Published: ptr(true)}, func(r *Record) bool { return r.Published }},
		{"unpublished", ListQuery{Published: ptr(false)}, func(r *Record) bool { return !r.Published }},
		{"min quality", ListQuery{MinQuality: ptr(50)}, func(r *Record) bool { return r.HasQuality && r.Quality >= 50 }},
		{"max quality", ListQuery{MaxQuality: ptr(20)}, func(r *Record) bool { return r.HasQuality && r.Quality <= 20 }},
		{"quality range", ListQuery{MinQuality: ptr(20), MaxQuality: ptr(60)}, func(r *Record) bool { return r.HasQuality && r.Quality >= 20 && r.Quality <= 60 }},
		{"combined", ListQuery{Status: article.StatusPending, Category: "news", Published: ptr(false)}, func(r *Record) bool {
			return r.Status == article.StatusPending && r.Article.Category == "news" && !r.Published
		}},
	}
	for _, tt := range tests {
		for _, sort := range []Sort{SortNewest, SortHeat, SortQuality} {
			t.Run(tt.name+"/"+string(sort), func(t *testing.T) {
				q := tt.q
				q.Sort, q.Limit = sort, 200
				p, err := s.List(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				want := expect(recs, sort, tt.keep)
				var got []int64
				for _, it := range p.Items {
					got = append(got, it.ID)
				}
				if !slices.Equal(got, want) {
					t.Errorf("ids\n got %v\nwant %v", got, want)
				}
				if p.Total != len(want) || p.Next != "" {
					t.Errorf("total %d next %q, want %d and no next page", p.Total, p.Next, len(want))
				}
			})
		}
	}
}

func TestListCountsAndSummary(t *testing.T) {
	s, recs := listFixture(t, 60)
	p, err := s.List(context.Background(), ListQuery{Status: article.StatusApproved, Category: "news", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[article.Status]int{}
	for _, r := range recs {
		if r.Article.Category == "news" {
			want[r.Status]++
		}
	}
	for _, st := range article.Statuses {
		if p.Counts[st] != want[st] {
			t.Errorf("count %s = %d, want %d", st, p.Counts[st], want[st])
		}
	}
	if p.Total != want[article.StatusApproved] {
		t.Errorf("total %d, want %d", p.Total, want[article.StatusApproved])
	}
	it := p.Items[0]
	var r *Record
	for _, x := range recs {
		if x.ID == it.ID {
			r = x
		}
	}
	w := Summary{ID: r.ID, Key: r.Article.Key, Title: r.Article.Title, Category: r.Article.Category,
		ProviderName: r.Article.Provider.Name, PublishedAt: r.Article.PublishedAt, Quality: r.Quality,
		HasQuality: r.HasQuality, Heat: r.Article.Heat, Topics: r.Topics, Status: r.Status, Published: r.Published}
	if it.ID != w.ID || it.Key != w.Key || it.Title != w.Title || it.ProviderName != w.ProviderName ||
		!it.PublishedAt.Equal(w.PublishedAt) || it.Quality != w.Quality || it.HasQuality != w.HasQuality ||
		it.Heat != w.Heat || !slices.Equal(it.Topics, w.Topics) || it.Status != w.Status || it.Published != w.Published {
		t.Errorf("summary\n got %+v\nwant %+v", it, w)
	}
}

func TestListKeysetPagingVisitsEveryRowOnce(t *testing.T) {
	s, recs := listFixture(t, 237)
	for _, sort := range []Sort{SortNewest, SortHeat, SortQuality} {
		for _, limit := range []int{1, 10, 50} {
			for _, st := range []article.Status{"", article.StatusPending} {
				q := ListQuery{Sort: sort, Limit: limit, Status: st}
				got := listAll(t, s, q)
				want := expect(recs, sort, func(r *Record) bool { return st == "" || r.Status == st })
				if !slices.Equal(got, want) {
					t.Errorf("sort %s limit %d status %q: paged ids differ (%d vs %d)", sort, limit, st, len(got), len(want))
				}
			}
		}
	}
}

func TestListLimits(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(260)...)
	for limit, want := range map[int]int{0: DefaultLimit, -3: DefaultLimit, 7: 7, 500: MaxLimit} {
		p, err := s.List(context.Background(), ListQuery{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != want {
			t.Errorf("limit %d gave %d items, want %d", limit, len(p.Items), want)
		}
	}
}

func TestListBadInput(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(30)...)
	p, err := s.List(context.Background(), ListQuery{Limit: 5, Sort: SortHeat})
	if err != nil {
		t.Fatal(err)
	}
	for name, cursor := range map[string]string{
		"not base64":      "%%%",
		"garbage":         "aGVsbG8",
		"other sort":      strings.Replace(p.Next, "aGVhd", "bmV3Z", 1),
		"old format":      encodeCursorRaw("heat|5|3"),
		"negative id":     encodeCursorRaw("heat|a|5|-1|0"),
		"zero id":         encodeCursorRaw("heat|b|5|0|0"),
		"not a number":    encodeCursorRaw("heat|a|x|3|0"),
		"bad position":    encodeCursorRaw("heat|a|5|3|x"),
		"negative pos":    encodeCursorRaw("heat|a|5|3|-50"),
		"huge pos":        encodeCursorRaw("heat|a|5|3|99999999999999999"),
		"unknown dir":     encodeCursorRaw("heat|z|5|3|0"),
		"long dir":        encodeCursorRaw("heat|ab|5|3|0"),
		"last with a row": encodeCursorRaw("heat|l|5|3|0"),
		"too many parts":  encodeCursorRaw("heat|a|1|2|3|4"),
		"huge":            strings.Repeat("A", 4096),
	} {
		_, err := s.List(context.Background(), ListQuery{Sort: SortHeat, Cursor: cursor})
		if !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
	if _, err := s.List(context.Background(), ListQuery{Sort: SortNewest, Cursor: p.Next}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("cursor of another sort: %v, want ErrBadCursor", err)
	}
	if _, err := s.List(context.Background(), ListQuery{Sort: "random"}); err == nil {
		t.Error("unknown sort accepted")
	}
	if _, err := s.List(context.Background(), ListQuery{Status: "published"}); err == nil {
		t.Error("unknown status accepted")
	}
}

// TestQueueUsesIndex checks the plans of the queue's page queries: an
// index range scan in sort order, no sorting of the whole table.
func TestQueueUsesIndex(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(50)...)
	for _, tt := range []struct {
		q     ListQuery
		index string
	}{
		{ListQuery{Status: article.StatusPending}, "articles_status_newest"},
		{ListQuery{Status: article.StatusPending, Sort: SortHeat}, "articles_status_heat"},
		{ListQuery{Status: article.StatusPending, Sort: SortQuality}, "articles_status_quality"},
		{ListQuery{Status: article.StatusPending, Published: ptr(false)}, "articles_status_published_newest"},
		{ListQuery{}, "articles_newest"},
		{ListQuery{Sort: SortHeat}, "articles_heat"},
		{ListQuery{Sort: SortQuality}, "articles_quality"},
	} {
		// Forward (next pages) and reverse (previous and last pages),
		// from the start and from a cursor.
		for _, reverse := range []bool{false, true} {
			for _, cursor := range []bool{false, true} {
				f, err := tt.q.where(true)
				if err != nil {
					t.Fatal(err)
				}
				sort, _ := tt.q.sort()
				if cursor && reverse {
					f.add("("+sortColumn[sort]+", a.id) > (?, ?)", 5, 5)
				} else if cursor {
					f.add("("+sortColumn[sort]+", a.id) < (?, ?)", 5, 5)
				}
				query, args := orderedPageQuery(f, sort, reverse, 51)
				plan := explain(t, s, query, args...)
				if !strings.Contains(plan, "USING INDEX "+tt.index) || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("%+v cursor %v reverse %v: plan\n%s\nwant a scan of %s without a sort", tt.q, cursor, reverse, plan, tt.index)
				}
			}
		}
	}
}

// TestPreferSortIndex: with preferSortIndex the category, provider and
// topic filters leave the page query to the sort index (see
// filterDriveMax), with or without a status. Without it the planner
// chooses by its statistics: at 100,000 articles it reads all the
// filter's articles and sorts them.
func TestPreferSortIndex(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(50)...)
	if _, err := s.w.Exec(`ANALYZE`); err != nil { // statistics, as a used database has
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q     ListQuery
		index string
	}{
		{ListQuery{Category: "tech"}, "articles_newest"},
		{ListQuery{Provider: "Nature", Sort: SortHeat}, "articles_heat"},
		{ListQuery{Topic: "AI"}, "articles_newest"},
		{ListQuery{Status: article.StatusPending, Category: "tech", Provider: "Nature", Topic: "AI"}, "articles_status_newest"},
		{ListQuery{Status: article.StatusPending, Published: ptr(false), Category: "tech"}, "articles_status_published_newest"},
	} {
		f, err := tt.q.where(true)
		if err != nil {
			t.Fatal(err)
		}
		f.preferSortIndex()
		sort, _ := tt.q.sort()
		query, args := pageQuery(f, sort, 51)
		used := regexp.MustCompile(`USING INDEX ` + tt.index + `\b`)
		if plan := explain(t, s, query, args...); !used.MatchString(plan) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%+v: plan\n%s\nwant %s without a sort", tt.q, plan, tt.index)
		} else if tt.q.Topic != "" && strings.Contains(plan, "LIST SUBQUERY") {
			// A probe per row, not the set of all the topic's articles first.
			t.Errorf("%+v: plan\n%s\nbuilds the topic's list of articles", tt.q, plan)
		}
	}
}

func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

func encodeCursorRaw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// page is what a test keeps of a List page.
type page struct {
	ids    []int64
	offset int
	p      Page
}

func listPage(t *testing.T, s *Store, q ListQuery) page {
	t.Helper()
	p, err := s.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range p.Items {
		ids = append(ids, it.ID)
	}
	return page{ids: ids, offset: p.Offset, p: p}
}

// TestListPagingBothWays walks every queue forward, then checks that
// "previous" from each page gives the page before it, that "last" gives
// the final page from anywhere, and the positions of every page.
func TestListPagingBothWays(t *testing.T) {
	s, recs := listFixture(t, 237)
	for _, sort := range []Sort{SortNewest, SortHeat, SortQuality} {
		for _, st := range []article.Status{"", article.StatusPending, article.StatusRejected} {
			t.Run(string(sort)+"/"+string(st), func(t *testing.T) {
				want := expect(recs, sort, func(r *Record) bool { return st == "" || r.Status == st })
				const limit = 10
				q := ListQuery{Sort: sort, Status: st, Limit: limit}
				var pages []page
				for cur := ""; ; {
					q.Cursor = cur
					pg := listPage(t, s, q)
					pages = append(pages, pg)
					if cur = pg.p.Next; cur == "" {
						break
					}
				}
				var all []int64
				for i, pg := range pages {
					all = append(all, pg.ids...)
					if pg.offset != i*limit || pg.p.Total != len(want) {
						t.Errorf("page %d: offset %d total %d, want %d and %d", i, pg.offset, pg.p.Total, i*limit, len(want))
					}
					if (pg.p.Prev == "") != (i == 0) || (pg.p.Last == "") != (i == len(pages)-1) {
						t.Errorf("page %d of %d: prev %q last %q", i, len(pages), pg.p.Prev, pg.p.Last)
					}
					if i > 0 {
						q.Cursor = pg.p.Prev
						prev := listPage(t, s, q)
						if !slices.Equal(prev.ids, pages[i-1].ids) || prev.offset != pages[i-1].offset {
							t.Errorf("previous of page %d: offset %d ids %v, want %d %v", i, prev.offset, prev.ids, pages[i-1].offset, pages[i-1].ids)
						}
					}
					// The last page is the one Next reaches at the end:
					// what the full pages before it leave.
					if pg.p.Last != "" {
						q.Cursor = pg.p.Last
						last := listPage(t, s, q)
						from := (len(want) - 1) / limit * limit
						if lp := pages[len(pages)-1]; !slices.Equal(last.ids, lp.ids) || last.offset != lp.offset {
							t.Errorf("last from page %d: offset %d ids %v; Next reached offset %d ids %v", i, last.offset, last.ids, lp.offset, lp.ids)
						}
						if !slices.Equal(last.ids, want[from:]) || last.offset != from || last.p.Next != "" {
							t.Errorf("last from page %d: offset %d ids %v next %q, want %d %v", i, last.offset, last.ids, last.p.Next, from, want[from:])
						}
						q.Cursor = last.p.Prev
						before := listPage(t, s, q)
						if from2 := max(from-limit, 0); !slices.Equal(before.ids, want[from2:from2+limit]) || before.offset != from2 {
							t.Errorf("previous of last: offset %d ids %v, want %d %v", before.offset, before.ids, from2, want[from2:from2+limit])
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

// TestListPagingAfterRowsChanged follows cursors made before rows were
// removed: the pages stay full and their positions consistent.
func TestListPagingAfterRowsChanged(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(35)...)
	q := ListQuery{Sort: SortHeat, Limit: 10}
	first := listPage(t, s, q)
	q.Cursor = first.p.Next
	second := listPage(t, s, q)
	q.Cursor = second.p.Next
	third := listPage(t, s, q)
	// Three rows of the first page go: "previous" from the second page
	// finds 7 rows, so it shows the first page, full, at position 0.
	for _, id := range first.ids[:3] {
		if _, err := s.w.Exec(`DELETE FROM articles WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	q.Cursor = second.p.Prev
	prev := listPage(t, s, q)
	if len(prev.ids) != 10 || prev.offset != 0 || prev.p.Prev != "" || !slices.Equal(prev.ids[:7], first.ids[3:]) {
		t.Errorf("previous after removals: %d rows at %d, prev %q", len(prev.ids), prev.offset, prev.p.Prev)
	}
	// Everything after the third page's start goes: its cursor shows the
	// last page there is, at its true position.
	rest := append(third.ids, listPage(t, s, ListQuery{Sort: SortHeat, Limit: 10, Cursor: third.p.Next}).ids...)
	for _, id := range rest {
		if _, err := s.w.Exec(`DELETE FROM articles WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	q.Cursor = second.p.Next
	gone := listPage(t, s, q)
	if !slices.Equal(gone.ids, second.ids) || gone.offset != 7 || gone.p.Next != "" || gone.p.Total != 17 {
		t.Errorf("past the end: ids %v at %d (total %d), want %v at 7 of 17", gone.ids, gone.offset, gone.p.Total, second.ids)
	}
	// A position larger than the rows is clamped to the rows.
	forged := encodeCursor(SortHeat, dirAfter, &prev.p.Items[9], 5000)
	p, err := s.List(ctx, ListQuery{Sort: SortHeat, Limit: 10, Cursor: forged})
	if err != nil {
		t.Fatal(err)
	}
	if p.Offset != 10 || len(p.Items) != 7 {
		t.Errorf("forged position: offset %d with %d items, want 10 and 7", p.Offset, len(p.Items))
	}
}

// TestListManyMatchesUseTheSortIndex: past filterDriveMax matches, the
// category, provider and topic filters leave the page to the sort index
// (preferSortIndex); the pages are the same as without the filter when
// every article matches it.
func TestListManyMatchesUseTheSortIndex(t *testing.T) {
	const n = filterDriveMax + 40
	s := newStore(t)
	arts := genArticles(n)
	for _, a := range arts {
		a.Category, a.Provider.Name = "tech", "Nature"
		a.Topics = append(a.Topics, "Everywhere")
		a.Raw = renderRaw(a)
	}
	mustImport(t, s, arts...)
	for _, sort := range []Sort{SortNewest, SortHeat, SortQuality} {
		want := listAll(t, s, ListQuery{Sort: sort, Limit: 30})
		for _, q := range []ListQuery{{Category: "tech"}, {Provider: "Nature"}, {Topic: "everywhere"}} {
			q.Sort, q.Limit = sort, 30
			if got := listAll(t, s, q); !slices.Equal(got, want) {
				t.Errorf("%+v: %d ids, want the %d of the whole table in order", q, len(got), len(want))
			}
			q.Counts = CountsCapped
			p, err := s.List(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			q.Cursor = p.Last
			last := listPage(t, s, q)
			if !slices.Equal(last.ids, want[n-30:]) || last.offset != n-30 {
				t.Errorf("%+v: last page at %d, want %d", q, last.offset, n-30)
			}
		}
	}
}
