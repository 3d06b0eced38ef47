package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkImportCommand10k runs the real import command over 10,000
// seed-sized files on disk into a fresh database: reading, parsing on every
// core, storing in batches with the FTS index. Reports articles/s.
func BenchmarkImportCommand10k(b *testing.B) {
	const n = 10_000
	seed, err := os.ReadFile("../../testdata/seed/000_6ef551387f7f8ea7.txt")
	if err != nil {
		b.Fatal(err)
	}
	in := filepath.Join(b.TempDir(), "in")
	os.Mkdir(in, 0o755)
	for i := range n {
		data := bytes.Replace(seed, []byte(`title: "NHS report`), fmt.Appendf(nil, `title: "Report %d on`, i), 1)
		data = bytes.Replace(data, []byte("quality: 56"), fmt.Appendf(nil, "quality: %d", i%101), 1)
		data = bytes.Replace(data, []byte("  - AI Ethics"), fmt.Appendf(nil, "  - Topic %d", i%50), 1)
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("a%05d.md", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		dbPath := filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i))
		start := time.Now()
		if _, errOut, code := runCmd(b, "import", "--db", dbPath, in); code != 0 {
			b.Fatalf("import exit %d: %s", code, errOut)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "articles/s")
}
