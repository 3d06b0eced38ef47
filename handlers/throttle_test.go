package handlers

import (
	"fmt"
	"testing"
	"time"
)

type throttleClock struct{ t time.Time }

func (c *throttleClock) now() time.Time          { return c.t }
func (c *throttleClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestThrottleAccount(t *testing.T) {
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Now: clk.now})
	for i := range accountBurst {
		if _, _, ok := th.Begin("alice", "192.0.2.1", false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	_, wait, ok := th.Begin("alice", "192.0.2.99", false)
	if ok || wait <= 0 || wait > accountEvery {
		t.Fatalf("6th attempt: ok=%v wait=%v", ok, wait)
	}
	// Refused attempts spend nothing: after one interval, exactly one more.
	for range 20 {
		th.Begin("alice", "192.0.2.99", false)
	}
	clk.advance(accountEvery)
	if _, _, ok := th.Begin("alice", "192.0.2.2", false); !ok {
		t.Fatal("not allowed again after one interval")
	}
	if _, _, ok := th.Begin("alice", "192.0.2.3", false); ok {
		t.Fatal("two attempts allowed after one interval")
	}
	// A minute later the bucket is full again.
	clk.advance(time.Minute)
	for i := range accountBurst {
		if _, _, ok := th.Begin("alice", fmt.Sprintf("192.0.2.%d", 10+i), false); !ok {
			t.Fatalf("after a minute, attempt %d throttled", i+1)
		}
	}
}

func TestThrottleReleaseGivesBack(t *testing.T) {
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Now: clk.now})
	for i := range 3 * ipBurst {
		a, _, ok := th.Begin("bob", "192.0.2.1", false)
		if !ok {
			t.Fatalf("successful attempt %d throttled", i+1)
		}
		a.Release()
	}
}

func TestThrottleIP(t *testing.T) {
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Now: clk.now})
	for i := range ipBurst {
		if _, _, ok := th.Begin(fmt.Sprintf("user%d", i), "2001:db8::1", false); !ok {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	// Another address in the same IPv6 /64 shares the bucket.
	if _, _, ok := th.Begin("someone", "2001:db8::ffff", false); ok {
		t.Error("other address in the /64 not throttled")
	}
	if _, _, ok := th.Begin("someone", "2001:db8:0:1::1", false); !ok {
		t.Error("another /64 throttled")
	}
	if _, _, ok := th.Begin("someone-else", "192.0.2.7", false); !ok {
		t.Error("another IPv4 address throttled")
	}
}

func TestThrottleBounded(t *testing.T) {
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Now: clk.now, MaxKeys: 100})
	for i := range 1000 {
		th.Begin(fmt.Sprintf("user%d", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), false)
		clk.advance(time.Millisecond)
	}
	if n := len(th.account.entries); n > 100 {
		t.Errorf("%d account entries, cap 100", n)
	}
	if n := len(th.ip.entries); n > 100 {
		t.Errorf("%d IP entries, cap 100", n)
	}
	// Idle, refilled entries are pruned first, so recent ones survive.
	clk.advance(time.Hour)
	th.Begin("fresh", "10.9.9.9", false)
	if n := len(th.account.entries); n != 1 {
		t.Errorf("%d account entries after pruning, want 1", n)
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
	clk := &throttleClock{t: time.Unix(1_700_000_000, 0)}
	th := NewThrottle(ThrottleConfig{Now: clk.now})
	for i := range accountBurst {
		if _, _, ok := th.Begin("alice", fmt.Sprintf("198.51.100.%d", i), false); !ok {
			t.Fatalf("guess %d throttled", i+1)
		}
	}
	if _, _, ok := th.Begin("alice", "192.0.2.1", false); ok {
		t.Fatal("an unknown browser was let through an empty account bucket")
	}
	for i := range 3 {
		if _, _, ok := th.Begin("alice", "192.0.2.1", true); !ok {
			t.Fatalf("known device, attempt %d: throttled by the guesses of others", i+1)
		}
	}
}
