package article

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPatchGenerated builds front matters from many spellings of each key
// (styles, comments, tags, anchors, aliases, indentation, order, line
// endings, BOM) and checks every edit against the same properties as the
// corpus: values read back, only edited keys' lines differ, other values
// equal.
func TestPatchGenerated(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 200
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(opts ...string) string { return opts[rng.IntN(len(opts))] }
	for i := range n {
		ind := pick("", "  ", "    ")
		var keys []string
		keys = append(keys, pick("title: T", `title: "Quoted: title" # c`, `"title": 'single'`, "title: >-\n  folded\n  title"))
		if rng.IntN(4) > 0 {
			keys = append(keys, pick("quality: 5", "quality: 5   # score", `quality: !!int "5"`, "quality:\n  5", "'quality': 5",
				"quality: &q 5", "quality: *qa", "? quality\n: 5", "quality: +5"))
		}
		if rng.IntN(4) > 0 {
			keys = append(keys, pick("published: false", "published: true  # c", `published: !!bool "false"`, "published: False", "published: *pa"))
		}
		if rng.IntN(5) > 0 {
			keys = append(keys, pick(
				"topics:\n"+ind+"- a\n"+ind+"- b",
				"topics: # c\n"+ind+"# lead\n"+ind+"- a # one\n\n"+ind+"- \"b: c\"\n"+ind+"# tail",
				"topics: [a, \"b, c\"]", "topics: [\n  a,\n  b,\n] # c", "topics: []", "topics: [] # none",
				"topics: *ta", "topics: !!seq\n"+ind+"- !!str a", "topics: &t\n"+ind+"- &i a", "topics:\n"+ind+"- |-\n"+ind+"  block\n"+ind+"- 'multi\n"+ind+"  line'",
				"topics:\n"+ind+"-\n"+ind+"  a",
			))
		}
		keys = append(keys,
			pick("provider:\n  name: P\n  domain: p.example", "provider: {name: P, domain: p.example}", "provider:\n    name: P # c"),
			pick("images:\n"+ind+"- url: u\n"+ind+"  width: 1", "images: []", "images:\n"+ind+"- {url: u}"),
			pick("excerpt: |\n  line 1\n\n  # not a comment\n", "excerpt: plain", "excerpt: \"multi\n  line\""),
			pick("heat: 3", "x-unknown: {a: [1, 2]}", "# a comment line", "", "k: v # c\n\n"),
		)
		rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
		// The anchors come first, before their aliases.
		fm := "_anchors:\n  q: &qa 7\n  p: &pa true\n  t: &ta [x, 'y z']\n" + strings.Join(keys, "\n")
		raw := "---\n" + fm + "\n---\n" + pick("", "body\n", "---\nbody", "\n")
		if rng.IntN(3) == 0 {
			raw = strings.ReplaceAll(raw, "\n", "\r\n")
		}
		if rng.IntN(4) == 0 {
			raw = "\ufeff" + raw
		}
		before, err := Parse("g.md", []byte(raw))
		if err != nil {
			t.Fatalf("generated file %d does not parse: %v\n%s", i, err, raw)
		}
		c := Changes{}
		if rng.IntN(2) == 0 {
			c.Quality = ptr(rng.IntN(101))
		}
		if rng.IntN(2) == 0 {
			c.Published = ptr(rng.IntN(2) == 0)
		}
		if rng.IntN(2) == 0 {
			c.SetTopics = true
			c.Topics = validTopics[:rng.IntN(4)]
			if rng.IntN(2) == 0 {
				c.Topics = append([]string{"plain topic"}, validTopics[rng.IntN(len(validTopics))])
			}
		}
		out, err := Patch([]byte(raw), c)
		if err != nil {
			t.Fatalf("file %d: %v\n%s", i, err, raw)
		}
		after, err := Parse("g.md", out)
		if err != nil {
			t.Fatalf("file %d: patched file does not parse: %v\n%s\n---- patched:\n%s", i, err, raw, out)
		}
		checkValues(t, before, after, c)
		checkLineDiff(t, []byte(raw), out)
		checkOtherValues(t, []byte(raw), out)
		if strings.Contains(raw, "\r\n") && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
			t.Errorf("file %d: CRLF lost", i)
		}
		if t.Failed() {
			t.Fatalf("file %d:\n%s\n---- patched:\n%s", i, raw, out)
		}
	}
}

// validTopics are the tricky topics that the topic rules accept.
var validTopics = append(append([]string{}, trickyFirst...), trickyRest...)
