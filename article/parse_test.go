package article

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const corpus = "../testdata/articles"

func readCorpus(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpus, dir, "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files in %s: %v", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

func TestParseSeed(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpus, "valid", "seed_000_6ef551387f7f8ea7.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse("000_6ef551387f7f8ea7.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	url := "https://www.digitalhealth.net/2022/11/nhs-report-calls-for-artificial-intelligence-training-for-all-staff/"
	want := &Article{
		Key:         "000_6ef551387f7f8ea7",
		FileName:    "000_6ef551387f7f8ea7.txt",
		Category:    "news",
		Title:       "NHS report calls for artificial intelligence training for all staff",
		Excerpt:     "A report from NHS AI Lab and HEE is recommending that all healthcare staff working in the NHS receive training in artificial intelligence.",
		PublishedAt: time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC),
		OriginalURL: url,
		WebURL:      url,
		Type:        "article",
		Heat:        66,
		Provider:    Provider{Name: "Digital Health", Domain: "digitalhealth.net"},
		Images: []Image{{
			URL:   "https://www.digitalhealth.net/wp-content/uploads/2022/10/AI-for-NHS-staff-1.jpg",
			Width: 555, Height: 330, IsCached: true,
		}},
		Related: []Related{{
			Title:       "All NHS staff should have basic AI training, says report",
			Excerpt:     "A report by the NHS AI Lab and Health Education England calls for all health and care staff to receive training in artificial intelligence as the technology will be increasingly adopted in healthcare practice.",
			PublishedAt: time.Date(2022, 11, 3, 7, 53, 0, 0, time.UTC),
			WebURL:      "https://www.computerweekly.com/news/252526876/All-NHS-staff-should-have-basic-AI-training-says-report",
			Type:        "article",
			Provider:    Provider{Name: "Computer Weekly", Domain: "computerweekly.com"},
			Quality:     41,
		}},
		HasSecured: true,
		Body:       "\n",
		Quality:    56,
		HasQuality: true,
		Published:  false,
		Topics:     []string{"AI Ethics", "AI", "AI in Healthcare"},
		Raw:        raw,
	}
	if !a.PublishedAt.Equal(want.PublishedAt) || !a.Related[0].PublishedAt.Equal(want.Related[0].PublishedAt) {
		t.Errorf("dates: got %v, %v", a.PublishedAt, a.Related[0].PublishedAt)
	}
	a.PublishedAt, a.Related[0].PublishedAt = want.PublishedAt, want.Related[0].PublishedAt
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got\n%+v\nwant\n%+v", a, want)
	}
	if &a.Raw[0] != &raw[0] {
		t.Error("Raw is not the slice passed in")
	}
}

