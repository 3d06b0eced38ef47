package article

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func ptr[T any](v T) *T { return &v }

func TestPatchZeroChangesIsIdentity(t *testing.T) {
	for name, raw := range readCorpus(t, "valid") {
		out, err := Patch(raw, Changes{})
		if err != nil || !bytes.Equal(out, raw) || &out[0] != &raw[0] {
			t.Errorf("%s: zero changes altered the file (%v)", name, err)
		}
		a, err := Parse(name, raw)
		if err != nil {
			t.Fatal(err)
		}
		// The file's own values are no change either.
		same := Changes{Quality: nil, Published: ptr(a.Published), Topics: a.Topics, SetTopics: true}
		if a.HasQuality {
			same.Quality = ptr(a.Quality)
		}
		if out, err := Patch(raw, same); err != nil || !bytes.Equal(out, raw) {
			t.Errorf("%s: equal values altered the file (%v)\n%s", name, err, out)
		}
	}
}

// trickyTopics must come back as the same strings whatever quoting they need.
var trickyTopics = []string{
	"yes", "123", "a: b", "#x", " lead", "trail ", "日本語", "😀 emoji", "עברית", "[x]", "a, b",
	`q"uote 'single'`, `back\slash`, "true", "null", "~", "- dash", "*star", "&amp", "!bang", "%pct",
	"@at", "C#", "x\u2028y", "tab\tin", "{brace}", "...", "---", "<<", "0x1F", "1e3", "", "? q", "| bar",
	"line\nbreak", "\u00a0nbsp", "\ufeffbom",
}

// validTricky are the trickyTopics an editor may set (CheckTopic), in lists
// of at most MaxTopics.
func validTricky() (first, rest []string) {
	var ok []string
	for _, t := range trickyTopics {
		if CheckTopic(t) == nil {
			ok = append(ok, t)
		}
	}
	return ok[:MaxTopics], ok[MaxTopics:]
}

var trickyFirst, trickyRest = validTricky()

var changeSets = map[string]Changes{
	"quality":         {Quality: ptr(73)},
	"published":       {Published: ptr(true)},
	"unpublished":     {Published: ptr(false)},
	"topics":          {Topics: []string{"New One", "Two"}, SetTopics: true},
	"one topic":       {Topics: []string{"Solo"}, SetTopics: true},
	"no topics":       {Topics: nil, SetTopics: true},
	"tricky topics":   {Topics: trickyFirst, SetTopics: true},
	"tricky topics 2": {Topics: trickyRest, SetTopics: true},
	"all three":       {Quality: ptr(0), Published: ptr(true), Topics: []string{"AI", "yes", "a: b"}, SetTopics: true},
	"all three again": {Quality: ptr(100), Published: ptr(false), Topics: []string{"x"}, SetTopics: true},
}

func TestPatchEditsOnlyTheEditedKeys(t *testing.T) {
	for name, raw := range readCorpus(t, "valid") {
		before, err := Parse(name, raw)
		if err != nil {
			t.Fatal(err)
		}
		for cname, c := range changeSets {
			t.Run(name+"/"+cname, func(t *testing.T) {
				out, err := Patch(raw, c)
				if err != nil {
					t.Fatal(err)
				}
				after, err := Parse(name, out)
				if err != nil {
					t.Fatalf("patched file does not parse: %v\n%s", err, out)
				}
				checkValues(t, before, after, c)
				checkLineDiff(t, raw, out)
				checkOtherValues(t, raw, out)
				if bytes.HasPrefix(raw, bom) != bytes.HasPrefix(out, bom) {
					t.Error("BOM added or lost")
				}
				if bytes.HasSuffix(raw, []byte("\n")) != bytes.HasSuffix(out, []byte("\n")) {
					t.Error("final newline added or lost")
				}
				if bytes.Contains(raw, []byte("\r\n")) && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
					t.Errorf("CRLF file got LF lines:\n%q", out)
				}
				if again, err := Patch(out, c); err != nil || !bytes.Equal(again, out) {
					t.Errorf("patching twice changed the file again: %v", err)
				}
			})
		}
	}
}

