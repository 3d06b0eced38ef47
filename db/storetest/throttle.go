package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
)

// The login throttle's buckets: LoginWait and LoginFailed.

// throttleT0 is the cases' clock: the store takes the time as an argument.
var throttleT0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// account is the per-account bucket of handlers/throttle.go: 5 failures
// in a row, one more every 12 s.
func accountBucket(name string) db.ThrottleBucket {
	return db.ThrottleBucket{Key: "user:" + name, Every: 12 * time.Second, Burst: 5}
}

// fullIn reveals how far in the future key's bucket is full again, by
// asking with a burst of 1, which has a token only once the bucket is full.
func fullIn(t *testing.T, s db.Database, key string, now time.Time) time.Duration {
	t.Helper()
	d, err := s.LoginWait(context.Background(), []db.ThrottleBucket{{Key: key, Every: time.Second, Burst: 1}}, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loginWait(t *testing.T, s db.Database, now time.Time, bs ...db.ThrottleBucket) time.Duration {
	t.Helper()
	d, err := s.LoginWait(context.Background(), bs, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loginFailed(t *testing.T, s db.Database, now time.Time, bs ...db.ThrottleBucket) {
	t.Helper()
	if err := s.LoginFailed(context.Background(), bs, now); err != nil {
		t.Fatal(err)
	}
}

func init() {
	// A bucket allows Burst failures, then one per Every; the wait is
	// what is left of the interval.
	add("Throttle/BurstThenOnePerInterval", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		if d := loginWait(t, s, throttleT0, b); d != 0 {
			t.Fatalf("new bucket: wait %v, want 0", d)
		}
		for i := range b.Burst {
			if d := loginWait(t, s, throttleT0, b); d != 0 {
				t.Fatalf("before failure %d: wait %v, want 0", i+1, d)
			}
			loginFailed(t, s, throttleT0, b)
		}
		if d := loginWait(t, s, throttleT0, b); d != b.Every {
			t.Fatalf("after %d failures: wait %v, want %v", b.Burst, d, b.Every)
		}
		if d := loginWait(t, s, throttleT0.Add(5*time.Second), b); d != 7*time.Second {
			t.Fatalf("5 s later: wait %v, want 7s", d)
		}
		// One interval later, exactly one more attempt.
		later := throttleT0.Add(b.Every)
		if d := loginWait(t, s, later, b); d != 0 {
			t.Fatalf("one interval later: wait %v, want 0", d)
		}
		loginFailed(t, s, later, b)
		if d := loginWait(t, s, later, b); d != b.Every {
			t.Fatalf("after that failure: wait %v, want %v", d, b.Every)
		}
		// Burst intervals after the last failure the bucket is full.
		full := later.Add(time.Duration(b.Burst) * b.Every)
		for i := range b.Burst {
			if d := loginWait(t, s, full, b); d != 0 {
				t.Fatalf("full again, before failure %d: wait %v", i+1, d)
			}
			loginFailed(t, s, full, b)
		}
		if d := loginWait(t, s, full, b); d == 0 {
			t.Fatal("full bucket allowed more than its burst")
		}
	})

	// Buckets are independent; the wait of several is the longest.
	add("Throttle/BucketsIndependent", func(t *testing.T, s db.Database) {
		alice, bob := accountBucket("alice"), accountBucket("bob")
		ip := db.ThrottleBucket{Key: "ip:192.0.2.1", Every: 6 * time.Second, Burst: 10}
		for range alice.Burst {
			loginFailed(t, s, throttleT0, alice, ip)
		}
		if d := loginWait(t, s, throttleT0, bob); d != 0 {
			t.Errorf("bob's bucket: wait %v, want 0", d)
		}
		if d := loginWait(t, s, throttleT0, ip); d != 0 {
			t.Errorf("the address's bucket after 5 of 10: wait %v, want 0", d)
		}
		if d := loginWait(t, s, throttleT0, bob, ip, alice); d != alice.Every {
			t.Errorf("bob, the address and alice: wait %v, want alice's %v", d, alice.Every)
		}
		if got := fullIn(t, s, ip.Key, throttleT0); got != 5*ip.Every {
			t.Errorf("the address's bucket full in %v, want %v", got, 5*ip.Every)
		}
	})

	// Failures past the burst (several servers racing past the check) do
	// not push the wait past one interval, nor the bucket's refill past
	// Burst intervals.
	add("Throttle/WaitBounded", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		for range 4 * b.Burst {
			loginFailed(t, s, throttleT0, b)
		}
		if d := loginWait(t, s, throttleT0, b); d != b.Every {
			t.Errorf("wait %v, want %v", d, b.Every)
		}
		if got, want := fullIn(t, s, b.Key, throttleT0), time.Duration(b.Burst)*b.Every; got != want {
			t.Errorf("full in %v, want %v", got, want)
		}
	})

	// A failure on a bucket that has refilled counts from now: old
	// failures are forgotten, not added up.
	add("Throttle/FullBucketForgets", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		for range b.Burst {
			loginFailed(t, s, throttleT0, b)
		}
		// Another bucket's failure much later deletes the full ones.
		later := throttleT0.Add(time.Hour)
		loginFailed(t, s, later, accountBucket("bob"))
		if got := fullIn(t, s, b.Key, later); got != 0 {
			t.Fatalf("alice's bucket after an hour: full in %v, want 0", got)
		}
		loginFailed(t, s, later, b)
		if got := fullIn(t, s, b.Key, later); got != b.Every {
			t.Errorf("one failure on a refilled bucket: full in %v, want %v", got, b.Every)
		}
	})

	// Concurrent failures each count (no lost update), and none fails.
	add("Throttle/ConcurrentFailuresCount", func(t *testing.T, s db.Database) {
		const n = 20
		ip := db.ThrottleBucket{Key: "ip:192.0.2.1", Every: time.Second, Burst: 100}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The same address, an account each and one shared.
				bs := []db.ThrottleBucket{ip, accountBucket(fmt.Sprint("user", i%3))}
				if i%2 == 0 {
					bs = []db.ThrottleBucket{bs[1], bs[0]}
				}
				errs <- s.LoginFailed(context.Background(), bs, throttleT0)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := fullIn(t, s, ip.Key, throttleT0); got != n*time.Second {
			t.Errorf("after %d concurrent failures: full in %v, want %v", n, got, n*time.Second)
		}
	})

	// Invalid bucket lists are refused and write nothing.
	add("Throttle/InvalidBuckets", func(t *testing.T, s db.Database) {
		ok := accountBucket("alice")
		many := make([]db.ThrottleBucket, db.MaxThrottleBuckets+1)
		for i := range many {
			many[i] = accountBucket(fmt.Sprint("u", i))
		}
		for name, bs := range map[string][]db.ThrottleBucket{
			"none":        nil,
			"too many":    many,
			"empty key":   {{Key: "", Every: time.Second, Burst: 1}},
			"long key":    {{Key: "user:" + strings.Repeat("x", db.MaxThrottleKey), Every: time.Second, Burst: 1}},
			"no burst":    {{Key: "user:alice", Every: time.Second, Burst: 0}},
			"no refill":   {{Key: "user:alice", Every: time.Microsecond, Burst: 5}},
			"named twice": {ok, ok},
		} {
			if err := s.LoginFailed(context.Background(), bs, throttleT0); err == nil {
				t.Errorf("LoginFailed, %s: no error", name)
			}
			if _, err := s.LoginWait(context.Background(), bs, throttleT0); err == nil {
				t.Errorf("LoginWait, %s: no error", name)
			}
		}
		if got := fullIn(t, s, ok.Key, throttleT0); got != 0 {
			t.Errorf("refused calls wrote: full in %v", got)
		}
	})
}
