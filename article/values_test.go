package article

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestYAML11Resolve pins the YAML 1.1 resolution to what PyYAML's
// resolver.py does with each text (checked against its regexes; PyYAML is
// not installed here), plus the y/n booleans of the YAML 1.1 spec.
func TestYAML11Resolve(t *testing.T) {
	tests := map[string]string{
		// bool
		"yes": tagBool, "Yes": tagBool, "YES": tagBool, "No": tagBool, "ON": tagBool, "off": tagBool,
		"True": tagBool, "FALSE": tagBool, "y": tagBool, "Y": tagBool, "n": tagBool, "N": tagBool,
		"yES": tagStr, "tRUE": tagStr, "yes!": tagStr,
		// int: decimal, octal 0-prefixed, hex, binary, underscores, sexagesimal
		"0": tagInt, "-0": tagInt, "+12": tagInt, "017": tagInt, "0017": tagInt, "0x1F": tagInt, "0b101": tagInt,
		"1_000": tagInt, "1__": tagInt, "12:30": tagInt, "1:2:3": tagInt, "-1:30": tagInt,
		"0o12": tagStr, "08": tagStr, "1:60": tagStr, "0x": tagStr, "12:30 pm": tagStr,
		// float: needs a dot, exponent needs a sign
		"3.10": tagFloat, "1.": tagFloat, ".5": tagFloat, "1.0e+3": tagFloat, "1_0.5": tagFloat, "1:30.5": tagFloat,
		"+.inf": tagFloat, ".Inf": tagFloat, ".NaN": tagFloat,
		"1e3": tagStr, "1.0e3": tagStr, "-.5": tagStr, ".": tagStr, "+.nan": tagStr,
		// null, merge, value, timestamp
		"": tagNull, "~": tagNull, "null": tagNull, "Null": tagNull, "NULL": tagNull, "nULL": tagStr,
		"<<": tagMerge, "<": tagStr, "=": tagValue, "==": tagStr,
		"2001-12-14": tagTimestamp, "2001-12-14t21:59:43.10-05:00": tagTimestamp,
		"2001-12-14 21:59:43.10 -5": tagTimestamp, "2001-1-4 1:59:43": tagTimestamp, "2001-1-4": tagStr,
		// Python's $ matches before a final line break; plain text never has one
		"yes\n": tagBool, "\nyes": tagStr,
		// strings
		"Energy": tagStr, "-": tagStr, "AI in Healthcare": tagStr, "café": tagStr, "!": tagStr,
	}
	for in, want := range tests {
		if got := yaml11Resolve(in); got != want {
			t.Errorf("yaml11Resolve(%q) = %s, want %s", in, got, want)
		}
	}
}

// fm wraps front-matter lines into an article file whose title is line 2.
func fm(lines ...string) []byte {
	return []byte("---\ntitle: T\n" + strings.Join(lines, "\n") + "\n---\n")
}