// validCases lists every file of testdata/articles/valid with what Parse
// must read from it; a file missing here fails the test.
var validCases = map[string]struct {
	key        string
	title      string
	quality    int
	hasQuality bool
	published  bool
	topics     []string
	body       string // checked when not "-"
}{
	"seed_000_6ef551387f7f8ea7.txt": {"seed_000_6ef551387f7f8ea7", "NHS report calls for artificial intelligence training for all staff", 56, true, false, []string{"AI Ethics", "AI", "AI in Healthcare"}, "\n"},
	"crlf.md":                       {"crlf", "NHS report calls for artificial intelligence training for all staff", 56, true, false, []string{"AI Ethics", "AI", "AI in Healthcare"}, "\r\nBody line one.\r\n\r\n---\r\n\r\nAfter a rule.\r\n"},
	"bom.md":                        {"bom", "File with a byte order mark", 12, true, true, []string{"BOM"}, "Body.\n"},
	"comments.md":                   {"comments", "Comments everywhere", 40, true, false, []string{"AI", "Health"}, "Body with # a hash.\n"},
	"flow.yaml":                     {"flow", "Flow style collections", 70, true, true, []string{"AI", "Machine Learning", "quoted, comma"}, ""},
	"flow_multiline.md":             {"flow_multiline", "Flow list over lines", 5, true, false, []string{"alpha", "beta", "gamma"}, ""},
	"unindented.markdown":           {"unindented", "Unindented block sequences", 33, true, false, []string{"Science", "Space"}, "# Heading\n\nText.\n"},
	"anchors.yml":                   {"anchors", "Anchors and aliases", 60, true, false, []string{"AI", "Ethics"}, ""},
	"unknown_keys.md":               {"unknown_keys", "Unknown keys are kept", 10, true, false, nil, ""},
	"body_dashes.md":                {"body_dashes", "Body holding fences", 20, true, false, nil, "Intro.\n\n---\n\nA thematic break above, and a fake front matter below:\n\n---\ntitle: not front matter\n---\n...\nEnd.\n"},
	"no_final_newline.md":           {"no_final_newline", "No final newline", 1, true, false, []string{"End"}, "Last line without newline"},
	"no_final_newline_fence.md":     {"no_final_newline_fence", "Fence is the last line", 0, false, true, nil, ""},
	"long_values.md":                {"long_values", "Long values", 99, true, false, []string{strings.Repeat("x", 64)}, "-"},
	"unicode.md":                    {"unicode", "人工智能 — 医療 🩺 and עברית ו-عربي", 77, true, false, []string{"人工智能", "🤖 Robots", "עברית", "العربية", "Ünïcödé"}, "本文 🙂\n"},
	"minimal.md":                    {"minimal", "Only a title", 0, false, false, nil, ""},
	"odd_order.md":                  {"odd_order", "Keys in odd order", 0, true, true, []string{"Late", "Early"}, ""},
	"folded_literal.md":             {"folded_literal", "A folded title over two lines", 50, true, false, []string{"Folded"}, ""},
	"quoted_keys.md":                {"quoted_keys", "Quoted keys", 45, true, false, []string{"Quoted", "Keys"}, ""},
	"topics_empty.md":               {"topics_empty", "Empty topics", 8, true, false, []string{}, ""},
	"closing_dots.txt":              {"closing_dots", "Closed with dots", 2, true, false, nil, "Body after dots.\n"},
	"tags.md":                       {"tags", "Explicit tags", 64, true, true, []string{"tagged"}, ""},
	"alias_values.md":               {"alias_values", "Values that are aliases", 30, true, true, []string{"Shared", "Topics"}, ""},
	"indented_root.md":              {"indented_root", "Indented root mapping", 5, true, false, []string{"One"}, ""},
	"line_separators.md":            {"line_separators", "Line\u2028separator inside", 3, true, false, []string{"para\u2029graph", "plain"}, "Body\u2028with LS.\n"},
	"norway_block.md":               {"norway_block", "Nordic ministers meet on fisheries quotas", 62, true, false, []string{"Fisheries"}, ""},
	"topics_case_dupes.md":          {"topics_case_dupes", "Regional grid adds battery storage site", 48, true, false, []string{"Energy", "energy", "Climate"}, "Body.\n"},
	"nfd_filename.md":               {"nfd_filename", "Caf\u00e9 owners welcome the new market hall", 44, true, false, nil, "Body.\n"},
}

func TestParseValidCorpus(t *testing.T) {
	for name, raw := range readCorpus(t, "valid") {
		t.Run(name, func(t *testing.T) {
			want, ok := validCases[name]
			if !ok {
				t.Fatalf("corpus file %s has no entry in validCases", name)
			}
			a, err := Parse(name, raw)
			if err != nil {
				t.Fatal(err)
			}
			if a.Key != want.key || a.FileName != name || a.Title != want.title {
				t.Errorf("key, file, title = %q, %q, %q", a.Key, a.FileName, a.Title)
			}
			if a.Quality != want.quality || a.HasQuality != want.hasQuality || a.Published != want.published {
				t.Errorf("quality %d (%t), published %t", a.Quality, a.HasQuality, a.Published)
			}
			if !slices.Equal(a.Topics, want.topics) || (a.Topics == nil) != (want.topics == nil) {
				t.Errorf("topics %q, want %q", a.Topics, want.topics)
			}
			if want.body != "-" && a.Body != want.body {
				t.Errorf("body %q, want %q", a.Body, want.body)
			}
			if string(a.Raw) != string(raw) {
				t.Error("Raw differs from the input")
			}
		})
	}
	if got := len(readCorpus(t, "valid")); got != len(validCases) {
		t.Errorf("%d valid files, %d cases", got, len(validCases))
	}
}

