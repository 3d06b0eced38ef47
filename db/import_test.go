package db

import (
	"context"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

func TestImportNewUnchangedUpdated(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)

	out := mustImport(t, s, a)
	if len(out) != 1 || out[0].Result != ImportNew || out[0].Key != a.Key {
		t.Fatalf("first import = %+v, want new", out)
	}
	r := mustGetByKey(t, s, a.Key)
	if r.Status != article.StatusPending || r.Version != 1 || string(r.Article.Raw) != string(a.Raw) {
		t.Errorf("new record: status %s version %d raw equal %v", r.Status, r.Version, string(r.Article.Raw) == string(a.Raw))
	}
	if r.ContentHash != contentHash(a.Raw) || len(r.ContentHash) != 64 {
		t.Errorf("content hash %q", r.ContentHash)
	}
	if !r.Article.PublishedAt.Equal(a.PublishedAt) || r.Article.Title != a.Title ||
		r.Article.Provider != a.Provider || !slices.Equal(r.Article.Topics, a.Topics) ||
		len(r.Article.Images) != 1 || r.Article.Images[0] != a.Images[0] ||
		len(r.Article.Related) != 1 || r.Article.Related[0].Provider != a.Related[0].Provider {
		t.Errorf("stored article differs:\n got %+v\nwant %+v", r.Article, *a)
	}

	out = mustImport(t, s, genArticle(1))
	if out[0].Result != ImportUnchanged {
		t.Fatalf("same bytes again = %+v, want unchanged", out[0])
	}
	if r2 := mustGetByKey(t, s, a.Key); r2.Version != 1 || !r2.UpdatedAt.Equal(r.UpdatedAt) {
		t.Errorf("unchanged import wrote: version %d", r2.Version)
	}

	changed := genArticle(1)
	changed.Title = "A new title"
	changed.Quality, changed.HasQuality = 12, true
	changed.Raw = renderRaw(changed)
	out = mustImport(t, s, changed)
	if out[0].Result != ImportUpdated || len(out[0].Kept) != 0 {
		t.Fatalf("changed file = %+v, want updated, nothing kept", out[0])
	}
	r = mustGetByKey(t, s, a.Key)
	if r.Version != 2 || r.Article.Title != "A new title" || r.Quality != 12 || !r.HasQuality || r.Edited.Quality {
		t.Errorf("after update: version %d title %q quality %d/%v", r.Version, r.Article.Title, r.Quality, r.HasQuality)
	}
	if string(r.Article.Raw) != string(changed.Raw) || r.ContentHash != contentHash(changed.Raw) {
		t.Error("raw bytes or hash not updated")
	}
	h, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]AuditEntry{}
	for _, e := range h {
		if e.Actor != "import" {
			t.Errorf("audit actor %q, want import", e.Actor)
		}
		fields[e.Field] = e
	}
	if e := fields["quality"]; e.New != "12" {
		t.Errorf("quality audit = %+v", e)
	}
	if _, ok := fields["content_hash"]; !ok {
		t.Error("no content_hash audit row for a changed file")
	}
}

