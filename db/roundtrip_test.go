package db

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// TestParseImportEditExportPatch follows an article through the whole
// pipeline: bytes -> article.Parse -> Import -> Update -> Export ->
// article.Patch -> article.Parse. Untouched and edited-back articles come
// out byte-identical; an edited one carries exactly the editor's values.
func TestParseImportEditExportPatch(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var arts []*article.Article
	for i := range 3 {
		g := genArticle(i + 1)
		a, err := article.Parse(g.FileName, g.Raw)
		if err != nil {
			t.Fatalf("%s: %v", g.FileName, err)
		}
		if a.Key != g.Key || a.Title != g.Title || a.Quality != g.Quality || !slices.Equal(a.Topics, g.Topics) {
			t.Fatalf("generated file does not parse back: %+v", a)
		}
		arts = append(arts, a)
	}
	mustImport(t, s, arts...)

	edit := func(key string, e Edit) {
		r := mustGetByKey(t, s, key)
		e.Version, e.Actor = r.Version, "alice"
		if _, err := s.Update(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	edit(arts[1].Key, Edit{Quality: ptr(99), Topics: []string{"Edited"}, SetTopics: true, Published: ptr(!arts[1].Published)})
	edit(arts[2].Key, Edit{Quality: ptr(99)})
	edit(arts[2].Key, Edit{Quality: ptr(arts[2].Quality)})

	err := s.Export(ctx, ListQuery{}, func(r ExportRecord) error {
		out, err := article.Patch(r.Raw, r.Changes)
		if err != nil {
			return err
		}
		switch r.Key {
		case arts[0].Key, arts[2].Key:
			if !bytes.Equal(out, r.Raw) || !bytes.Equal(out, arts[slices.IndexFunc(arts, func(a *article.Article) bool { return a.Key == r.Key })].Raw) {
				t.Errorf("%s: export is not byte-identical", r.Key)
			}
		case arts[1].Key:
			back, err := article.Parse(r.FileName, out)
			if err != nil {
				return err
			}
			if back.Quality != 99 || !slices.Equal(back.Topics, []string{"Edited"}) || back.Published == arts[1].Published || back.Title != arts[1].Title {
				t.Errorf("patched file parses to %+v", back)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
