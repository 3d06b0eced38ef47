package db

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"
)

// presenceEnv is a store with three articles and three editors.
func presenceEnv(t *testing.T) (s *Store, arts []int64, alice, bob, carol int64) {
	t.Helper()
	s = newStore(t)
	for _, o := range mustImport(t, s, genArticles(3)...) {
		arts = append(arts, mustGetByKey(t, s, o.Key).ID)
	}
	var ids []int64
	for _, name := range []string{"alice", "bob", "carol"} {
		u, err := s.CreateUser(context.Background(), name, "hash", RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return s, arts, ids[0], ids[1], ids[2]
}

func openBy(t *testing.T, s *Store, ids []int64, except int64, now time.Time) map[int64][]string {
	t.Helper()
	got, err := s.OpenBy(context.Background(), ids, except, now)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPresence(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	s, arts, alice, bob, carol := presenceEnv(t)
	a1, a2, a3 := arts[0], arts[1], arts[2]
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.OpenArticle(ctx, a1, alice, t0))
	must(s.OpenArticle(ctx, a1, bob, t0))
	must(s.OpenArticle(ctx, a2, carol, t0))

	tests := []struct {
		name   string
		ids    []int64
		except int64
		at     time.Time
		want   map[int64][]string
	}{
		{"others, sorted, per article", []int64{a1, a2, a3}, carol, t0, map[int64][]string{a1: {"alice", "bob"}}},
		{"never the asking editor", []int64{a1, a2}, alice, t0, map[int64][]string{a1: {"bob"}, a2: {"carol"}}},
		{"only the ids asked for", []int64{a2}, alice, t0, map[int64][]string{a2: {"carol"}}},
		{"every article without ids", nil, alice, t0, map[int64][]string{a1: {"bob"}, a2: {"carol"}}},
		{"still there just before the TTL", nil, alice, t0.Add(PresenceTTL), map[int64][]string{a1: {"bob"}, a2: {"carol"}}},
		{"gone after the TTL", nil, alice, t0.Add(PresenceTTL + time.Millisecond), map[int64][]string{}},
	}
	for _, tt := range tests {
		if got := openBy(t, s, tt.ids, tt.except, tt.at); !maps.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	// Opening another article ends the editor's presence on the first.
	must(s.OpenArticle(ctx, a3, bob, t0.Add(time.Second)))
	if got := openBy(t, s, nil, alice, t0.Add(time.Second)); !maps.EqualFunc(got, map[int64][]string{a2: {"carol"}, a3: {"bob"}}, slices.Equal) {
		t.Errorf("after bob opened a3: %v", got)
	}

	// A heartbeat keeps a presence past the TTL; without one it goes.
	for sec := 5; sec <= 30; sec += 5 {
		must(s.RenewPresence(ctx, a3, bob, t0.Add(time.Duration(sec)*time.Second)))
	}
	at := t0.Add(35 * time.Second)
	if got := openBy(t, s, nil, alice, at); !maps.EqualFunc(got, map[int64][]string{a3: {"bob"}}, slices.Equal) {
		t.Errorf("after bob's heartbeats, carol's gone: %v", got)
	}

	// A heartbeat from a tab still open on an article brings the presence
	// back after the editor opened another one elsewhere.
	must(s.OpenArticle(ctx, a1, bob, at))
	must(s.RenewPresence(ctx, a3, bob, at.Add(time.Second)))
	if got := openBy(t, s, nil, alice, at.Add(time.Second)); !maps.EqualFunc(got, map[int64][]string{a1: {"bob"}, a3: {"bob"}}, slices.Equal) {
		t.Errorf("bob in two tabs: %v", got)
	}

	// A heartbeat for an article that does not exist says so.
	if err := s.RenewPresence(ctx, 999999, bob, at); !errors.Is(err, ErrNotFound) {
		t.Errorf("heartbeat on a missing article: %v, want ErrNotFound", err)
	}

	// Rows gone for a while are deleted when someone opens an article.
	must(s.OpenArticle(ctx, a2, alice, at.Add(10*time.Minute)))
	if n := countRows(t, s, "presence"); n != 1 {
		t.Errorf("%d presence rows after the cleanup, want alice's only", n)
	}
}

// A heartbeat within PresenceRenew of the last write writes nothing, so
// most heartbeats cost a read of one row.
func TestRenewPresenceWritesHalfTheTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	s, arts, alice, _, _ := presenceEnv(t)
	if err := s.OpenArticle(ctx, arts[0], alice, t0); err != nil {
		t.Fatal(err)
	}
	seen := func() int64 {
		var ms int64
		if err := s.r.QueryRowContext(ctx, `SELECT seen_at FROM presence`).Scan(&ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}
	for _, tt := range []struct {
		after time.Duration
		want  time.Time
	}{
		{5 * time.Second, t0},
		{10 * time.Second, t0.Add(10 * time.Second)},
		{15 * time.Second, t0.Add(10 * time.Second)},
	} {
		if err := s.RenewPresence(ctx, arts[0], alice, t0.Add(tt.after)); err != nil {
			t.Fatal(err)
		}
		if got := seen(); got != toMillis(tt.want) {
			t.Errorf("heartbeat at +%v: seen_at %v, want %v", tt.after, fromMillis(got), tt.want)
		}
	}
}
