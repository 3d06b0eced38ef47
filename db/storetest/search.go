package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The search box's cases: what a reader expects to find (words inside
// CJK text, letters typed without their marks, ligatures, full-width
// forms, phrases, prefixes), hostile input, and the index following
// edits and imports. Ported from db/search_test.go.

func init() {
	add("Search/Basic", testSearchBasic)
	add("Search/FindsWhatReaderSees", testSearchFindsWhatReaderSees)
	add("Search/Folds", testSearchFolds)
	add("Search/FollowsEditsAndImports", testSearchFollowsEditsAndImports)
	add("Search/WithOtherFilters", testSearchWithOtherFilters)
	add("Search/FewAndManyMatches", testSearchFewAndManyMatches)
	add("Search/HugeExcerpt", testSearchHugeExcerpt)
	add("Search/PhrasesAfterLongExcerpt", testSearchPhrasesAfterLongExcerpt)
}

// hostileSearches are search-box inputs that must never cause an error.
var hostileSearches = []string{
	`"`, `""`, `"unbalanced`, `AND`, `OR`, `NOT`, `a AND`, `AND OR NOT`, `(`, `)`, `(a OR b`,
	`*`, `a*`, `*a`, `title:`, `title:nhs`, `:`, `-`, `-a`, `^`, `^title`, `+`, `NEAR(`, `NEAR(a b, 2)`,
	`{title excerpt}: x`, `'; DROP TABLE articles; --`, `' OR 1=1 --`, `%`, `_`, `\`, "a\x00b",
	"\xff\xfe\xfd", "caf\xe9", "\u202e\u200b", "🙂 emoji", strings.Repeat("x", 10<<10),
	strings.Repeat("a ", 5<<10), strings.Repeat(`"`, 10<<10), strings.Repeat("(", 1000),
	`a & b`, `a | b`, `!a`, `a <-> b`, `'a':*`, `a:*`, `\'`, `''`, `a\`, `\\`, `&`, `|`, `!`, `<->`, `<1>`,
	`'`, `x' | 'y`, "é\\", "自行车'", `ab'cd`,
}

// searchKeys is the keys of the articles text finds, sorted.
func searchKeys(t *testing.T, s db.Database, q db.ListQuery) []string {
	t.Helper()
	q.Limit = db.MaxLimit
	p, err := s.List(context.Background(), q)
	if err != nil {
		t.Fatalf("search %q: %v", q.Text, err)
	}
	var keys []string
	for _, it := range p.Items {
		keys = append(keys, it.Key)
	}
	slices.Sort(keys)
	return keys
}

func testSearchBasic(t *testing.T, s db.Database) {
	a := listArticle(1)
	a.Title, a.Excerpt = "NHS report calls for artificial intelligence training", "Café owners say “hi”"
	a.Provider.Name, a.Topics = "Digital Health", []string{"AI in Healthcare"}
	a.Raw = artRender(a)
	listImport(t, s, append(listArticles(40)[2:], a)...)
	for _, text := range []string{"nhs", "NHS REPORT", "artif", "cafe", "CAFÉ", "digital health", "healthcare",
		"  nhs   training  ", `"ai in healthcare"`, "hi", `"calls for"`} {
		if keys := searchKeys(t, s, db.ListQuery{Text: text}); !slices.Contains(keys, a.Key) {
			t.Errorf("search %q did not find the article: %v", text, keys)
		}
	}
	for _, text := range []string{"nhs zebra", "zebra", `"report nhs"`, `"health digital"`, "nhs rep ", "n", "h"} {
		if keys := searchKeys(t, s, db.ListQuery{Text: text}); len(keys) != 0 {
			t.Errorf("search %q found %v, want nothing", text, keys)
		}
	}
	// Punctuation only is no search: every article.
	for _, text := range []string{"", "   ", "!!!", `"`, "*", "-- ;"} {
		if keys := searchKeys(t, s, db.ListQuery{Text: text}); len(keys) != 39 {
			t.Errorf("search %q found %d articles, want all 39", text, len(keys))
		}
	}
	for _, text := range hostileSearches {
		for _, counts := range []db.CountMode{db.CountsExact, db.CountsCapped, db.CountsNone} {
			if _, err := s.List(context.Background(), db.ListQuery{Text: text, Counts: counts}); err != nil {
				t.Errorf("search %q: %v", text, err)
			}
		}
	}
}

// repoFile is the path of a file of the repository, from this source
// file's place in it: the suite runs in the directories of both stores.
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Join(filepath.Dir(self), "..", "..", rel)
}

