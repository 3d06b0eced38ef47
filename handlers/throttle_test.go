package handlers

import (
	"context"
	"errors"
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
// through (and then ends it as failed), and the wait when it did not.
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
	a.Fail()
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
}

// TestThrottleSuccessCostsNothing: attempts that end with Release (a
// successful login) give their tokens back, however many.
func TestThrottleSuccessCostsNothing(t *testing.T) {
	th, _ := newTestThrottle(t)
	ctx := context.Background()
	for i := range 3 * ipBurst {
		a, _, err := th.Begin(ctx, "bob", "192.0.2.1", false)
		if err != nil || a == nil {
			t.Fatalf("successful attempt %d throttled (%v)", i+1, err)
		}
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		a.Fail() // ending twice does nothing
	}
	// The failures still have their whole allowance.
	for i := range accountBurst {
		if ok, _ := fail(t, th, "bob", "192.0.2.1", false); !ok {
			t.Fatalf("failure %d after the successes throttled", i+1)
		}
	}
	if ok, _ := fail(t, th, "bob", "192.0.2.1", false); ok {
		t.Fatal("more failures than the burst after the successes")
	}
}

// TestThrottleFailedAttemptKeepsItsToken: the login handler defers
// Release and calls Fail on a wrong password; the Release that follows
// the Fail must not give the token back.
func TestThrottleFailedAttemptKeepsItsToken(t *testing.T) {
	th, _ := newTestThrottle(t)
	ctx := context.Background()
	for i := range accountBurst {
		a, _, err := th.Begin(ctx, "dora", fmt.Sprint("198.51.100.", i), false)
		if err != nil || a == nil {
			t.Fatalf("attempt %d throttled (%v)", i+1, err)
		}
		a.Fail()
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ok, wait := fail(t, th, "dora", "198.51.100.99", false); ok || wait != accountEvery {
		t.Fatalf("after %d failures: ok=%v wait=%v, want a refusal for %v", accountBurst, ok, wait, accountEvery)
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

// TestThrottleAttemptsHoldTheirTokens: attempts that passed the throttle
// and have not ended hold their tokens, so a guess cannot pass on a token
// another guess is using; releasing one gives its token back.
func TestThrottleAttemptsHoldTheirTokens(t *testing.T) {
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
	if err != nil || a != nil || wait != accountEvery {
		t.Fatalf("attempt past the burst while the others run: attempt %v, wait %v, %v", a, wait, err)
	}
	if err := open[0].Release(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := fail(t, th, "alice", "198.51.100.99", false); !ok {
		t.Fatal("a released token was not given back")
	}
	for _, a := range open[1:] {
		a.Fail()
	}
	if ok, wait := fail(t, th, "alice", "198.51.100.99", false); ok || wait != accountEvery {
		t.Fatalf("after five failures: ok=%v wait=%v", ok, wait)
	}
}

// TestThrottleSimultaneousGuesses: of many guesses at one account at
// once, none ended yet, spread over two servers on one database, no more
// than the burst get through.
func TestThrottleSimultaneousGuesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	servers := []*Throttle{
		NewThrottle(ThrottleConfig{Store: throttleStore(t, path)}),
		NewThrottle(ThrottleConfig{Store: throttleStore(t, path)}),
	}
	const n = 40
	attempts := make(chan *Attempt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _, err := servers[i%2].Begin(context.Background(), "alice", fmt.Sprint("198.51.100.", i), false)
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
			a.Fail()
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

// TestThrottleFailsClosedWhenFailuresCannotBeStored: when the store
// cannot take tokens (here a database open read-only, as a standby after
// a failover is), Begin refuses every attempt with the store's error, so
// no guess is checked uncounted.
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
	for i := range 3 * accountBurst {
		a, _, err := th.Begin(context.Background(), "carol", "192.0.2.9", false)
		if a != nil {
			t.Fatalf("guess %d passed a throttle that cannot count it", i+1)
		}
		if !errors.Is(err, db.ErrReadOnly) {
			t.Fatalf("guess %d: error %v, want one wrapping db.ErrReadOnly", i+1, err)
		}
	}
}
