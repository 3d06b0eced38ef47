package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// TestThrottleSharedByServers: two stores on one database are two
// servers; failures recorded through one count against the limit seen
// through the other, and the wait each reports is the same.
func TestThrottleSharedByServers(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := openTwice(t, url)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	acct := db.ThrottleBucket{Key: "user:alice", Every: 12 * time.Second, Burst: 5}
	for i := range acct.Burst {
		s := a
		if i%2 == 1 {
			s = b
		}
		if d, err := s.LoginWait(ctx, []db.ThrottleBucket{acct}, now); err != nil || d != 0 {
			t.Fatalf("before failure %d: wait %v, %v", i+1, d, err)
		}
		if err := s.LoginFailed(ctx, []db.ThrottleBucket{acct}, now); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range map[string]*postgres.Store{"first": a, "second": b} {
		d, err := s.LoginWait(ctx, []db.ThrottleBucket{acct}, now)
		if err != nil || d != acct.Every {
			t.Errorf("%s server after 5 failures split between them: wait %v, %v; want %v", name, d, err, acct.Every)
		}
	}
}

// TestThrottleTableBounded: full buckets are deleted as failures are
// recorded, so a flood of distinct usernames leaves only the buckets of
// the last Burst*Every.
func TestThrottleTableBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := openTwice(t, pgtest.URL(t))
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	now := start
	const every, burst = 12 * time.Second, 5 // a bucket is full a minute after its failure
	for i := range 300 {
		bs := []db.ThrottleBucket{{Key: fmt.Sprint("user:flood", i), Every: every, Burst: burst}}
		if err := s.LoginFailed(ctx, bs, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM login_throttle`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Each row is full one interval after its only failure.
	if want := int(every / time.Second); n != want {
		t.Errorf("%d rows after 300 failures a second apart, want the last %d", n, want)
	}
}

// openTwice opens two stores on the database at url.
func openTwice(t *testing.T, url string) (*postgres.Store, *postgres.Store) {
	t.Helper()
	var out [2]*postgres.Store
	for i := range out {
		s, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}
