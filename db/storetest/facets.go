package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The dropdowns' cases: effective values counted, most used first, ties
// by name as SQLite orders them. Ported from db/facets_test.go.

func init() {
	add("Facets/Dropdowns", testFacetsDropdowns)
	add("Facets/Order", testFacetsOrder)
	add("Facets/CanonicalTopic", testFacetsCanonicalTopic)
}

// facetsFixture imports three articles, the third's topics edited.
func facetsFixture(t *testing.T, s db.Database) {
	t.Helper()
	a, b, c := listArticle(1), listArticle(2), listArticle(3)
	a.Topics, b.Topics, c.Topics = []string{"AI", "Space"}, []string{"ai", "Climate"}, []string{"Space", "AI"}
	a.Category, b.Category, c.Category = "tech", "tech", "news"
	a.Provider.Name, b.Provider.Name, c.Provider.Name = "Reuters", "BBC", "Reuters"
	a.Raw, b.Raw, c.Raw = artRender(a), artRender(b), artRender(c)
	listImport(t, s, a, b, c)
	listEdit(t, s, c.Key, db.Edit{Topics: []string{"Climate"}, SetTopics: true})
}

func wantFacets(t *testing.T, name string, get func(context.Context) ([]db.Facet, error), want []db.Facet) {
	t.Helper()
	got, err := get(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func testFacetsDropdowns(t *testing.T, s db.Database) {
	ctx := context.Background()
	for name, get := range map[string]func(context.Context) ([]db.Facet, error){
		"topics": s.Topics, "categories": s.Categories, "providers": s.Providers,
	} {
		wantFacets(t, name+" of an empty store", get, nil)
	}
	facetsFixture(t, s)
	// Effective topics: c's editor topics replace its upstream ones; "ai"
	// counts as "AI", the first spelling.
	wantFacets(t, "topics", s.Topics, []db.Facet{{Name: "AI", Count: 2}, {Name: "Climate", Count: 2}, {Name: "Space", Count: 1}})
	wantFacets(t, "categories", s.Categories, []db.Facet{{Name: "tech", Count: 2}, {Name: "news", Count: 1}})
	wantFacets(t, "providers", s.Providers, []db.Facet{{Name: "Reuters", Count: 2}, {Name: "BBC", Count: 1}})
	top := func(n int) func(context.Context) ([]db.Facet, error) {
		return func(ctx context.Context) ([]db.Facet, error) { return s.TopTopics(ctx, n) }
	}
	wantFacets(t, "top 2 topics", top(2), []db.Facet{{Name: "AI", Count: 2}, {Name: "Climate", Count: 2}})
	wantFacets(t, "top 0 topics", top(0), []db.Facet{{Name: "AI", Count: 2}, {Name: "Climate", Count: 2}, {Name: "Space", Count: 1}})
	wantFacets(t, "top -1 topics", top(-1), []db.Facet{{Name: "AI", Count: 2}, {Name: "Climate", Count: 2}, {Name: "Space", Count: 1}})

	// Counts follow reviews and edits; a value no article has any more
	// is left out.
	listEdit(t, s, listArticle(3).Key, db.Edit{Topics: []string{"Space"}, SetTopics: true, Status: artPtr(article.StatusRejected)})
	wantFacets(t, "topics after an edit", s.Topics, []db.Facet{{Name: "AI", Count: 2}, {Name: "Space", Count: 2}, {Name: "Climate", Count: 1}})
	b := listArticle(2)
	b.Category, b.Provider.Name, b.Topics = "science", "Nature", []string{"Space"}
	b.Raw = artRender(b)
	if _, err := s.Import(ctx, []*article.Article{b}); err != nil {
		t.Fatal(err)
	}
	wantFacets(t, "topics after an import", s.Topics, []db.Facet{{Name: "Space", Count: 3}, {Name: "AI", Count: 1}})
	wantFacets(t, "categories after an import", s.Categories, []db.Facet{{Name: "news", Count: 1}, {Name: "science", Count: 1}, {Name: "tech", Count: 1}})
	wantFacets(t, "providers after an import", s.Providers, []db.Facet{{Name: "Reuters", Count: 2}, {Name: "Nature", Count: 1}})
}

// testFacetsOrder: equal counts are ordered by name as SQLite orders
// them: categories and providers by their bytes (capitals first), topics
// ignoring the case of ASCII letters (the topics table's NOCASE).
func testFacetsOrder(t *testing.T, s db.Database) {
	names := []string{"beta", "Zeta", "alpha", "Éclair", "Alps"}
	var arts []*article.Article
	for i, name := range names {
		a := listArticle(i)
		a.Category, a.Provider.Name, a.Topics = name, name, []string{name}
		a.Raw = artRender(a)
		arts = append(arts, a)
	}
	a := listArticle(10)
	a.Category, a.Provider.Name, a.Topics = "", "", []string{"zz top", "beta"}
	a.Raw = artRender(a)
	listImport(t, s, append(arts, a)...)
	bytewise := []db.Facet{{Name: "Alps", Count: 1}, {Name: "Zeta", Count: 1}, {Name: "alpha", Count: 1}, {Name: "beta", Count: 1}, {Name: "Éclair", Count: 1}}
	wantFacets(t, "categories", s.Categories, bytewise) // "" left out
	wantFacets(t, "providers", s.Providers, bytewise)
	wantFacets(t, "topics", s.Topics, []db.Facet{{Name: "beta", Count: 2}, {Name: "alpha", Count: 1}, {Name: "Alps", Count: 1},
		{Name: "Zeta", Count: 1}, {Name: "zz top", Count: 1}, {Name: "Éclair", Count: 1}})
}

func testFacetsCanonicalTopic(t *testing.T, s db.Database) {
	ctx := context.Background()
	facetsFixture(t, s)
	for in, want := range map[string]string{"ai": "AI", "SPACE": "Space", "climate": "Climate", " Climate ": "Climate",
		"Brand New": "Brand New", "  spaced  ": "  spaced  ", "": ""} {
		got, err := s.CanonicalTopic(ctx, in)
		if err != nil || got != want {
			t.Errorf("CanonicalTopic(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
