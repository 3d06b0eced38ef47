package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The topics page's cases: counts per topic (all and pending), the
// filter, pages, and the one-topic lookup. Ported from db/topics_test.go.

func init() {
	add("Topics/Counts", testTopicCounts)
	add("Topics/ByName", testTopicByName)
	add("Topics/FoldRules", testTopicFoldRules)
}

// nocase compares names as SQLite's NOCASE collation does: ASCII capitals
// as lower case, every other byte as it is.
func nocase(a, b string) int {
	lower := func(s string) string {
		return strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s)
	}
	return strings.Compare(lower(a), lower(b))
}

// countTopics is what TopicCounts must say, counted from every article's
// effective topics and status: most used first, then by name (NOCASE).
func countTopics(t *testing.T, s db.Database) []db.TopicCount {
	t.Helper()
	byFold := map[string]*db.TopicCount{}
	for cur := ""; ; {
		p := listPage(t, s, db.ListQuery{Limit: db.MaxLimit, Cursor: cur})
		for _, it := range p.Items {
			for _, name := range it.Topics {
				tc := byFold[article.TopicKey(name)]
				if tc == nil {
					canon, err := s.CanonicalTopic(context.Background(), name)
					if err != nil {
						t.Fatal(err)
					}
					tc = &db.TopicCount{Name: canon}
					byFold[article.TopicKey(name)] = tc
				}
				tc.Total++
				if it.Status == article.StatusPending {
					tc.Pending++
				}
			}
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	var out []db.TopicCount
	for _, tc := range byFold {
		out = append(out, *tc)
	}
	slices.SortFunc(out, func(a, b db.TopicCount) int { return cmp.Or(cmp.Compare(b.Total, a.Total), nocase(a.Name, b.Name)) })
	return out
}

// topicsFixture imports 300 articles, one with a topic of its own that is
// edited away, and decides a few.
func topicsFixture(t *testing.T, s db.Database) {
	t.Helper()
	arts := listArticles(300)
	arts[7].Topics = append(arts[7].Topics, "Lonely")
	arts[7].Raw = artRender(arts[7])
	listImport(t, s, arts...)
	for i, st := range map[int]article.Status{1: article.StatusApproved, 2: article.StatusRejected, 3: article.StatusApproved, 40: article.StatusApproved} {
		listEdit(t, s, arts[i].Key, db.Edit{Status: &st})
	}
	listEdit(t, s, arts[7].Key, db.Edit{Topics: arts[7].Topics[:2], SetTopics: true})
}

func testTopicCounts(t *testing.T, s db.Database) {
	ctx := context.Background()
	if p, err := s.TopicCounts(ctx, db.TopicQuery{}); err != nil || len(p.Items) != 0 || p.Total != 0 {
		t.Errorf("empty store: %+v, %v", p, err)
	}
	topicsFixture(t, s)
	want := countTopics(t, s)
	all, err := s.TopicCounts(ctx, db.TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Items, want) || all.Total != len(want) {
		t.Errorf("TopicCounts = %v (total %d)\nwant %v", all.Items, all.Total, want)
	}
	if slices.ContainsFunc(all.Items, func(tc db.TopicCount) bool { return tc.Name == "Lonely" }) {
		t.Error("a topic no article has any more is listed")
	}
	if !slices.ContainsFunc(all.Items, func(tc db.TopicCount) bool { return tc.Pending != tc.Total }) {
		t.Error("no topic has a pending count below its total: the fixture decides nothing")
	}

	for _, tc := range []struct{ q, want string }{
		{"ai", "AI|AI Ethics|AI in Healthcare"},
		{" AI ETH", "AI Ethics"},
		{"ÖKO", "Ökonomie"},
		{"nothing like it", ""},
		{"%", ""}, // no LIKE pattern: taken as text
		{"_", ""},
		{"ai%", ""},
	} {
		p, err := s.TopicCounts(ctx, db.TopicQuery{Q: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, it := range p.Items {
			names = append(names, it.Name)
		}
		slices.Sort(names)
		if got := strings.Join(names, "|"); got != tc.want || p.Total != len(names) {
			t.Errorf("Q %q: %q (total %d), want %q", tc.q, got, p.Total, tc.want)
		}
	}

	var got []db.TopicCount
	for off := 0; ; off += 7 {
		p, err := s.TopicCounts(ctx, db.TopicQuery{Limit: 7, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != len(want) {
			t.Fatalf("offset %d: total %d, want %d", off, p.Total, len(want))
		}
		if len(p.Items) == 0 {
			break
		}
		got = append(got, p.Items...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages together = %v\nwant %v", got, want)
	}
	// Limits: a negative offset is 0, a limit past the most is the most.
	p, err := s.TopicCounts(ctx, db.TopicQuery{Limit: 2, Offset: -5})
	if err != nil || !slices.Equal(p.Items, want[:2]) {
		t.Errorf("negative offset: %v, %v", p.Items, err)
	}
	p, err = s.TopicCounts(ctx, db.TopicQuery{Limit: db.MaxTopicLimit + 1, Q: "a"})
	if err != nil || len(p.Items) != p.Total || p.Total == 0 {
		t.Errorf("large limit: %d items of %d, %v", len(p.Items), p.Total, err)
	}
	p, err = s.TopicCounts(ctx, db.TopicQuery{Q: "ai", Offset: 1000})
	if err != nil || len(p.Items) != 0 || p.Total != 3 {
		t.Errorf("past the end: %+v, %v; want no items of 3", p, err)
	}
}

func testTopicByName(t *testing.T, s db.Database) {
	ctx := context.Background()
	topicsFixture(t, s)
	want := countTopics(t, s)
	i := slices.IndexFunc(want, func(tc db.TopicCount) bool { return tc.Name == "AI Ethics" })
	got, err := s.TopicByName(ctx, " ai ethics")
	if err != nil || i < 0 || got != want[i] {
		t.Errorf("TopicByName(ai ethics) = %v, %v; want %v", got, err, want)
	}
	got, err = s.TopicByName(ctx, "ÖKONOMIE")
	if i := slices.IndexFunc(want, func(tc db.TopicCount) bool { return tc.Name == "Ökonomie" }); err != nil || i < 0 || got != want[i] {
		t.Errorf("TopicByName(ÖKONOMIE) = %v, %v", got, err)
	}
	got, err = s.TopicByName(ctx, "lonely")
	if err != nil || got != (db.TopicCount{Name: "Lonely"}) {
		t.Errorf("TopicByName(lonely) = %v, %v; want Lonely with zero counts", got, err)
	}
	if _, err := s.TopicByName(ctx, "Never Seen"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("TopicByName(Never Seen) error = %v, want ErrNotFound", err)
	}
}

// testTopicFoldRules: a topic's identity is article.TopicKey, which folds
// every script ("Émile" and "émile" are one topic, named by its first
// spelling), while names are ordered as SQLite's NOCASE column orders
// them, by bytes with the ASCII capitals lower-cased, whatever the
// PostgreSQL server's locale: "Éclair" (C3 89) before "ábaco" (C3 A1).
func testTopicFoldRules(t *testing.T, s db.Database) {
	ctx := context.Background()
	var arts []*article.Article
	for i, topics := range [][]string{
		{"Émile", "Zebra", "ábaco", "Éclair", "apple"},
		{"émile", "zebra", "Ábaco", "éclair", "APPLE"},
		{"ÉMILE"},
	} {
		a := listArticle(i)
		a.Topics = topics
		a.Raw = artRender(a)
		arts = append(arts, a)
	}
	listImport(t, s, arts...)
	want := []string{"Émile 3", "apple 2", "Zebra 2", "Éclair 2", "ábaco 2"}
	var got []string
	p, err := s.TopicCounts(ctx, db.TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range p.Items {
		got = append(got, fmt.Sprintf("%s %d", tc.Name, tc.Total))
	}
	if !slices.Equal(got, want) {
		t.Errorf("TopicCounts = %q, want %q", got, want)
	}
	got = nil
	fs, err := s.Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %d", f.Name, f.Count))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Topics = %q, want %q", got, want)
	}
	if fs, err := s.TopTopics(ctx, 3); err != nil || len(fs) != 3 || fs[2].Name != "Zebra" {
		t.Errorf("TopTopics(3) = %v, %v; want the first three of %q", fs, err, want)
	}
	for _, name := range []string{"émile", "ÉMILE", " Émile "} {
		if tc, err := s.TopicByName(ctx, name); err != nil || tc.Name != "Émile" || tc.Total != 3 {
			t.Errorf("TopicByName(%q) = %+v, %v; want Émile, 3", name, tc, err)
		}
		if canon, err := s.CanonicalTopic(ctx, name); err != nil || canon != "Émile" {
			t.Errorf("CanonicalTopic(%q) = %q, %v; want Émile", name, canon, err)
		}
	}
	if p := listPage(t, s, db.ListQuery{Topic: "ÁBACO", Limit: 10}); p.Total != 2 {
		t.Errorf("queue filtered by topic ÁBACO: %d articles, want 2", p.Total)
	}
}
