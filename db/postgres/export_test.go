package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// openArticles opens a fresh migrated store; query is appended to its URL
// (pool settings), closed when t ends.
func openArticles(t *testing.T, query string) *postgres.Store {
	t.Helper()
	url := pgtest.URL(t)
	if query != "" {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + query
	}
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Damage in one stored article reaches the caller as that article's
// record with Err set (wrapping db.ErrCorrupt), never as bytes, and the
// other articles still come. The conformance suite cannot damage a store;
// package db has the same test for SQLite.
func TestExportFlagsDamagedArticles(t *testing.T) {
	ctx := context.Background()
	s := openArticles(t, "")
	var arts []*article.Article
	for i := range 5 {
		arts = append(arts, benchArticle(t, i))
	}
	if _, err := s.Import(ctx, arts); err != nil {
		t.Fatal(err)
	}
	damage := []struct {
		i      int
		sql    string
		wantIn string
	}{
		{1, `UPDATE article_content SET raw = convert_to(replace(convert_from(raw, 'UTF8'), 'number', 'numb3r'), 'UTF8')
			WHERE article_id = (SELECT id FROM articles WHERE key = $1)`, "stored file is damaged: content hash mismatch (stored "},
		{2, `UPDATE article_content SET raw = substr(raw, 1, 100) WHERE article_id = (SELECT id FROM articles WHERE key = $1)`, "content hash mismatch"},
		{3, `UPDATE articles SET edit_topics = 'not json' WHERE key = $1`, "edit_topics column is not a JSON list"},
	}
	for _, d := range damage {
		tag, err := s.Pool().Exec(ctx, d.sql, arts[d.i].Key)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("damage %d: %v, %d rows", d.i, err, tag.RowsAffected())
		}
	}
	got := map[string]db.ExportRecord{}
	if err := s.Export(ctx, db.ListQuery{}, func(r db.ExportRecord) error {
		got[r.Key] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(arts) {
		t.Fatalf("exported %d records, want all %d", len(got), len(arts))
	}
	for _, d := range damage {
		a := arts[d.i]
		r := got[a.Key]
		if !errors.Is(r.Err, db.ErrCorrupt) || !strings.Contains(fmt.Sprint(r.Err), d.wantIn) {
			t.Errorf("%s: Err = %v, want ErrCorrupt saying %q", a.Key, r.Err, d.wantIn)
		}
		if r.Raw != nil || !r.Changes.IsZero() || r.FileName != a.FileName || r.Status != article.StatusPending {
			t.Errorf("%s: damaged record has %d raw bytes, file name %q", a.Key, len(r.Raw), r.FileName)
		}
	}
	for _, i := range []int{0, 4} {
		if r := got[arts[i].Key]; r.Err != nil || !bytes.Equal(r.Raw, arts[i].Raw) {
			t.Errorf("%s: sound article exported with Err %v", arts[i].Key, r.Err)
		}
	}
}

// A consumer that stalls holds no connection: with a pool of one
// connection, stalled exports leave it free for the app, and the callback
// itself can use the store.
func TestStalledExportsDoNotStarveThePool(t *testing.T) {
	ctx := context.Background()
	s := openArticles(t, "pool_max_conns=1")
	var arts []*article.Article
	for i := range db.ExportPageRows + 5 {
		arts = append(arts, benchArticle(t, i))
	}
	if _, err := s.Import(ctx, arts); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		started := make(chan struct{})
		go func() {
			defer wg.Done()
			first := true
			errs <- s.Export(ctx, db.ListQuery{}, func(db.ExportRecord) error {
				if first {
					first = false
					close(started)
					<-release
				}
				return nil
			})
		}()
		<-started
	}
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Ping(short); err != nil {
		t.Errorf("ping while 3 exports stall: %v", err)
	}
	r, err := s.GetByKey(short, arts[0].Key)
	if err == nil {
		_, err = s.Update(short, r.ID, db.Edit{Version: r.Version, Actor: "a", Note: new(string)})
	}
	if err != nil {
		t.Errorf("read and save while 3 exports stall: %v", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Two instances importing the same new files at once both succeed: the
// one that loses the race on a key runs its batch again and finds the
// articles stored, so each key is one article.
func TestConcurrentImportsOfTheSameKeys(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	var stores []*postgres.Store
	for range 2 {
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	var arts []*article.Article
	for i := range 200 {
		arts = append(arts, benchArticle(t, i))
	}
	var wg sync.WaitGroup
	outs := make([][]db.ImportOutcome, len(stores))
	errs := make([]error, len(stores))
	for k, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[k], errs[k] = s.Import(ctx, arts)
		}()
	}
	wg.Wait()
	for k := range stores {
		if errs[k] != nil {
			t.Fatalf("instance %d: %v", k, errs[k])
		}
	}
	for i := range arts {
		a, b := outs[0][i].Result, outs[1][i].Result
		if !(a == db.ImportNew && b == db.ImportUnchanged || a == db.ImportUnchanged && b == db.ImportNew) {
			t.Errorf("%s: %s and %s, want one new and one unchanged", arts[i].Key, a, b)
		}
	}
	var n int
	if err := stores[0].Pool().QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil || n != len(arts) {
		t.Errorf("%d articles, %v; want %d", n, err, len(arts))
	}
}