// TestParseValuesAgreeWithYAMLReaders: what Parse accepts for quality,
// heat, published and topics is what yaml.v3 and a YAML 1.1 reader read;
// every spelling on which they disagree is refused with its line.
func TestParseValuesAgreeWithYAMLReaders(t *testing.T) {
	refused := []struct {
		name, raw string
		line      int
		reason    string
	}{
		{"quality leading zero", "quality: 056", 3, "quality must be written as a plain decimal number, got 056 (a leading zero makes it octal"},
		{"quality two leading zeros", "quality: 0017", 3, "got 0017 (a leading zero"},
		{"quality 00", "quality: 00", 3, "got 00"},
		{"quality 0o", "quality: 0o17", 3, "got 0o17 (0o is octal to YAML 1.2 readers and text to YAML 1.1 readers"},
		{"quality hex", "quality: 0x1F", 3, "got 0x1F (hexadecimal and binary"},
		{"quality binary", "quality: 0b11", 3, "got 0b11 (hexadecimal and binary"},
		{"quality underscore", "quality: 1_0", 3, "got 1_0 (_ between digits"},
		{"quality tagged octal", "quality: !!int 010", 3, "got 010"},
		{"quality tagged 0o", `quality: !!int "0o17"`, 3, "got 0o17"},
		{"quality sexagesimal", "quality: 1:30", 3, `quality must be an integer from 0 to 100, got string "1:30"`},
		{"quality through an alias", "x: &q 010\nquality: *q", 4, "got 010"},
		{"heat leading zero", "heat: 0017", 3, "heat must be written as a plain decimal number, got 0017"},
		{"heat underscore", "heat: 1_000", 3, "heat must be written as a plain decimal number, got 1_000"},
		{"heat hex", "heat: 0x1F", 3, "got 0x1F"},
		{"published yes", "published: yes", 3, `published must be true or false, got string "yes"`},
		{"published No", "published: No", 3, `got string "No"`},
		{"published on", "published: on", 3, `got string "on"`},
		{"published OFF", "published: OFF", 3, `got string "OFF"`},
		{"published y", "published: y", 3, `got string "y"`},
		{"published n", "published: n", 3, `got string "n"`},
		{"published tagged yes", "published: !!bool yes", 3, "published must be true or false, got yes"},
		{"published tagged y", "published: !!bool y", 3, "got y"},
		{"published 1", "published: 1", 3, "got 1"},
		{"topic yes", "topics:\n  - AI\n  - yes", 5, `topic 2 yes is a boolean to YAML 1.1 readers such as PyYAML; put it in quotes: "yes"`},
		{"topic No", "topics: [No]", 3, "topic 1 No is a boolean"},
		{"topic ON", "topics: [ON]", 3, "topic 1 ON is a boolean"},
		{"topic off", "topics: [off]", 3, "topic 1 off is a boolean"},
		{"topic y", "topics: [y]", 3, "topic 1 y is a boolean"},
		{"topic n", "topics:\n- n", 4, "topic 1 n is a boolean"},
		{"topic =", "topics:\n  - =", 4, `topic 1 = is a value key (=) to YAML 1.1 readers such as PyYAML, which cannot load it; put it in quotes: "="`},
		{"topic sexagesimal", "topics: [a, 12:30]", 3, `topic 2 12:30 is an integer to YAML 1.1 readers such as PyYAML; put it in quotes: "12:30"`},
		{"topic sexagesimal float", "topics: [1:30.5]", 3, "topic 1 1:30.5 is a number"},
		{"topic timestamp with zone", "topics: [2001-12-14 21:59:43.10 -5]", 3, "topic 1 2001-12-14 21:59:43.10 -5 is a date"},
		{"topic -.5", "topics:\n  - -.5", 4, "topic 1 must be a string, got -.5"},
		{"topic 1e3", "topics: [1e3]", 3, "topic 1 must be a string, got 1e3"},
		{"topic ~", "topics: [~]", 3, "topic 1 must be a string, got null"},
		{"topic null", "topics: [null]", 3, "topic 1 must be a string, got null"},
		{"topic 1_000", "topics: [1_000]", 3, "topic 1 must be a string, got 1_000"},
		{"topic 0o12", "topics: [0o12]", 3, "topic 1 must be a string, got 0o12"},
		{"topic 3.10", "topics: [3.10]", 3, "topic 1 must be a string, got 3.10"},
		{"topic <<", "topics: [<<]", 3, "topic 1 must be a string, got <<"},
		{"topic date", "topics: [2001-12-14]", 3, "topic 1 must be a string, got 2001-12-14"},
		{"topic non-specific tag", "topics: [! yes]", 3, "topic 1 yes is a boolean"},
		{"topic non-specific tag quoted", "topics:\n  - &a ! \"12:30\"", 4, "topic 1 12:30 is an integer"},
		{"topic through an alias", "x: &y yes\ntopics: [*y]", 4, "topic 1 yes is a boolean"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.md", fm(tt.raw))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got %v, want line %d: %q", err, tt.line, tt.reason)
			}
		})
	}

	accepted := []struct {
		name, raw string
		quality   int
		heat      int
		published bool
		topics    []string
	}{
		{"decimal", "quality: 56\nheat: 17", 56, 17, false, nil},
		{"zero", "quality: 0\nheat: -0", 0, 0, false, nil},
		{"plus sign", "quality: +56\nheat: +3", 56, 3, false, nil},
		{"tagged quoted decimal", `quality: !!int "64"`, 64, 0, false, nil},
		{"non-specific tag on a number", "quality: ! 7", 7, 0, false, nil},
		{"booleans", "published: True", 0, 0, true, nil},
		{"tagged boolean", `published: !!bool "false"`, 0, 0, false, nil},
		{"quoted topics", `topics: ["yes", 'No', "=", "12:30", "~", "1_000", "0o12", "3.10", "<<"]`, 0, 0, false,
			[]string{"yes", "No", "=", "12:30", "~", "1_000", "0o12", "3.10", "<<"}},
		{"tagged string topics", "topics:\n  - !!str yes\n  - !!str 12:30", 0, 0, false, []string{"yes", "12:30"}},
		{"plain strings", "topics: [Energy, -x, 12:30 pm, yes!, C#]", 0, 0, false, []string{"Energy", "-x", "12:30 pm", "yes!", "C#"}},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			raw := fm(tt.raw)
			a, err := Parse("f.md", raw)
			if err != nil {
				t.Fatal(err)
			}
			if a.Quality != tt.quality || a.Heat != tt.heat || a.Published != tt.published || !slices.Equal(a.Topics, tt.topics) {
				t.Errorf("got quality %d, heat %d, published %t, topics %q", a.Quality, a.Heat, a.Published, a.Topics)
			}
			// yaml.v3 decoding into Go values reads the same.
			var v struct {
				Quality   int
				Heat      int
				Published bool
				Topics    []string
			}
			if err := yaml.Unmarshal(raw[4:len(raw)-4], &v); err != nil || v.Quality != a.Quality || v.Heat != a.Heat ||
				v.Published != a.Published || !slices.Equal(v.Topics, a.Topics) {
				t.Errorf("yaml.v3 reads %+v, %v", v, err)
			}
			// A YAML 1.1 reader reads every plain topic as a string.
			for _, n := range topicNodes(t, raw) {
				if n.Style == 0 && yaml11Resolve(n.Value) != tagStr {
					t.Errorf("plain topic %q is %s to YAML 1.1", n.Value, yaml11Resolve(n.Value))
				}
			}
		})
	}
}

