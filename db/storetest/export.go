package storetest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Export/ChangesOnlyWhatDiffers", exportChangesOnlyWhatDiffers)
	add("Export/PagesVisitEveryArticleOnce", exportPagesVisitEveryArticleOnce)
	add("Export/LargeFilesPage", exportLargeFiles)
	add("Export/CallbackMayUseTheStore", exportCallbackUsesStore)
	add("Export/BadStatus", exportBadStatus)
	add("Export/RoundTripTestdata", func(t *testing.T, s db.Database) {
		_, file, _, _ := runtime.Caller(0)
		exportRoundTrip(t, s, filepath.Join(filepath.Dir(file), "..", "..", "testdata"))
	})
	add("Export/RoundTripSharedSeed", func(t *testing.T, s db.Database) {
		exportRoundTrip(t, s, "/work/shared/seed")
	})
	add("Export/RoundTripFieldReports", func(t *testing.T, s db.Database) {
		exportRoundTrip(t, s, "/work/shared/field-reports")
	})
}

func exportChangesOnlyWhatDiffers(t *testing.T, s db.Database) {
	ctx := context.Background()
	noQuality := artWith(t, 5, 0, false, "AI", "Space")
	noQuality.HasQuality = false
	noQuality.Raw = artRender(noQuality)
	artImport(t, s, artWith(t, 1, 50, false, "AI", "Space"), artWith(t, 2, 50, false, "AI", "Space"),
		artWith(t, 3, 50, false, "AI", "Space"), artWith(t, 4, 50, false, "AI", "Space"), noQuality)

	tests := []struct {
		i     int
		edits []db.Edit
		want  article.Changes
	}{
		{i: 1, want: article.Changes{}}, // untouched
		{i: 2, edits: []db.Edit{{Quality: artPtr(70), Published: artPtr(true), Topics: []string{"Space"}, SetTopics: true}},
			want: article.Changes{Quality: artPtr(70), Published: artPtr(true), Topics: []string{"Space"}, SetTopics: true}},
		{i: 3, edits: []db.Edit{ // edited, then edited back to upstream
			{Quality: artPtr(70), Published: artPtr(true), Topics: []string{"Space"}, SetTopics: true},
			{Quality: artPtr(50), Published: artPtr(false), Topics: []string{"AI", "Space"}, SetTopics: true},
		}, want: article.Changes{}},
		{i: 4, edits: []db.Edit{{Status: artPtr(article.StatusApproved), Note: artPtr("ok"), Topics: []string{"AI", "Space"}, SetTopics: true}},
			want: article.Changes{}}, // review state and unchanged topics patch nothing
		{i: 5, edits: []db.Edit{{Quality: artPtr(0)}}, want: article.Changes{Quality: artPtr(0)}},
	}
	for _, tt := range tests {
		for _, e := range tt.edits {
			artEdit(t, s, seedArticle(t, tt.i).Key, "alice", e)
		}
	}
	got := artExport(t, s, db.ListQuery{Cursor: "ignored", Limit: 1, Sort: db.Sort("ignored")})
	if len(got) != len(tests) {
		t.Fatalf("exported %d, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		g, a := got[i], seedArticle(t, tt.i)
		if g.Key != a.Key || g.FileName != a.FileName || len(g.Raw) == 0 || g.Err != nil {
			t.Errorf("record %d: key %q file %q err %v, want %q %q (ordered by key)", i, g.Key, g.FileName, g.Err, a.Key, a.FileName)
		}
		if !sameChanges(g.Changes, tt.want) {
			t.Errorf("%s: changes %s, want %s", g.Key, fmtChanges(g.Changes), fmtChanges(tt.want))
		}
	}
	if got[3].Status != article.StatusApproved || got[0].Status != article.StatusPending {
		t.Errorf("statuses %s %s", got[3].Status, got[0].Status)
	}

	var approved []string
	for _, r := range artExport(t, s, db.ListQuery{Status: article.StatusApproved}) {
		approved = append(approved, r.Key)
	}
	if !slices.Equal(approved, []string{seedArticle(t, 4).Key}) {
		t.Errorf("approved export = %v", approved)
	}

	stop := errors.New("stop")
	n := 0
	if err := s.Export(ctx, db.ListQuery{}, func(db.ExportRecord) error { n++; return stop }); err != stop || n != 1 {
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
		s += " published=" + strconv.FormatBool(*c.Published)
	}
	if c.SetTopics {
		s += " topics=" + db.EncodeTopics(c.Topics)
	}
	return s + " }"
}

// Export reads in pages; every article comes once, in key order (bytes,
// as Go compares strings), with the filters applied on every page.
func exportPagesVisitEveryArticleOnce(t *testing.T, s db.Database) {
	n := 2*db.ExportPageRows + 7
	var arts []*article.Article
	for i := range n {
		a := seedArticle(t, i)
		// Keys that sort differently by bytes and by a language's rules.
		switch i % 4 {
		case 1:
			a.Key, a.FileName = "Z"+a.Key, "Z"+a.FileName
		case 2:
			a.Key, a.FileName = "é"+a.Key, "é"+a.FileName
		case 3:
			a.Key, a.FileName = "_"+a.Key, "_"+a.FileName
		}
		arts = append(arts, a)
	}
	artImport(t, s, arts...)
	var all, approved []string
	for i, a := range arts {
		all = append(all, a.Key)
		if i%3 == 0 {
			artEdit(t, s, a.Key, "a", db.Edit{Status: artPtr(article.StatusApproved)})
			approved = append(approved, a.Key)
		}
	}
	slices.Sort(all)
	slices.Sort(approved)
	for _, tt := range []struct {
		q    db.ListQuery
		want []string
	}{{db.ListQuery{}, all}, {db.ListQuery{Status: article.StatusApproved}, approved}} {
		var got []string
		for _, r := range artExport(t, s, tt.q) {
			if r.Err != nil {
				t.Errorf("%s: %v", r.Key, r.Err)
			}
			got = append(got, r.Key)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: exported %d keys, want %d in key order, each once:\n got %q\nwant %q", tt.q, len(got), len(tt.want), got, tt.want)
		}
	}
	// Filters other than status apply too.
	var tech []string
	for _, r := range artExport(t, s, db.ListQuery{Category: "tech", Status: article.StatusApproved}) {
		tech = append(tech, r.Key)
	}
	for _, k := range tech {
		if r := artGet(t, s, k); r.Article.Category != "tech" || r.Status != article.StatusApproved {
			t.Errorf("filtered export has %s (%s, %s)", k, r.Article.Category, r.Status)
		}
	}
	if len(tech) == 0 {
		t.Error("filtered export is empty")
	}
}

// Files of several MiB come whole, each once, over pages bounded by bytes.
func exportLargeFiles(t *testing.T, s db.Database) {
	var arts []*article.Article
	for i := range 4 { // three of 3 MiB: the first page ends on bytes, after 9 MiB
		a := seedArticle(t, i)
		size := 3 << 20
		if i == 3 {
			size = 10
		}
		a.Body = strings.Repeat("lorem ipsum ", size/12)
		a.Raw = artRender(a)
		arts = append(arts, a)
	}
	artImport(t, s, arts...)
	got := artExport(t, s, db.ListQuery{})
	if len(got) != len(arts) {
		t.Fatalf("exported %d, want %d", len(got), len(arts))
	}
	for i, r := range got {
		if r.Key != arts[i].Key || !bytes.Equal(r.Raw, arts[i].Raw) || r.Err != nil {
			t.Errorf("%s: %d bytes, err %v; want %s, %d bytes", r.Key, len(r.Raw), r.Err, arts[i].Key, len(arts[i].Raw))
		}
	}
}

// The callback may use the store, even to change what is exported: the
// export holds no connection or lock while it runs.
func exportCallbackUsesStore(t *testing.T, s db.Database) {
	ctx := context.Background()
	n := db.ExportPageRows + 3
	for lo := 0; lo < n; lo += 100 {
		var batch []*article.Article
		for i := lo; i < min(lo+100, n); i++ {
			batch = append(batch, seedArticle(t, i))
		}
		artImport(t, s, batch...)
	}
	seen := 0
	err := s.Export(ctx, db.ListQuery{}, func(r db.ExportRecord) error {
		seen++
		cur, err := s.GetByKey(ctx, r.Key)
		if err != nil {
			return err
		}
		_, err = s.Update(ctx, cur.ID, db.Edit{Version: cur.Version, Actor: "a", Note: artPtr("exported")})
		return err
	})
	if err != nil || seen != n {
		t.Fatalf("export: %v after %d of %d", err, seen, n)
	}
}

func exportBadStatus(t *testing.T, s db.Database) {
	called := false
	err := s.Export(context.Background(), db.ListQuery{Status: "bogus"}, func(db.ExportRecord) error { called = true; return nil })
	if err == nil || called {
		t.Errorf("export of an unknown status: %v, called %v", err, called)
	}
}

// exportRoundTrip imports every file under dir that parses, edits some, and
// exports: untouched and edited-back articles come out byte-identical, an
// edited one patches to exactly the editor's values and nothing else.
func exportRoundTrip(t *testing.T, s db.Database, dir string) {
	ctx := context.Background()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no %s: %v", dir, err)
	}
	last := map[string]*article.Article{} // by key: the last file imported wins
	var arts []*article.Article
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.EqualFold(d.Name(), "README.md") {
			return err
		}
		a, err := article.ReadFile(p, article.DefaultMaxFileSize)
		if err != nil {
			return nil // the invalid files are the parser's business
		}
		arts = append(arts, a)
		last[a.Key] = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) == 0 {
		t.Skipf("no valid article under %s", dir)
	}
	artImport(t, s, arts...)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range last {
			if !yield(k) {
				return
			}
		}
	})
	type want struct {
		changed   bool
		quality   int
		topics    []string
		published bool
	}
	wants := map[string]want{}
	for i, k := range keys {
		a := last[k]
		switch i % 3 {
		case 1: // edited
			w := want{changed: true, quality: (i * 17) % 101, topics: []string{"Edited", "Ökonomie"}, published: !a.Published}
			r := artGet(t, s, k)
			_, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "alice", Quality: &w.quality,
				Topics: w.topics, SetTopics: true, Published: &w.published,
				Check: func(next *db.Record) error { // as review does: a save that could not be exported is refused
					_, err := article.Patch(next.Article.Raw, article.Changes{Quality: &w.quality, Topics: w.topics, SetTopics: true, Published: &w.published})
					return err
				}})
			if err != nil {
				t.Logf("%s: edit refused: %v", k, err)
				continue
			}
			wants[k] = w
		case 2: // edited, then back
			r := artEdit(t, s, k, "alice", db.Edit{Quality: artPtr(99), Published: artPtr(!a.Published)})
			q := artPtr(a.Quality)
			clear := !a.HasQuality
			if clear {
				q = nil
			}
			if _, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "alice", Quality: q, ClearQuality: clear,
				Published: artPtr(a.Published)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	err = s.Export(ctx, db.ListQuery{}, func(r db.ExportRecord) error {
		got = append(got, r.Key)
		a := last[r.Key]
		if r.Err != nil || a == nil || r.FileName != a.FileName {
			t.Errorf("%s: err %v, file %q", r.Key, r.Err, r.FileName)
			return nil
		}
		out, err := article.Patch(r.Raw, r.Changes)
		if err != nil {
			t.Errorf("%s: patch: %v", r.Key, err)
			return nil
		}
		w, edited := wants[r.Key]
		if !edited {
			if !bytes.Equal(out, a.Raw) || !r.Changes.IsZero() {
				t.Errorf("%s: export is not byte-identical (changes %s)", r.Key, fmtChanges(r.Changes))
			}
			return nil
		}
		back, err := article.Parse(r.FileName, out)
		if err != nil {
			t.Errorf("%s: patched file does not parse: %v", r.Key, err)
			return nil
		}
		if back.Quality != w.quality || !back.HasQuality || !slices.Equal(back.Topics, w.topics) ||
			back.Published != w.published || back.Title != a.Title || back.Body != a.Body || back.Heat != a.Heat {
			t.Errorf("%s: patched file parses to %+v, want quality %d topics %q published %v", r.Key, back, w.quality, w.topics, w.published)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, keys) {
		t.Errorf("exported %q, want %q", got, keys)
	}
	t.Logf("%d files, %d articles, %d edited", len(arts), len(keys), len(wants))
}
