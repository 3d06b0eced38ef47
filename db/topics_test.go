package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// freshTopicCounts is what TopicCounts must say, counted the slow way: a
// GROUP BY over the articles and their topics, most used first, then by
// name as the topics table orders it (NOCASE).
func freshTopicCounts(t *testing.T, s *Store) []TopicCount {
	t.Helper()
	rows, err := s.r.Query(`SELECT t.name, count(*), sum(a.status = 'pending')
		FROM article_topics at JOIN articles a ON a.id = at.article_id JOIN topics t ON t.id = at.topic_id
		GROUP BY t.id ORDER BY count(*) DESC, t.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []TopicCount
	for rows.Next() {
		var tc TopicCount
		if err := rows.Scan(&tc.Name, &tc.Total, &tc.Pending); err != nil {
			t.Fatal(err)
		}
		out = append(out, tc)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTopicCounts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(300)
	arts[7].Topics = append(arts[7].Topics, "Lonely") // a topic of one article, edited away below
	arts[7].Raw = renderRaw(arts[7])
	mustImport(t, s, arts...)
	// Some decisions, so statuses differ and pending counts are not totals.
	for i, st := range map[int]article.Status{1: article.StatusApproved, 2: article.StatusRejected, 3: article.StatusApproved, 40: article.StatusApproved} {
		r := mustGetByKey(t, s, genArticle(i).Key)
		if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Status: &st, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	r := mustGetByKey(t, s, arts[7].Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Topics: arts[7].Topics[:2], SetTopics: true, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}

	want := freshTopicCounts(t, s)
	all, err := s.TopicCounts(ctx, TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Items, want) || all.Total != len(want) {
		t.Errorf("TopicCounts = %v (total %d)\nwant GROUP BY %v", all.Items, all.Total, want)
	}
	if slices.ContainsFunc(all.Items, func(tc TopicCount) bool { return tc.Name == "Lonely" }) {
		t.Error("a topic no article has any more is listed")
	}
	if pending := slices.IndexFunc(all.Items, func(tc TopicCount) bool { return tc.Pending != tc.Total }); pending < 0 {
		t.Error("no topic has a pending count below its total: the fixture decides nothing")
	}

	t.Run("filter", func(t *testing.T) {
		for _, tc := range []struct{ q, want string }{
			{"ai", "AI|AI Ethics|AI in Healthcare"},
			{" AI ETH", "AI Ethics"},
			{"ÖKO", "Ökonomie"},
			{"nothing like it", ""},
			{"%", ""}, // no LIKE pattern: taken as text
		} {
			p, err := s.TopicCounts(ctx, TopicQuery{Q: tc.q})
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
	})

	t.Run("pages", func(t *testing.T) {
		var got []TopicCount
		for off := 0; ; off += 7 {
			p, err := s.TopicCounts(ctx, TopicQuery{Limit: 7, Offset: off})
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
	})

	t.Run("by name", func(t *testing.T) {
		i := slices.IndexFunc(want, func(tc TopicCount) bool { return tc.Name == "AI Ethics" })
		got, err := s.TopicByName(ctx, " ai ethics")
		if err != nil || i < 0 || got != want[i] {
			t.Errorf("TopicByName(ai ethics) = %v, %v; want %v", got, err, want)
		}
		got, err = s.TopicByName(ctx, "lonely")
		if err != nil || got != (TopicCount{Name: "Lonely"}) {
			t.Errorf("TopicByName(lonely) = %v, %v; want Lonely with zero counts", got, err)
		}
		if _, err := s.TopicByName(ctx, "Never Seen"); !errors.Is(err, ErrNotFound) {
			t.Errorf("TopicByName(Never Seen) error = %v, want ErrNotFound", err)
		}
	})
}

// BenchmarkTopicCounts100k times what GET /topics asks of the store at
// 100,000 articles with 5,000 topics: the first page, a filtered page and
// the last page, read from the database and from the cache, and the
// one-topic lookup of a rename.
//
//	go test -run '^$' -bench TopicCounts100k -benchtime 20x ./db
func BenchmarkTopicCounts100k(b *testing.B) {
	const n, topics = 100_000, 5_000
	ctx := context.Background()
	s := newStore(b)
	arts := genArticles(n)
	for i, a := range arts {
		a.Topics = []string{fmt.Sprintf("Topic %d", i%topics), fmt.Sprintf("Topic %d", (i*7+1)%topics), genTopics[i%len(genTopics)]}
		a.Raw = renderRaw(a)
	}
	for lo := 0; lo < n; lo += 5000 {
		mustImport(b, s, arts[lo:min(lo+5000, n)]...)
	}
	// cold reads the database (what the first request after a write
	// pays); TopicCounts answers from the result cache until the next one.
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"cold-first-page", func() error { _, err := s.readTopicCounts(ctx, "", DefaultTopicLimit, 0); return err }},
		{"cold-filtered", func() error { _, err := s.readTopicCounts(ctx, "ic 42", DefaultTopicLimit, 0); return err }},
		{"cold-last-page", func() error { _, err := s.readTopicCounts(ctx, "", DefaultTopicLimit, 4_900); return err }},
		{"cached-first-page", func() error { _, err := s.TopicCounts(ctx, TopicQuery{}); return err }},
		{"by-name", func() error { _, err := s.TopicByName(ctx, "topic 4242"); return err }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