// checkValues: the new values are read back, the others are as before.
func checkValues(t *testing.T, before, after *Article, c Changes) {
	t.Helper()
	wantQ, wantHas, wantPub, wantTopics := before.Quality, before.HasQuality, before.Published, before.Topics
	if c.Quality != nil {
		wantQ, wantHas = *c.Quality, true
	}
	if c.Published != nil {
		wantPub = *c.Published
	}
	if c.SetTopics {
		wantTopics = c.Topics
	}
	if after.Quality != wantQ || after.HasQuality != wantHas || after.Published != wantPub || !slices.Equal(after.Topics, wantTopics) {
		t.Errorf("read back quality %d (%t), published %t, topics %q", after.Quality, after.HasQuality, after.Published, after.Topics)
	}
	b, a := *before, *after
	b.Quality, b.HasQuality, b.Published, b.Topics, b.Raw = 0, false, false, nil, nil
	a.Quality, a.HasQuality, a.Published, a.Topics, a.Raw = 0, false, false, nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Errorf("other fields changed:\n%+v\n%+v", b, a)
	}
}

// checkLineDiff: every removed and every added line lies in the lines of
// a quality, topics or published key.
func checkLineDiff(t *testing.T, raw, out []byte) {
	t.Helper()
	for _, p := range lineDiffProblems(t, raw, out) {
		t.Error(p)
	}
}

func lineDiffProblems(t *testing.T, raw, out []byte) []string {
	var problems []string
	oldLines, newLines := splitLines(raw), splitLines(out)
	oldOwner, newOwner := lineOwners(t, raw), lineOwners(t, out)
	removed, added := diffLines(oldLines, newLines)
	for _, i := range removed {
		if !editable[oldOwner[i]] {
			problems = append(problems, fmt.Sprintf("removed line %d %q belongs to %q", i+1, oldLines[i], oldOwner[i]))
		}
	}
	for _, i := range added {
		if !editable[newOwner[i]] {
			problems = append(problems, fmt.Sprintf("added line %d %q belongs to %q", i+1, newLines[i], newOwner[i]))
		}
	}
	return problems
}

func splitLines(b []byte) []string {
	return strings.SplitAfter(string(b), "\n")
}

// lineOwners names, for each line of the file (0-based), the top-level key
// whose lines it is in: from the key's line to the line before the next key,
// less the blank and comment lines that end that stretch. Those, the fences,
// the body and lines before the first key belong to "".
func lineOwners(t *testing.T, raw []byte) []string {
	t.Helper()
	d, err := parseDoc(raw)
	if err != nil {
		t.Fatal(err)
	}
	lines := splitLines(raw)
	owners := make([]string, len(lines))
	fence := lineAt(raw, d.fmEnd) // the closing fence's line, 1-based
	keys := d.root.Content
	ix := newLineIndex(raw, d.layout)
	fileLine := func(n *yaml.Node) int { return lineAt(raw, ix.lineStart(n.Line)) } // YAML counts U+2028 as a line break
	for i := 0; i < len(keys); i += 2 {
		from, to := fileLine(keys[i]), fence-1
		if i+2 < len(keys) {
			to = fileLine(keys[i+2]) - 1
		}
		for ; to > from && isBlankOrComment(lines[to-1]); to-- {
		}
		for l := from; l <= to; l++ {
			owners[l-1] = keys[i].Value
		}
	}
	return owners
}

func isBlankOrComment(line string) bool {
	line = strings.TrimSpace(line)
	return line == "" || strings.HasPrefix(line, "#")
}

// diffLines returns the indexes of the lines only in a and only in b, from a
// longest common subsequence.
func diffLines(a, b []string) (onlyA, onlyB []int) {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			onlyA, i = append(onlyA, i), i+1
		default:
			onlyB, j = append(onlyB, j), j+1
		}
	}
	for ; i < len(a); i++ {
		onlyA = append(onlyA, i)
	}
	for ; j < len(b); j++ {
		onlyB = append(onlyB, j)
	}
	return onlyA, onlyB
}

// checkOtherValues: both front matters decoded by yaml.v3 into Go maps are
// equal once the edited keys are removed.
func checkOtherValues(t *testing.T, raw, out []byte) {
	t.Helper()
	if a, b := otherValues(t, raw), otherValues(t, out); !reflect.DeepEqual(a, b) {
		t.Errorf("other values changed:\n%v\n%v", a, b)
	}
}