// topicNodes are the item nodes of the topics list of an article file.
func topicNodes(t *testing.T, raw []byte) []*yaml.Node {
	t.Helper()
	d, err := parseDoc(raw)
	if err != nil {
		t.Fatal(err)
	}
	_, v := lookup(d.root, "topics")
	if v = deref(v); v == nil {
		return nil
	}
	var out []*yaml.Node
	for _, n := range v.Content {
		out = append(out, deref(n))
	}
	return out
}

// allReadersTopics are topics that YAML readers can read as something
// else when written plain.
var allReadersTopics = []string{
	"NO", "Yes", "yes", "y", "n", "ON", "off", "3.10", "12:30", "1:30.5", "=", "~", "null", "<<", "1_000", "0o12", "0x1F",
	"017", "2001-12-14", "2001-12-14 21:59:43.10 -5", "? x", "?x", "a?b", "a ?b", "x?", "a: b", "a:", ":a", "-", "- x", "-x",
	"'", `"`, "#x", "a #b", "C#", "[x]", "{x}", "a, b", "a,b", " x", "x ", "&a", "*a", "!a", "%a", "@a", "`a", "|a", ">a",
	"Ünïcödé", "日本語", "😀 emoji", "עברית", "x\u2028y", "a\u0085b", "\u00a0nbsp",
	strings.Repeat("x", 64), strings.Repeat("é", 63) + "?", "AI in Healthcare",
}

// TestEncodeStringReadsBackInEveryReader: whatever encodeString writes,
// in a block or a flow list, yaml.v3 reads back as the same string and a
// YAML 1.1 reader reads as a string (quoted, or plain and resolved to str).
func TestEncodeStringReadsBackInEveryReader(t *testing.T) {
	for _, s := range allReadersTopics {
		for _, flow := range []bool{false, true} {
			enc := encodeString(s, flow)
			doc := "k:\n  - " + enc + "\n"
			if flow {
				doc = "k: [" + enc + "]\n"
			}
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
				t.Errorf("%q (flow %t): %q does not parse: %v", s, flow, doc, err)
				continue
			}
			items := n.Content[0].Content[1].Content
			if len(items) != 1 || !isStr(items[0]) || items[0].Value != s {
				t.Errorf("%q (flow %t): %q reads back as %d items, %+v", s, flow, doc, len(items), items)
				continue
			}
			if items[0].Style == 0 && yaml11Resolve(s) != tagStr {
				t.Errorf("%q (flow %t): written plain, but YAML 1.1 reads %s", s, flow, yaml11Resolve(s))
			}
		}
	}
	for _, s := range []string{"AI in Healthcare", "Energy", "Ünïcödé", "-x", "C#"} {
		if got := encodeString(s, false); got != s {
			t.Errorf("plain text %q got quoted: %s", s, got)
		}
	}
}

