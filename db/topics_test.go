package db

import (
	"context"
	"fmt"
	"testing"
)

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
