package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// TestConcurrentWriters runs many writers and readers at once: writes
// must queue, never fail with "database is locked" (SQLITE_BUSY).
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(40)...)
	shared := mustGetByKey(t, s, genArticle(0).Key)

	const workers, rounds = 20, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	var mu sync.Mutex
	sharedSaves := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := mustGetByKey(t, s, genArticle(w+1).Key)
			for i := range rounds {
				// Each worker's own article: never a conflict.
				r, err := s.Update(ctx, own.ID, Edit{Version: own.Version, Actor: "w", Quality: ptr(i), Note: ptr(fmt.Sprint(w, i))})
				if err != nil {
					errs <- err
					continue
				}
				own = r
				// A shared article: conflicts are expected, errors are not.
				cur, err := s.Get(ctx, shared.ID)
				if err != nil {
					errs <- err
					continue
				}
				_, err = s.Update(ctx, shared.ID, Edit{Version: cur.Version, Actor: "w", Note: ptr(fmt.Sprint(w, i))})
				switch {
				case err == nil:
					mu.Lock()
					sharedSaves++
					mu.Unlock()
				case !errors.Is(err, ErrConflict):
					errs <- err
				}
				// Imports and reads in between.
				if _, err := s.Import(ctx, []*article.Article{genArticle(100 + w*rounds + i)}); err != nil {
					errs <- err
				}
				if _, err := s.List(ctx, ListQuery{Status: article.StatusPending, Text: "report"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write failed: %v", err)
	}
	r := mustGetByKey(t, s, genArticle(0).Key)
	if want := int64(1 + sharedSaves); r.Version != want {
		t.Errorf("shared article at version %d after %d saves, want %d", r.Version, sharedSaves, want)
	}
	if h, _ := s.History(ctx, r.ID); len(h) != sharedSaves {
		t.Errorf("shared article has %d audit rows, want %d", len(h), sharedSaves)
	}
	if n := countRows(t, s, "articles"); n != 40+workers*rounds {
		t.Errorf("%d articles, want %d", n, 40+workers*rounds)
	}
}
