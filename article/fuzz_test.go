package article

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParsePatch: Parse never panics; for a file Parse accepts, Patch with
// no changes returns the same bytes, Patch with the file's own values
// returns the input, and Patch with changes either refuses or returns a
// file that keeps the property of patchProperty: decoded by yaml.v3, it is
// the input with the edited keys set to the new values, and the bytes
// outside the front matter are unchanged.
//
// Seeds: testdata/fuzz/FuzzParsePatch (which holds the field reports that
// parse, among others), the valid and invalid corpus, the pipeline's seed
// and, where present, the field-report copies.
func FuzzParsePatch(f *testing.F) {
	for _, pattern := range []string{
		filepath.Join(corpus, "valid", "*"), filepath.Join(corpus, "invalid", "*"),
		filepath.Join(corpus, "fieldreports", "*"), filepath.Join("..", "testdata", "seed", "*"),
	} {
		paths, _ := filepath.Glob(pattern)
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
		checkSameValues(t, data)
		for _, c := range fuzzEdits(a) {
			if patchProperty(t, data, c) != nil {
				continue
			}
			out, _ := Patch(data, c)
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

// fuzzEdits are the edits tried on a fuzzed file: each key alone, all
// three together, and topics that need quoting in flow and block lists,
// some taken from the file itself.
func fuzzEdits(a *Article) []Changes {
	topics := []string{"fuzz", "yes", "a: b", " x", "a?b", "[c]", "#d", "=", "NO"}
	if len(a.Topics) > 0 {
		last := a.Topics[len(a.Topics)-1]
		topics = append(topics[:1], last+"!", "?"+last)
		if len([]rune(last)) >= MaxTopicLength {
			topics = topics[:1]
		}
	}
	return []Changes{
		{Quality: ptr((a.Quality + 7) % 101)},
		{Published: ptr(!a.Published)},
		{Topics: topics, SetTopics: true},
		{Topics: nil, SetTopics: true},
		{Quality: ptr(100 - a.Quality), Published: ptr(!a.Published), Topics: topics[:1], SetTopics: true},
	}
}
