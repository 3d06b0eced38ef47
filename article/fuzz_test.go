package article

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParsePatch: Parse never panics; for a file Parse accepts, Patch with
// no changes returns the same bytes, and Patch with changes either refuses
// or returns a file that parses with the new values and the old other
// fields.
func FuzzParsePatch(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		paths, _ := filepath.Glob(filepath.Join(corpus, dir, "*"))
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("fuzz.md", data)
		if err != nil {
			return
		}
		out, err := Patch(data, Changes{})
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("zero changes: %v", err)
		}
		topics := []string{"fuzz", "yes", "a: b", " x"}
		if len(a.Topics) > 0 {
			topics = append(topics[:1], a.Topics[len(a.Topics)-1]+"!")
		}
		for _, c := range []Changes{
			{Quality: ptr((a.Quality + 7) % 101)},
			{Published: ptr(!a.Published)},
			{Topics: topics, SetTopics: true},
			{Topics: nil, SetTopics: true},
			{Quality: ptr(100 - a.Quality), Published: ptr(!a.Published), Topics: topics[:1], SetTopics: true},
		} {
			out, err := Patch(data, c)
			if err != nil {
				continue
			}
			b, err := Parse("fuzz.md", out)
			if err != nil {
				t.Fatalf("patched file does not parse: %v\n%q", err, out)
			}
			if c.Quality != nil && (b.Quality != *c.Quality || !b.HasQuality) ||
				c.Published != nil && b.Published != *c.Published ||
				c.SetTopics && !slices.Equal(b.Topics, c.Topics) {
				t.Fatalf("patched values read back wrong: %+v\n%q", b, out)
			}
			if b.Title != a.Title || b.Heat != a.Heat || b.Body != a.Body {
				t.Fatalf("other fields changed\n%q", out)
			}
		}
	})
}
