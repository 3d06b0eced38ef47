package db

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

func TestExportChangesOnlyWhatDiffers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	base := func(i int) *article.Article {
		a := genArticle(i)
		a.Quality, a.HasQuality, a.Published, a.Topics = 50, true, false, []string{"AI", "Space"}
		a.Raw = renderRaw(a)
		return a
	}
	noQuality := base(5)
	noQuality.HasQuality, noQuality.Quality = false, 0
	noQuality.Raw = renderRaw(noQuality)
	mustImport(t, s, base(1), base(2), base(3), base(4), noQuality)

	tests := []struct {
		i     int
		edits []Edit
		want  article.Changes
	}{
		{i: 1, want: article.Changes{}}, // untouched
		{i: 2, edits: []Edit{{Quality: ptr(70), Published: ptr(true), Topics: []string{"Space"}, SetTopics: true}},
			want: article.Changes{Quality: ptr(70), Published: ptr(true), Topics: []string{"Space"}, SetTopics: true}},
		{i: 3, edits: []Edit{ // edited, then edited back to upstream
			{Quality: ptr(70), Published: ptr(true), Topics: []string{"Space"}, SetTopics: true},
			{Quality: ptr(50), Published: ptr(false), Topics: []string{"AI", "Space"}, SetTopics: true},
		}, want: article.Changes{}},
		{i: 4, edits: []Edit{{Status: ptr(article.StatusApproved), Note: ptr("ok"), Topics: []string{"AI", "Space"}, SetTopics: true}},
			want: article.Changes{}}, // review state and unchanged topics patch nothing
		{i: 5, edits: []Edit{{Quality: ptr(0)}}, want: article.Changes{Quality: ptr(0)}},
	}
	for _, tt := range tests {
		r := mustGetByKey(t, s, genArticle(tt.i).Key)
		for _, e := range tt.edits {
			e.Version, e.Actor = r.Version, "alice"
			var err error
			if r, err = s.Update(ctx, r.ID, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []ExportRecord
	err := s.Export(ctx, ListQuery{Cursor: "ignored", Limit: 1}, func(r ExportRecord) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tests) {
		t.Fatalf("exported %d, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		g, a := got[i], genArticle(tt.i)
		if g.Key != a.Key || g.FileName != a.FileName || len(g.Raw) == 0 {
			t.Errorf("record %d: key %q file %q, want %q %q (ordered by key)", i, g.Key, g.FileName, a.Key, a.FileName)
		}
		if !sameChanges(g.Changes, tt.want) {
			t.Errorf("%s: changes %s, want %s", g.Key, fmtChanges(g.Changes), fmtChanges(tt.want))
		}
	}
	if got[3].Status != article.StatusApproved {
		t.Errorf("status %s", got[3].Status)
	}

	var approved []string
	if err := s.Export(ctx, ListQuery{Status: article.StatusApproved}, func(r ExportRecord) error {
		approved = append(approved, r.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(approved, []string{genArticle(4).Key}) {
		t.Errorf("approved export = %v", approved)
	}

	stop := errors.New("stop")
	n := 0
	if err := s.Export(ctx, ListQuery{}, func(ExportRecord) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("callback error: %v after %d calls, want stop after 1", err, n)
	}
}

func sameChanges(a, b article.Changes) bool {
	eqp := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqb := func(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eqp(a.Quality, b.Quality) && eqb(a.Published, b.Published) &&
		a.SetTopics == b.SetTopics && slices.Equal(a.Topics, b.Topics)
}

func fmtChanges(c article.Changes) string {
	s := "{"
	if c.Quality != nil {
		s += " quality=" + strconv.Itoa(*c.Quality)
	}
	if c.Published != nil {
		s += " published"
	}
	if c.SetTopics {
		s += " topics=" + encodeTopics(c.Topics)
	}
	return s + " }"
}