// TestPatchNorwayBlock: the field report's topics written by Patch read
// back the same in yaml.v3 and pass the import's YAML 1.1 check.
func TestPatchNorwayBlock(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpus, "valid", "norway_block.md"))
	if err != nil {
		t.Fatal(err)
	}
	topics := []string{"NO", "Yes", "3.10", "12:30", "="}
	for _, in := range [][]byte{raw, []byte(strings.Replace(string(raw), "topics:\n  - Fisheries", "topics: [Fisheries]", 1))} {
		out, err := Patch(in, Changes{Topics: topics, SetTopics: true})
		if err != nil {
			t.Fatal(err)
		}
		a, err := Parse("norway_block.md", out)
		if err != nil || !slices.Equal(a.Topics, topics) {
			t.Errorf("patched file: %v, %v\n%s", a, err, out)
		}
		for _, n := range topicNodes(t, out) {
			if n.Style == 0 {
				t.Errorf("topic %q written plain:\n%s", n.Value, out)
			}
		}
	}
}

// TestTopicRules: the one rule for a topic and for a list.
func TestTopicRules(t *testing.T) {
	tests := []struct {
		topic, reason string
	}{
		{"AI", ""},
		{" spaced ", ""},
		{strings.Repeat("é", MaxTopicLength), ""},
		{"para\u2029graph", ""},
		{"", "is empty"},
		{"   ", "is empty"},
		{strings.Repeat("x", MaxTopicLength+1), "is 65 characters long; the limit is 64"},
		{"a\nb", "contains a control character (U+000A); a topic is one line of text"},
		{"a\tb", "contains a control character (U+0009)"},
		{"a\x7fb", "contains a control character (U+007F)"},
		{"a\u0085b", "contains a control character (U+0085)"},
		{"\xff", "is not valid UTF-8 text"},
	}
	for _, tt := range tests {
		err := CheckTopic(tt.topic)
		var te *TopicError
		switch {
		case tt.reason == "" && err != nil:
			t.Errorf("CheckTopic(%q) = %v, want nil", tt.topic, err)
		case tt.reason != "" && (!errors.As(err, &te) || !strings.HasPrefix(te.Reason, tt.reason) || te.Topic != tt.topic):
			t.Errorf("CheckTopic(%q) = %v, want %q", tt.topic, err, tt.reason)
		}
	}
	if err := CheckTopic("a\nb"); err == nil || err.Error() != `topic "a\nb" contains a control character (U+000A); a topic is one line of text` {
		t.Errorf("TopicError text: %v", err)
	}
	if CheckTopicCount(MaxTopics) != nil {
		t.Error("MaxTopics topics refused")
	}
	if err := CheckTopicCount(MaxTopics + 1); err == nil || err.Error() != "too many topics: 21, at most 20" {
		t.Errorf("CheckTopicCount(21) = %v", err)
	}
	inputs := []struct {
		in       string
		optional bool
		reason   string
	}{
		{"AI", false, ""},
		{" AI \n\nHealth\r\n", false, ""},
		{"", true, ""},
		{"  \n ", true, ""},
		{"", false, "is empty: type a topic, or tick Remove"},
		{"\n", false, "is empty: type a topic, or tick Remove"},
		{"ok\n" + strings.Repeat("x", 65), false, "is 65 characters long; the limit is 64"},
		{"a\x00b", true, "contains a control character (U+0000)"},
	}
	for _, tt := range inputs {
		err := CheckTopicInput(tt.in, tt.optional)
		var te *TopicError
		if (tt.reason == "") != (err == nil) || err != nil && (!errors.As(err, &te) || !strings.HasPrefix(te.Reason, tt.reason)) {
			t.Errorf("CheckTopicInput(%q, %t) = %v, want %q", tt.in, tt.optional, err, tt.reason)
		}
	}
}

