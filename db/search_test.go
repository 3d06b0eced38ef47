package db

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"   \t\n ", ""},
		{"nhs", `"nhs"*`},
		{"NHS report", `"NHS" "report"*`},
		{`say "hi"`, `"say" """hi"""*`},
		{`"`, ``},
		{`""""`, ``},
		{"a AND b", `"a" "AND" "b"*`},
		{"NOT x OR y", `"NOT" "x" "OR" "y"*`},
		{"(x", `"(x"*`},
		{"x*", `"x*"*`},
		{"*", ""},
		{"title:nhs", `"title:nhs"*`},
		{"title:", `"title:"*`},
		{"-x", `"-x"*`},
		{"^x NEAR(a b)", `"^x" "NEAR(a" "b)"*`},
		{"'; DROP TABLE articles; --", `"DROP" "TABLE" "articles;"*`},
		{"a\x00b", `"a" "b"*`},
		{"caf\xe9 \xff\xfe", `"caf"*`},
		{"Ökonomie", `"Ökonomie"*`},
		{"x -- y", `"x" "y"*`},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	long := ftsQuery(strings.Repeat("word ", 5000))
	if n := strings.Count(long, `"word"`); n != maxFTSTerms {
		t.Errorf("long input gave %d terms, want %d", n, maxFTSTerms)
	}
	if got := ftsQuery(strings.Repeat("é", 10_000)); len(got) > maxFTSTermBytes+3 || !strings.HasSuffix(got, `"*`) {
		t.Errorf("long term not cut at a rune boundary: %d bytes", len(got))
	}
}

// hostileSearches are search-box inputs that must never cause an error.
var hostileSearches = []string{
	`"`, `""`, `"unbalanced`, `AND`, `OR`, `NOT`, `a AND`, `AND OR NOT`, `(`, `)`, `(a OR b`,
	`*`, `a*`, `*a`, `title:`, `title:nhs`, `:`, `-`, `-a`, `^`, `^title`, `+`, `NEAR(`, `NEAR(a b, 2)`,
	`{title excerpt}: x`, `'; DROP TABLE articles; --`, `' OR 1=1 --`, `%`, `_`, `\`, "a\x00b",
	"\xff\xfe\xfd", "caf\xe9", "\u202e\u200b", "🙂 emoji", strings.Repeat("x", 10<<10),
	strings.Repeat("a ", 5<<10), strings.Repeat(`"`, 10<<10), strings.Repeat("(", 1000),
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)
	a.Title, a.Excerpt = "NHS report calls for artificial intelligence training", "Café owners say “hi”"
	a.Provider.Name, a.Topics = "Digital Health", []string{"AI in Healthcare"}
	a.Raw = renderRaw(a)
	mustImport(t, s, append(genArticles(40)[2:], a)...)
	found := func(text string) []string {
		t.Helper()
		p, err := s.List(ctx, ListQuery{Text: text, Limit: 200})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		var keys []string
		for _, it := range p.Items {
			keys = append(keys, it.Key)
		}
		return keys
	}
	for _, text := range []string{"nhs", "NHS REPORT", "artif", "cafe", "digital health", "healthcare", "  nhs   training  "} {
		if keys := found(text); !slices.Contains(keys, a.Key) {
			t.Errorf("search %q did not find the article: %v", text, keys)
		}
	}
	for _, text := range []string{"nhs zebra", "zebra"} {
		if keys := found(text); len(keys) != 0 {
			t.Errorf("search %q found %v, want nothing", text, keys)
		}
	}
	for _, text := range hostileSearches {
		found(text) // must not fail
	}
}

func TestSearchFollowsEditsAndImports(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)
	a.Title, a.Topics = "Old headline", []string{"Gardening"}
	a.Raw = renderRaw(a)
	mustImport(t, s, a)
	hits := func(text string) int {
		t.Helper()
		p, err := s.List(ctx, ListQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	if hits("gardening") != 1 || hits("headline") != 1 {
		t.Fatal("fresh import not searchable")
	}

	r := mustGetByKey(t, s, a.Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "alice", Topics: []string{"Beekeeping"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	if hits("gardening") != 0 || hits("beekeeping") != 1 {
		t.Error("FTS not in step with the editor's topics")
	}

	next := *a
	next.Title, next.Topics = "Fresh headline", []string{"Orchards"}
	next.Raw = renderRaw(&next)
	mustImport(t, s, &next)
	if hits("old") != 0 || hits("fresh") != 1 {
		t.Error("FTS not in step with the upstream title")
	}
	// The editor's topics stay the effective ones, in FTS too.
	if hits("orchards") != 0 || hits("beekeeping") != 1 {
		t.Error("FTS topics are not the effective ones after an upstream update")
	}
	if n := countRows(t, s, "articles_fts"); n != 1 {
		t.Errorf("articles_fts has %d rows, want 1", n)
	}
}

func TestSearchWithOtherFilters(t *testing.T) {
	s, _ := listFixture(t, 80)
	p, err := s.List(context.Background(), ListQuery{Text: "report", Status: article.StatusApproved, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range p.Items {
		if it.Status != article.StatusApproved {
			t.Errorf("item %d status %s", it.ID, it.Status)
		}
	}
	if p.Counts[article.StatusApproved] != p.Total {
		t.Errorf("counts %v total %d", p.Counts, p.Total)
	}
}

// FuzzFTSQuery runs whatever ftsQuery builds against a real FTS5 table:
// no input may make MATCH fail.
func FuzzFTSQuery(f *testing.F) {
	for _, s := range hostileSearches {
		f.Add(s)
	}
	s := newStore(f)
	mustImport(f, s, genArticles(20)...)
	f.Fuzz(func(t *testing.T, text string) {
		q := ftsQuery(text)
		if q == "" {
			return
		}
		var n int
		err := s.r.QueryRow(`SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?`, q).Scan(&n)
		if err != nil {
			t.Fatalf("ftsQuery(%q) = %q: %v", text, q, err)
		}
	})
}
