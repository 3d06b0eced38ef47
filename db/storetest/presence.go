package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Presence/OpenAndExpire", presenceOpenAndExpire)
	add("Presence/RenewWritesAtMostEvery7s", presenceRenewRule)
	add("Presence/Cleanup", presenceCleanup)
	add("Presence/ClaimIsAtomic", presenceClaimIsAtomic)
	add("Presence/ClaimRules", presenceClaimRules)
}

// presenceT0 is the presence tests' clock: presence takes now from its
// caller, so the tests choose it.
var presenceT0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// presenceEnv seeds three articles and three editors, one named with a
// capital (names are reported as stored, sorted ignoring case).
func presenceEnv(t *testing.T, s db.Database) (arts []int64, alice, bob, carol int64) {
	t.Helper()
	for _, r := range seed(t, s, 3) {
		arts = append(arts, r.ID)
	}
	return arts, usersCreate(t, s, "alice", db.RoleEditor).ID, usersCreate(t, s, "Bob", db.RoleEditor).ID,
		usersCreate(t, s, "carol", db.RoleEditor).ID
}

func presenceOpenBy(t *testing.T, s db.Database, ids []int64, except int64, now time.Time) map[int64][]string {
	t.Helper()
	got, err := s.OpenBy(context.Background(), ids, except, now)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func presenceMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func presenceOpenAndExpire(t *testing.T, s db.Database) {
	ctx := context.Background()
	t0 := presenceT0
	arts, alice, bob, carol := presenceEnv(t, s)
	a1, a2, a3 := arts[0], arts[1], arts[2]
	presenceMust(t, s.OpenArticle(ctx, a1, bob, t0))
	presenceMust(t, s.OpenArticle(ctx, a1, alice, t0))
	presenceMust(t, s.OpenArticle(ctx, a2, carol, t0))

	tests := []struct {
		name   string
		ids    []int64
		except int64
		at     time.Time
		want   map[int64][]string
	}{
		{"others, sorted ignoring case, per article", []int64{a1, a2, a3}, carol, t0, map[int64][]string{a1: {"alice", "Bob"}}},
		{"never the asking editor", []int64{a1, a2}, alice, t0, map[int64][]string{a1: {"Bob"}, a2: {"carol"}}},
		{"only the ids asked for", []int64{a2}, alice, t0, map[int64][]string{a2: {"carol"}}},
		{"every article without ids", nil, alice, t0, map[int64][]string{a1: {"Bob"}, a2: {"carol"}}},
		{"nobody but the asker", []int64{a3}, alice, t0, map[int64][]string{}},
		{"still there at the TTL", nil, alice, t0.Add(db.PresenceTTL), map[int64][]string{a1: {"Bob"}, a2: {"carol"}}},
		{"gone after the TTL", nil, alice, t0.Add(db.PresenceTTL + time.Millisecond), map[int64][]string{}},
	}
	for _, tt := range tests {
		if got := presenceOpenBy(t, s, tt.ids, tt.except, tt.at); !maps.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	// Opening another article ends the editor's presence on the first.
	presenceMust(t, s.OpenArticle(ctx, a3, bob, t0.Add(time.Second)))
	if got := presenceOpenBy(t, s, nil, alice, t0.Add(time.Second)); !maps.EqualFunc(got, map[int64][]string{a2: {"carol"}, a3: {"Bob"}}, slices.Equal) {
		t.Errorf("after Bob opened a3: %v", got)
	}

	// A heartbeat keeps a presence past the TTL; without one it goes.
	for sec := 5; sec <= 30; sec += 5 {
		presenceMust(t, s.RenewPresence(ctx, a3, bob, t0.Add(time.Duration(sec)*time.Second)))
	}
	at := t0.Add(35 * time.Second)
	if got := presenceOpenBy(t, s, nil, alice, at); !maps.EqualFunc(got, map[int64][]string{a3: {"Bob"}}, slices.Equal) {
		t.Errorf("after Bob's heartbeats, carol's gone: %v", got)
	}

	// A heartbeat from a tab still open on an article brings the presence
	// back after the editor opened another one elsewhere.
	presenceMust(t, s.OpenArticle(ctx, a1, bob, at))
	presenceMust(t, s.RenewPresence(ctx, a3, bob, at.Add(time.Second)))
	if got := presenceOpenBy(t, s, nil, alice, at.Add(time.Second)); !maps.EqualFunc(got, map[int64][]string{a1: {"Bob"}, a3: {"Bob"}}, slices.Equal) {
		t.Errorf("Bob in two tabs: %v", got)
	}

	// A heartbeat for an article that does not exist says so.
	if err := s.RenewPresence(ctx, 999999, bob, at); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("heartbeat on a missing article: %v, want ErrNotFound", err)
	}
}

// A heartbeat writes only when the presence is older than
// db.PresenceRenew (7 s): heartbeats at +5, +10 and +15 s after opening
// at t0 write at +10 only, so the presence lasts until +10 s + TTL
// exactly. Had +5 written, +15 would have too; had +15, it would last
// longer.
func presenceRenewRule(t *testing.T, s db.Database) {
	ctx := context.Background()
	arts, alice, bob, _ := presenceEnv(t, s)
	presenceMust(t, s.OpenArticle(ctx, arts[0], alice, presenceT0))
	for _, sec := range []int{5, 10, 15} {
		presenceMust(t, s.RenewPresence(ctx, arts[0], alice, presenceT0.Add(time.Duration(sec)*time.Second)))
	}
	last := presenceT0.Add(10*time.Second + db.PresenceTTL)
	if got := presenceOpenBy(t, s, nil, bob, last); !slices.Equal(got[arts[0]], []string{"alice"}) {
		t.Errorf("at +10 s + TTL: %v, want alice still there", got)
	}
	if got := presenceOpenBy(t, s, nil, bob, last.Add(time.Millisecond)); len(got) != 0 {
		t.Errorf("just after +10 s + TTL: %v, want nobody (the +15 s heartbeat must not write)", got)
	}
	// Opening the article again moments later (a reload) writes nothing
	// either: the presence still ends at +10 s + TTL.
	presenceMust(t, s.OpenArticle(ctx, arts[0], alice, presenceT0.Add(16*time.Second)))
	if got := presenceOpenBy(t, s, nil, bob, last.Add(time.Millisecond)); len(got) != 0 {
		t.Errorf("after a reload at +16 s: %v, want nobody", got)
	}
}

// Rows gone for db.PresenceKeep are deleted when someone opens an
// article; a later heartbeat of their tab records them again.
func presenceCleanup(t *testing.T, s db.Database) {
	ctx := context.Background()
	arts, alice, bob, carol := presenceEnv(t, s)
	presenceMust(t, s.OpenArticle(ctx, arts[0], bob, presenceT0))
	later := presenceT0.Add(db.PresenceKeep + time.Second)
	presenceMust(t, s.OpenArticle(ctx, arts[1], alice, later))
	// Asked as if Bob's row were still young: it is gone, not just old.
	if got := presenceOpenBy(t, s, nil, carol, presenceT0); !maps.EqualFunc(got, map[int64][]string{arts[1]: {"alice"}}, slices.Equal) {
		t.Errorf("Bob's old presence was kept: %v", got)
	}
	if got := presenceOpenBy(t, s, nil, carol, later); !maps.EqualFunc(got, map[int64][]string{arts[1]: {"alice"}}, slices.Equal) {
		t.Errorf("after the cleanup: %v", got)
	}
	presenceMust(t, s.RenewPresence(ctx, arts[0], bob, later))
	if got := presenceOpenBy(t, s, nil, carol, later); !maps.EqualFunc(got, map[int64][]string{arts[0]: {"Bob"}, arts[1]: {"alice"}}, slices.Equal) {
		t.Errorf("after Bob's heartbeat: %v", got)
	}
}

// Ten editors claiming one article at the same moment: exactly one gets
// it, and only that one is recorded on it. This is what keeps two
// editors' "save and next" from landing on the same article. A round per
// article: the later rounds run on the connections the first one opened,
// so the claims really overlap.
func presenceClaimIsAtomic(t *testing.T, s db.Database) {
	ctx := context.Background()
	arts, _, _, _ := presenceEnv(t, s)
	const n = 10
	users := make([]int64, n)
	for i := range users {
		users[i] = usersCreate(t, s, "claimer"+strconv.Itoa(i), db.RoleEditor).ID
	}
	for round, art := range arts {
		at := presenceT0.Add(time.Duration(round) * time.Second)
		claimed := make([]bool, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				claimed[i], errs[i] = s.ClaimArticle(ctx, art, users[i], at)
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range n {
			presenceMust(t, errs[i])
			if claimed[i] && winner >= 0 {
				t.Fatalf("round %d: claimer%d and claimer%d both claimed the article", round, winner, i)
			}
			if claimed[i] {
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody claimed the article", round)
		}
		want := []string{"claimer" + strconv.Itoa(winner)}
		if got := presenceOpenBy(t, s, []int64{art}, 0, at); !slices.Equal(got[art], want) {
			t.Errorf("round %d: after the claims %v, want %v", round, got, want)
		}
	}
}

// A claim is refused only by another user's live presence: not by the
// claimer's own, nor by one older than db.PresenceTTL. A refused claim
// writes nothing; a granted one moves the claimer as OpenArticle does.
func presenceClaimRules(t *testing.T, s db.Database) {
	ctx := context.Background()
	arts, alice, bob, carol := presenceEnv(t, s)
	a1, a2, a3 := arts[0], arts[1], arts[2]
	claim := func(article, user int64, at time.Time) bool {
		t.Helper()
		ok, err := s.ClaimArticle(ctx, article, user, at)
		presenceMust(t, err)
		return ok
	}
	presenceMust(t, s.OpenArticle(ctx, a1, alice, presenceT0))
	presenceMust(t, s.OpenArticle(ctx, a2, bob, presenceT0))

	if !claim(a1, alice, presenceT0.Add(time.Second)) {
		t.Error("alice's own presence refused her claim")
	}
	if claim(a1, carol, presenceT0.Add(time.Second)) {
		t.Error("carol claimed a1, which alice has open")
	}
	// Alice's presence is still live at the TTL (as OpenBy counts it).
	if claim(a1, carol, presenceT0.Add(db.PresenceTTL)) {
		t.Error("carol claimed a1 at the TTL, while alice's presence is live")
	}
	// Bob moves on to a3: his claim ends his presence on a2.
	if !claim(a3, bob, presenceT0.Add(time.Second)) {
		t.Error("bob could not claim a free article")
	}
	want := map[int64][]string{a1: {"alice"}, a3: {"Bob"}}
	if got := presenceOpenBy(t, s, nil, carol, presenceT0.Add(time.Second)); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after the claims: %v, want %v (carol's refused claims wrote nothing)", got, want)
	}
	// Past the TTL alice's presence no longer holds a1.
	late := presenceT0.Add(db.PresenceTTL + time.Millisecond)
	if !claim(a1, carol, late) {
		t.Error("carol could not claim a1 after alice's presence expired")
	}
	if got := presenceOpenBy(t, s, []int64{a1}, bob, late); !slices.Equal(got[a1], []string{"carol"}) {
		t.Errorf("on a1 after carol's claim: %v, want carol", got)
	}
	// Claiming an article that does not exist says so.
	if ok, err := s.ClaimArticle(ctx, 999999, alice, late); ok || !errors.Is(err, db.ErrNotFound) {
		t.Errorf("claim of a missing article: %v, %v; want false, ErrNotFound", ok, err)
	}
}
