package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

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
