package db

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// counterRows reads rows of (key, status, eff_published, n) into a map,
// leaving out zero counts (the triggers keep such rows).
func counterRows(t *testing.T, s *Store, query string) map[string]int {
	t.Helper()
	rows, err := s.r.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var key, status string
		var published, n int
		if err := rows.Scan(&key, &status, &published, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			m[fmt.Sprintf("%s|%s|%d", key, status, published)] = n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// wantCountersExact compares every counter table with a fresh GROUP BY
// over the articles and their topics, and asks Check too.
func wantCountersExact(t *testing.T, s *Store, step string) {
	t.Helper()
	for _, ct := range counterTables {
		key := "''"
		if ct.column != "" {
			key = ct.column
		}
		got := counterRows(t, s, `SELECT `+key+`, status, eff_published, n FROM `+ct.name)
		want := counterRows(t, s, ct.fresh)
		if !maps.Equal(got, want) {
			t.Errorf("after %s: %s\n got %v\nwant %v", step, ct.name, got, want)
		}
	}
	ps, err := s.checkCounts(context.Background())
	if err != nil || len(ps) != 0 {
		t.Errorf("after %s: checkCounts = %v, %v", step, ps, err)
	}
}

// reimported is genArticle(i) as the pipeline sends it again, changed by
// change.
func reimported(i int, change func(*article.Article)) *article.Article {
	a := genArticle(i)
	change(a)
	a.Raw = renderRaw(a)
	return a
}

// TestCountersStayExact runs every kind of write through the store (and
// the ones a later bulk action or topic merge may make in SQL) and checks
// after each that the counter tables equal a fresh count.
func TestCountersStayExact(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	edit := func(t *testing.T, i int, e Edit) {
		t.Helper()
		r := mustGetByKey(t, s, genArticle(i).Key)
		e.Version, e.Actor = r.Version, "alice"
		if _, err := s.Update(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(t *testing.T, query string, args ...any) {
		t.Helper()
		if _, err := s.w.Exec(query, args...); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"import of new articles", func(t *testing.T) { mustImport(t, s, genArticles(60)...) }},
		{"status changes", func(t *testing.T) {
			for i := 0; i < 60; i += 3 {
				edit(t, i, Edit{Status: ptr(article.StatusApproved)})
			}
			edit(t, 1, Edit{Status: ptr(article.StatusRejected)})
			edit(t, 3, Edit{Status: ptr(article.StatusPending)}) // back again
		}},
		{"published changes", func(t *testing.T) {
			edit(t, 4, Edit{Published: ptr(true)})
			edit(t, 6, Edit{Published: ptr(false)}) // i%3 == 0: published upstream
			edit(t, 7, Edit{Published: ptr(true)})
			edit(t, 7, Edit{Published: ptr(false)})
		}},
		{"topics changes", func(t *testing.T) {
			edit(t, 8, Edit{Topics: []string{"Brand New Topic", "AI"}, SetTopics: true})
			edit(t, 9, Edit{Topics: nil, SetTopics: true})
			edit(t, 10, Edit{Topics: []string{"brand new topic", "climate", "CLIMATE"}, SetTopics: true})
		}},
		{"status, published and topics in one save", func(t *testing.T) {
			edit(t, 11, Edit{Status: ptr(article.StatusRejected), Published: ptr(true),
				Topics: []string{"Space", "Privacy"}, SetTopics: true, Note: ptr("all at once")})
		}},
		{"import of unchanged files", func(t *testing.T) { mustImport(t, s, genArticles(60)...) }},
		{"import of changed files: topics, category, provider, published", func(t *testing.T) {
			mustImport(t, s,
				reimported(12, func(a *article.Article) { a.Topics = []string{"Imported Topic", "Energy"} }),
				reimported(13, func(a *article.Article) { a.Category = "sport" }),
				reimported(14, func(a *article.Article) { a.Provider.Name = "New Provider" }),
				reimported(15, func(a *article.Article) { a.Published = !a.Published }),
				reimported(16, func(a *article.Article) {
					a.Category, a.Provider.Name, a.Topics, a.Published = "culture", "Other Wire", []string{"Arts"}, true
				}),
				// Edited by an editor: their topics and published stay.
				reimported(8, func(a *article.Article) { a.Topics = []string{"Upstream Only"} }),
				reimported(4, func(a *article.Article) { a.Published = !a.Published }),
				genArticle(60), genArticle(61), // and new ones in the same batch
			)
		}},
		{"bulk status change in SQL", func(t *testing.T) {
			exec(t, `UPDATE articles SET status = 'rejected', version = version + 1 WHERE id % 4 = 0`)
		}},
		{"bulk published change in SQL", func(t *testing.T) {
			exec(t, `UPDATE articles SET edit_published = 1 - published WHERE id % 5 = 0`)
		}},
		{"topic merge in SQL", func(t *testing.T) {
			exec(t, `UPDATE OR IGNORE article_topics SET topic_id = (SELECT id FROM topics WHERE fold = 'ai')
				WHERE topic_id = (SELECT id FROM topics WHERE fold = 'ai ethics')`)
			exec(t, `DELETE FROM article_topics WHERE topic_id = (SELECT id FROM topics WHERE fold = 'ai ethics')`)
		}},
		{"article deleted", func(t *testing.T) {
			exec(t, `DELETE FROM articles WHERE key = ?`, genArticle(20).Key)
			exec(t, `DELETE FROM articles WHERE key = ?`, genArticle(11).Key) // edited topics, rejected, published
		}},
		{"a failed save changes nothing", func(t *testing.T) {
			r := mustGetByKey(t, s, genArticle(21).Key)
			_, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "alice", Status: ptr(article.StatusApproved),
				Topics: []string{"Doomed"}, SetTopics: true, Check: func(*Record) error { return fmt.Errorf("refused") }})
			if err == nil {
				t.Fatal("save with a failing check succeeded")
			}
		}},
	}
	for _, st := range steps {
		st.run(t)
		wantCountersExact(t, s, st.name)
	}
	// The counts are not trivially zero: the dropdowns see the changes.
	cats, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cats, func(f Facet) bool { return f.Name == "culture" && f.Count == 1 }) {
		t.Errorf("categories %v lack culture (1)", cats)
	}
}

