package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// A save holds its article's row (getRecord with forUpdate) with FOR NO
// KEY UPDATE: a presence on that article, whose foreign key takes FOR
// KEY SHARE, is written meanwhile instead of being dropped after its
// lock timeout, and another writer still has to wait.
func TestLockSaveLetsPresenceIn(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	one, two := stores[0], stores[1]
	ids := instArticles(t, one, 1)
	alice, err := one.CreateUser(ctx, "alice", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	q := 77
	checked := false
	_, err = one.Update(ctx, ids[0], db.Edit{Version: 1, Quality: &q, Actor: "bob",
		// Called inside the save's transaction, with the row held.
		Check: func(*db.Record) error {
			checked = true
			if err := two.OpenArticle(ctx, ids[0], alice.ID, now); err != nil {
				t.Errorf("OpenArticle while a save holds the article: %v", err)
			}
			got, err := two.OpenBy(ctx, nil, 0, now)
			if err != nil || !slices.Equal(got[ids[0]], []string{"alice"}) {
				t.Errorf("presence while a save holds the article: %v, %v; want alice", got, err)
			}
			if err := tryWriteLock(ctx, two, ids[0]); !isLockTimeout(err) {
				t.Errorf("a second writer got the row a save holds: %v", err)
			}
			return nil
		}})
	if err != nil || !checked {
		t.Fatalf("update: %v (check called: %t)", err, checked)
	}
}

// An import holds the stored rows of its batch the same way: while it
// waits for one of them (held here by another transaction), a presence
// on a row it already holds is written.
func TestLockImportLetsPresenceIn(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	one, two := stores[0], stores[1]
	ids := instArticles(t, one, 2) // ids[0] < ids[1]: the import locks ids[0] first
	alice, err := one.CreateUser(ctx, "alice", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	blocker, err := two.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `SELECT id FROM articles WHERE id = $1 FOR NO KEY UPDATE`, ids[1]); err != nil {
		t.Fatal(err)
	}
	var batch []*article.Article
	for i := range 2 {
		r, err := one.Get(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		a, err := article.Parse(r.Article.FileName, append(slices.Clone(r.Article.Raw), "Changed.\n"...))
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, a)
	}
	done := make(chan error, 1)
	go func() {
		_, err := one.Import(ctx, batch)
		done <- err
	}()
	waitForLockWaiter(t, two)

	now := time.Now()
	if err := two.OpenArticle(ctx, ids[0], alice.ID, now); err != nil {
		t.Errorf("OpenArticle while an import holds the article: %v", err)
	}
	got, err := two.OpenBy(ctx, nil, 0, now)
	if err != nil || !slices.Equal(got[ids[0]], []string{"alice"}) {
		t.Errorf("presence while an import holds the article: %v, %v; want alice", got, err)
	}
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("import: %v", err)
	}
}

// tryWriteLock takes the row lock a writer takes on article id, in a
// transaction of its own that waits at most 100 ms for it, and rolls
// back.
func tryWriteLock(ctx context.Context, s *postgres.Store, id int64) error {
	return pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '100ms'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT id FROM articles WHERE id = $1 FOR NO KEY UPDATE`, id)
		return err
	})
}

func isLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

// waitForLockWaiter returns once a session on s's database waits for a
// lock (the import, on the blocked row), or fails the test after 10 s.
func waitForLockWaiter(t *testing.T, s *postgres.Store) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("the import never waited for the blocked row")
}

// Imports of new and of changed articles and saves, all at once on two
// instances, keep every counter table exact (Check compares each with a
// GROUP BY over the articles and the audit): the counter triggers lose
// no count between concurrent transactions, and inTx retries what a
// deadlock aborts.
func TestLockConcurrentWritersKeepCountsExact(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	const seeded, batch = 600, 100
	arts := make([]*article.Article, 0, seeded)
	for i := range seeded {
		arts = append(arts, benchArticle(t, i))
	}
	if _, err := stores[0].Import(ctx, arts); err != nil {
		t.Fatal(err)
	}
	users := make([]int64, 2)
	for i := range users {
		u, err := stores[0].CreateUser(ctx, fmt.Sprintf("editor%d", i), "h", db.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	run := func(f func() error) {
		wg.Go(func() {
			if err := f(); err != nil {
				errs <- err
			}
		})
	}
	for w := range 2 { // new articles, from both instances
		run(func() error {
			for lo := seeded + w*400; lo < seeded+(w+1)*400; lo += batch {
				var b []*article.Article
				for i := lo; i < lo+batch; i++ {
					b = append(b, benchArticle(t, i))
				}
				if _, err := stores[w].Import(ctx, b); err != nil {
					return fmt.Errorf("import new: %w", err)
				}
			}
			return nil
		})
	}
	run(func() error { // changed files: another category and one more topic
		for lo := 0; lo < seeded/2; lo += batch {
			var b []*article.Article
			for _, a := range arts[lo : lo+batch] {
				raw := strings.Replace(string(a.Raw), "category: ", "category: x", 1)
				raw = strings.Replace(raw, "topics:\n", "topics:\n  - Concurrency\n", 1)
				c, err := article.Parse(a.FileName, []byte(raw))
				if err != nil {
					return err
				}
				b = append(b, c)
			}
			if _, err := stores[1].Import(ctx, b); err != nil {
				return fmt.Errorf("import changed: %w", err)
			}
		}
		return nil
	})
	for w := range 2 { // saves moving status, published, quality and topics
		run(func() error {
			statuses := []article.Status{article.StatusApproved, article.StatusRejected, article.StatusPending}
			for i := w; i < seeded; i += 3 {
				key := arts[i].Key
				for {
					r, err := stores[w].GetByKey(ctx, key)
					if err != nil {
						return err
					}
					st, pub, q := statuses[(i/3+w)%3], i%2 == 0, (i*7)%101
					_, err = stores[w].Update(ctx, r.ID, db.Edit{Version: r.Version, Status: &st, Published: &pub,
						Quality: &q, Topics: []string{"Saved", benchTopics[i%len(benchTopics)]}, SetTopics: i%4 == 0,
						ActorID: users[w], Actor: fmt.Sprintf("editor%d", w)})
					if errors.Is(err, db.ErrConflict) {
						continue // an import changed it meanwhile
					}
					if err != nil {
						return fmt.Errorf("save %s: %w", key, err)
					}
					break
				}
			}
			return nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var deadlocks int64
	err := stores[0].Pool().QueryRow(ctx, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`).Scan(&deadlocks)
	t.Logf("deadlocks broken (and retried): %d, %v", deadlocks, err)
	ps, err := stores[0].Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Errorf("after concurrent writers: [%s] %s", p.Check, p)
	}
}
