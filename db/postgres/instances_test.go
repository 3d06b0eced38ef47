package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
	"github.com/newsdesk/newsdesk/db/storetest"
)

// Two *postgres.Store on one database are two app instances: two pools,
// nothing shared but the database.

// instOpen opens n stores on url at once, as instances starting together
// do, and closes them when t ends.
func instOpen(t *testing.T, url string, n int) []*postgres.Store {
	t.Helper()
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), url) })
	}
	wg.Wait()
	for i, s := range stores {
		if s != nil {
			t.Cleanup(func() { s.Close() })
		}
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	return stores
}

// instArticles imports n small articles through s and returns their ids.
func instArticles(t *testing.T, s db.Database, n int) []int64 {
	t.Helper()
	var arts []*article.Article
	for i := range n {
		raw := fmt.Sprintf("---\ntitle: \"Article %d\"\nquality: %d\ntopics: [Space, Energy]\n---\nBody %d.\n", i, i*10%101, i)
		a, err := article.Parse(fmt.Sprintf("inst_%03d.md", i), []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	return storetest.ImportIDs(t, s, arts)
}

// Instances starting at once on an empty database migrate it one at a
// time and end with the same session keys, whichever asked first.
func TestInstancesShareSessionKeys(t *testing.T) {
	stores := instOpen(t, pgtest.Empty(t), 4)
	hashes, blocks := make([][]byte, len(stores)), make([][]byte, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			var err error
			hashes[i], blocks[i], err = s.SessionKeys(context.Background())
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range stores {
		if len(hashes[i]) != db.SessionHashKeyLen || !bytes.Equal(hashes[i], hashes[0]) || !bytes.Equal(blocks[i], blocks[0]) {
			t.Fatalf("instance %d has other session keys", i)
		}
	}
	// A rotation through one is what every instance reads next.
	if err := stores[0].RotateSessionKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, b, err := stores[1].SessionKeys(context.Background())
	if err != nil || bytes.Equal(h, hashes[0]) || bytes.Equal(b, blocks[0]) {
		t.Fatalf("after a rotation through another instance: same keys %t, %v", bytes.Equal(h, hashes[0]), err)
	}
}

// A user disabled through one instance is disabled, with a raised epoch,
// through the other; epochs raised through both at once all count.
func TestInstancesShareUsers(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	one, two := stores[0], stores[1]
	u, err := one.CreateUser(ctx, "alice", "hash", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := two.CreateUser(ctx, "Alice", "hash", db.RoleEditor); !errors.Is(err, db.ErrUserExists) {
		t.Fatalf("the same name through the other instance: %v, want ErrUserExists", err)
	}
	if err := one.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	got, err := two.UserByName(ctx, "ALICE")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Disabled || got.SessionEpoch <= u.SessionEpoch {
		t.Fatalf("through the other instance: disabled %t, epoch %d (was %d)", got.Disabled, got.SessionEpoch, u.SessionEpoch)
	}
	const bumps = 20
	var wg sync.WaitGroup
	for i := range bumps {
		wg.Go(func() {
			if err := stores[i%2].BumpSessionEpoch(ctx, u.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	after, err := one.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.SessionEpoch != got.SessionEpoch+bumps {
		t.Errorf("epoch %d after %d concurrent bumps from %d, want %d", after.SessionEpoch, bumps, got.SessionEpoch, got.SessionEpoch+bumps)
	}
}

// Presence written through one instance is what OpenBy reports through
// the other.
func TestInstancesSharePresence(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	one, two := stores[0], stores[1]
	ids := instArticles(t, one, 2)
	alice, err := one.CreateUser(ctx, "alice", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := two.CreateUser(ctx, "bob", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := one.OpenArticle(ctx, ids[0], alice.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := two.OpenArticle(ctx, ids[1], bob.ID, now); err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{ids[0]: {"alice"}}
	if got, err := two.OpenBy(ctx, nil, bob.ID, now); err != nil || !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("bob's instance sees %v, %v; want %v", got, err, want)
	}
	want = map[int64][]string{ids[1]: {"bob"}}
	if got, err := one.OpenBy(ctx, ids, alice.ID, now); err != nil || !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("alice's instance sees %v, %v; want %v", got, err, want)
	}
}

// A presence write does not wait for an article another transaction
// holds FOR UPDATE (a save or a bulk action): it gives up after its lock
// timeout, writes nothing and succeeds; once the lock is gone it writes.
func TestPresenceDoesNotWaitForALockedArticle(t *testing.T) {
	ctx := context.Background()
	stores := instOpen(t, pgtest.URL(t), 2)
	one, two := stores[0], stores[1]
	ids := instArticles(t, one, 1)
	alice, err := one.CreateUser(ctx, "alice", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := one.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT id FROM articles WHERE id = $1 FOR UPDATE`, ids[0]); err != nil {
		t.Fatal(err)
	}
	// Bounded by a context, so a write that waits fails the test rather
	// than hanging it.
	bounded, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	now := time.Now()
	start := time.Now()
	if err := two.OpenArticle(bounded, ids[0], alice.ID, now); err != nil {
		t.Fatalf("OpenArticle on a locked article: %v", err)
	}
	if err := two.RenewPresence(bounded, ids[0], alice.ID, now); err != nil {
		t.Fatalf("RenewPresence on a locked article: %v", err)
	}
	t.Logf("two presence writes on a locked article returned in %v", time.Since(start))
	if got, err := two.OpenBy(ctx, nil, 0, now); err != nil || len(got) != 0 {
		t.Errorf("presence recorded under a lock: %v, %v", got, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := two.RenewPresence(ctx, ids[0], alice.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, err := one.OpenBy(ctx, nil, 0, now); err != nil || !slices.Equal(got[ids[0]], []string{"alice"}) {
		t.Errorf("after the lock: %v, %v", got, err)
	}
}

// Check names each kind of damage it looks for (the cases cannot be made
// through db.Database, so they are here, in SQL).
func TestCheckFindsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage string // SQL; $1 is the id of the second article
		want   string
	}{
		{"stored bytes changed without their hash",
			`UPDATE article_content SET raw = raw || '\x20'::bytea WHERE article_id = $1`,
			`article "inst_001": stored file is damaged: content hash mismatch`},
		{"no search document",
			`DELETE FROM articles_search WHERE article_id = $1`,
			`articles_search: article "inst_001": the article is missing from the search index`},
		{"a stale search document",
			`UPDATE articles_search SET doc = 'stale:1'::tsvector WHERE article_id = $1`,
			`articles_search: article "inst_001": the search document differs`},
		{"topics that are not JSON",
			`UPDATE articles SET topics = 'Space' WHERE id = $1`,
			`article "inst_001": topics are not a JSON list`},
		{"a wrong queue counter",
			`UPDATE count_category SET n = n + 2 WHERE $1 > 0`,
			`count_category: category "", status pending, published false: the counter says 5 articles, the articles are 3`},
		{"a wrong topic counter",
			`UPDATE count_topic SET n = n + 1 WHERE topic_id = (SELECT id FROM topics WHERE name = 'Energy') AND $1 > 0`,
			`count_topic: topic "Energy", status pending, published false: the counter says 4 articles, the articles are 3`},
		{"a wrong dashboard counter",
			`INSERT INTO count_review_user (user_id, actor, status, n) SELECT 3, 'ghost', 'approved', 4 WHERE $1 > 0`,
			`count_review_user: user 3 ghost, status approved: the counter says 4, a fresh count says 0`},
		{"a wrong quality counter",
			`UPDATE count_quality SET n = n + 2 WHERE bucket = 1 AND $1 > 0`,
			`count_quality: quality bucket 1, status pending: the counter says 3, a fresh count says 1`},
		{"an NFD twin",
			`UPDATE articles SET key = CASE key WHEN 'inst_001' THEN 'cafe' || chr(769) ELSE 'caf' || chr(233) END
				WHERE key IN ('inst_000', 'inst_001') AND $1 > 0`,
			`key "cafe\u0301" is article "caf\u00e9" written in Unicode NFD`},
		{"another schema version",
			`UPDATE schema_version SET version = version + 1 WHERE $1 > 0`,
			`the schema version is`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			url := pgtest.URL(t)
			s := instOpen(t, url, 1)[0]
			ids := instArticles(t, s, 3)
			if ps, err := s.Check(ctx); err != nil || len(ps) != 0 {
				t.Fatalf("before the damage: %v, %v", ps, err)
			}
			if tag, err := s.Pool().Exec(ctx, tt.damage, ids[1]); err != nil || tag.RowsAffected() == 0 {
				t.Fatalf("damage: %v, %v", tag, err)
			}
			ro, err := postgres.OpenReadOnly(ctx, url)
			if err != nil && !strings.Contains(tt.name, "schema") {
				t.Fatal(err)
			}
			if ro != nil {
				defer ro.Close()
			} else {
				ro = s // a read-only store refuses another schema version
			}
			ps, err := ro.Check(ctx)
			if err != nil {
				t.Fatalf("Check could not run: %v", err)
			}
			var lines []string
			for _, p := range ps {
				lines = append(lines, fmt.Sprintf("[%s] %s", p.Check, p))
			}
			if len(ps) != 1 || !strings.Contains(ps[0].String(), tt.want) {
				t.Errorf("problems:\n%s\nwant one saying %q", strings.Join(lines, "\n"), tt.want)
			}
		})
	}
}

// The same imports and saves give the same dashboard on both stores:
// every number, the order of topics with equal counts (by name ignoring
// ASCII case, as SQLite's NOCASE) and of editors.
func TestDashboardSameAsSQLite(t *testing.T) {
	ctx := context.Background()
	lite, err := db.Open(ctx, filepath.Join(t.TempDir(), "news.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := instOpen(t, pgtest.URL(t), 1)[0]
	var got [2]*db.Dashboard
	var users [2][]int64
	for i, s := range []db.Database{lite, pg} {
		users[i] = instDashboardWork(t, s)
		d, err := s.Dashboard(ctx, db.DashboardQuery{Days: 7, TopTopics: 50})
		if err != nil {
			t.Fatal(err)
		}
		// The times are each store's own: when the test ran.
		if d.Oldest == nil || d.Oldest.ImportedAt.IsZero() {
			t.Fatalf("oldest pending %+v", d.Oldest)
		}
		d.Now, d.Oldest.ImportedAt = time.Time{}, time.Time{}
		got[i] = d
	}
	if !slices.Equal(users[0], users[1]) {
		t.Fatalf("user ids differ: %v, %v", users[0], users[1])
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("dashboards differ\nSQLite     %+v %+v\nPostgreSQL %+v %+v", got[0], got[0].Oldest, got[1], got[1].Oldest)
	}
	if len(got[1].Topics) < 5 || len(got[1].Editors) != 3 {
		t.Errorf("too little to compare: %d topics, %d editors", len(got[1].Topics), len(got[1].Editors))
	}
	var byUser [2]map[int64]db.Reviews
	for i, s := range []db.Database{lite, pg} {
		if byUser[i], err = s.ReviewsByUser(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if !maps.Equal(byUser[0], byUser[1]) {
		t.Errorf("ReviewsByUser differ: %v, %v", byUser[0], byUser[1])
	}
}

// instDashboardWork imports 30 articles whose topics differ in case and
// count, and has three editors decide and edit some; it returns the
// users' ids.
func instDashboardWork(t *testing.T, s db.Database) []int64 {
	t.Helper()
	ctx := context.Background()
	topics := []string{"ai", "Batteries", "climate", "Energy", "space", "Zebra", "b2b", "Été"}
	var arts []*article.Article
	for i := range 30 {
		raw := fmt.Sprintf("---\ntitle: \"Article %d\"\nquality: %d\ntopics: [%s, %s]\n---\n",
			i, i*37%101, topics[i%len(topics)], topics[(i*3+1)%len(topics)])
		if i%9 == 4 {
			raw = fmt.Sprintf("---\ntitle: \"Article %d\"\n---\n", i) // no quality, no topics
		}
		a, err := article.Parse(fmt.Sprintf("dash_%02d.md", i), []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	if _, err := s.Import(ctx, arts); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var us []*db.User
	for _, name := range []string{"carol", "Bob", "alice"} {
		u, err := s.CreateUser(ctx, name, "h", db.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		us, ids = append(us, u), append(ids, u.ID)
	}
	edit := func(i int, u *db.User, e db.Edit) {
		t.Helper()
		r, err := s.GetByKey(ctx, arts[i].Key)
		if err != nil {
			t.Fatal(err)
		}
		e.Version, e.ActorID, e.Actor = r.Version, u.ID, u.Username
		if _, err := s.Update(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	st := func(s article.Status) *article.Status { return &s }
	q := func(n int) *int { return &n }
	for i := range 30 {
		u := us[i%3]
		switch i % 5 {
		case 0:
			edit(i, u, db.Edit{Status: st(article.StatusApproved)})
		case 1:
			edit(i, u, db.Edit{Status: st(article.StatusRejected), Quality: q(95)})
		case 2:
			edit(i, u, db.Edit{Topics: []string{"Mars", "ai"}, SetTopics: true})
		case 3:
			edit(i, u, db.Edit{Status: st(article.StatusApproved)})
			edit(i, us[(i+1)%3], db.Edit{Status: st(article.StatusPending)})
		}
	}
	return ids
}

// A stored session key of the wrong size is an error, never silently
// replaced: replacing it would hide a damaged database.
func TestSessionKeysRefuseDamagedValue(t *testing.T) {
	ctx := context.Background()
	s := instOpen(t, pgtest.URL(t), 1)[0]
	if _, err := s.Pool().Exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES ($1, 'short'::bytea, 0)`,
		db.SettingSessionHashKey); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionKeys(ctx); err == nil || !strings.Contains(err.Error(), "stored 5 bytes, want 64") {
		t.Fatalf("SessionKeys with a damaged key: %v", err)
	}
	var v []byte
	if err := s.Pool().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, db.SettingSessionHashKey).Scan(&v); err != nil || string(v) != "short" {
		t.Fatalf("the damaged key was replaced: %q, %v", v, err)
	}
}

// A store opened read-only (export, check, user list) reads users, keys,
// presence and the dashboard, and refuses every write with
// db.ErrReadOnly.
func TestReadOnlyStoreRefusesUserAndPresenceWrites(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	rw := instOpen(t, url, 1)[0]
	ids := instArticles(t, rw, 1)
	u, err := rw.CreateUser(ctx, "alice", "h", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := rw.SessionKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := postgres.OpenReadOnly(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if us, err := ro.Users(ctx); err != nil || len(us) != 1 {
		t.Errorf("Users = %v, %v", us, err)
	}
	if h2, _, err := ro.SessionKeys(ctx); err != nil || !bytes.Equal(h, h2) {
		t.Errorf("SessionKeys through a read-only store: %v", err)
	}
	if _, err := ro.Dashboard(ctx, db.DashboardQuery{}); err != nil {
		t.Error(err)
	}
	if _, err := ro.OpenBy(ctx, nil, 0, time.Now()); err != nil {
		t.Error(err)
	}
	for name, err := range map[string]error{
		"create user":  func() error { _, err := ro.CreateUser(ctx, "bob", "h", db.RoleEditor); return err }(),
		"set disabled": ro.SetDisabled(ctx, u.ID, true),
		"record login": ro.RecordLogin(ctx, u.ID),
		"rotate keys":  ro.RotateSessionKeys(ctx),
		"open article": ro.OpenArticle(ctx, ids[0], u.ID, time.Now()),
		"renew":        ro.RenewPresence(ctx, ids[0], u.ID, time.Now()),
	} {
		if !errors.Is(err, db.ErrReadOnly) {
			t.Errorf("%s through a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
}
