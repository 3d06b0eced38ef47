package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// TestThrottleSharedByServers: two stores on one database are two
// servers. Of 40 takes at once on one account's bucket, spread over both
// (half naming the address first, half the account), exactly the burst
// succeed; then each server reports the same wait.
func TestThrottleSharedByServers(t *testing.T) {
	ctx := context.Background()
	a, b := openTwice(t, pgtest.URL(t))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	acct := db.ThrottleBucket{Key: "user:alice", Every: 12 * time.Second, Burst: 5}
	ip := db.ThrottleBucket{Key: "ip:192.0.2.1", Every: 6 * time.Second, Burst: 100}
	const n = 40
	var wg sync.WaitGroup
	waits := make([]time.Duration, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, bs := a, []db.ThrottleBucket{acct, ip}
			if i%2 == 1 {
				s, bs = b, []db.ThrottleBucket{ip, acct}
			}
			waits[i], errs[i] = s.LoginTake(ctx, bs, now)
		}()
	}
	wg.Wait()
	passed := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("take %d: %v", i, errs[i])
		}
		if waits[i] == 0 {
			passed++
		}
	}
	if passed != acct.Burst {
		t.Errorf("%d of %d takes at once over two servers succeeded, want the burst, %d", passed, n, acct.Burst)
	}
	for name, s := range map[string]*postgres.Store{"first": a, "second": b} {
		d, err := s.LoginTake(ctx, []db.ThrottleBucket{acct}, now)
		if err != nil || d != acct.Every {
			t.Errorf("%s server after the burst: wait %v, %v; want %v", name, d, err, acct.Every)
		}
	}
	// A refund through one server is a token on the other.
	if err := a.LoginRefund(ctx, []db.ThrottleBucket{acct}, now); err != nil {
		t.Fatal(err)
	}
	if d, err := b.LoginTake(ctx, []db.ThrottleBucket{acct}, now); err != nil || d != 0 {
		t.Errorf("take on the second server after a refund on the first: wait %v, %v; want 0", d, err)
	}
}

// TestThrottleTableBounded: full buckets are deleted as tokens are taken,
// so a flood of distinct usernames leaves only the buckets of the last
// Burst*Every, and refused takes leave no rows behind.
func TestThrottleTableBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := openTwice(t, pgtest.URL(t))
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	now := start
	const every, burst = 12 * time.Second, 5 // a bucket is full a minute after its take
	for i := range 300 {
		bs := []db.ThrottleBucket{{Key: fmt.Sprint("user:flood", i), Every: every, Burst: burst}}
		if d, err := s.LoginTake(ctx, bs, now); err != nil || d != 0 {
			t.Fatalf("take %d: wait %v, %v", i, d, err)
		}
		now = now.Add(time.Second)
	}
	// Each row is full one interval after its only take.
	if n, want := throttleRows(t, s), int(every/time.Second); n != want {
		t.Errorf("%d rows after 300 takes a second apart, want the last %d", n, want)
	}

	// An address out of tokens, trying new usernames: every take is
	// refused, and the rows it makes to lock them do not stay.
	ip := db.ThrottleBucket{Key: "ip:192.0.2.1", Every: every, Burst: 1}
	if d, err := s.LoginTake(ctx, []db.ThrottleBucket{ip}, now); err != nil || d != 0 {
		t.Fatalf("the address's take: wait %v, %v", d, err)
	}
	before := throttleRows(t, s)
	for i := range 50 {
		bs := []db.ThrottleBucket{ip, {Key: fmt.Sprint("user:new", i), Every: every, Burst: burst}}
		if d, err := s.LoginTake(ctx, bs, now); err != nil || d == 0 {
			t.Fatalf("refused take %d: wait %v, %v", i, d, err)
		}
	}
	if n := throttleRows(t, s); n != before {
		t.Errorf("%d rows after 50 refused takes, want the %d before", n, before)
	}
}

// throttleRows counts the rows of login_throttle.
func throttleRows(t *testing.T, s *postgres.Store) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM login_throttle`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
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
