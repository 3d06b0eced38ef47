package db

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// newStore opens a fresh database file with the real migrations.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

var (
	genCategories = []string{"news", "tech", "health", "science", "business"}
	genProviders  = []article.Provider{
		{Name: "Digital Health", Domain: "digitalhealth.net"},
		{Name: "Computer Weekly", Domain: "computerweekly.com"},
		{Name: "The Verge", Domain: "theverge.com"},
		{Name: "Ars Technica", Domain: "arstechnica.com"},
		{Name: "Nature", Domain: "nature.com"},
		{Name: "Reuters", Domain: "reuters.com"},
		{Name: "BBC News", Domain: "bbc.co.uk"},
	}
	genTopics = []string{"AI", "AI Ethics", "AI in Healthcare", "Robotics", "Climate", "Energy",
		"Space", "Quantum Computing", "Cybersecurity", "Privacy", "Semiconductors", "Biotech",
		"Ökonomie", "Startups", "Regulation", "Open Source", "Cloud", "5G", "Batteries", "Vaccines"}
	genWords = strings.Fields(`report calls artificial intelligence training staff hospital data
		model chip launch market growth study finds risk patients network rules climate satellite
		energy battery quantum security breach privacy startup funding open source cloud vaccine`)
)

// genArticle makes a realistic article number i: fields spread over a few
// categories, providers, topics and values, and Raw rendered from them in
// the seed's format, so changing a field changes the bytes.
func genArticle(i int) *article.Article {
	w := func(k int) string { return genWords[(i*7+k*13)%len(genWords)] }
	a := &article.Article{
		Key:         fmt.Sprintf("%04d_%08x", i, uint32(i)*2654435761),
		Category:    genCategories[i%len(genCategories)],
		Title:       fmt.Sprintf("%s %s %s %s number %d", strings.ToUpper(w(0)[:1])+w(0)[1:], w(1), w(2), w(3), i),
		Excerpt:     fmt.Sprintf("A %s on %s %s says %s %s could change %s.", w(4), w(5), w(6), w(7), w(8), w(9)),
		PublishedAt: time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC).Add(time.Duration(i%500) * time.Hour),
		OriginalURL: fmt.Sprintf("https://example.com/%d/original", i),
		WebURL:      fmt.Sprintf("https://example.com/%d", i),
		Type:        "article",
		Heat:        (i * 37) % 101,
		Provider:    genProviders[i%len(genProviders)],
		HasSecured:  true,
		Quality:     (i * 53) % 101,
		HasQuality:  i%11 != 0,
		Published:   i%3 == 0,
		Topics:      []string{genTopics[i%len(genTopics)], genTopics[(i+1+(i/3)%(len(genTopics)-1))%len(genTopics)]},
		Images:      []article.Image{{URL: fmt.Sprintf("https://example.com/%d.jpg", i), Width: 555, Height: 330, IsCached: true}},
		Related: []article.Related{{Title: "Related " + w(10), Excerpt: "More on " + w(11),
			PublishedAt: time.Date(2022, 11, 3, 7, 53, 0, 0, time.UTC), WebURL: "https://example.org/r",
			Type: "article", Provider: genProviders[(i+1)%len(genProviders)], Quality: 41}},
	}
	if !a.HasQuality {
		a.Quality = 0
	}
	if i%4 == 0 {
		a.Body = "Some **Markdown** body.\n\n---\n\nwith a rule.\n"
	}
	a.FileName = a.Key + ".md"
	a.Raw = renderRaw(a)
	return a
}

// renderRaw writes a the way the pipeline does (see shared/seed).
func renderRaw(a *article.Article) []byte {
	var b strings.Builder
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	fmt.Fprintf(&b, "---\ncategory: %s\ntitle: %s\nexcerpt: %s\n", a.Category, q(a.Title), q(a.Excerpt))
	fmt.Fprintf(&b, "publishedDateTime: %s\n", a.PublishedAt.Format(time.RFC3339))
	fmt.Fprintf(&b, "originalUrl: %s\nwebUrl: %s\ntype: %s\n", q(a.OriginalURL), q(a.WebURL), a.Type)
	if a.HasQuality {
		fmt.Fprintf(&b, "quality: %d\n", a.Quality)
	}
	fmt.Fprintf(&b, "heat: %d\npublished: %t\n\n", a.Heat, a.Published)
	fmt.Fprintf(&b, "provider:\n  name: %s\n  domain: %s\n\n", a.Provider.Name, a.Provider.Domain)
	b.WriteString("topics:\n")
	for _, t := range a.Topics {
		fmt.Fprintf(&b, "  - %s\n", t)
	}
	b.WriteString("\nimages:\n")
	for _, im := range a.Images {
		fmt.Fprintf(&b, "  - url: %s\n    width: %d\n    height: %d\n    isCached: %t\n", q(im.URL), im.Width, im.Height, im.IsCached)
	}
	b.WriteString("\nrelated:\n")
	for _, r := range a.Related {
		fmt.Fprintf(&b, "  - title: %s\n    excerpt: %s\n    publishedDateTime: %s\n    webUrl: %s\n    type: %s\n",
			q(r.Title), q(r.Excerpt), r.PublishedAt.Format(time.RFC3339), q(r.WebURL), r.Type)
		fmt.Fprintf(&b, "    provider:\n      name: %s\n      domain: %s\n    quality: %d\n", r.Provider.Name, r.Provider.Domain, r.Quality)
	}
	if a.HasSecured {
		b.WriteString("\nsecured: \"2Zw7YxcOA4itZI7BjZZ5+hls6bRdH426SKrLiu1qMnk11Ij440cBIDdXcigS/CH5iRwqkbi4v1dRX489ceUcM0jtsgOl2Wj4oeMyVOYcsjWxg6xT1hz2+zUSsvfEm2PVQDtQQFPuZsWKevIfF+EFLKWU+RgbiU0/JKft/pw7Gkz8SsiM8R8cmBkFa26FU2JB3hnCZQiaMX/t1PiahzxdVje1UwrvPoUM==;gBOMG72PBnlhX8hTKpA0Vg==\"\n")
	}
	b.WriteString("---\n")
	b.WriteString(a.Body)
	return []byte(b.String())
}

// genArticles makes articles 0..n-1.
func genArticles(n int) []*article.Article {
	arts := make([]*article.Article, n)
	for i := range arts {
		arts[i] = genArticle(i)
	}
	return arts
}

// mustImport imports arts in one batch and returns the outcomes.
func mustImport(t testing.TB, s *Store, arts ...*article.Article) []ImportOutcome {
	t.Helper()
	out, err := s.Import(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustGetByKey(t testing.TB, s *Store, key string) *Record {
	t.Helper()
	r, err := s.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// countRows counts the rows of a table, for tests.
func countRows(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
