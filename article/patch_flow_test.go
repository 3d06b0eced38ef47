package article

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// jsonReport is /work/shared/field-reports/json_frontmatter.md: front matter
// written as one JSON object, without a published key.
const jsonReport = `---
{
  "title": "Harbour authority opens a second ferry terminal",
  "category": "news",
  "excerpt": "The new terminal doubles the number of daily crossings.",
  "quality": 61,
  "heat": 12
}
---
The terminal opens in spring.`

func TestPatchFlowMapping(t *testing.T) {
	topics := func(ts ...string) Changes { return Changes{Topics: ts, SetTopics: true} }
	published := Changes{Published: ptr(true)}
	all := Changes{Quality: ptr(70), Published: ptr(true), Topics: []string{"a", "b c"}, SetTopics: true}
	tests := []struct {
		name string
		in   string
		c    Changes
		want string
	}{
		{"field report: JSON object gets published on its own line, with a comma",
			jsonReport, published,
			strings.Replace(jsonReport, `"heat": 12`, `"heat": 12,`+"\n"+`  "published": true`, 1)},
		{"JSON object: all three, topics as JSON strings",
			jsonReport, Changes{Quality: ptr(70), Published: ptr(true), Topics: []string{"yes", `say "hi"`, "a, b", "x\u2028y", "日本"}, SetTopics: true},
			strings.NewReplacer(`"quality": 61`, `"quality": 70`, `"heat": 12`, `"heat": 12,`+"\n"+`  "published": true,`+"\n"+
				`  "topics": ["yes", "say \"hi\"", "a, b", "x\u2028y", "日本"]`).Replace(jsonReport)},
		{"compact one-line JSON keeps its spacing",
			"---\n{\"title\":\"T\",\"quality\":61}\n---\n", all,
			"---\n{\"title\":\"T\",\"quality\":70,\"published\":true,\"topics\":[\"a\", \"b c\"]}\n---\n"},
		{"one-line JSON with spaces",
			"---\n{\"title\": \"T\", \"topics\": [\"a\"]}\n---\n", Changes{Published: ptr(true), Topics: []string{"NO", "="}, SetTopics: true},
			"---\n{\"title\": \"T\", \"topics\": [\"NO\", \"=\"], \"published\": true}\n---\n"},
		{"JSON with CRLF",
			"---\r\n{\r\n  \"title\": \"T\"\r\n}\r\n---\r\n", all,
			"---\r\n{\r\n  \"title\": \"T\",\r\n  \"quality\": 70,\r\n  \"published\": true,\r\n  \"topics\": [\"a\", \"b c\"]\r\n}\r\n---\r\n"},
		{"one-line flow mapping",
			"---\n{title: T, quality: 5}\n---\n", published,
			"---\n{title: T, quality: 5, published: true}\n---\n"},
		{"one-line flow mapping with a trailing comma",
			"---\n{title: T, x: 1,}\n---\n", all,
			"---\n{title: T, x: 1, quality: 70, published: true, topics: [a, b c],}\n---\n"},
		{"value replaced in the middle of a flow mapping",
			"---\n{title: x, quality: 5, heat: 1}\n---\n", Changes{Quality: ptr(6), Published: ptr(false), Topics: []string{}, SetTopics: true},
			"---\n{title: x, quality: 6, heat: 1}\n---\n"},
		{"multi-line with trailing commas: new members end with one too",
			"---\n{\n  title: T,\n  quality: 5,\n}\n---\n", all,
			"---\n{\n  title: T,\n  quality: 70,\n  published: true,\n  topics: [a, b c],\n}\n---\n"},
		{"a comment after the last value stays on its line",
			"---\n{\n    title: T,\n    quality: 5 # score\n}\n---\n", published,
			"---\n{\n    title: T,\n    quality: 5, # score\n    published: true\n}\n---\n"},
		{"comment lines before the closing brace stay before the new members",
			"---\n{\n  title: T, # t\n  # end of the members\n}\n---\n", published,
			"---\n{\n  title: T, # t\n  # end of the members\n  published: true,\n}\n---\n"},
		{"closing brace after the last value",
			"---\n{ title: T,\n  quality: 5 }\n---\n", all,
			"---\n{ title: T,\n  quality: 70,\n  published: true,\n  topics: [a, b c] }\n---\n"},
		{"last value a flow mapping over lines",
			"---\n{\n  title: T,\n  provider: {\n    name: N\n  }\n}\n---\n", published,
			"---\n{\n  title: T,\n  provider: {\n    name: N\n  },\n  published: true\n}\n---\n"},
		{"single-quoted keys",
			"---\n{'title': T}\n---\n", published,
			"---\n{'title': T, 'published': true}\n---\n"},
		{"empty last value",
			"---\n{title: T, x: }\n---\n", published,
			"---\n{title: T, x: , published: true}\n---\n"},
		{"empty last value right before the brace",
			"---\n{\"title\": \"T\", \"x\":}\n---\n", published,
			"---\n{\"title\": \"T\", \"x\": , \"published\": true}\n---\n"},
		{"last key without value",
			"---\n{title: T, x}\n---\n", published,
			"---\n{title: T, x, published: true}\n---\n"},
		{"tagged and anchored root",
			"---\n&r !!map {title: T}\n---\n", published,
			"---\n&r !!map {title: T, published: true}\n---\n"},
		{"a merged value is overridden by a new member",
			"---\n{<<: {quality: 5}, title: T}\n---\n", Changes{Quality: ptr(6)},
			"---\n{<<: {quality: 5}, title: T, quality: 6}\n---\n"},
		{"no topics to add adds nothing",
			"---\n{title: T}\n---\n", topics(),
			"---\n{title: T}\n---\n"},
		{"topics need quoting in a flow list",
			"---\n{title: T}\n---\n", topics("a?b", "x:y", "[c]"),
			"---\n{title: T, topics: [\"a?b\", \"x:y\", \"[c]\"]}\n---\n"},
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
			if fm := frontMatter(t, tt.in); json.Valid([]byte(fm)) && !json.Valid([]byte(frontMatter(t, string(out)))) {
				t.Errorf("JSON front matter is no longer JSON:\n%s", out)
			}
			if err := patchProperty(t, []byte(tt.in), tt.c); err != nil {
				t.Error(err)
			}
		})
	}
}

