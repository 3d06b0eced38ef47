package db

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// dashboardRows reads rows of (key, status, n) into a map, leaving out
// zero counts (the triggers keep such rows).
func dashboardRows(t *testing.T, s *Store, query string) map[string]int {
	t.Helper()
	rows, err := s.r.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var key, status string
		var n int
		if err := rows.Scan(&key, &status, &n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			m[key+"|"+status] = n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// freshDashboard computes what Dashboard must return from the articles
// and the audit themselves, in Go, without the counter tables.
func freshDashboard(t *testing.T, s *Store, now time.Time, days int) *Dashboard {
	t.Helper()
	d := &Dashboard{Now: now.UTC(), Statuses: map[article.Status]int{}}
	for _, st := range article.Statuses {
		d.Statuses[st] = 0
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := range days {
		d.Days = append(d.Days, DayReviews{Day: today.AddDate(0, 0, i-days+1)})
	}
	for b := QualityNone; b <= 9; b++ {
		d.Quality = append(d.Quality, QualityBucket{Bucket: b})
	}
	each := func(query string, scan func(scan func(...any))) {
		rows, err := s.r.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			scan(func(dst ...any) {
				if err := rows.Scan(dst...); err != nil {
					t.Fatal(err)
				}
			})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	each(`SELECT status, coalesce(edit_quality, quality) FROM articles`, func(scan func(...any)) {
		var st string
		var q *int
		scan(&st, &q)
		d.Statuses[article.Status(st)]++
		b := QualityNone
		if q != nil {
			b = min(*q/10, 9)
		}
		d.Quality[b+1].N++
	})
	type key struct {
		id   int64
		name string
	}
	editors := map[key]*EditorReviews{}
	each(`SELECT coalesce(user_id, 0), actor, at, new_value FROM audit WHERE field = 'status'`, func(scan func(...any)) {
		var k key
		var at int64
		var st string
		scan(&k.id, &k.name, &at, &st)
		e := editors[k]
		if e == nil {
			e = &EditorReviews{UserID: k.id, Name: k.name}
			editors[k] = e
		}
		e.All.add(st, 1)
		day := time.UnixMilli(at).UTC().Truncate(24 * time.Hour)
		if i := int(day.Sub(d.Days[0].Day) / (24 * time.Hour)); i >= 0 && i < days {
			d.Days[i].add(st, 1)
			e.Period.add(st, 1)
		}
	})
	for _, k := range sortedKeys(editors, func(k key) string { return k.name + "\x00" + fmt.Sprint(k.id) }) {
		d.Editors = append(d.Editors, *editors[k])
	}
	sortEditors(d.Editors)
	each(`SELECT t.name, count(*) FROM article_topics at JOIN topics t ON t.id = at.topic_id
		GROUP BY t.id ORDER BY count(*) DESC, t.name LIMIT 10`, func(scan func(...any)) {
		var f Facet
		scan(&f.Name, &f.Count)
		d.Topics = append(d.Topics, f)
	})
	each(`SELECT id, title, imported_at FROM articles NOT INDEXED WHERE status = 'pending'
		ORDER BY imported_at, id LIMIT 1`, func(scan func(...any)) {
		var o OldestPending
		var at int64
		scan(&o.ID, &o.Title, &at)
		o.ImportedAt = fromMillis(at)
		d.Oldest = &o
	})
	return d
}

func sortedKeys[K comparable, V any](m map[K]V, text func(K) string) []K {
	ks := slices.Collect(maps.Keys(m))
	slices.SortFunc(ks, func(a, b K) int { return strings.Compare(text(a), text(b)) })
	return ks
}

// wantDashboardExact compares every dashboard counter table with a fresh
// GROUP BY, asks Check, and compares Dashboard with freshDashboard.
func wantDashboardExact(t *testing.T, s *Store, step string) {
	t.Helper()
	for _, c := range dashboardCounters {
		got := dashboardRows(t, s, `SELECT `+c.key+`, status, n FROM `+c.name)
		want := dashboardRows(t, s, c.fresh)
		if !maps.Equal(got, want) {
			t.Errorf("after %s: %s\n got %v\nwant %v", step, c.name, got, want)
		}
	}
	if ps, err := s.checkCounts(context.Background()); err != nil || len(ps) != 0 {
		t.Errorf("after %s: checkCounts = %v, %v", step, ps, err)
	}
	got, err := s.Dashboard(context.Background(), DashboardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := freshDashboard(t, s, got.Now, 30)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after %s: Dashboard\n got %+v\nwant %+v", step, got, want)
	}
}

// TestDashboardStaysExact runs every kind of write (imports, saves by two
// editors on several days, undos, quality edits, bulk changes in SQL,
// deletes of articles and of a user) and checks after each that the
// dashboard's counters and the Dashboard equal a fresh count.
func TestDashboardStaysExact(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	clock := time.Date(2026, 11, 2, 23, 59, 0, 0, time.UTC) // 28 days ago, as seen from the last step
	s.now = func() time.Time { return clock }
	alice, err := s.CreateUser(ctx, "alice", "hash", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.CreateUser(ctx, "bob", "hash", RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(t *testing.T, i int, u *User, e Edit) {
		t.Helper()
		r := mustGetByKey(t, s, genArticle(i).Key)
		e.Version, e.ActorID, e.Actor = r.Version, u.ID, u.Username
		if _, err := s.Update(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(t *testing.T, query string, args ...any) {
		t.Helper()
		if _, err := s.w.Exec(query, args...); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"empty database", func(t *testing.T) {}},
		{"import of new articles", func(t *testing.T) { mustImport(t, s, genArticles(60)...) }},
		{"decisions by two editors, a minute before midnight", func(t *testing.T) {
			for i := 0; i < 20; i += 2 {
				edit(t, i, alice, Edit{Status: ptr(article.StatusApproved)})
			}
			edit(t, 1, bob, Edit{Status: ptr(article.StatusRejected)})
		}},
		{"the next day: decisions, a change of mind, a reopening", func(t *testing.T) {
			clock = clock.Add(2 * time.Minute)
			edit(t, 3, bob, Edit{Status: ptr(article.StatusApproved)})
			edit(t, 5, bob, Edit{Status: ptr(article.StatusRejected)})
			edit(t, 0, alice, Edit{Status: ptr(article.StatusRejected)}) // approved -> rejected
			edit(t, 2, alice, Edit{Status: ptr(article.StatusPending)})  // an undo writes this
		}},
		{"quality edits across buckets and within one", func(t *testing.T) {
			clock = clock.AddDate(0, 0, 27)
			edit(t, 0, alice, Edit{Quality: ptr(100)}) // 90-100
			edit(t, 7, alice, Edit{Quality: ptr(5)})
			edit(t, 11, alice, Edit{Quality: ptr(42)}) // had none
			edit(t, 13, alice, Edit{Quality: ptr(article.MaxQuality)})
			edit(t, 13, alice, Edit{ClearQuality: true}) // the file's again
			r := mustGetByKey(t, s, genArticle(9).Key)
			edit(t, 9, bob, Edit{Quality: ptr(r.Quality/10*10 + (r.Quality%10+1)%10)}) // same bucket
		}},
		{"import of changed files: quality and none", func(t *testing.T) {
			mustImport(t, s,
				reimported(20, func(a *article.Article) { a.Quality, a.HasQuality = 3, true }),
				reimported(21, func(a *article.Article) { a.Quality, a.HasQuality = 0, false }),
				reimported(7, func(a *article.Article) { a.Quality = 99 }), // edited: the editor's stays
				genArticle(60), genArticle(61))
		}},
		{"save with status, quality and note at once, today", func(t *testing.T) {
			clock = clock.Add(time.Hour)
			edit(t, 22, bob, Edit{Status: ptr(article.StatusApproved), Quality: ptr(77), Note: ptr("ok")})
		}},
		{"bulk changes in SQL: status with audit, quality", func(t *testing.T) {
			exec(t, `INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version)
				SELECT id, ?, 'bob', ?, 'status', status, 'rejected', version + 1 FROM articles WHERE id % 7 = 0 AND status <> 'rejected'`,
				bob.ID, toMillis(clock))
			exec(t, `UPDATE articles SET status = 'rejected', version = version + 1 WHERE id % 7 = 0`)
			exec(t, `UPDATE articles SET edit_quality = 50 WHERE id % 6 = 0`)
		}},
		{"a failed save changes nothing", func(t *testing.T) {
			r := mustGetByKey(t, s, genArticle(30).Key)
			_, err := s.Update(ctx, r.ID, Edit{Version: r.Version, ActorID: alice.ID, Actor: "alice",
				Status: ptr(article.StatusApproved), Quality: ptr(1), Check: func(*Record) error { return fmt.Errorf("refused") }})
			if err == nil {
				t.Fatal("save with a failing check succeeded")
			}
		}},
		{"articles deleted, with their audit", func(t *testing.T) {
			exec(t, `DELETE FROM articles WHERE key = ?`, genArticle(1).Key)  // rejected by bob
			exec(t, `DELETE FROM articles WHERE key = ?`, genArticle(22).Key) // approved today
			exec(t, `DELETE FROM articles WHERE key = ?`, genArticle(40).Key) // pending
		}},
		{"a user deleted: their audit rows lose the user", func(t *testing.T) {
			exec(t, `DELETE FROM users WHERE id = ?`, alice.ID)
		}},
		{"every pending article decided: no oldest", func(t *testing.T) {
			exec(t, `UPDATE articles SET status = 'approved' WHERE status = 'pending'`)
		}},
	}
	for _, st := range steps {
		st.run(t)
		wantDashboardExact(t, s, st.name)
	}
	// Not trivially zero: what the steps did is there to see.
	d, err := s.Dashboard(ctx, DashboardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if last := d.Days[len(d.Days)-1]; last.Rejected == 0 {
		t.Errorf("today %+v: no rejections", last)
	}
	if first := d.Days[0]; first.Day.Format(time.DateOnly) != "2026-11-01" {
		t.Errorf("first day %s, want 2026-11-01 (30 days to 2026-11-30)", first.Day.Format(time.DateOnly))
	}
	if d.Oldest != nil {
		t.Errorf("oldest pending %+v, want none", d.Oldest)
	}
}

// The numbers a reader sees in a small, known case: days, buckets, the
// editors' order, the oldest pending article.
func TestDashboardNumbers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	clock := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	mustImport(t, s, genArticles(3)...) // imported first: the oldest
	clock = clock.Add(time.Hour)
	mustImport(t, s, genArticles(12)[3:]...)
	ann, err := s.CreateUser(ctx, "ann", "hash", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	decide := func(i int, st article.Status) {
		t.Helper()
		r := mustGetByKey(t, s, genArticle(i).Key)
		if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Status: &st, ActorID: ann.ID, Actor: ann.Username}); err != nil {
			t.Fatal(err)
		}
	}
	decide(0, article.StatusApproved)
	decide(1, article.StatusRejected)
	clock = clock.AddDate(0, 0, 2) // 2026-11-30
	decide(2, article.StatusApproved)
	decide(4, article.StatusApproved)
	decide(4, article.StatusPending) // undone

	d, err := s.Dashboard(ctx, DashboardQuery{Days: 7, TopTopics: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Days) != 7 || d.Days[6].Day.Format(time.DateOnly) != "2026-11-30" {
		t.Fatalf("days %v", d.Days)
	}
	wantDays := map[string]Reviews{"2026-11-28": {Approved: 1, Rejected: 1}, "2026-11-30": {Approved: 2, Reopened: 1}}
	for _, day := range d.Days {
		if day.Reviews != wantDays[day.Day.Format(time.DateOnly)] {
			t.Errorf("%s: %+v, want %+v", day.Day.Format(time.DateOnly), day.Reviews, wantDays[day.Day.Format(time.DateOnly)])
		}
	}
	if want := map[article.Status]int{"pending": 9, "approved": 2, "rejected": 1}; !maps.Equal(d.Statuses, want) {
		t.Errorf("statuses %v, want %v", d.Statuses, want)
	}
	// genArticle: quality (i*53)%101, none when i%11 == 0.
	want := map[int]int{QualityNone: 2, 0: 1, 1: 2, 2: 2, 5: 2, 6: 2, 7: 1}
	for _, b := range d.Quality {
		if b.N != want[b.Bucket] {
			t.Errorf("quality %s: %d, want %d", b.Label(), b.N, want[b.Bucket])
		}
	}
	if len(d.Topics) != 3 {
		t.Errorf("topics %v, want the top 3", d.Topics)
	}
	if len(d.Editors) != 1 || d.Editors[0].Name != "ann" || d.Editors[0].All != (Reviews{Approved: 3, Rejected: 1, Reopened: 1}) {
		t.Errorf("editors %+v", d.Editors)
	}
	if d.Oldest == nil || d.Oldest.ID != mustGetByKey(t, s, genArticle(3).Key).ID {
		t.Errorf("oldest pending %+v, want article 3 (0-2 are decided)", d.Oldest)
	}
	byUser, err := s.ReviewsByUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if byUser[ann.ID] != d.Editors[0].All || len(byUser) != 1 {
		t.Errorf("ReviewsByUser = %v", byUser)
	}
	for _, q := range []DashboardQuery{{Days: -1}, {Days: MaxDashboardDays + 1}, {TopTopics: -1}} {
		if _, err := s.Dashboard(ctx, q); err == nil {
			t.Errorf("Dashboard(%+v) succeeded", q)
		}
	}
}

func TestSortEditors(t *testing.T) {
	es := []EditorReviews{
		{Name: "a", Period: Reviews{Approved: 1}, All: Reviews{Approved: 9}},
		{Name: "b", Period: Reviews{Rejected: 2}},
		{Name: "c", Period: Reviews{Approved: 1}, All: Reviews{Approved: 10}},
		{Name: "d", Period: Reviews{Reopened: 5}},
	}
	sortEditors(es)
	var got string
	for _, e := range es {
		got += e.Name
	}
	if got != "bcad" {
		t.Errorf("order %s, want bcad", got)
	}
}

// A database made before 0009 gets its dashboard counters filled from its
// articles and audit.
func TestMigration0009FillsDashboardCounters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v8.db")
	storeAtVersion(t, path, 8, genArticles(40))
	w, err := openPool(dsn(path, defaultBusyTimeout, "mode=rw", writerParam), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, username, password_hash, role, created_at, updated_at) VALUES (7, 'old', 'h', 'editor', 0, 0)`,
		`INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version)
			SELECT id, 7, 'old', 1764500000000 + id, 'status', 'pending', 'approved', 2 FROM articles WHERE id % 3 = 0`,
		`UPDATE articles SET status = 'approved', edit_quality = 95 WHERE id % 3 = 0`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := countRows(t, s, "count_review"); n == 0 {
		t.Fatal("count_review is empty after the migration")
	}
	wantDashboardExact(t, s, "migration")
	byUser, err := s.ReviewsByUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if byUser[7].Approved != 13 { // ids 3, 6, ... 39
		t.Errorf("user 7 approved %d, want 13", byUser[7].Approved)
	}
}

// Check names a dashboard counter that disagrees with the audit or the
// articles.
func TestCheckFindsWrongDashboardCounts(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(10)...)
	if _, err := s.w.Exec(`UPDATE count_quality SET n = n + 2 WHERE bucket = -1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO count_review_user (user_id, actor, status, n) VALUES (3, 'ghost', 'approved', 4)`); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(ps)
	for _, want := range []string{"count_quality", "quality bucket -1, status pending: the counter says 3, a fresh count says 1",
		"count_review_user", "user 3 ghost, status approved: the counter says 4, a fresh count says 0"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %s\nlack %q", got, want)
		}
	}
}

// RecordLogin sets the time of the last login and nothing else.
func TestRecordLogin(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	clock := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	u, err := s.CreateUser(ctx, "ann", "hash", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if !u.LastLoginAt.IsZero() {
		t.Errorf("a new user's last login is %v", u.LastLoginAt)
	}
	clock = clock.Add(time.Hour)
	if err := s.RecordLogin(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastLoginAt.Equal(clock) || !got.UpdatedAt.Equal(u.UpdatedAt) || got.SessionEpoch != u.SessionEpoch {
		t.Errorf("after RecordLogin: last login %v (want %v), updated %v (want %v), epoch %d", got.LastLoginAt, clock,
			got.UpdatedAt, u.UpdatedAt, got.SessionEpoch)
	}
	if err := s.RecordLogin(ctx, 999); err == nil {
		t.Error("RecordLogin of an unknown user succeeded")
	}
}
