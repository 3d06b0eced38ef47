//go:build unix

package db

import (
	"context"
	"path/filepath"
	"slices"
	"syscall"
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
	s := benchStore(b, n)
	var snapping, applying time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := article.StatusApproved
		if i%2 == 1 {
			st = article.StatusRejected
		}
		start := time.Now()
		snap, err := s.SnapshotQuery(ctx, ListQuery{}, 0, "")
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

// benchStore is a store of n generated articles, imported in the import
// command's batches.
func benchStore(b *testing.B, n int) *Store {
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
	return s
}

// BenchmarkBulkFull50k runs the "full" bulk actions (each article's
// content read and its export checked, as review.Bulk asks with
// Batch.Full and exportCheck) on all of 50,000 generated articles:
// add-topic (alternating with remove-topic, so every round changes every
// article) and set-quality (alternating two values). It prints articles/s
// and ms per batch. Building the store takes about half a minute.
//
//	go test ./db -run '^$' -bench BulkFull50k -benchtime 3x -cpuprofile /tmp/bulk.prof
func BenchmarkBulkFull50k(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	s := benchStore(b, n)
	// The check review.Bulk gives full actions (review.exportCheck): the
	// stored file patched with the values the edit leaves.
	check := func(next *Record) error {
		_, err := article.Patch(next.Article.Raw, next.ExportChanges())
		return err
	}
	round := 0 // every batch of a kind, across the runs of b.N, so each one changes
	run := func(b *testing.B, kind string, step func(round int) BulkStep) {
		var applying, cpu time.Duration
		for i := 0; i < b.N; i++ {
			round++
			snap, err := s.SnapshotQuery(ctx, ListQuery{}, 0, "")
			if err != nil || snap.Count != n {
				b.Fatalf("snapshot %+v, %v", snap, err)
			}
			start, startCPU := time.Now(), processCPU(b)
			out, err := s.BulkApply(ctx, snap.ID, Batch{Kind: kind, Actor: "bench", Full: true}, step(round))
			if err != nil || out.Changed+out.Unchanged != n || out.Changed < n/2 {
				b.Fatalf("bulk %+v, %v", out, err)
			}
			applying += time.Since(start)
			cpu += processCPU(b) - startCPU
		}
		b.ReportMetric(float64(n*b.N)/applying.Seconds(), "articles/s")
		b.ReportMetric(applying.Seconds()*1000/float64(b.N), "bulk-ms")
		// CPU time of the process (every thread): the work done, which a
		// busy machine changes far less than the wall-clock time.
		b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms")
	}
	b.Run("add-topic", func(b *testing.B) {
		run(b, "add-topic", func(round int) BulkStep {
			return func(cur *Record) (Edit, error) {
				ts := slices.DeleteFunc(slices.Clone(cur.Topics), func(t string) bool { return t == "Bench" })
				if round%2 == 1 {
					ts = append(ts, "Bench")
				}
				return Edit{Topics: ts, SetTopics: true, Check: check}, nil
			}
		})
	})
	b.Run("set-quality", func(b *testing.B) {
		run(b, "set-quality", func(round int) BulkStep {
			q := 20 + round%2
			return func(*Record) (Edit, error) { return Edit{Quality: &q, Check: check}, nil }
		})
	})
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
