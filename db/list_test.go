package db

import (
	"regexp"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

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
