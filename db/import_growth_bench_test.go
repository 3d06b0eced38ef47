package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// BenchmarkImportGrowth imports the files that `newsdesk gen` wrote into
// $NEWSDESK_BENCH_DIR (skipped when unset) into an empty database, the way
// `newsdesk import` does (review.Service.Import: parsing on every core,
// batches bounded by files, bytes and time), in slices of 10,000 files, and
// reports articles/s for the first and the last slice and overall, so a
// slowdown as the table and its indexes grow shows. The store's Close
// (the last checkpoint) is timed with the last slice, or with every slice
// when $NEWSDESK_BENCH_REOPEN is set. For example:
//
//	go run ./cmd/newsdesk gen 100000 /tmp/imp100k --seed 1
//	NEWSDESK_BENCH_DIR=/tmp/imp100k go test -run '^$' -bench ImportGrowth -benchtime 1x -cpuprofile /tmp/imp.prof ./db
func BenchmarkImportGrowth(b *testing.B) {
	dir := os.Getenv("NEWSDESK_BENCH_DIR")
	if dir == "" {
		b.Skip("set NEWSDESK_BENCH_DIR to a folder written by `newsdesk gen`")
	}
	sources, failures := review.CollectFiles([]string{dir})
	if len(failures) > 0 {
		b.Fatalf("%d files cannot be collected, first: %v", len(failures), failures[0])
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Path < sources[j].Path })
	const slice = 10_000
	// As `newsdesk import` run once per slice: the store is opened and
	// closed (PRAGMA optimize, the last checkpoint) with each.
	reopen := os.Getenv("NEWSDESK_BENCH_REOPEN") != ""
	ctx := context.Background()
	var first, last, all time.Duration
	var lastN int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("growth%d.db", i))
		s, err := db.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		svc := review.New(s)
		b.StartTimer()
		for lo := 0; lo < len(sources); lo += slice {
			part := sources[lo:min(lo+slice, len(sources))]
			start := time.Now()
			if reopen && lo > 0 {
				if s, err = db.Open(ctx, path); err != nil {
					b.Fatal(err)
				}
				svc = review.New(s)
			}
			rep, err := svc.Import(ctx, part, review.ImportOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Failures) > 0 || rep.New != len(part) {
				b.Fatalf("slice at %d: %d new of %d, failures %v", lo, rep.New, len(part), rep.Failures)
			}
			var closing time.Duration
			if reopen || lo+slice >= len(sources) {
				closeStart := time.Now()
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				closing = time.Since(closeStart)
			}
			took := time.Since(start)
			if lo == 0 {
				first += took
			}
			lastN = len(part)
			if lo+slice >= len(sources) {
				last += took
			}
			all += took
			if b.N == 1 {
				b.Logf("articles %6d..%6d: %6.0f/s (closing the store took %v)", lo, lo+len(part),
					float64(len(part))/took.Seconds(), closing.Round(time.Millisecond))
			}
		}
	}
	b.ReportMetric(float64(min(slice, len(sources))*b.N)/first.Seconds(), "first10k/s")
	b.ReportMetric(float64(lastN*b.N)/last.Seconds(), "last10k/s")
	b.ReportMetric(float64(len(sources)*b.N)/all.Seconds(), "articles/s")
}
