package article

import (
	"os"
	"path/filepath"
	"testing"
)

func seedFile(b *testing.B) []byte {
	raw, err := os.ReadFile(filepath.Join(corpus, "valid", "seed_000_6ef551387f7f8ea7.txt"))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkParse(b *testing.B) {
	raw := seedFile(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("000_6ef551387f7f8ea7.txt", raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPatch(b *testing.B) {
	raw := seedFile(b)
	c := Changes{Quality: ptr(80), Published: ptr(true), Topics: []string{"AI", "Health", "yes"}, SetTopics: true}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Patch(raw, c); err != nil {
			b.Fatal(err)
		}
	}
}