// readerArticles are the field reports of CJK and diacritic search, and
// made-up articles for the other cases, by key.
func readerArticles(t *testing.T) []*article.Article {
	t.Helper()
	var arts []*article.Article
	for _, name := range []string{"cjk_search.md", "diacritics_search.md"} {
		raw, err := os.ReadFile(repoFile(t, filepath.Join("testdata", "articles", "fieldreports", name)))
		if err != nil {
			t.Fatal(err)
		}
		a, err := article.Parse(name, raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		arts = append(arts, a)
	}
	made := []struct{ name, title, excerpt string }{
		{"oresund", "Øresund bridge tolls rise again", "Commuters between Malmö and Copenhagen pay more."},
		{"osaka", "大阪で地下鉄の新路線が開業", "新型スマートフォンで乗車券を購入できる。"},
		{"seoul", "서울시 자전거도로 확대", "시민들은 새 도로를 환영했다."},
		{"lane", "New cycle lane opens on the harbour road", "The council says the cycle lane is finished."},
		{"apart", "Lane closures as the new bridge hosts a cycle race", "Riders cross the bridge at noon."},
		{"genomics", "Genomics trial shows promise", "A hospital study of rare diseases."},
		{"plain", "Harbour authority approves its budget", "Residents ask about parking."},
		{"folds", "ﬁnancial ＡＢＣ１２ report from ΟΔΟΣ Þórshöfn", "Œuvre of İstanbul and Ħamrun; ｶﾞｽ prices; हिंदी news."},
	}
	for i, m := range made {
		a := listArticle(1000 + i)
		a.Key, a.FileName = m.name, m.name+".md"
		a.Title, a.Excerpt, a.Topics = m.title, m.excerpt, []string{"Transport"}
		a.Raw = artRender(a)
		arts = append(arts, a)
	}
	return arts
}

// testSearchFindsWhatReaderSees: each search finds exactly the articles a
// reader expects: words inside Chinese, Japanese and Korean text, letters
// typed without their marks, quoted phrases, and the prefix of the word
// being typed.
func testSearchFindsWhatReaderSees(t *testing.T, s db.Database) {
	listImport(t, s, readerArticles(t)...)
	const cjk, latin = "cjk_search", "diacritics_search" // keys: file names without extension
	tests := []struct {
		text string
		want []string // keys, exactly
	}{
		{"自行车", []string{cjk}},         // inside 市议会批准新的自行车道计划
		{"计划", []string{cjk}},          // two characters, the end of the title
		{"议会", []string{cjk}},          // two characters, inside
		{"自行车 计划", []string{cjk}},      // both
		{"自行车计划", nil},                 // not in that order
		{"自転車", []string{cjk}},         // Japanese, inside the excerpt's 新しい自転車道の計画
		{"計画を発表", []string{cjk}},       // kana and kanji
		{"地下鉄", []string{"osaka"}},     // inside 大阪で地下鉄の新路線が開業
		{"路線", []string{"osaka"}},      // two characters
		{"スマートフォン", []string{"osaka"}}, // katakana with ー
		{"ｽﾏｰﾄﾌｫﾝ", []string{"osaka"}}, // typed half-width
		{"자전거", []string{"seoul"}},     // Hangul inside 자전거도로
		{"大", []string{"osaka", cjk}},  // one character: 大阪, 大学
		{"校 火车", []string{cjk}},        // one character first: 大学校园
		{"lodz", []string{latin}},
		{"Łódź", []string{latin}},
		{"LODZ", []string{latin}},
		{"łodz", []string{latin}},
		{"zurich", []string{latin}},
		{"ZÜRICH", []string{latin}},
		{"strasse", []string{latin}},
		{"Straße", []string{latin}},
		{"aeroskobing", []string{latin}},
		{"oresund", []string{"oresund"}},
		{"malmo", []string{"oresund"}},
		{`"cycle lane"`, []string{"lane"}},
		{`"lane cycle"`, nil},
		{`cycle lane`, []string{"lane", "apart"}},
		{`"new cycle lane" harbour`, []string{"lane"}},
		{`"cycle la`, []string{"lane"}}, // a phrase still being typed
		{"genom", []string{"genomics"}},
		{"genomics tri", []string{"genomics"}},
		{"genom ", nil}, // a finished word is a word
		{"harbour budget", []string{"plain"}},
		{"transport", []string{"apart", "folds", "genomics", "lane", "osaka", "oresund", "plain", "seoul"}},
	}
	for _, tt := range tests {
		got := searchKeys(t, s, db.ListQuery{Text: tt.text})
		if want := slices.Sorted(slices.Values(tt.want)); !slices.Equal(got, want) {
			t.Errorf("search %q found %q, want %q", tt.text, got, want)
		}
	}
	for _, text := range hostileSearches {
		if _, err := s.List(context.Background(), db.ListQuery{Text: text}); err != nil {
			t.Errorf("search %q: %v", text, err)
		}
	}
}

// testSearchFolds: compatibility forms, ligatures, final sigma and the
// letters without a decomposition are found as readers type them.
func testSearchFolds(t *testing.T, s db.Database) {
	listImport(t, s, readerArticles(t)...)
	for _, text := range []string{"financial", "ﬁnancial", "FINANCIAL", "abc12", "ＡＢＣ１２", "οδοσ", "οδος", "ΟΔΟΣ",
		"thorshofn", "Þórshöfn", "oeuvre", "istanbul", "hamrun", "ガス", "ｶﾞｽ", "हिंदी", `"report from οδος"`, "financ", "ガ"} {
		if got := searchKeys(t, s, db.ListQuery{Text: text}); !slices.Equal(got, []string{"folds"}) {
			t.Errorf("search %q found %q, want folds", text, got)
		}
	}
	for _, text := range []string{"financ ", "abc1 ", "οδο ", "カ", "ｶ"} {
		if got := searchKeys(t, s, db.ListQuery{Text: text}); len(got) != 0 {
			t.Errorf("search %q found %q, want nothing", text, got)
		}
	}
}

func testSearchFollowsEditsAndImports(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := listArticle(1)
	a.Title, a.Topics = "Old headline", []string{"Gardening"}
	a.Raw = artRender(a)
	listImport(t, s, a)
	hits := func(text string) int {
		t.Helper()
		p, err := s.List(ctx, db.ListQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != len(p.Items) {
			t.Fatalf("search %q: total %d, %d items", text, p.Total, len(p.Items))
		}
		return p.Total
	}
	if hits("gardening") != 1 || hits("headline") != 1 {
		t.Fatal("fresh import not searchable")
	}
	listEdit(t, s, a.Key, db.Edit{Topics: []string{"Beekeeping"}, SetTopics: true})
	if hits("gardening") != 0 || hits("beekeeping") != 1 {
		t.Error("search not in step with the editor's topics")
	}
	next := *a
	next.Title, next.Topics = "Fresh headline", []string{"Orchards"}
	next.Raw = artRender(&next)
	listImport(t, s, &next)
	if hits("old") != 0 || hits("fresh") != 1 {
		t.Error("search not in step with the upstream title")
	}
	// The editor's topics stay the effective ones, in search too.
	if hits("orchards") != 0 || hits("beekeeping") != 1 {
		t.Error("search topics are not the effective ones after an upstream update")
	}
	// A status or note change leaves the document as it is.
	listEdit(t, s, a.Key, db.Edit{Status: artPtr(article.StatusApproved), Note: artPtr("checked")})
	if hits("fresh headline") != 1 || hits("checked") != 0 {
		t.Error("search changed by a review")
	}
}

func testSearchWithOtherFilters(t *testing.T, s db.Database) {
	recs := listFixture(t, s, 80)
	p := listPage(t, s, db.ListQuery{Text: "report", Status: article.StatusApproved, Limit: 200})
	want := 0
	for _, r := range recs {
		if r.Status == article.StatusApproved && strings.Contains(strings.ToLower(r.Article.Title+" "+r.Article.Excerpt), "report") {
			want++
		}
	}
	if want == 0 || len(p.Items) != want || p.Total != want || p.Counts[article.StatusApproved] != want {
		t.Errorf("%d items, total %d, counts %v; want %d", len(p.Items), p.Total, p.Counts, want)
	}
	for _, it := range p.Items {
		if it.Status != article.StatusApproved {
			t.Errorf("item %d status %s", it.ID, it.Status)
		}
	}
	// Every filter with a search: the records that match both, in order.
	q := db.ListQuery{Text: "number", Category: "tech", Provider: "Nature", Topic: "ai", Published: artPtr(false),
		MinQuality: artPtr(10), MaxQuality: artPtr(99), Sort: db.SortQuality, Limit: 200}
	ids := listExpect(recs, db.SortQuality, func(r *db.Record) bool {
		return r.Article.Category == "tech" && r.Article.Provider.Name == "Nature" && listHasTopic(r.Topics, "AI") &&
			!r.Published && r.HasQuality && r.Quality >= 10 && r.Quality <= 99
	})
	if got := listIDs(listPage(t, s, q)); !slices.Equal(got, ids) {
		t.Errorf("all filters: %v, want %v", got, ids)
	}
	q = db.ListQuery{Text: "number 7", Sort: db.SortHeat, Limit: 200} // one letter: no prefix
	ids = listExpect(recs, db.SortHeat, func(r *db.Record) bool { return strings.HasSuffix(r.Article.Title, " 7") })
	if got := listIDs(listPage(t, s, q)); len(ids) != 1 || !slices.Equal(got, ids) {
		t.Errorf("number 7: %v, want %v", got, ids)
	}
	q = db.ListQuery{Text: "NUMBER 7", Sort: db.SortNewest, Published: artPtr(true), Limit: 200} // 7 is not published
	if got := listIDs(listPage(t, s, q)); len(got) != 0 {
		t.Errorf("number 7, published: %v, want nothing", got)
	}
}

// testSearchFewAndManyMatches: a search that few articles match and one
// that most do page alike, forward, backward and to the last page.
func testSearchFewAndManyMatches(t *testing.T, s db.Database) {
	const n = 230
	listImport(t, s, listArticles(n)...)
	for _, tt := range []struct {
		text string
		want int
	}{
		{"number", n},
		{"number 1", 1},       // a prefix of one letter is no prefix
		{"number 11", 1 + 10}, // 11, 110-119
		{"number 1 ", 1},
		{"number 2 ", 1},
	} {
		for _, sort := range []db.Sort{db.SortNewest, db.SortHeat, db.SortQuality} {
			q := db.ListQuery{Text: tt.text, Sort: sort, Limit: 20}
			all := listAll(t, s, q)
			if len(all) != tt.want {
				t.Errorf("%q by %s: %d articles, want %d", tt.text, sort, len(all), tt.want)
				continue
			}
			p := listPage(t, s, q)
			if p.Total != tt.want {
				t.Errorf("%q: total %d, want %d", tt.text, p.Total, tt.want)
			}
			if p.Last == "" {
				continue
			}
			q.Cursor = p.Last
			last := listPage(t, s, q)
			from := (tt.want - 1) / 20 * 20
			if !slices.Equal(listIDs(last), all[from:]) || last.Offset != from {
				t.Errorf("%q by %s: last page at %d, want %d", tt.text, sort, last.Offset, from)
			}
			q.Cursor = last.Prev
			if prev := listPage(t, s, q); !slices.Equal(listIDs(prev), all[from-20:from]) {
				t.Errorf("%q by %s: the page before the last differs", tt.text, sort)
			}
		}
	}
}

// searchWords is n distinct words "w0000000", "w0000001"... separated by
// spaces: about 9 bytes a word.
func searchWords(n int) string {
	var b strings.Builder
	b.Grow(9 * n)
	for i := range n {
		fmt.Fprintf(&b, "w%07d ", i)
	}
	return b.String()
}

// testSearchHugeExcerpt: an article whose excerpt has 130,000 distinct
// words (1.2 MB, more than a PostgreSQL tsvector holds) imports with the
// rest of its batch, and its title, topics, provider and first words are
// found, also after an edit writes its search document again. So does
// one of 600 distinct words of 2,000 letters (1.2 MB).
func testSearchHugeExcerpt(t *testing.T, s db.Database) {
	a := listArticle(1)
	a.Title, a.Excerpt, a.Topics = "Deep ocean survey", searchWords(130000), []string{"Marine Biology", "Oceans"}
	a.Raw = artRender(a)
	other := listArticle(2)
	long := listArticle(3)
	var words []string
	for i := range 600 {
		words = append(words, fmt.Sprintf("%s%04d", strings.Repeat("x", 1996), i))
	}
	long.Title, long.Excerpt = "Glacier retreat", strings.Join(words, " ")
	long.Raw = artRender(long)
	out, err := s.Import(context.Background(), []*article.Article{a, other, long})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	for _, o := range out {
		if o.Result != db.ImportNew {
			t.Errorf("%s: %s, want new", o.Key, o.Result)
		}
	}
	found := func(text string) bool {
		t.Helper()
		return slices.Equal(searchKeys(t, s, db.ListQuery{Text: text}), []string{a.Key})
	}
	for _, text := range []string{"deep ocean", `"ocean survey"`, `"marine biology"`, "oceans", "w0000000", `"w0000001 w0000002"`,
		"w0001000", strings.ToLower(a.Provider.Name)} {
		if !found(text) {
			t.Errorf("search %q did not find the article of the huge excerpt", text)
		}
	}
	if got := searchKeys(t, s, db.ListQuery{Text: "number 2"}); !slices.Equal(got, []string{other.Key}) {
		t.Errorf("the other article of the batch: %q", got)
	}
	if got := searchKeys(t, s, db.ListQuery{Text: "glacier " + words[0][:200]}); !slices.Equal(got, []string{long.Key}) {
		t.Errorf("the article of long words: %q", got)
	}
	listEdit(t, s, a.Key, db.Edit{Topics: []string{"Deep Sea Mining"}, SetTopics: true})
	if !found(`"deep sea mining"`) || !found("w0000003") || found("marine") {
		t.Error("search not in step with the topics of the huge article")
	}
}

// testSearchPhrasesAfterLongExcerpt: after an excerpt of 20,000 words,
// the topics still match as phrases, and the excerpt's first phrase and
// last word are found.
func testSearchPhrasesAfterLongExcerpt(t *testing.T, s db.Database) {
	a := listArticle(1)
	a.Title, a.Excerpt = "Quarterly model review", searchWords(20000)
	a.Topics = []string{"Machine Learning", "Open Source Software"}
	a.Raw = artRender(a)
	listImport(t, s, a, listArticle(2))
	for _, text := range []string{`"machine learning"`, `"open source software"`, `"quarterly model"`,
		`"w0000000 w0000001"`, "w0019999"} {
		if got := searchKeys(t, s, db.ListQuery{Text: text}); !slices.Equal(got, []string{a.Key}) {
			t.Errorf("search %s found %q, want %s", text, got, a.Key)
		}
	}
	for _, text := range []string{`"learning machine"`, `"source open"`, `"w0000001 w0000000"`, `"review machine"`} {
		if got := searchKeys(t, s, db.ListQuery{Text: text}); len(got) != 0 {
			t.Errorf("search %s found %q, want nothing", text, got)
		}
	}
}
