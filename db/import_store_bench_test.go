//go:build unix

package db

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// BenchmarkStoreImportGrowth times Store.Import alone, batch by batch, on
// the files that `newsdesk gen` wrote into $NEWSDESK_BENCH_DIR (skipped
// when unset), parsed beforehand batch by batch and untimed, into an
// empty database. It reports, per 10,000 articles, the wall time and the
// process's CPU time (user + system, from getrusage) per article: on a
// shared machine the CPU time is the steadier figure, and it shows what
// each SQLite setting costs. For example:
//
//	NEWSDESK_BENCH_DIR=/tmp/imp100k go test -run '^$' -bench StoreImportGrowth -benchtime 1x ./db
func BenchmarkStoreImportGrowth(b *testing.B) {
	dir := os.Getenv("NEWSDESK_BENCH_DIR")
	if dir == "" {
		b.Skip("set NEWSDESK_BENCH_DIR to a folder written by `newsdesk gen`")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	slices.Sort(paths)
	const slice = 10_000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		s, err := Open(ctx, filepath.Join(b.TempDir(), "growth.db"))
		if err != nil {
			b.Fatal(err)
		}
		var wall, cpu, totalCPU time.Duration
		for lo := 0; lo < len(paths); lo += importBatch {
			batch := make([]*article.Article, 0, importBatch)
			for _, p := range paths[lo:min(lo+importBatch, len(paths))] {
				a, err := article.ReadFile(p, 0)
				if err != nil {
					b.Fatal(err)
				}
				batch = append(batch, a)
			}
			runtime.GC() // the parsing's garbage is not the store's CPU time
			start, startCPU := time.Now(), cpuTime()
			if _, err := s.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			wall += time.Since(start)
			cpu += cpuTime() - startCPU
			totalCPU += cpuTime() - startCPU
			if done := lo + len(batch); done%slice == 0 || done == len(paths) {
				n := done - (done-1)/slice*slice
				b.Logf("articles %6d..%6d: %6.0f/s wall, %4.0f µs CPU per article", done-n, done,
					float64(n)/wall.Seconds(), float64(cpu.Microseconds())/float64(n))
				if done == n {
					b.ReportMetric(float64(cpu.Microseconds())/float64(n), "first10k-µs-cpu/article")
				} else if done == len(paths) {
					b.ReportMetric(float64(cpu.Microseconds())/float64(n), "last10k-µs-cpu/article")
				}
				wall, cpu = 0, 0
			}
		}
		var pageSize int
		if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
			b.Fatal(err)
		}
		start, startCPU := time.Now(), cpuTime()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		closeCPU := cpuTime() - startCPU
		b.Logf("close: %v wall, %v CPU; page size %d; all: %.0f µs CPU per article", time.Since(start).Round(time.Millisecond),
			closeCPU.Round(time.Millisecond), pageSize, float64((totalCPU+closeCPU).Microseconds())/float64(len(paths)))
	}
}

// cpuTime is the CPU time, user and system, this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