func TestParseFieldDetails(t *testing.T) {
	files := readCorpus(t, "valid")
	parse := func(name string) *Article {
		a, err := Parse(name, files[name])
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := parse("anchors.yml")
	if a.Provider != (Provider{"Shared Provider", "shared.example"}) {
		t.Errorf("provider through alias: %+v", a.Provider)
	}
	if len(a.Related) != 2 || a.Related[0].Title != "Anchors and aliases" || a.Related[0].Quality != 41 ||
		a.Related[0].Type != "article" || a.Related[0].Provider.Name != "Shared Provider" ||
		a.Related[1].Quality != 7 || a.Related[1].Type != "article" {
		t.Errorf("related through merge keys: %+v", a.Related)
	}
	a = parse("flow.yaml")
	if a.Provider.Domain != "flow.example" || len(a.Images) != 1 || a.Images[0].Height != 20 || a.Heat != 3 {
		t.Errorf("flow collections: %+v %+v", a.Provider, a.Images)
	}
	a = parse("tags.md")
	if a.Heat != 31 {
		t.Errorf("heat !!int 31 = %d", a.Heat)
	}
	a = parse("odd_order.md")
	if want := time.Date(2023, 1, 2, 1, 4, 5, 0, time.UTC); !a.PublishedAt.Equal(want) || !a.HasSecured {
		t.Errorf("publishedDateTime %v, secured %t", a.PublishedAt, a.HasSecured)
	}
	a = parse("folded_literal.md")
	if a.Excerpt != "Literal excerpt\n  keeps its indentation\n\nand blank lines.\n" {
		t.Errorf("literal excerpt %q", a.Excerpt)
	}
	a = parse("minimal.md")
	if !a.PublishedAt.IsZero() || a.HasSecured || a.Images != nil {
		t.Errorf("absent fields: %+v", a)
	}
	a, err := Parse("x.md", []byte("---\ntitle: T\npublishedDateTime: last tuesday\n---\n"))
	if err != nil || !a.PublishedAt.IsZero() {
		t.Errorf("unparseable date must read as zero: %v %v", a, err)
	}
}

// invalidCases lists every file of testdata/articles/invalid with the
// reason and the file line Parse must report (0: no line).
var invalidCases = map[string]struct {
	line    int
	reason  string
	maxSize int64
}{
	"unclosed_fence.md":       {1, `front-matter fence "---" is never closed`, 0},
	"no_fence.md":             {1, `must start with a front-matter fence`, 0},
	"yaml_syntax.md":          {6, "invalid YAML: did not find expected key", 0},
	"title_list.md":           {2, "title must be a non-empty string, got a list", 0},
	"title_missing.md":        {0, "title is missing", 0},
	"title_empty.md":          {3, "title must not be empty", 0},
	"topics_string.md":        {3, `topics must be a list of strings, got string "AI"`, 0},
	"topics_item_int.md":      {5, "topic 2 must be a string, got 2024", 0},
	"published_yes_string.md": {3, `published must be true or false, got string "yes"`, 0},
	"published_yes_plain.md":  {3, `published must be true or false, got string "yes"`, 0},
	"heat_negative.md":        {3, "heat must be an integer >= 0, got -4", 0},
	"quality_150.md":          {7, "quality must be an integer from 0 to 100, got 150", 0},
	"quality_negative.md":     {3, "quality must be an integer from 0 to 100, got -1", 0},
	"quality_float.md":        {3, "quality must be an integer from 0 to 100, got 5.5", 0},
	"quality_string.md":       {3, `quality must be an integer from 0 to 100, got string "56"`, 0},
	"empty.md":                {0, "file is empty", 0},
	"bom_only.md":             {0, "file is empty", 0},
	"binary.md":               {3, "binary file", 0},
	"latin1.md":               {2, "not valid UTF-8", 0},
	"duplicate_keys.md":       {5, `duplicate key "quality" (first at line 3)`, 0},
	"duplicate_nested.md":     {5, `duplicate key "name" (first at line 4)`, 0},
	"alias_bomb.md":           {0, "too much alias expansion", 0},
	"alias_cycle.md":          {3, "anchor &l contains an alias to itself", 0},
	"fm_list.md":              {2, "front matter must be a YAML mapping (key: value), got a list", 0},
	"fm_scalar.md":            {2, `front matter must be a YAML mapping (key: value), got string "just a string"`, 0},
	"fm_empty.md":             {2, "front matter is empty", 0},
	"second_document.md":      {3, "front matter must be one YAML document", 0},
	"merge_not_map.md":        {3, "merge key << needs a mapping", 0},
	"oversized.md":            {0, "file is 353 bytes, more than the limit of 100 bytes", 100},
	"quality_leading_zero.md": {4, "quality must be written as a plain decimal number, got 010 (a leading zero makes it octal to YAML readers)", 0},
	"tab_indented_topics.md":  {6, "a tab is used for indentation; YAML allows only spaces", 0},
	"topic_empty_string.md":   {7, `topic 2 "" is empty`, 0},
	"utf16_notepad.md":        {0, "file is UTF-16 (little-endian): save it as UTF-8", 0},
	"cr_only.md":              {1, "file uses CR-only line endings; save it with LF or CRLF", 0},
}

func TestParseInvalidCorpus(t *testing.T) {
	files := readCorpus(t, "invalid")
	for name := range files {
		t.Run(name, func(t *testing.T) {
			want, ok := invalidCases[name]
			if !ok {
				t.Fatalf("corpus file %s has no entry in invalidCases", name)
			}
			a, err := ReadFile(filepath.Join(corpus, "invalid", name), want.maxSize)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, %v; want a *ParseError", a, err)
			}
			if pe.File != name || !strings.Contains(pe.Reason, want.reason) || (want.line > 0 && pe.Line != want.line) || (want.line == 0 && pe.Line != 0 && want.reason != "too much alias expansion") {
				t.Errorf("got %q (line %d), want line %d and %q", err, pe.Line, want.line, want.reason)
			}
		})
	}
	if len(files) != len(invalidCases) {
		t.Errorf("%d invalid files, %d cases", len(files), len(invalidCases))
	}
}