// A database made before 0004 gets counter tables filled from its rows.
func TestMigration0004FillsCounters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	arts := genArticles(40)
	storeAtVersion(t, path, 3, arts)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := countRows(t, s, "count_topic"); n == 0 {
		t.Fatal("count_topic is empty after the migration")
	}
	wantCountersExact(t, s, "migration")
	p, err := s.List(context.Background(), ListQuery{Category: "tech"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Counts[article.StatusPending] != 8 { // 40 articles over 5 categories
		t.Errorf("tech pending = %d, want 8", p.Counts[article.StatusPending])
	}
}

// Check reports a counter that disagrees with the articles, naming the
// table, the key and both numbers.
func TestCheckFindsWrongCounts(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(10)...)
	tests := []struct {
		name, sql, table, detail string
	}{
		{"status off by one", `UPDATE count_status SET n = n + 1 WHERE status = 'pending' AND eff_published = 0`,
			"count_status", "status pending, published false: the counter says 7 articles, the articles are 6"},
		{"category row missing", `DELETE FROM count_category WHERE category = 'tech'`,
			"count_category", `category "tech", status pending`},
		{"provider that has no articles", `INSERT INTO count_provider VALUES ('Ghost', 'approved', 1, 2)`,
			"count_provider", `provider_name "Ghost", status approved, published true: the counter says 2 articles, the articles are 0`},
		{"topic", `UPDATE count_topic SET n = 0 WHERE topic_id = (SELECT id FROM topics WHERE name = 'Robotics')`,
			"count_topic", `topic "Robotics", `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustImport(t, s, genArticles(10)...)
			if _, err := s.w.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			ps, err := s.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, p := range ps {
				found = append(found, p.String())
				if p.Check == "counts" && p.Table == tt.table && strings.Contains(p.Detail, tt.detail) {
					return
				}
			}
			t.Errorf("problems %q lack %s: %s", found, tt.table, tt.detail)
		})
	}
	ps, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Check == "counts" {
			t.Errorf("a sound store: %s", p)
		}
	}
}
