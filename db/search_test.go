package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
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
		{"NHS report", `"nhs" "report"*`},
		{"NHS report ", `"nhs" "report"`},
		{"Łódź", `"lodz"*`},
		{"LODZ zurich", `"lodz" "zurich"*`},
		{"自行车", `"自行 行车"*`},
		{"自行车 ", `"自行 行车"`},
		{"自行车 计划", `"自行 行车" "计划"*`},
		{"车 计划 ", `"车"* "计划"`},
		{"车", `"车"*`},
		{"g", `"g"`},
		{"genomics t", `"genomics" "t"`},
		{"genom", `"genom"*`},
		{`"cycle lane"`, `"cycle lane"`},
		{`"cycle lane" plan`, `"cycle lane" "plan"*`},
		{`plan "cycle lane"`, `"plan" "cycle lane"`},
		{`"cycle la`, `"cycle la"*`},
		{`"cycle la `, `"cycle la"`},
		{`ab"cd"ef`, `"ab" "cd" "ef"*`},
		{`say "hi"`, `"say" "hi"`},
		{`"`, ``},
		{`""""`, ``},
		{`＂xy＂`, `"""xy"""*`}, // full-width quotes are quotes after NFKD: doubled
		{"a AND b", `"a" "and" "b"`},
		{"NOT x OR y", `"not" "x" "or" "y"`},
		{"(x", `"(x"`},
		{"(xy", `"(xy"*`},
		{"x*", `"x*"`},
		{"xy*", `"xy*"*`},
		{"*", ""},
		{"title:nhs", `"title:nhs"*`},
		{"title:", `"title:"*`},
		{"-x", `"-x"`},
		{"^x NEAR(a b)", `"^x" "near(a" "b)"`},
		{"'; DROP TABLE articles; --", `"drop" "table" "articles;"`},
		{"a\x00b", `"a" "b"`},
		{"ab\x00cd", `"ab" "cd"*`},
		{"caf\xe9 \xff\xfe", `"caf"`},
		{"Ökonomie", `"okonomie"*`},
		{"x -- y", `"x" "y"`},
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

// readerArticles are the field reports of CJK and diacritic search and
// made-up articles, by key, for the search migration's tests (the
// searches themselves are the suite's Search/FindsWhatReaderSees).
func readerArticles(t *testing.T) map[string]*article.Article {
	t.Helper()
	arts := map[string]*article.Article{}
	for _, name := range []string{"cjk_search.md", "diacritics_search.md"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "articles", "fieldreports", name))
		if err != nil {
			t.Fatal(err)
		}
		a, err := article.Parse(name, raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		arts[a.Key] = a
	}
	made := []struct{ name, title, excerpt string }{
		{"oresund", "Øresund bridge tolls rise again", "Commuters between Malmö and Copenhagen pay more."},
		{"osaka", "大阪で地下鉄の新路線が開業", "新型スマートフォンで乗車券を購入できる。"},
		{"seoul", "서울시 자전거도로 확대", "시민들은 새 도로를 환영했다."},
		{"lane", "New cycle lane opens on the harbour road", "The council says the cycle lane is finished."},
		{"apart", "Lane closures as the new bridge hosts a cycle race", "Riders cross the bridge at noon."},
		{"genomics", "Genomics trial shows promise", "A hospital study of rare diseases."},
		{"plain", "Harbour authority approves its budget", "Residents ask about parking."},
	}
	for i, m := range made {
		a := genArticle(1000 + i)
		a.Key, a.FileName = m.name, m.name+".md"
		a.Title, a.Excerpt, a.Topics = m.title, m.excerpt, []string{"Transport"}
		a.Raw = renderRaw(a)
		arts[m.name] = a
	}
	return arts
}

// The FTS table keeps one row per article through edits and upstream
// updates (what those find is the suite's Search/FollowsEditsAndImports).
func TestSearchFTSOneRowPerArticle(t *testing.T) {
	s := newStore(t)
	a := genArticle(1)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)
	if _, err := s.Update(context.Background(), r.ID, Edit{Version: r.Version, Actor: "alice", Topics: []string{"Beekeeping"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	next := *a
	next.Title, next.Topics = "Fresh headline", []string{"Orchards"}
	next.Raw = renderRaw(&next)
	mustImport(t, s, &next)
	if n := countRows(t, s, "articles_fts"); n != 1 {
		t.Errorf("articles_fts has %d rows, want 1", n)
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

// searchPlan picks the form of the full-text condition by the number of
// matches, and both forms find the same articles in the same order.
func TestSearchPlan(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	n := sparseMatches + 50
	mustImport(t, s, genArticles(n)...) // every title holds "number"
	page := func(f where) (ids []int64, plan string) {
		t.Helper()
		query := `SELECT a.id FROM articles a` + f.sql() + ` ORDER BY a.published_at DESC, a.id DESC LIMIT 51`
		rows, err := s.r.Query(query, f.args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids, explain(t, s, query, f.args...)
	}
	tests := []struct {
		text    string
		want    string // the condition searchPlan leaves
		planHas string // in EXPLAIN QUERY PLAN
		matches int
	}{
		{"number", searchFilter, "INDEX articles_newest", n}, // no sort of the matches
		{"number 7 ", sparseSearchFilter, "SEARCH a USING INTEGER PRIMARY KEY", 1},
		{"zebra", sparseSearchFilter, "SEARCH a USING INTEGER PRIMARY KEY", 0},
	}
	for _, tt := range tests {
		q := ListQuery{Text: tt.text}
		f, err := q.where(false)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		err = q.searchPlan(ctx, readTx{tx: tx}, &f, nil, 0)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(f.conds, tt.want) {
			t.Errorf("%q: conditions %q, want %q", tt.text, f.conds, tt.want)
		}
		ids, plan := page(f)
		if !strings.Contains(plan, tt.planHas) || tt.want == searchFilter && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%q: plan\n%s\nwant %q", tt.text, plan, tt.planHas)
		}
		if len(ids) != min(tt.matches, 51) {
			t.Errorf("%q: %d rows, want %d", tt.text, len(ids), min(tt.matches, 51))
		}
		other := where{conds: slices.Clone(f.conds), args: f.args}
		i := slices.Index(other.conds, tt.want)
		other.conds[i] = map[string]string{searchFilter: sparseSearchFilter, sparseSearchFilter: searchFilter}[tt.want]
		if ids2, _ := page(other); !slices.Equal(ids, ids2) {
			t.Errorf("%q: the two forms disagree: %v and %v", tt.text, ids, ids2)
		}
	}
	// Without a text search there is nothing to do.
	f, _ := ListQuery{Category: "news"}.where(false)
	before := slices.Clone(f.conds)
	tx, _ := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	defer tx.Rollback()
	if err := (ListQuery{Category: "news"}).searchPlan(ctx, readTx{tx: tx}, &f, nil, 0); err != nil || !slices.Equal(f.conds, before) {
		t.Errorf("searchPlan without text: %v, %q", err, f.conds)
	}
}