func frontMatter(t *testing.T, s string) string {
	t.Helper()
	l, err := splitFile([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return s[l.fmStart:l.fmEnd]
}

// TestVerifyKeepsJSON: verify refuses a result that is YAML but no longer
// JSON, which the value comparison alone would let through.
func TestVerifyKeepsJSON(t *testing.T) {
	raw := []byte("---\n{\"title\": \"T\", \"quality\": 5}\n---\n")
	_, d, err := parse("", raw)
	if err != nil {
		t.Fatal(err)
	}
	w := want{quality: 6, hasQuality: true}
	if err := verify(d, raw, []byte("---\n{\"title\": \"T\", \"quality\": 6}\n---\n"), w); err != nil {
		t.Errorf("JSON result refused: %v", err)
	}
	if err := verify(d, raw, []byte("---\n{\"title\": \"T\", quality: 6}\n---\n"), w); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("unquoted key in a JSON front matter: %v", err)
	}
}

func TestJSONString(t *testing.T) {
	for _, s := range append(trickyTopics, "\x7f", "\u0085", "\ufffe", "😀", `\u0041`) {
		var back string
		if err := json.Unmarshal([]byte(jsonString(s)), &back); err != nil || back != s {
			t.Errorf("JSON reads %s as %q, %v", jsonString(s), back, err)
		}
		var y struct{ K []string }
		if err := yaml.Unmarshal([]byte("k: ["+jsonString(s)+"]"), &y); err != nil || len(y.K) != 1 || y.K[0] != s {
			t.Errorf("YAML reads %s as %q, %v", jsonString(s), y.K, err)
		}
	}
}

// yamlIndicators are the characters YAML gives a meaning to (YAML 1.2,
// section 5.3), and '@' and '`', which it reserves.
const yamlIndicators = "?:,[]{}#&*!|>'\"%@`-=~"

// indicatorTopics puts each indicator alone, first, last, inside a word and
// between blanks.
func indicatorTopics() []string {
	var topics []string
	for _, r := range yamlIndicators {
		c := string(r)
		topics = append(topics, c, c+"b", "a"+c, "a"+c+"b", "a "+c+" b", c+" b", "a "+c, c+c)
	}
	return topics
}

// TestPatchTopicIndicators: a topic holding a YAML indicator reads back as
// exactly that topic, whatever list or mapping style it is written into.
func TestPatchTopicIndicators(t *testing.T) {
	shapes := map[string]string{
		"flow list":         "---\ntitle: T\ntopics: [a]\n---\n",
		"block list":        "---\ntitle: T\ntopics:\n  - a\n---\n",
		"empty flow list":   "---\ntitle: T\ntopics: [] # none\n---\n",
		"no topics key":     "---\ntitle: T\n---\n",
		"flow mapping":      "---\n{title: T, topics: [a]}\n---\n",
		"flow mapping, new": "---\n{title: T}\n---\n",
		"JSON":              jsonReport,
	}
	for shape, in := range shapes {
		for _, topic := range indicatorTopics() {
			c := Changes{Topics: []string{topic, "z"}, SetTopics: true}
			if err := patchProperty(t, []byte(in), c); err != nil {
				t.Errorf("%s: topic %q refused: %v", shape, topic, err)
			}
		}
	}
}

// TestEncodeStringIndicators: encodeString (the writer of topics) gives text
// that yaml.v3 reads back as the topic, in a flow list and a block list.
func TestEncodeStringIndicators(t *testing.T) {
	for _, s := range indicatorTopics() {
		for _, doc := range []string{"k: [" + encodeString(s, true) + "]", "k:\n  - " + encodeString(s, false)} {
			var v struct{ K []string }
			if err := yaml.Unmarshal([]byte(doc), &v); err != nil || len(v.K) != 1 || v.K[0] != s {
				t.Errorf("%q: %q reads back as %q, %v", s, doc, v.K, err)
			}
		}
	}
}