func TestImportKeepsEditorValues(t *testing.T) {
	ctx := context.Background()
	base := genArticle(7)
	base.Quality, base.HasQuality, base.Published, base.Topics = 50, true, false, []string{"AI"}
	base.Raw = renderRaw(base)

	tests := []struct {
		name     string
		edit     Edit
		upstream func(a *article.Article)
		wantKept []string
		check    func(t *testing.T, r *Record)
	}{
		{
			name:     "every editor value kept over changed upstream",
			edit:     Edit{Quality: ptr(80), Topics: []string{"Robotics"}, SetTopics: true, Published: ptr(true), Status: ptr(article.StatusApproved), Note: ptr("checked")},
			upstream: func(a *article.Article) { a.Quality, a.Topics, a.Published = 60, []string{"AI", "Space"}, false },
			wantKept: []string{"quality", "topics", "status"},
			check: func(t *testing.T, r *Record) {
				if r.Quality != 80 || !slices.Equal(r.Topics, []string{"Robotics"}) || !r.Published ||
					r.Status != article.StatusApproved || r.Note != "checked" {
					t.Errorf("editor values lost: %+v", r)
				}
				if r.Article.Quality != 60 || !slices.Equal(r.Article.Topics, []string{"AI", "Space"}) {
					t.Errorf("upstream values not updated: %d %v", r.Article.Quality, r.Article.Topics)
				}
			},
		},
		{
			name:     "published kept over a flipped upstream",
			edit:     Edit{Published: ptr(true)},
			upstream: func(a *article.Article) { a.Published = false; a.Title = "other" },
			wantKept: nil, // upstream published did not change
		},
		{
			name:     "upstream now agrees with the editor",
			edit:     Edit{Quality: ptr(70)},
			upstream: func(a *article.Article) { a.Quality = 70 },
			wantKept: nil,
			check: func(t *testing.T, r *Record) {
				if r.Quality != 70 || !r.Edited.Quality {
					t.Errorf("quality %d edited %v", r.Quality, r.Edited.Quality)
				}
			},
		},
		{
			name:     "upstream drops quality the editor set",
			edit:     Edit{Quality: ptr(30)},
			upstream: func(a *article.Article) { a.HasQuality, a.Quality = false, 0 },
			wantKept: []string{"quality"},
			check: func(t *testing.T, r *Record) {
				if r.Quality != 30 || !r.HasQuality || r.Article.HasQuality {
					t.Errorf("quality %d/%v upstream has %v", r.Quality, r.HasQuality, r.Article.HasQuality)
				}
			},
		},
		{
			name:     "untouched values follow upstream",
			edit:     Edit{Note: ptr("just a note")},
			upstream: func(a *article.Article) { a.Quality, a.Topics, a.Published = 10, []string{"Space"}, true },
			wantKept: nil,
			check: func(t *testing.T, r *Record) {
				if r.Quality != 10 || !slices.Equal(r.Topics, []string{"Space"}) || !r.Published || r.Note != "just a note" {
					t.Errorf("effective values %+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustImport(t, s, base)
			r := mustGetByKey(t, s, base.Key)
			e := tt.edit
			e.Version, e.Actor = r.Version, "alice"
			if _, err := s.Update(ctx, r.ID, e); err != nil {
				t.Fatal(err)
			}
			next := *base
			tt.upstream(&next)
			next.Raw = renderRaw(&next)
			out := mustImport(t, s, &next)
			if out[0].Result != ImportUpdated || !slices.Equal(out[0].Kept, tt.wantKept) {
				t.Errorf("outcome %+v, want updated with kept %v", out[0], tt.wantKept)
			}
			r = mustGetByKey(t, s, base.Key)
			if r.Version != 3 {
				t.Errorf("version %d, want 3 (import, edit, import)", r.Version)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestImportNoDuplicates(t *testing.T) {
	s := newStore(t)
	arts := genArticles(120)
	mustImport(t, s, arts...)
	// Again, plus a duplicate key inside one batch.
	out := mustImport(t, s, append(genArticles(120), genArticle(5))...)
	for _, o := range out {
		if o.Result != ImportUnchanged {
			t.Errorf("%s: %s, want unchanged", o.Key, o.Result)
		}
	}
	for table, want := range map[string]int{"articles": 120, "articles_fts": 120, "article_topics": 240} {
		if n := countRows(t, s, table); n != want {
			t.Errorf("%s has %d rows, want %d", table, n, want)
		}
	}
}

func TestImportRollsBackWholeBatch(t *testing.T) {
	s := newStore(t)
	_, err := s.Import(context.Background(), []*article.Article{genArticle(1), {Title: "no key"}})
	if err == nil {
		t.Fatal("import of an article without key succeeded")
	}
	if n := countRows(t, s, "articles"); n != 0 {
		t.Errorf("%d articles stored after a failed batch", n)
	}
}
