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

// The login throttle's buckets: LoginTake and LoginRefund.

// throttleT0 is the cases' clock: the store takes the time as an argument.
var throttleT0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// accountBucket is the per-account bucket of handlers/throttle.go: 5
// attempts in a row, one more every 12 s.
func accountBucket(name string) db.ThrottleBucket {
	return db.ThrottleBucket{Key: "user:" + name, Every: 12 * time.Second, Burst: 5}
}

// ipBucket is the per-address bucket of handlers/throttle.go: 10 attempts
// in a row, one more every 6 s.
func ipBucket(addr string) db.ThrottleBucket {
	return db.ThrottleBucket{Key: "ip:" + addr, Every: 6 * time.Second, Burst: 10}
}

// fullIn reveals how far in the future key's bucket is full again, and
// leaves it as it was: a take with a burst of 1 and an interval of 1 ms
// is refused with exactly that wait, and when it is not (the bucket is
// full) the refund undoes it.
func fullIn(t *testing.T, s db.Database, key string, now time.Time) time.Duration {
	t.Helper()
	probe := []db.ThrottleBucket{{Key: key, Every: time.Millisecond, Burst: 1}}
	d := loginTake(t, s, now, probe...)
	if d == 0 {
		loginRefund(t, s, now, probe...)
	}
	return d
}