func TestParseErrorLinesCountFromFileStart(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		line int
	}{
		{"lf", "---\ntitle: T\nquality: 101\n---\n", 3},
		{"crlf", "---\r\ntitle: T\r\nquality: 101\r\n---\r\n", 3},
		{"bom", "\ufeff---\ntitle: T\n\nquality: 101\n---\n", 4},
		{"line separator in a value", "---\ntitle: \"a\u2028b\"\nquality: 101\n---\n", 3}, // YAML counts U+2028 as a line break, editors do not
		{"flow not closed", "---\ntitle: T\nx: [1, 2\n---\n", 3},
		{"block mapping", "---\ntitle: T\nx: 1\n y: 2\n---\n", 4},
		{"parser error on the first line", "---\n- a\nb: c\n---\n", 3},
		{"scanner error", "---\ntitle: T\nx: @foo\n---\n", 3},
		{"control character", "---\ntitle: T\n\nx: \"a\x01\"\n---\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.md", []byte(tt.raw))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line {
				t.Errorf("got %v, want line %d", err, tt.line)
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{"abc.md", 7, "quality must be an integer from 0 to 100, got 150"}, "abc.md: line 7: quality must be an integer from 0 to 100, got 150"},
		{ParseError{"abc.md", 0, "file is empty"}, "abc.md: file is empty"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	_, err := Parse("abc.md", []byte("---\ntitle: T\n\n\n\n\nquality: 150\n---\n"))
	if err == nil || err.Error() != "abc.md: line 7: quality must be an integer from 0 to 100, got 150" {
		t.Errorf("got %v", err)
	}
}

func TestParseKey(t *testing.T) {
	tests := map[string]string{
		"abc.md": "abc", "abc.markdown": "abc", "abc.txt": "abc", "abc.yaml": "abc", "abc.yml": "abc",
		"abc.html": "abc", "a.b.md": "a.b", "noext": "noext", ".md": ".md",
	}
	for name, want := range tests {
		a, err := Parse(name, []byte("---\ntitle: T\n---\n"))
		if err != nil || a.Key != want || a.FileName != name {
			t.Errorf("%s: key %q, err %v; want %q", name, a.Key, err, want)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name, raw, reason string
	}{
		{"title a number", "---\ntitle: 1984\n---\n", "title must be a non-empty string, got 1984"},
		{"title blank", "---\ntitle: '  '\n---\n", "title must not be empty"},
		{"title null", "---\ntitle:\n---\n", "got null"},
		{"quality null", "---\ntitle: T\nquality: ~\n---\n", "got null"},
		{"quality too big for int64", "---\ntitle: T\nquality: 99999999999999999999\n---\n", "quality must be"},
		{"topics null", "---\ntitle: T\ntopics:\n---\n", "topics must be a list of strings, got null"},
		{"topic a list", "---\ntitle: T\ntopics: [[a]]\n---\n", "topic 1 must be a string, got a list"},
		{"published 1", "---\ntitle: T\npublished: 1\n---\n", "published must be true or false, got 1"},
		{"alias key", "---\nk: &k title\ntitle: T\n*k : x\n---\n", "top-level key must be plain text"},
		{"list key", "---\ntitle: T\n? [a]\n: b\n---\n", "a key must be a scalar"},
		{"unknown alias", "---\ntitle: *nope\n---\n", "invalid YAML"},
		{"dup after alias", "---\ntitle: T\nx: &x {a: 1, a: 2}\n---\n", "duplicate key"},
		{"second doc dots", "---\ntitle: T\n... more\n---\n", "one YAML document"},
		{"no newline after fence", "---", "never closed"},
		{"tab indentation", "---\ntitle: T\nprovider:\n\tname: x\n---\n", "line 4: a tab is used for indentation; YAML allows only spaces"},
		{"control character", "---\ntitle: \"a\x01b\"\n---\n", "invalid YAML"},
		{"escaped NUL in the title", "---\ntitle: \"a\\0b\"\n---\n", "line 2: title contains a control character (U+0000)"},
		{"escaped bell in the title", "---\ntitle: \"a\\x07\"\n---\n", "title contains a control character (U+0007)"},
		{"bom in the middle", "---\ntitle: T\ufeff\n---\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("f.md", []byte(tt.raw))
			if tt.reason == "" { // only must not panic
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("got %+v, %v; want %q", a, err, tt.reason)
			}
		})
	}
}

// billionLaughs builds an alias bomb with the given number of levels of
// nine aliases each: 9^levels nodes once expanded.
func billionLaughs(levels int, where string) []byte {
	var b strings.Builder
	b.WriteString("---\ntitle: Bomb\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 9), ","))
	}
	fmt.Fprintf(&b, "%s: *l%d\n---\n", where, levels)
	return []byte(b.String())
}

// TestAliasBombRefused needs no timer: a parser that expanded 9^20 nodes
// would never return, and the test binary's timeout would fail it.
func TestAliasBombRefused(t *testing.T) {
	for _, where := range []string{"unknown", "topics", "provider", "related", "images"} {
		for _, levels := range []int{4, 9, 20} {
			_, err := Parse("bomb.md", billionLaughs(levels, where))
			if levels > 4 && (err == nil || !strings.Contains(err.Error(), "too much alias expansion")) {
				t.Errorf("%s, %d levels: got %v", where, levels, err)
			}
		}
	}
}

// TestYAMLLibraryAliasBehaviour pins what the design relies on: decoding
// into yaml.Node expands nothing (so it is safe and cheap on a bomb), and
// the walk in checkTree refuses exactly what decoding into Go values
// refuses, so files Parse accepts decode in other YAML readers too.
func TestYAMLLibraryAliasBehaviour(t *testing.T) {
	bomb := billionLaughs(9, "x")
	fm := bomb[4 : len(bomb)-4]
	var n yaml.Node
	if err := yaml.Unmarshal(fm, &n); err != nil {
		t.Fatalf("node decoding expanded the bomb or failed: %v", err)
	}
	var v map[string]any
	if err := n.Decode(&v); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("yaml.v3 Node.Decode into Go values: %v", err)
	}
	if err := checkTree(&n); err == nil {
		t.Error("checkTree accepted the bomb")
	}
	// Just under the limit: a modest amount of aliasing is accepted by both.
	mild := billionLaughs(2, "x")
	if _, err := Parse("mild.md", mild); err != nil {
		t.Errorf("mild aliasing refused: %v", err)
	}
	if err := yaml.Unmarshal(mild[4:len(mild)-4], &v); err != nil {
		t.Errorf("yaml.v3 refused mild aliasing: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(corpus, "valid", "seed_000_6ef551387f7f8ea7.txt")
	a, err := ReadFile(seed, 0)
	if err != nil || a.FileName != "seed_000_6ef551387f7f8ea7.txt" || a.Quality != 56 {
		t.Fatalf("ReadFile(seed): %v, %v", a, err)
	}
	big := filepath.Join(dir, "big.md")
	if err := os.WriteFile(big, append([]byte("---\ntitle: Big\n---\n"), make([]byte, DefaultMaxFileSize)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(big, 0)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "big.md" || !strings.Contains(pe.Reason, fmt.Sprintf("more than the limit of %d bytes", DefaultMaxFileSize)) {
		t.Errorf("default limit: %v", err)
	}
	if _, err := ReadFile(seed, 2292); err != nil {
		t.Errorf("a file exactly at the limit is refused: %v", err)
	}
	if _, err := ReadFile(seed, 2291); !errors.As(err, &pe) {
		t.Errorf("a file one byte over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.md"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(dir, 0); !errors.As(err, &pe) || !strings.Contains(pe.Reason, "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

// A tab or a line break in a title, even escaped, is text, not a control
// character to refuse.
func TestTitleKeepsTabsAndLineBreaks(t *testing.T) {
	a, err := Parse("f.md", []byte("---\ntitle: \"a\\tb\\nc\"\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "a\tb\nc" {
		t.Errorf("title %q, want \"a\\tb\\nc\"", a.Title)
	}
}