func otherValues(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d, err := parseDoc(b)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b[d.fmStart:d.fmEnd], &m); err != nil {
		t.Fatal(err)
	}
	for k := range editable {
		delete(m, k)
	}
	return m
}

// TestChecksCatchDamage makes sure the checks above fail on the damage they
// exist to catch.
func TestChecksCatchDamage(t *testing.T) {
	raw := readCorpus(t, "valid")["seed_000_6ef551387f7f8ea7.txt"]
	damage := []struct {
		name, from, to string
		valuesDiffer   bool
	}{
		{"other value changed", "heat: 66", "heat: 67", true},
		{"blank line dropped", "published: false\n\n", "published: false\n", false},
		{"quoting changed", `title: "NHS report calls for artificial intelligence training for all staff"`, `title: 'NHS report calls for artificial intelligence training for all staff'`, false},
		{"comment added", "type: article\n", "type: article # x\n", false},
	}
	for _, tt := range damage {
		out := []byte(strings.Replace(string(raw), tt.from, tt.to, 1))
		if bytes.Equal(out, raw) {
			t.Fatalf("%s: no damage done", tt.name)
		}
		if len(lineDiffProblems(t, raw, out)) == 0 {
			t.Errorf("%s: line diff check passed", tt.name)
		}
		if differ := !reflect.DeepEqual(otherValues(t, raw), otherValues(t, out)); differ != tt.valuesDiffer {
			t.Errorf("%s: values differ = %t", tt.name, differ)
		}
	}
	edited := []byte(strings.Replace(string(raw), "quality: 56", "quality: 57", 1))
	if p := lineDiffProblems(t, raw, edited); len(p) != 0 {
		t.Errorf("an edited quality line is flagged: %v", p)
	}
}

