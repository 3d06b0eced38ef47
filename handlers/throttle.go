package handlers

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login throttling. Two token buckets guard every login attempt:
//
//   - per client IP: 10 attempts, refilled at one every 6 s (10/min), which
//     stops one machine from trying many accounts;
//   - per account (lowercased username): 5 attempts, refilled at one every
//     12 s (5/min), which stops many machines from guessing one password.
//
// Only failures spend tokens: a successful login gives its tokens back, and
// an attempt refused by the throttle spends nothing, so someone typing their
// password wrong five times waits at most 12 s for the next try and is back
// to a full bucket after a minute, however long an attacker keeps going.
// At 5 guesses a minute an online attack on one account is hopeless against
// the 8-character minimum. A browser that has logged in to the account
// before (its device cookie, see Sessions.KnownDevice) skips the account's
// bucket, so such guesses cannot lock the owner out.
const (
	ipEvery      = 6 * time.Second
	ipBurst      = 10
	accountEvery = 12 * time.Second
	accountBurst = 5
	// maxThrottleKeys bounds each table, so a flood of distinct usernames
	// or addresses cannot exhaust memory (an entry is ~150 bytes).
	maxThrottleKeys = 10000
)

// ThrottleConfig sets up a Throttle; zero fields take the defaults above.
type ThrottleConfig struct {
	IPEvery, AccountEvery time.Duration
	IPBurst, AccountBurst int
	MaxKeys               int
	Now                   func() time.Time
}

// Throttle limits failed logins per client IP and per account. It is safe
// for concurrent use.
type Throttle struct {
	ip, account *limiterTable
	now         func() time.Time
}

// NewThrottle returns a throttle with cfg's limits.
func NewThrottle(cfg ThrottleConfig) *Throttle {
	orDur := func(v, def time.Duration) time.Duration {
		if v <= 0 {
			return def
		}
		return v
	}
	orInt := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	maxKeys := orInt(cfg.MaxKeys, maxThrottleKeys)
	return &Throttle{
		ip:      newLimiterTable(orDur(cfg.IPEvery, ipEvery), orInt(cfg.IPBurst, ipBurst), maxKeys),
		account: newLimiterTable(orDur(cfg.AccountEvery, accountEvery), orInt(cfg.AccountBurst, accountBurst), maxKeys),
		now:     now,
	}
}

// Attempt is one login attempt that passed the throttle. Its tokens stay
// spent (a failure) unless Release gives them back.
type Attempt struct {
	at           time.Time
	reservations []*rate.Reservation
}

// Release returns the attempt's tokens: for a successful login, and for
// failures that were not the user's doing (a database error).
func (a *Attempt) Release() {
	for _, r := range a.reservations {
		r.CancelAt(a.at)
	}
}

// Begin takes one token from the IP's bucket and one from the account's;
// from a known device (a browser that has logged in to the account
// before), the IP's only, so that failures from elsewhere cannot lock the
// account's owner out. When a bucket is empty it takes nothing and
// returns how long to wait.
func (t *Throttle) Begin(account, ip string, knownDevice bool) (*Attempt, time.Duration, bool) {
	now := t.now()
	a := &Attempt{at: now}
	var wait time.Duration
	limiters := []*rate.Limiter{t.ip.get(ipKey(ip), now)}
	if !knownDevice {
		limiters = append(limiters, t.account.get(account, now))
	}
	for _, lim := range limiters {
		r := lim.ReserveN(now, 1)
		a.reservations = append(a.reservations, r)
		if d := r.DelayFrom(now); !r.OK() || d > 0 {
			wait = max(wait, d, time.Second)
		}
	}
	if wait > 0 {
		a.Release()
		return nil, wait, false
	}
	return a, 0, true
}

// ipKey groups IPv6 clients by /64, the block one host or home usually
// gets, so rotating through its addresses does not buy more attempts.
func ipKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64) // cannot fail for a valid IPv6 address
		return p.String()
	}
	return addr.String()
}

// limiterTable holds one token bucket per key, at most max of them.
type limiterTable struct {
	mu      sync.Mutex
	entries map[string]*limiterEntry
	every   rate.Limit
	burst   int
	max     int
	refill  time.Duration // how long an idle bucket takes to fill up
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiterTable(every time.Duration, burst, max int) *limiterTable {
	return &limiterTable{
		entries: make(map[string]*limiterEntry),
		every:   rate.Every(every),
		burst:   burst,
		max:     max,
		refill:  every * time.Duration(burst),
	}
}

func (lt *limiterTable) get(key string, now time.Time) *rate.Limiter {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if e, ok := lt.entries[key]; ok {
		e.seen = now
		return e.lim
	}
	if len(lt.entries) >= lt.max {
		lt.prune(now)
	}
	e := &limiterEntry{lim: rate.NewLimiter(lt.every, lt.burst), seen: now}
	lt.entries[key] = e
	return e.lim
}

// prune drops the buckets that have refilled (a full bucket is the same as
// none, so nothing is forgotten); if every bucket is still draining, it
// drops the one idle longest, so the table never grows past max.
func (lt *limiterTable) prune(now time.Time) {
	var oldestKey string
	oldest := time.Unix(math.MaxInt32, 0)
	for k, e := range lt.entries {
		if now.Sub(e.seen) >= lt.refill {
			delete(lt.entries, k)
			continue
		}
		if e.seen.Before(oldest) {
			oldestKey, oldest = k, e.seen
		}
	}
	if len(lt.entries) >= lt.max {
		delete(lt.entries, oldestKey)
	}
}
