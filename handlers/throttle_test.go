package handlers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
)

type throttleClock struct{ t time.Time }

func (c *throttleClock) now() time.Time          { return c.t }
func (c *throttleClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// throttleStore opens a real SQLite store in t.TempDir(), or at path.
func throttleStore(t *testing.T, path string) *db.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "throttle.db")
	}
	s, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTestThrottle(t *testing.T) (*Throttle, *throttleClock) {
	t.Helper()
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	return NewThrottle(ThrottleConfig{Store: throttleStore(t, ""), Now: clk.now}), clk
}

// fail is one failed login: it reports whether the throttle let it
// through (and then records it as failed), and the wait when it did not.
func fail(t *testing.T, th *Throttle, account, ip string, known bool) (bool, time.Duration) {
	t.Helper()
	a, wait, err := th.Begin(context.Background(), account, ip, known)
	if err != nil {
		t.Fatal(err)
	}
	if a == nil {
		if wait < minWait {
			t.Fatalf("refused with a wait of %v", wait)
		}
		return false, wait
	}
	if err := a.Fail(context.Background()); err != nil {
		t.Fatal(err)
	}
	return true, 0
}

func TestThrottleAccount(t *testing.T) {
	th, clk := newTestThrottle(t)
	for i := range accountBurst {
		if ok, _ := fail(t, th, "alice", "192.0.2.1", false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	ok, wait := fail(t, th, "alice", "192.0.2.99", false)
	if ok || wait != accountEvery {
		t.Fatalf("6th attempt: ok=%v wait=%v, want a refusal for %v", ok, wait, accountEvery)
	}
	// Refused attempts spend nothing: after one interval, exactly one more.
	for range 20 {
		fail(t, th, "alice", "192.0.2.99", false)
	}
	clk.advance(accountEvery)
	if ok, _ := fail(t, th, "alice", "192.0.2.2", false); !ok {
		t.Fatal("not allowed again after one interval")
	}
	if ok, _ := fail(t, th, "alice", "192.0.2.3", false); ok {
		t.Fatal("two attempts allowed after one interval")
	}
	// A minute later the bucket is full again.
	clk.advance(time.Minute)
	for i := range accountBurst {
		if ok, _ := fail(t, th, "alice", fmt.Sprintf("192.0.2.%d", 10+i), false); !ok {
			t.Fatalf("after a minute, attempt %d throttled", i+1)
		}
	}
	if n := len(th.inFlight); n != 0 {
		t.Errorf("%d buckets left in flight after every attempt ended", n)
	}
}

// TestThrottleSuccessCostsNothing: attempts that end with Release (a
// successful login) spend nothing, however many.
func TestThrottleSuccessCostsNothing(t *testing.T) {
	th, _ := newTestThrottle(t)
	for i := range 3 * ipBurst {
		a, _, err := th.Begin(context.Background(), "bob", "192.0.2.1", false)
		if err != nil || a == nil {
			t.Fatalf("successful attempt %d throttled (%v)", i+1, err)
		}
		a.Release()
		a.Release() // ending twice does nothing
	}
}

func TestThrottleIP(t *testing.T) {
	th, _ := newTestThrottle(t)
	for i := range ipBurst {
		if ok, _ := fail(t, th, fmt.Sprintf("user%d", i), "2001:db8::1", false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	// Another address in the same IPv6 /64 shares the bucket.
	if ok, wait := fail(t, th, "someone", "2001:db8::ffff", false); ok || wait != ipEvery {
		t.Errorf("other address in the /64: ok=%v wait=%v, want a refusal for %v", ok, wait, ipEvery)
	}
	if ok, _ := fail(t, th, "someone", "2001:db8:0:1::1", false); !ok {
		t.Error("another /64 throttled")
	}
	if ok, _ := fail(t, th, "someone-else", "192.0.2.7", false); !ok {
		t.Error("another IPv4 address throttled")
	}
}

// TestThrottleInFlight: attempts that passed the throttle and have not
// ended hold their tokens, so a burst of simultaneous guesses cannot all
// pass on the same count; ending one frees its token.
func TestThrottleInFlight(t *testing.T) {
	th, _ := newTestThrottle(t)
	ctx := context.Background()
	var open []*Attempt
	for i := range accountBurst {
		a, _, err := th.Begin(ctx, "alice", fmt.Sprint("198.51.100.", i), false)
		if err != nil || a == nil {
			t.Fatalf("attempt %d throttled (%v)", i+1, err)
		}
		open = append(open, a)
	}
	a, wait, err := th.Begin(ctx, "alice", "198.51.100.99", false)
	if err != nil || a != nil || wait != minWait {
		t.Fatalf("attempt past the burst while the others run: attempt %v, wait %v, %v", a, wait, err)
	}
	open[0].Release()
	if a, _, err := th.Begin(ctx, "alice", "198.51.100.99", false); err != nil || a == nil {
		t.Fatalf("a released token was not freed (%v)", err)
	} else {
		a.Release()
	}
	// The others fail: their tokens move to the store, and the account
	// waits for the store's interval now.
	for _, a := range open[1:] {
		if err := a.Fail(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := fail(t, th, "alice", "198.51.100.99", false); !ok {
		t.Fatal("the fifth token was taken")
	}
	if ok, wait := fail(t, th, "alice", "198.51.100.99", false); ok || wait != accountEvery {
		t.Fatalf("after five failures: ok=%v wait=%v", ok, wait)
	}
	if n := len(th.inFlight); n != 0 {
		t.Errorf("%d buckets left in flight after every attempt ended", n)
	}
}

// TestThrottleSimultaneousGuesses: of many guesses at one account at
// once, none ended yet, no more than the burst get through.
func TestThrottleSimultaneousGuesses(t *testing.T) {
	th, _ := newTestThrottle(t)
	const n = 40
	attempts := make(chan *Attempt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _, err := th.Begin(context.Background(), "alice", fmt.Sprint("198.51.100.", i), false)
			if err != nil {
				t.Error(err)
			}
			attempts <- a
		}()
	}
	wg.Wait()
	close(attempts)
	passed := 0
	for a := range attempts {
		if a != nil {
			passed++
			defer a.Release()
		}
	}
	if passed != accountBurst {
		t.Errorf("%d of %d simultaneous guesses got through, want %d", passed, n, accountBurst)
	}
}

// TestThrottleSharedBetweenServers: two servers, each with its throttle
// and its own connection to one database, count failures together.
func TestThrottleSharedBetweenServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	one := NewThrottle(ThrottleConfig{Store: throttleStore(t, path), Now: clk.now})
	two := NewThrottle(ThrottleConfig{Store: throttleStore(t, path), Now: clk.now})
	for i := range accountBurst {
		th := one
		if i%2 == 1 {
			th = two
		}
		if ok, _ := fail(t, th, "alice", fmt.Sprint("198.51.100.", i), false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	for name, th := range map[string]*Throttle{"first": one, "second": two} {
		if ok, wait := fail(t, th, "alice", "192.0.2.1", false); ok || wait != accountEvery {
			t.Errorf("%s server: ok=%v wait=%v, want a refusal for %v", name, ok, wait, accountEvery)
		}
	}
}

// TestThrottleLongNames: a username or address too long for a bucket key
// is keyed by its hash, and still throttled.
func TestThrottleLongNames(t *testing.T) {
	th, _ := newTestThrottle(t)
	long := strings.Repeat("a", 10_000)
	for i := range accountBurst {
		if ok, _ := fail(t, th, long, long+fmt.Sprint(i), false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	if ok, _ := fail(t, th, long, "192.0.2.1", false); ok {
		t.Error("a long username was not throttled")
	}
	if ok, _ := fail(t, th, long+"b", "192.0.2.1", false); !ok {
		t.Error("another long username shares the bucket")
	}
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":          "192.0.2.1",
		"::ffff:192.0.2.1":   "192.0.2.1",
		"2001:db8::1":        "2001:db8::/64",
		"2001:db8::1:2:3:4":  "2001:db8::/64",
		"not an ip":          "not an ip",
		"2001:db8:1:2:3::ff": "2001:db8:1:2::/64",
	} {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestThrottleKnownDevice: with the account's bucket emptied by guesses
// from elsewhere, a browser that logged in to it before still gets its
// attempts (its IP's bucket alone counts); an unknown one waits.
func TestThrottleKnownDevice(t *testing.T) {
	th, _ := newTestThrottle(t)
	for i := range accountBurst {
		if ok, _ := fail(t, th, "alice", fmt.Sprintf("198.51.100.%d", i), false); !ok {
			t.Fatalf("guess %d throttled", i+1)
		}
	}
	if ok, _ := fail(t, th, "alice", "192.0.2.1", false); ok {
		t.Fatal("an unknown browser was let through an empty account bucket")
	}
	for i := range 3 {
		if ok, _ := fail(t, th, "alice", "192.0.2.1", true); !ok {
			t.Fatalf("known device, attempt %d: throttled by the guesses of others", i+1)
		}
	}
}

// usersByName (auth_timing_internal_test.go) never throttles: those tests
// check the password verification only.

func (usersByName) LoginWait(context.Context, []db.ThrottleBucket, time.Time) (time.Duration, error) {
	return 0, nil
}

func (usersByName) LoginFailed(context.Context, []db.ThrottleBucket, time.Time) error { return nil }

// When the store cannot record failures (here a database open read-only,
// as a standby after a failover is), the throttle fails closed: the
// uncounted guesses keep their tokens on this server until the buckets
// would have refilled.
func TestThrottleFailsClosedWhenFailuresCannotBeStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "throttle.db")
	throttleStore(t, path).Close() // make the database
	ro, err := db.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Store: ro, Now: clk.now})
	passed := 0
	for range 3 * accountBurst {
		a, _, err := th.Begin(context.Background(), "carol", "192.0.2.9", false)
		if err != nil {
			t.Fatal(err)
		}
		if a == nil {
			continue
		}
		passed++
		if err := a.Fail(context.Background()); err == nil {
			t.Fatal("Fail on a read-only store succeeded")
		}
	}
	if passed != accountBurst {
		t.Errorf("%d guesses passed while failures could not be stored; want the burst, %d", passed, accountBurst)
	}
}
