package article

import (
	"errors"
	"strings"
	"testing"
)

func TestPatchKeepsAliases(t *testing.T) {
	topics := func(ts ...string) Changes { return Changes{Topics: ts, SetTopics: true} }
	tests := []struct {
		name string
		in   string
		c    Changes
		want string
	}{
		{"anchored quality aliased in a flow list",
			"---\ntitle: T\nquality: &q 56\nrelated: [{quality: *q}]\n---\n", Changes{Quality: ptr(70)},
			"---\ntitle: T\nquality: &q 70\nrelated: [{quality: 56}]\n---\n"},
		{"anchored quality aliased in a block list, twice, with a comment",
			"---\ntitle: T\nquality: &q 5\nrelated:\n  - quality: *q # same\n  - *q\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\nquality: &q 6\nrelated:\n  - quality: 5 # same\n  - 5\n---\n"},
		{"the alias keeps the tag and quoting of the anchored text",
			"---\ntitle: T\nquality: &q !!int \"5\"\nx: *q\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\nquality: &q !!int 6\nx: !!int \"5\"\n---\n"},
		{"anchored published",
			"---\ntitle: T\npublished: &p false\nx: {a: *p}\n---\n", Changes{Published: ptr(true)},
			"---\ntitle: T\npublished: &p true\nx: {a: false}\n---\n"},
		{"anchored flow topics",
			"---\ntitle: T\ntopics: &t [a, \"b, c\"]\nkeywords: *t\n---\n", topics("x"),
			"---\ntitle: T\ntopics: &t [x]\nkeywords: [a, \"b, c\"]\n---\n"},
		{"anchored block topics become a flow copy",
			"---\ntitle: T\ntopics: &t\n  - a\n  - 'b'\nkeywords: *t\n---\n", topics("x"),
			"---\ntitle: T\ntopics: &t\n  - x\nkeywords: [a, 'b']\n---\n"},
		{"anchored topics emptied",
			"---\ntitle: T\ntopics: &t [a]\nkeywords: *t\n---\n", topics(),
			"---\ntitle: T\ntopics: &t []\nkeywords: [a]\n---\n"},
		{"anchored topic item; a plain text with '?' is quoted inside a flow list",
			"---\ntitle: T\ntopics:\n  - &a what?\n  - b\nk: *a\nl: [*a]\n---\n", topics("x"),
			"---\ntitle: T\ntopics:\n  - x\nk: what?\nl: [\"what?\"]\n---\n"},
		{"anchored topic over lines becomes one double-quoted line",
			"---\ntitle: T\ntopics:\n  - &m >-\n    long\n    text\nk: *m\n---\n", topics("x"),
			"---\ntitle: T\ntopics:\n  - x\nk: \"long text\"\n---\n"},
		{"alias used as a key",
			"---\ntitle: T\ntopics: [&k x]\nm: {*k : 1}\n---\n", topics("z"),
			"---\ntitle: T\ntopics: [z]\nm: {x : 1}\n---\n"},
		{"an anchor defined again later: aliases after it are not the edited value's",
			"---\ntitle: T\nquality: &q 5\na: *q\nb: &q 7\nc: *q\n---\n", Changes{Quality: ptr(6)},
			"---\ntitle: T\nquality: &q 6\na: 5\nb: &q 7\nc: *q\n---\n"},
		{"an alias at the edited key is replaced, its anchor stays",
			"---\n_v: &q 5\ntitle: T\nquality: *q\nx: *q\n---\n", Changes{Quality: ptr(6)},
			"---\n_v: &q 5\ntitle: T\nquality: 6\nx: *q\n---\n"},
		{"aliases inside the copied value are expanded",
			"---\ntitle: &t T\ntopics: &l [*t, b]\nk: *l\n---\n", topics("x"),
			"---\ntitle: &t T\ntopics: &l [x]\nk: [T, b]\n---\n"},
		{"all three anchored in one edit",
			"---\ntitle: T\nquality: &q 1\npublished: &p false\ntopics: &t [a]\nx: [*q, *p, *t]\n---\n",
			Changes{Quality: ptr(2), Published: ptr(true), Topics: []string{"b"}, SetTopics: true},
			"---\ntitle: T\nquality: &q 2\npublished: &p true\ntopics: &t [b]\nx: [1, false, [a]]\n---\n"},
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
			if err := patchProperty(t, []byte(tt.in), tt.c); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestPatchAliasCopyLimit: a value aliased so often that the copies would
// pass maxCopyBytes is refused, not blown up.
func TestPatchAliasCopyLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: T\ntopics: &t\n")
	for _, topic := range longTopics() {
		b.WriteString("  - " + topic + "\n")
	}
	b.WriteString("uses:\n")
	for range maxCopyBytes/(MaxTopics*MaxTopicLength) + 1 {
		b.WriteString("  - *t\n")
	}
	b.WriteString("---\n")
	out, err := Patch([]byte(b.String()), Changes{Topics: []string{"x"}, SetTopics: true})
	if !errors.Is(err, ErrCannotPatch) || !strings.Contains(err.Error(), "bytes long") {
		t.Errorf("got %d bytes, %v; want a refusal", len(out), err)
	}
}

// TestVerifyAliases: verify accepts an alias replaced by a copy of its value
// and refuses any other change to it.
func TestVerifyAliases(t *testing.T) {
	raw := []byte("---\ntitle: T\nquality: &q 5\nx: *q\ny: &s [a]\nz: *s\n---\n")
	_, d, err := parse("", raw)
	if err != nil {
		t.Fatal(err)
	}
	w := want{quality: 6, hasQuality: true}
	for _, tt := range []struct {
		out string
		ok  bool
	}{
		{"---\ntitle: T\nquality: &q 6\nx: 5\ny: &s [a]\nz: *s\n---\n", true},
		{"---\ntitle: T\nquality: &q 6\nx: \"5\"\ny: &s [a]\nz: *s\n---\n", false},
		{"---\ntitle: T\nquality: &q 6\nx: *q\ny: &s [a]\nz: *s\n---\n", false},
		{"---\ntitle: T\nquality: &q 6\nx: 5\ny: &s [a]\nz: [a]\n---\n", true},
		{"---\ntitle: T\nquality: &q 6\nx: 5\ny: &s [a]\nz: &n [a]\n---\n", false},
		{"---\ntitle: T\nquality: &q 6\nx: 5\ny: &s [b]\nz: *s\n---\n", false},
	} {
		if err := verify(d, raw, []byte(tt.out), w); (err == nil) != tt.ok {
			t.Errorf("%q: verify says %v", tt.out, err)
		}
	}
}
