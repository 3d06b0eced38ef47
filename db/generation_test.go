package db

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// TestCachedCountsFollowEveryWrite: the queue's counts, a search's counts
// and the dropdowns are cached until the database changes. Each step
// below changes it a different way (this store's save, an import by
// another process's store on the same file, a status change, an edit of
// topics) and the next List and facets must show the new numbers at once.
func TestCachedCountsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newsdesk.db")
	server, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	arts := genArticles(30)
	mustImport(t, server, arts[:20]...)

	type view struct {
		pending, approved, searchPending int
		topics                           int // articles with topic AI, from the dropdown
	}
	look := func() view {
		t.Helper()
		var v view
		for _, q := range []ListQuery{{Status: article.StatusPending, Counts: CountsCapped}, {Text: "number", Counts: CountsCapped}} {
			for range 2 { // the second time from the cache
				page, err := server.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if q.Text == "" {
					v.pending, v.approved = page.Counts[article.StatusPending], page.Counts[article.StatusApproved]
				} else {
					v.searchPending = page.Counts[article.StatusPending]
				}
			}
		}
		facets, err := server.Topics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range facets {
			if f.Name == "AI" {
				v.topics = f.Count
			}
		}
		return v
	}
	want := func(step string, w view) {
		t.Helper()
		if got := look(); got != w {
			t.Errorf("%s: got %+v, want %+v", step, got, w)
		}
	}
	aiCount := func(arts []*article.Article) int {
		n := 0
		for _, a := range arts {
			for _, tp := range a.Topics {
				if tp == "AI" {
					n++
				}
			}
		}
		return n
	}
	ai := aiCount(arts[:20])
	want("after the first import", view{pending: 20, searchPending: 20, topics: ai})

	// An import by another process: the server's store never saw it.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, other, arts[20:]...)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	ai = aiCount(arts)
	want("after another process's import", view{pending: 30, searchPending: 30, topics: ai})

	// A status change through this store.
	rec := mustGetByKey(t, server, arts[0].Key)
	approved := article.StatusApproved
	if _, err := server.Update(ctx, rec.ID, Edit{Version: rec.Version, Status: &approved, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	want("after an approval", view{pending: 29, approved: 1, searchPending: 29, topics: ai})

	// A topics edit: one more article with AI.
	for _, a := range arts {
		if aiCount([]*article.Article{a}) == 0 {
			rec := mustGetByKey(t, server, a.Key)
			topics := append(append([]string{}, rec.Topics...), "AI")
			if _, err := server.Update(ctx, rec.ID, Edit{Version: rec.Version, Topics: topics, SetTopics: true, Actor: "test"}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	want("after a topics edit", view{pending: 29, approved: 1, searchPending: 29, topics: ai + 1})
}

// TestCachedFacetsAreNotShared: a caller that changes the slice it got
// does not change what the next caller gets.
func TestCachedFacetsAreNotShared(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(10)...)
	first, err := s.Categories(ctx)
	if err != nil || len(first) == 0 {
		t.Fatalf("categories: %v, %v", first, err)
	}
	name := first[0].Name
	first[0].Name = "changed by a caller"
	again, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Name != name {
		t.Errorf("the cache handed out its own slice: %q, want %q", again[0].Name, name)
	}
}
