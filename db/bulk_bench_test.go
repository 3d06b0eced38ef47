package db

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// BenchmarkBulkApprove50k approves (and, every other round, rejects) all
// of 50,000 generated articles: a snapshot of "all matching", then one
// batch of the 50,000, audited article by article, as the web's "Apply to
// all N matching" does. It prints articles/s of the batch, and the
// snapshot's time. Building the store takes about half a minute.
//
//	go test ./db -run '^$' -bench BulkApprove50k -benchtime 3x
func BenchmarkBulkApprove50k(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bulk.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for lo := 0; lo < n; lo += importBatch {
		batch := make([]*article.Article, 0, importBatch)
		for i := lo; i < min(lo+importBatch, n); i++ {
			batch = append(batch, genArticle(i))
		}
		if _, err := s.Import(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	var snapping, applying time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := article.StatusApproved
		if i%2 == 1 {
			st = article.StatusRejected
		}
		start := time.Now()
		snap, err := s.SnapshotQuery(ctx, ListQuery{}, 0)
		if err != nil || snap.Count != n {
			b.Fatalf("snapshot %+v, %v", snap, err)
		}
		taken := time.Now()
		out, err := s.BulkApply(ctx, snap.ID, Batch{Kind: string(st), Actor: "bench"}, func(*Record) (Edit, error) {
			return Edit{Status: &st}, nil
		})
		if err != nil || out.Changed != n {
			b.Fatalf("bulk %+v, %v", out, err)
		}
		snapping += taken.Sub(start)
		applying += time.Since(taken)
	}
	b.ReportMetric(float64(n*b.N)/applying.Seconds(), "articles/s")
	b.ReportMetric(snapping.Seconds()*1000/float64(b.N), "snapshot-ms")
	b.ReportMetric(applying.Seconds()*1000/float64(b.N), "bulk-ms")
}