func loginTake(t *testing.T, s db.Database, now time.Time, bs ...db.ThrottleBucket) time.Duration {
	t.Helper()
	d, err := s.LoginTake(context.Background(), bs, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loginRefund(t *testing.T, s db.Database, now time.Time, bs ...db.ThrottleBucket) {
	t.Helper()
	if err := s.LoginRefund(context.Background(), bs, now); err != nil {
		t.Fatal(err)
	}
}

func init() {
	// A bucket allows Burst takes, then one per Every; the wait is what
	// is left of the interval, and a refused take takes nothing.
	add("Throttle/BurstThenOnePerInterval", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		for i := range b.Burst {
			if d := loginTake(t, s, throttleT0, b); d != 0 {
				t.Fatalf("take %d: wait %v, want 0", i+1, d)
			}
		}
		for range 3 {
			if d := loginTake(t, s, throttleT0, b); d != b.Every {
				t.Fatalf("after %d takes: wait %v, want %v", b.Burst, d, b.Every)
			}
		}
		if d := loginTake(t, s, throttleT0.Add(5*time.Second), b); d != 7*time.Second {
			t.Fatalf("5 s later: wait %v, want 7s", d)
		}
		// One interval later, exactly one more.
		later := throttleT0.Add(b.Every)
		if d := loginTake(t, s, later, b); d != 0 {
			t.Fatalf("one interval later: wait %v, want 0", d)
		}
		if d := loginTake(t, s, later, b); d != b.Every {
			t.Fatalf("after that take: wait %v, want %v", d, b.Every)
		}
		// Burst intervals after the last take the bucket is full.
		full := later.Add(time.Duration(b.Burst) * b.Every)
		for i := range b.Burst {
			if d := loginTake(t, s, full, b); d != 0 {
				t.Fatalf("full again, take %d: wait %v", i+1, d)
			}
		}
		if d := loginTake(t, s, full, b); d == 0 {
			t.Fatal("a full bucket gave more than its burst")
		}
	})

	// Buckets are independent; a take on several is refused with the
	// longest wait, and then takes from none of them.
	add("Throttle/AllOrNothing", func(t *testing.T, s db.Database) {
		alice, bob, ip := accountBucket("alice"), accountBucket("bob"), ipBucket("192.0.2.1")
		for range alice.Burst {
			if d := loginTake(t, s, throttleT0, alice, ip); d != 0 {
				t.Fatalf("alice and the address: wait %v", d)
			}
		}
		if d := loginTake(t, s, throttleT0, bob, ip, alice); d != alice.Every {
			t.Errorf("bob, the address and alice: wait %v, want alice's %v", d, alice.Every)
		}
		if got := fullIn(t, s, bob.Key, throttleT0); got != 0 {
			t.Errorf("the refused take took from bob: full in %v", got)
		}
		if got, want := fullIn(t, s, ip.Key, throttleT0), 5*ip.Every; got != want {
			t.Errorf("the refused take took from the address: full in %v, want %v", got, want)
		}
		// Each bucket on its own still has its tokens.
		if d := loginTake(t, s, throttleT0, bob); d != 0 {
			t.Errorf("bob alone: wait %v, want 0", d)
		}
		if d := loginTake(t, s, throttleT0, ip); d != 0 {
			t.Errorf("the address alone, after 5 of 10: wait %v, want 0", d)
		}
	})

	// A refund gives a token back; refunds never fill a bucket past
	// full, so they cannot bank tokens.
	add("Throttle/RefundGivesTokenBack", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		for range b.Burst {
			loginTake(t, s, throttleT0, b)
		}
		loginRefund(t, s, throttleT0, b)
		if d := loginTake(t, s, throttleT0, b); d != 0 {
			t.Fatalf("after a refund: wait %v, want 0", d)
		}
		if d := loginTake(t, s, throttleT0, b); d != b.Every {
			t.Fatalf("the refund gave more than one token: wait %v", d)
		}
		// A take and its refund at the same moment leave nothing.
		later := throttleT0.Add(time.Hour)
		for range 3 * b.Burst {
			if d := loginTake(t, s, later, b); d != 0 {
				t.Fatalf("take then refund, repeated: wait %v", d)
			}
			loginRefund(t, s, later, b)
		}
		// Refunds on a full bucket, or one with no row, change nothing.
		bob := accountBucket("bob")
		for range 3 {
			loginRefund(t, s, later, b, bob)
		}
		for _, k := range []string{b.Key, bob.Key} {
			if got := fullIn(t, s, k, later); got != 0 {
				t.Errorf("%s after refunds: full in %v, want 0", k, got)
			}
		}
		for i := range b.Burst {
			if d := loginTake(t, s, later, b); d != 0 {
				t.Fatalf("take %d: wait %v", i+1, d)
			}
		}
		if d := loginTake(t, s, later, b); d != b.Every {
			t.Errorf("refunds on a full bucket banked tokens: wait %v, want %v", d, b.Every)
		}
	})

	// A take on a bucket that has refilled counts from now: old takes
	// are forgotten, not added up.
	add("Throttle/FullBucketForgets", func(t *testing.T, s db.Database) {
		b := accountBucket("alice")
		for range b.Burst {
			loginTake(t, s, throttleT0, b)
		}
		// Another bucket's take much later deletes the full ones.
		later := throttleT0.Add(time.Hour)
		loginTake(t, s, later, accountBucket("bob"))
		if got := fullIn(t, s, b.Key, later); got != 0 {
			t.Fatalf("alice's bucket after an hour: full in %v, want 0", got)
		}
		loginTake(t, s, later, b)
		if got := fullIn(t, s, b.Key, later); got != b.Every {
			t.Errorf("one take on a refilled bucket: full in %v, want %v", got, b.Every)
		}
	})

	// Of many takes at once on a bucket, exactly the burst succeed, the
	// others take nothing, and none fails, whatever order each names
	// its buckets in.
	add("Throttle/ConcurrentTakesExactlyBurst", func(t *testing.T, s db.Database) {
		const n = 40
		acct := accountBucket("alice")
		ip := db.ThrottleBucket{Key: "ip:192.0.2.1", Every: time.Second, Burst: 100}
		waits := make(chan time.Duration, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bs := []db.ThrottleBucket{ip, acct}
				if i%2 == 0 {
					bs = []db.ThrottleBucket{acct, ip}
				}
				d, err := s.LoginTake(context.Background(), bs, throttleT0)
				waits <- d
				errs <- err
			}()
		}
		wg.Wait()
		close(waits)
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		passed := 0
		for d := range waits {
			if d == 0 {
				passed++
			}
		}
		if passed != acct.Burst {
			t.Errorf("%d of %d concurrent takes succeeded, want the burst, %d", passed, n, acct.Burst)
		}
		// Only the takes that succeeded took from the address.
		if got, want := fullIn(t, s, ip.Key, throttleT0), time.Duration(acct.Burst)*ip.Every; got != want {
			t.Errorf("the address's bucket full in %v, want %v", got, want)
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
			if _, err := s.LoginTake(context.Background(), bs, throttleT0); err == nil {
				t.Errorf("LoginTake, %s: no error", name)
			}
			if err := s.LoginRefund(context.Background(), bs, throttleT0); err == nil {
				t.Errorf("LoginRefund, %s: no error", name)
			}
		}
		if got := fullIn(t, s, ok.Key, throttleT0); got != 0 {
			t.Errorf("refused calls wrote: full in %v", got)
		}
		// The longest key is accepted.
		longest := db.ThrottleBucket{Key: strings.Repeat("k", db.MaxThrottleKey), Every: time.Second, Burst: 1}
		if d := loginTake(t, s, throttleT0, longest); d != 0 {
			t.Errorf("a key of MaxThrottleKey bytes: wait %v", d)
		}
	})
}