// TestImportedTopicsPassTheForm: whatever topics import accepts, the review
// form accepts as they are shown (one field each), so an article that
// imports can always be saved with only a quality change; and what the
// form refuses, import refuses too, naming the topic's line and position.
func TestImportedTopicsPassTheForm(t *testing.T) {
	twenty := make([]string, MaxTopics)
	for i := range twenty {
		twenty[i] = "t" + strconv.Itoa(i)
	}
	lists := [][]string{
		{"Energy", "energy", "ENERGY", "Climate"},
		twenty,
		{strings.Repeat("é", MaxTopicLength), " spaced ", "日本語", "para\u2029graph"},
		{"yes", "=", "12:30", "a: b", "#x", "- x"},
	}
	for _, topics := range lists {
		enc := make([]string, len(topics))
		for i, tp := range topics {
			enc[i] = "  - " + doubleQuote(tp)
		}
		a, err := Parse("f.md", fm("topics:\n"+strings.Join(enc, "\n")))
		if err != nil || !slices.Equal(a.Topics, topics) {
			t.Errorf("import of %q: %v, %v", topics, a, err)
			continue
		}
		for _, tp := range a.Topics {
			if err := CheckTopicInput(tp, false); err != nil {
				t.Errorf("form refuses imported topic %q: %v", tp, err)
			}
		}
		if _, err := NormalizeTopics(a.Topics); err != nil {
			t.Errorf("form refuses imported topics %q: %v", a.Topics, err)
		}
	}

	refused := []struct {
		name, raw string
		line      int
		reason    string
	}{
		{"empty string", `topics: [AI, ""]`, 3, `topic 2 "" is empty`},
		{"blank string", "topics:\n  - AI\n  - '  '", 5, `topic 2 "  " is empty`},
		{"too long", "topics:\n  - " + strings.Repeat("x", 65), 4, "topic 1 \"xxxxxxxxxxxxxxxxxxxx…\" is 65 characters long; the limit is 64"},
		{"newline in a quoted topic", `topics: ["a\nb"]`, 3, `topic 1 "a\nb" contains a control character (U+000A)`},
		{"tab in a quoted topic", "topics:\n  - \"a\\tb\"", 4, "topic 1 \"a\\tb\" contains a control character (U+0009)"},
		{"block scalar topic", "topics:\n  - |\n    two\n    lines", 4, "contains a control character (U+000A)"},
		{"too many", "topics: [" + strings.Repeat("a, ", MaxTopics) + "a]", 3, "too many topics: 21, at most 20"},
		{"case duplicates count", "topics:\n" + strings.Repeat("  - a\n  - A\n", 11), 3, "too many topics: 22, at most 20"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.md", fm(tt.raw))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got %v, want line %d: %q", err, tt.line, tt.reason)
			}
		})
	}
}

// TestHugeTopicListRefusedQuickly: a 4 MiB file of 430,000 topics is
// refused by its count, before any topic is checked. The bound is loose
// (a shared machine); the work is one YAML parse.
func TestHugeTopicListRefusedQuickly(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: Big\ntopics:\n")
	for i := range 430000 {
		b.WriteString("- t" + strconv.FormatInt(int64(i), 36) + "x\n")
	}
	b.WriteString("---\n")
	raw := []byte(b.String())
	if len(raw) > DefaultMaxFileSize {
		t.Fatalf("%d bytes: over the default limit", len(raw))
	}
	start := time.Now()
	_, err := Parse("big.md", raw)
	took := time.Since(start)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Reason != "too many topics: 430000, at most 20" {
		t.Errorf("got %v", err)
	}
	t.Logf("%d bytes refused in %v", len(raw), took)
	if took > 20*time.Second {
		t.Errorf("took %v", took)
	}
}

// A topic's length counts characters as a reader sees them: the NFD form
// a Mac sends (e + combining accent) counts like the NFC one.
func TestTopicLengthCountsNFCCharacters(t *testing.T) {
	nfd := strings.Repeat("e\u0301", MaxTopicLength)
	if err := CheckTopic(nfd); err != nil {
		t.Errorf("%d NFD characters refused: %v", MaxTopicLength, err)
	}
	if err := CheckTopic(nfd + "e\u0301"); err == nil {
		t.Errorf("%d characters accepted", MaxTopicLength+1)
	}
}
