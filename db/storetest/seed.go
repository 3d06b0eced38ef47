package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

var (
	seedCategories = []string{"news", "tech", "health", "science", "business"}
	seedProviders  = [][2]string{
		{"Digital Health", "digitalhealth.net"}, {"Computer Weekly", "computerweekly.com"},
		{"The Verge", "theverge.com"}, {"Ars Technica", "arstechnica.com"},
		{"Nature", "nature.com"}, {"Reuters", "reuters.com"}, {"BBC News", "bbc.co.uk"},
	}
	seedTopics = []string{"AI", "AI Ethics", "AI in Healthcare", "Robotics", "Climate", "Energy",
		"Space", "Quantum Computing", "Cybersecurity", "Privacy", "Semiconductors", "Biotech",
		"Ökonomie", "Startups", "Regulation", "Open Source", "Cloud", "5G", "Batteries", "Vaccines"}
	seedWords = strings.Fields(`report calls artificial intelligence training staff hospital data
		model chip launch market growth study finds risk patients network rules climate satellite
		energy battery quantum security breach privacy startup funding open source cloud vaccine`)
)

// seedFile is the file of generated article number i, in the seed's format:
// key "seed_0007" (file "seed_0007.md"); category, provider, topics (two,
// or none when i%13 == 12), heat, quality (absent when i%11 == 10) and
// published (true when i%3 == 0) vary with i; every article has a
// different title and publishedDateTime (one hour apart, from
// 2022-11-02T08:30Z); every fourth has a body.
func seedFile(i int) (name string, raw []byte) {
	w := func(k int) string { return seedWords[(i*7+k*13)%len(seedWords)] }
	p := seedProviders[i%len(seedProviders)]
	var b strings.Builder
	fmt.Fprintf(&b, "---\ncategory: %s\n", seedCategories[i%len(seedCategories)])
	fmt.Fprintf(&b, "title: \"%s %s %s number %d\"\n", strings.ToUpper(w(0)[:1])+w(0)[1:], w(1), w(2), i)
	fmt.Fprintf(&b, "excerpt: \"A %s on %s %s says %s could change.\"\n", w(3), w(4), w(5), w(6))
	at := time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	fmt.Fprintf(&b, "publishedDateTime: %s\n", at.Format(time.RFC3339))
	fmt.Fprintf(&b, "originalUrl: \"https://example.com/%d/original\"\nwebUrl: \"https://example.com/%d\"\ntype: article\n", i, i)
	if i%11 != 10 {
		fmt.Fprintf(&b, "quality: %d\n", (i*53)%101)
	}
	fmt.Fprintf(&b, "heat: %d\npublished: %t\n\nprovider:\n  name: %s\n  domain: %s\n\n", (i*37)%101, i%3 == 0, p[0], p[1])
	if i%13 == 12 {
		b.WriteString("topics: []\n")
	} else {
		t1 := seedTopics[i%len(seedTopics)]
		t2 := seedTopics[(i+1+(i/3)%(len(seedTopics)-1))%len(seedTopics)]
		fmt.Fprintf(&b, "topics:\n  - %s\n  - %s\n", t1, t2)
	}
	fmt.Fprintf(&b, "\nimages:\n  - url: \"https://example.com/%d.jpg\"\n    width: 555\n    height: 330\n    isCached: true\n", i)
	b.WriteString("secured: \"c2VjcmV0;c2VjcmV0\"\n---\n")
	if i%4 == 0 {
		fmt.Fprintf(&b, "Some **Markdown** body of article %d.\n\n---\n\nwith a rule.\n", i)
	}
	return fmt.Sprintf("seed_%04d.md", i), []byte(b.String())
}

// seedArticle parses seedFile(i).
func seedArticle(t testing.TB, i int) *article.Article {
	t.Helper()
	name, raw := seedFile(i)
	a, err := article.Parse(name, raw)
	if err != nil {
		t.Fatalf("seed article %d: %v", i, err)
	}
	return a
}

