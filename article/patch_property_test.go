package article

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The property Patch promises, checked here for the corpus and in
// FuzzParsePatch for anything the fuzzer makes: when Patch accepts an edit,
// the front matter decoded by go.yaml.in/yaml/v3 into a map[string]any is
// the input's with the edited keys set to the editor's values, the bytes
// before and after the front matter are unchanged, and patching again with
// the same edit changes nothing. An edit that sets the values the file
// already has returns the input itself.

// patchProperty runs Patch and checks the property. It returns Patch's
// error when Patch refuses, and nil when it accepts; a broken property is a
// test failure.
func patchProperty(t testing.TB, raw []byte, c Changes) error {
	t.Helper()
	out, err := Patch(raw, c)
	if err != nil {
		return err
	}
	if _, err := Parse("p.md", out); err != nil {
		t.Fatalf("%s: patched file does not parse: %v\n%s", describeChanges(c), err, out)
	}
	if p := outsideProblem(raw, out); p != "" {
		t.Fatalf("%s: %s\n%s", describeChanges(c), p, out)
	}
	before, ok := frontMatterValue(raw)
	if !ok {
		return nil // yaml.v3 cannot decode the input into a map: nothing to compare
	}
	after, ok := frontMatterValue(out)
	if !ok {
		t.Fatalf("%s: yaml.v3 decodes the input but not the patched file\n%s", describeChanges(c), out)
	}
	if key, ok := sameExceptEdited(before, after, c); !ok {
		t.Fatalf("%s: key %q reads %#v after patching, want %#v\nbefore:\n%s\nafter:\n%s",
			describeChanges(c), key, after[key], wantValue(before, c, key), raw, out)
	}
	if again, err := Patch(out, c); err != nil || !bytes.Equal(again, out) {
		t.Fatalf("%s: patching the result again changed it (%v)\n%s", describeChanges(c), err, again)
	}
	return nil
}

// checkSameValues: an edit with the values the file has returns raw.
func checkSameValues(t testing.TB, raw []byte) {
	t.Helper()
	a, err := Parse("p.md", raw)
	if err != nil {
		t.Fatal(err)
	}
	same := Changes{Published: ptr(a.Published), Topics: a.Topics, SetTopics: true}
	if a.HasQuality {
		same.Quality = ptr(a.Quality)
	}
	if out, err := Patch(raw, same); err != nil || !bytes.Equal(out, raw) {
		t.Fatalf("setting the values the file has changed it (%v)\n%s", err, out)
	}
}

// outsideProblem says what changed outside the front matter, or "".
func outsideProblem(raw, out []byte) string {
	l1, err1 := splitFile(raw)
	l2, err2 := splitFile(out)
	switch {
	case err1 != nil || err2 != nil:
		return fmt.Sprintf("fences not found: %v, %v", err1, err2)
	case !bytes.Equal(raw[:l1.fmStart], out[:l2.fmStart]):
		return "the bytes before the front matter changed"
	case !bytes.Equal(raw[l1.fmEnd:], out[l2.fmEnd:]):
		return "the closing fence or the body changed"
	}
	return ""
}

// frontMatterValue decodes the front matter as any yaml.v3 user would.
func frontMatterValue(b []byte) (map[string]any, bool) {
	l, err := splitFile(b)
	if err != nil {
		return nil, false
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b[l.fmStart:l.fmEnd], &m); err != nil {
		return nil, false
	}
	return m, true
}

// sameExceptEdited compares before and after key by key; it returns the
// first key whose value is not what it must be.
func sameExceptEdited(before, after map[string]any, c Changes) (string, bool) {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range keys {
		got, has := after[k]
		want := wantValue(before, c, k)
		if k == "topics" && c.SetTopics && len(c.Topics) == 0 && (!has || equalValues(got, []any{})) {
			continue // no topics: an empty list, or no key when the file had none
		}
		if _, wantHas := before[k]; !editedKey(c, k) && !wantHas {
			return k, false // a key appeared
		}
		if !has || !equalValues(got, want) {
			return k, false
		}
	}
	return "", true
}

func editedKey(c Changes, k string) bool {
	return k == "quality" && c.Quality != nil || k == "published" && c.Published != nil || k == "topics" && c.SetTopics
}

// wantValue is what key k must decode to after the edit.
func wantValue(before map[string]any, c Changes, k string) any {
	switch {
	case k == "quality" && c.Quality != nil:
		return *c.Quality
	case k == "published" && c.Published != nil:
		return *c.Published
	case k == "topics" && c.SetTopics:
		topics := make([]any, len(c.Topics))
		for i, t := range c.Topics {
			topics[i] = t
		}
		return topics
	}
	return before[k]
}