func TestPatchOutput(t *testing.T) {
	all := Changes{Quality: ptr(70), Published: ptr(true), Topics: []string{"x", "y z"}, SetTopics: true}
	topics := func(ts ...string) Changes { return Changes{Topics: ts, SetTopics: true} }
	tests := []struct {
		name string
		in   string
		c    Changes
		want string
	}{
		{"absent keys are added before the closing fence",
			"---\ntitle: T\n# end\n---\nbody\n", all,
			"---\ntitle: T\n# end\nquality: 70\npublished: true\ntopics:\n  - x\n  - y z\n---\nbody\n"},
		{"added keys follow the root indentation and the file's list indentation",
			"---\n  title: T\n  images:\n  - url: u\n---\n", all,
			"---\n  title: T\n  images:\n  - url: u\n  quality: 70\n  published: true\n  topics:\n  - x\n  - y z\n---\n"},
		{"CRLF is kept in replaced and added lines",
			"---\r\ntitle: T\r\nquality: 5\r\ntopics:\r\n  - a\r\n---\r\n", all,
			"---\r\ntitle: T\r\nquality: 70\r\ntopics:\r\n  - x\r\n  - y z\r\npublished: true\r\n---\r\n"},
		{"comments and blank lines around the values stay",
			"---\ntitle: T\nquality: 5   # score\npublished: false # flag\ntopics: # list\n  # lead\n  - a # first\n  - b\n  # trailing\n\nnext: 1\n---\n", all,
			"---\ntitle: T\nquality: 70   # score\npublished: true # flag\ntopics: # list\n  # lead\n  - x\n  - y z\n  # trailing\n\nnext: 1\n---\n"},
		{"unindented list keeps its indentation",
			"---\ntitle: T\ntopics:\n- a\n- b\nx: 1\n---\n", topics("c"),
			"---\ntitle: T\ntopics:\n- c\nx: 1\n---\n"},
		{"deeper indented list keeps its indentation",
			"---\ntitle: T\ntopics:\n    - a\n---\n", topics("c", "d"),
			"---\ntitle: T\ntopics:\n    - c\n    - d\n---\n"},
		{"flow list stays flow",
			"---\ntitle: T\ntopics: [a, \"b\"]  # c\n---\n", topics("x", "a, b", "yes"),
			"---\ntitle: T\ntopics: [x, \"a, b\", \"yes\"]  # c\n---\n"},
		{"multi-line flow list is replaced whole",
			"---\ntitle: T\ntopics: [\n  a,\n  b,\n]\nx: 1\n---\n", topics("c"),
			"---\ntitle: T\ntopics: [c]\nx: 1\n---\n"},
		{"empty flow list becomes a block list like the file's others",
			"---\ntitle: T\ntopics: [] # none\nimages:\n    - url: u\n---\n", topics("a", "b"),
			"---\ntitle: T\ntopics: # none\n    - a\n    - b\nimages:\n    - url: u\n---\n"},
		{"empty flow list without other lists gets two spaces",
			"---\ntitle: T\ntopics: []\n---\n", topics("a"),
			"---\ntitle: T\ntopics:\n  - a\n---\n"},
		{"block list emptied",
			"---\ntitle: T\ntopics: # c\n  - a\n  - b\nx: 1\n---\n", topics(),
			"---\ntitle: T\ntopics: [] # c\nx: 1\n---\n"},
		{"emptied list keeps its anchor",
			"---\ntitle: T\ntopics: &t\n  - a\n---\n", topics(),
			"---\ntitle: T\ntopics: &t []\n---\n"},
		{"flow list emptied",
			"---\ntitle: T\ntopics: [a]\n---\n", topics(),
			"---\ntitle: T\ntopics: []\n---\n"},
		{"tricky strings are quoted only when needed",
			"---\ntitle: T\ntopics:\n  - a\n---\n", topics("yes", "123", "a: b", "#x", " lead", "日本", "😀", "x\u2028y", `q"`),
			"---\ntitle: T\ntopics:\n  - \"yes\"\n  - \"123\"\n  - \"a: b\"\n  - \"#x\"\n  - \" lead\"\n  - 日本\n  - \"😀\"\n  - \"x\\u2028y\"\n  - q\"\n---\n"},
		{"alias values are replaced, the anchor stays",
			"---\n_v: [&q 5, &p true]\ntitle: T\nquality: *q\npublished: *p\n---\n", Changes{Quality: ptr(9), Published: ptr(false)},
			"---\n_v: [&q 5, &p true]\ntitle: T\nquality: 9\npublished: false\n---\n"},
		{"alias topics become a block list",
			"---\n_t: &t [a]\ntitle: T\ntopics: *t # shared\n---\n", topics("b"),
			"---\n_t: &t [a]\ntitle: T\ntopics: # shared\n  - b\n---\n"},
		{"unused anchor and tag on a value stay",
			"---\ntitle: T\nquality: &q !!int \"5\"\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\nquality: &q !!int 6\n---\n"},
		{"value on the next line",
			"---\ntitle: T\nquality:\n  5\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\nquality:\n  6\n---\n"},
		{"a merged value is overridden by an added key",
			"---\n_d: &d {quality: 5}\n<<: *d\ntitle: T\n---\n", Changes{Quality: ptr(6)},
			"---\n_d: &d {quality: 5}\n<<: *d\ntitle: T\nquality: 6\n---\n"},
		{"BOM and missing final newline are kept",
			"\ufeff---\ntitle: T\nquality: 1\n---\nend", Changes{Quality: ptr(2)},
			"\ufeff---\ntitle: T\nquality: 2\n---\nend"},
		{"fence without final newline",
			"---\ntitle: T\n---", Changes{Quality: ptr(2)},
			"---\ntitle: T\nquality: 2\n---"},
		{"unicode before the value on its line",
			"---\ntitle: T\n\"日本\": 1\nquality: 1 # é\ntopics: [\"ü\", ö]\n---\n", Changes{Quality: ptr(2), Topics: []string{"ß"}, SetTopics: true},
			"---\ntitle: T\n\"日本\": 1\nquality: 2 # é\ntopics: [ß]\n---\n"},
		{"a list ending the front matter keeps its items before added keys",
			"---\ntitle: T\ntopics: []\n---\n", all,
			"---\ntitle: T\ntopics:\n  - x\n  - y z\nquality: 70\npublished: true\n---\n"},
		{"a block scalar topic is replaced with all its lines",
			"---\ntitle: T\ntopics:\n  - a\n  - >-\n    text\n    # text too\n  # comment\n\nx: 1\n---\n", topics("b"),
			"---\ntitle: T\ntopics:\n  - b\n  # comment\n\nx: 1\n---\n"},
		{"a multi-line quoted topic is replaced with all its lines",
			"---\ntitle: T\ntopics:\n  - \"a\n    b\" # c\nx: 1\n---\n", topics("b"),
			"---\ntitle: T\ntopics:\n  - b\nx: 1\n---\n"},
		{"items on the line after their dash",
			"---\ntitle: T\ntopics:\n  -\n    a\nx: 1\n---\n", topics("b"),
			"---\ntitle: T\ntopics:\n  - b\nx: 1\n---\n"},
		{"tagged empty list becomes a block list",
			"---\ntitle: T\ntopics: !!seq []\n---\n", topics("b"),
			"---\ntitle: T\ntopics: !!seq\n  - b\n---\n"},
		{"explicit keys",
			"---\ntitle: T\n? quality\n: 5\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\n? quality\n: 6\n---\n"},
		{"flow root: values replaced in place",
			"---\n{title: T, quality: 5, topics: [a]}\n---\n", Changes{Quality: ptr(6), Topics: []string{"b", "c"}, SetTopics: true},
			"---\n{title: T, quality: 6, topics: [b, c]}\n---\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Patch([]byte(tt.in), tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestPatchRefusals(t *testing.T) {
	tests := []struct {
		name, in string
		c        Changes
		reason   string
	}{
		{"block scalar value",
			"---\ntitle: T\nquality: !!int |-\n  5\n---\n", Changes{Quality: ptr(6)},
			"block scalar"},
		{"invalid file", "---\ntitle: T\n", Changes{Quality: ptr(6)}, "never closed"},
		{"quality out of range", "---\ntitle: T\n---\n", Changes{Quality: ptr(101)}, "quality must be from 0 to 100"},
		{"topic not UTF-8", "---\ntitle: T\n---\n", Changes{Topics: []string{"\xff"}, SetTopics: true}, "not valid UTF-8"},
		{"topic with a line break", "---\ntitle: T\n---\n", Changes{Topics: []string{"a\nb"}, SetTopics: true}, "control character"},
		{"too many topics", "---\ntitle: T\n---\n", Changes{Topics: make([]string, MaxTopics+1), SetTopics: true}, "too many topics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Patch([]byte(tt.in), tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("got %q, %v; want error %q", out, err, tt.reason)
			}
		})
	}
	_, err := Patch([]byte("---\ntitle: T\nquality: !!int |-\n  5\n---\n"), Changes{Quality: ptr(6)})
	if !errors.Is(err, ErrCannotPatch) {
		t.Errorf("shape errors wrap ErrCannotPatch: %v", err)
	}
	_, err = Patch([]byte("---\ntitle: T\n---\n"), Changes{Quality: ptr(101)})
	if err == nil || errors.Is(err, ErrCannotPatch) {
		t.Errorf("invalid changes do not wrap ErrCannotPatch: %v", err)
	}
	// The alias-using value itself may change: only the anchor must stay.
	out, err := Patch([]byte("---\ntitle: T\ntopics: &t [a]\nkeywords: *t\n---\n"), Changes{Quality: ptr(6)})
	if err != nil || !strings.HasSuffix(string(out), "keywords: *t\nquality: 6\n---\n") {
		t.Errorf("unrelated key next to an anchor: %q, %v", out, err)
	}
}

func TestEncodeString(t *testing.T) {
	for _, s := range trickyTopics {
		for _, flow := range []bool{false, true} {
			doc := "k: [" + encodeString(s, flow) + "]"
			if !flow {
				doc = "k:\n  - " + encodeString(s, flow)
			}
			var v struct{ K []string }
			if err := yaml.Unmarshal([]byte(doc), &v); err != nil || len(v.K) != 1 || v.K[0] != s {
				t.Errorf("%q (flow %t): %q read back as %q, %v", s, flow, doc, v.K, err)
			}
		}
	}
	if got := encodeString("AI in Healthcare", false); got != "AI in Healthcare" {
		t.Errorf("plain text got quoted: %s", got)
	}
}