// seed imports n generated articles (seedFile(0) .. seedFile(n-1)) in
// batches of 100 and returns their records in that order: all pending,
// version 1, keys "seed_0000", "seed_0001"... It fails t on any error.
func seed(t testing.TB, s db.Database, n int) []*db.Record {
	t.Helper()
	ctx := context.Background()
	recs := make([]*db.Record, 0, n)
	for lo := 0; lo < n; lo += 100 {
		var batch []*article.Article
		for i := lo; i < min(lo+100, n); i++ {
			batch = append(batch, seedArticle(t, i))
		}
		out, err := s.Import(ctx, batch)
		if err != nil {
			t.Fatalf("seed: import: %v", err)
		}
		for i, o := range out {
			if o.Result != db.ImportNew {
				t.Fatalf("seed: %s: %s, want new", o.Key, o.Result)
			}
			r, err := s.GetByKey(ctx, batch[i].Key)
			if err != nil {
				t.Fatalf("seed: %v", err)
			}
			recs = append(recs, r)
		}
	}
	return recs
}

// artRender writes a's fields as a file the way the pipeline does (see
// /work/shared/seed), so that changing a field changes the bytes. Cases of
// the articles area change a parsed article's fields and render it again.
func artRender(a *article.Article) []byte {
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
	if a.HasSecured {
		b.WriteString("\nsecured: \"c2VjcmV0;c2VjcmV0\"\n")
	}
	b.WriteString("---\n")
	b.WriteString(a.Body)
	return []byte(b.String())
}

// artWith is seed article i with its editable values set and its bytes
// rendered again from its fields.
func artWith(t testing.TB, i, quality int, published bool, topics ...string) *article.Article {
	t.Helper()
	a := seedArticle(t, i)
	a.Quality, a.HasQuality, a.Published, a.Topics = quality, true, published, topics
	a.Raw = artRender(a)
	return a
}

// artImport imports arts in one batch and returns the outcomes.
func artImport(t testing.TB, s db.Database, arts ...*article.Article) []db.ImportOutcome {
	t.Helper()
	out, err := s.Import(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// artGet is the record of key.
func artGet(t testing.TB, s db.Database, key string) *db.Record {
	t.Helper()
	r, err := s.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// artEdit saves e on the current version of key as actor.
func artEdit(t testing.TB, s db.Database, key, actor string, e db.Edit) *db.Record {
	t.Helper()
	r := artGet(t, s, key)
	e.Version, e.Actor = r.Version, actor
	r, err := s.Update(context.Background(), r.ID, e)
	if err != nil {
		t.Fatalf("edit %s: %v", key, err)
	}
	return r
}

// artHistory is the audit of article id, newest first.
func artHistory(t testing.TB, s db.Database, id int64) []db.AuditEntry {
	t.Helper()
	h, err := s.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// artExport exports q and returns the records in order.
func artExport(t testing.TB, s db.Database, q db.ListQuery) []db.ExportRecord {
	t.Helper()
	var out []db.ExportRecord
	if err := s.Export(context.Background(), q, func(r db.ExportRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// artTopicCount is the number of articles the topics facet gives name
// (case-insensitively), 0 when it is not listed.
func artTopicCount(t testing.TB, s db.Database, name string) int {
	t.Helper()
	fs, err := s.Topics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if article.SameTopic(f.Name, name) {
			return f.Count
		}
	}
	return 0
}

func artPtr[T any](v T) *T { return &v }

// ImportIDs imports arts through s in one batch and returns their ids in
// the order of arts; the test fails on any error. For the tests of other
// packages that need articles in a store of either kind.
func ImportIDs(t testing.TB, s db.Database, arts []*article.Article) []int64 {
	t.Helper()
	artImport(t, s, arts...)
	ids := make([]int64, len(arts))
	for i, a := range arts {
		ids[i] = artGet(t, s, a.Key).ID
	}
	return ids
}