// equalValues is reflect.DeepEqual, except that NaN equals NaN: ".nan" in a
// file decodes to a value unequal to itself.
func equalValues(a, b any) bool {
	switch a := a.(type) {
	case float64:
		if b, ok := b.(float64); ok && math.IsNaN(a) && math.IsNaN(b) {
			return true
		}
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func describeChanges(c Changes) string {
	var parts []string
	if c.Quality != nil {
		parts = append(parts, "quality "+strconv.Itoa(*c.Quality))
	}
	if c.Published != nil {
		parts = append(parts, "published "+strconv.FormatBool(*c.Published))
	}
	if c.SetTopics {
		parts = append(parts, fmt.Sprintf("topics %q", clip(strings.Join(c.Topics, "|"), 60)))
	}
	return strings.Join(parts, ", ")
}

// longTopics are MaxTopics topics of MaxTopicLength characters, some not
// ASCII, so lengths count characters and lines get long.
func longTopics() []string {
	topics := make([]string, MaxTopics)
	for i := range topics {
		t := fmt.Sprintf("topic %02d é", i)
		topics[i] = t + strings.Repeat("x", MaxTopicLength-len([]rune(t)))
	}
	return topics
}

// propertyEdits are the edits every corpus file must take.
var propertyEdits = []struct {
	name string
	c    Changes
}{
	{"quality 0", Changes{Quality: ptr(0)}},
	{"quality 100", Changes{Quality: ptr(100)}},
	{"quality 42", Changes{Quality: ptr(42)}},
	{"published true", Changes{Published: ptr(true)}},
	{"published false", Changes{Published: ptr(false)}},
	{"topics []", Changes{Topics: []string{}, SetTopics: true}},
	{"topics [x]", Changes{Topics: []string{"x"}, SetTopics: true}},
	{"topics readers misread", Changes{Topics: []string{"NO", "=", "3.10", "12:30", "a?b", "a: b", "#c"}, SetTopics: true}},
	{"20 topics of 64 characters", Changes{Topics: longTopics(), SetTopics: true}},
	{"all three", Changes{Quality: ptr(42), Published: ptr(true), Topics: []string{"x", "a?b"}, SetTopics: true}},
}

// propertyFiles are the article files of the tests: the valid corpus, the
// pipeline's seed, the field reports and the fuzz seeds that parse. valid
// tells the files every edit must succeed on.
func propertyFiles(t testing.TB) (files map[string][]byte, valid map[string]bool) {
	t.Helper()
	files, valid = map[string][]byte{}, map[string]bool{}
	for name, raw := range readCorpus(t, "valid") {
		files["valid/"+name], valid["valid/"+name] = raw, true
	}
	for _, pattern := range []string{"../testdata/seed/*", filepath.Join(corpus, "fieldreports", "*")} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if raw, err := os.ReadFile(p); err == nil {
				files[filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p)] = raw
			}
		}
	}
	for name, raw := range fuzzSeeds(t) {
		files["fuzz/"+name] = raw
	}
	for name, raw := range files {
		if _, err := Parse(name, raw); err != nil {
			delete(files, name)
			if valid[name] {
				t.Errorf("%s does not parse: %v", name, err)
			}
		}
	}
	return files, valid
}

// fuzzSeeds reads the FuzzParsePatch corpus ("go test fuzz v1" files of one
// []byte each).
func fuzzSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParsePatch", "*"))
	seeds := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimSpace(strings.TrimPrefix(string(b), "go test fuzz v1\n"))
		if !strings.HasPrefix(text, "[]byte(") || !strings.HasSuffix(text, ")") {
			t.Fatalf("%s: not a one-[]byte fuzz corpus file", p)
		}
		s, err := strconv.Unquote(text[len("[]byte(") : len(text)-1])
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		seeds[filepath.Base(p)] = []byte(s)
	}
	return seeds
}

// TestPatchPropertyOverCorpus runs every edit of propertyEdits on every
// article file of the tests. A refusal fails the test for the valid corpus
// and is logged for the others, so the list shows what Patch still refuses.
func TestPatchPropertyOverCorpus(t *testing.T) {
	files, valid := propertyFiles(t)
	var refused []string
	for name, raw := range files {
		t.Run(name, func(t *testing.T) {
			checkSameValues(t, raw)
			for _, e := range propertyEdits {
				err := patchProperty(t, raw, e.c)
				switch {
				case err == nil:
				case !errors.Is(err, ErrCannotPatch):
					t.Errorf("%s: an error that is not ErrCannotPatch: %v", e.name, err)
				case valid[name]:
					t.Errorf("%s: refused: %v", e.name, err)
				default:
					refused = append(refused, fmt.Sprintf("%s / %s: %v", name, e.name, err))
				}
			}
		})
	}
	for _, r := range refused {
		t.Log("refused:", r)
	}
}

// TestPropertyCatchesDamage makes sure patchProperty fails on what it
// exists to catch, by running it on a Patch stand-in's output.
func TestPropertyCatchesDamage(t *testing.T) {
	raw := []byte("---\ntitle: T\nquality: 5\nx: &a [1]\ny: *a\n---\nbody\n")
	before, _ := frontMatterValue(raw)
	c := Changes{Quality: ptr(6)}
	for _, tt := range []struct{ name, out string }{
		{"other value changed", "---\ntitle: T\nquality: 6\nx: &a [1]\ny: [2]\n---\nbody\n"},
		{"key appeared", "---\ntitle: T\nquality: 6\nx: &a [1]\ny: *a\nz: 1\n---\nbody\n"},
		{"edit not made", "---\ntitle: T\nquality: 5\nx: &a [1]\ny: *a\n---\nbody\n"},
	} {
		after, _ := frontMatterValue([]byte(tt.out))
		if _, ok := sameExceptEdited(before, after, c); ok {
			t.Errorf("%s: not caught", tt.name)
		}
	}
	if outsideProblem(raw, []byte("---\ntitle: T\nquality: 6\n---\nbody!\n")) == "" {
		t.Error("a changed body is not caught")
	}
	after, _ := frontMatterValue([]byte("---\ntitle: T\nquality: 6\nx: [1]\ny: [1]\n---\nbody\n"))
	if _, ok := sameExceptEdited(before, after, c); !ok {
		t.Error("an alias replaced by its value is flagged")
	}
}
