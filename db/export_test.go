package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// Damage in one stored article reaches the caller as that article's
// record with Err set, never as bytes, and the other articles still come.
func TestExportFlagsDamagedArticles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(6)...)
	damage := []struct {
		i      int
		sql    string
		wantIn string
	}{
		{1, `UPDATE article_content SET raw = CAST(replace(CAST(raw AS TEXT), 'report', 'rep0rt') AS BLOB) WHERE article_id = (SELECT id FROM articles WHERE key = ?)`,
			"stored file is damaged: content hash mismatch (stored "},
		{2, `UPDATE article_content SET raw = substr(raw, 1, 100) WHERE article_id = (SELECT id FROM articles WHERE key = ?)`, "content hash mismatch"},
		{3, `UPDATE articles SET edit_topics = 'not json' WHERE key = ?`, "edit_topics column is not a JSON list"},
		{4, `UPDATE articles SET quality = 'abc' WHERE key = ?`, "row cannot be read"},
	}
	for _, d := range damage {
		res, err := s.w.Exec(d.sql, genArticle(d.i).Key)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("damage %d changed %d rows", d.i, n)
		}
	}
	got := map[string]ExportRecord{}
	err := s.Export(ctx, ListQuery{}, func(r ExportRecord) error {
		got[r.Key] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("exported %d records, want all 6", len(got))
	}
	for _, d := range damage {
		a := genArticle(d.i)
		r := got[a.Key]
		if !errors.Is(r.Err, ErrCorrupt) || !strings.Contains(fmt.Sprint(r.Err), d.wantIn) {
			t.Errorf("%s: Err = %v, want ErrCorrupt saying %q", a.Key, r.Err, d.wantIn)
		}
		if r.Raw != nil || r.FileName != a.FileName {
			t.Errorf("%s: damaged record has %d raw bytes, file name %q", a.Key, len(r.Raw), r.FileName)
		}
	}
	for _, i := range []int{0, 5} {
		a := genArticle(i)
		if r := got[a.Key]; r.Err != nil || !bytes.Equal(r.Raw, a.Raw) {
			t.Errorf("%s: sound article exported with Err %v", a.Key, r.Err)
		}
	}
}

// Export reads in pages bounded by rows and by bytes; every article comes
// once, in key order, with the filters applied on every page.
func TestExportPagesVisitEveryArticleOnce(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		arts    []*article.Article
		approve func(i int) bool // nil: export all; else approve these and export the approved
	}{
		{"many small", genArticles(2*exportPageRows + 7), nil},
		{"many small, filtered", genArticles(2*exportPageRows + 7), func(i int) bool { return i%3 == 0 }},
		{"few large", []*article.Article{bigArticle(1, 3<<20), bigArticle(2, 3<<20), bigArticle(3, 3<<20),
			bigArticle(4, 3<<20), bigArticle(5, 10)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustImport(t, s, tt.arts...)
			var q ListQuery
			var want []string
			for i, a := range tt.arts {
				if tt.approve == nil {
					want = append(want, a.Key)
				} else if tt.approve(i) {
					r := mustGetByKey(t, s, a.Key)
					if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "a", Status: ptr(article.StatusApproved)}); err != nil {
						t.Fatal(err)
					}
					want = append(want, a.Key)
					q.Status = article.StatusApproved
				}
			}
			slices.Sort(want)
			var got []string
			err := s.Export(ctx, q, func(r ExportRecord) error {
				if r.Err != nil {
					t.Errorf("%s: %v", r.Key, r.Err)
				}
				got = append(got, r.Key)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("exported %d keys, want %d in key order, each once", len(got), len(want))
			}
		})
	}
}

// A consumer that stalls (a download to a client that stopped reading)
// holds no database connection: with more stalled exports than the read
// pool has connections, the app still answers.
func TestStalledExportsDoNotStarveThePool(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(20)...)
	rec := mustGetByKey(t, s, genArticle(3).Key)

	const stalled = readerConns + 2
	release := make(chan struct{})
	started := make(chan struct{}, stalled)
	errs := make(chan error, stalled)
	for range stalled {
		go func() {
			first := true
			errs <- s.Export(context.Background(), ListQuery{}, func(ExportRecord) error {
				if first {
					first = false
					started <- struct{}{}
					<-release
				}
				return nil
			})
		}()
	}
	defer func() {
		close(release)
		for range stalled {
			if err := <-errs; err != nil {
				t.Errorf("export after the stall: %v", err)
			}
		}
	}()
	deadlock := time.After(30 * time.Second) // only to end a test that has failed
	for i := range stalled {
		select {
		case <-started:
		case <-deadlock:
			t.Fatalf("only %d of %d exports could start: the stalled ones hold the pool", i, stalled)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping while %d exports stall: %v", stalled, err)
	}
	if p, err := s.List(ctx, ListQuery{}); err != nil || p.Total != 20 {
		t.Errorf("List while exports stall: %d, %v", p.Total, err)
	}
	if _, err := s.Get(ctx, rec.ID); err != nil {
		t.Errorf("Get while exports stall: %v", err)
	}
	t.Logf("Ping, List and Get answered in %v beside %d stalled exports", time.Since(start).Round(time.Millisecond), stalled)
}

// Every page is a range scan of the key index from the last key on, not a
// sort of the matching rows: a sort per page would make an export of n
// articles cost n²/100.
func TestExportPagesUseTheKeyIndex(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(50)...)
	for _, q := range []ListQuery{
		{},
		{Status: article.StatusApproved},
		{Status: article.StatusPending, Published: ptr(false), Category: "news"},
		{Text: "report", Topic: "AI", Provider: "Reuters"},
	} {
		f, err := q.where(true)
		if err != nil {
			t.Fatal(err)
		}
		f.add("a.key > ?", "0010")
		query, args := exportQuery(f)
		plan := explain(t, s, query, args...)
		if !strings.Contains(plan, "sqlite_autoindex_articles_1 (key>?)") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%+v: plan\n%s\nwant a range scan of the key index without a sort", q, plan)
		}
	}
}
