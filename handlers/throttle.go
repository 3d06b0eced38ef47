package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"sync"
	"time"

	"github.com/newsdesk/newsdesk/db"
)

// Login throttling. Two token buckets guard every login attempt:
//
//   - per client IP: 10 attempts, refilled at one every 6 s (10/min), which
//     stops one machine from trying many accounts;
//   - per account (lowercased username): 5 attempts, refilled at one every
//     12 s (5/min), which stops many machines from guessing one password.
//
// Only failures spend tokens: a successful login, and a failure that was
// not the user's doing (a database error), spend nothing, and an attempt
// refused by the throttle spends nothing either, so someone typing their
// password wrong five times waits at most 12 s for the next try and is
// back to a full bucket after a minute, however long an attacker keeps
// going. At 5 guesses a minute an online attack on one account is hopeless
// against the 8-character minimum. A browser that has logged in to the
// account before (its device cookie, see Sessions.KnownDevice) skips the
// account's bucket, so such guesses cannot lock the owner out.
//
// The buckets live in the store (db.ThrottleBucket), so every server on
// one database counts the same failures: an attempt costs one read, a
// failure one write, a success no write.
const (
	ipEvery      = 6 * time.Second
	ipBurst      = 10
	accountEvery = 12 * time.Second
	accountBurst = 5
	// minWait is the shortest wait a refusal reports.
	minWait = time.Second
)

// ThrottleStore is what the throttle needs of the database: the buckets'
// state, shared by every server on it (see db.Database).
type ThrottleStore interface {
	LoginWait(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) (time.Duration, error)
	LoginFailed(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) error
}

// ThrottleConfig sets up a Throttle. Store is required; zero limits take
// the defaults above, and a nil Now is time.Now.
type ThrottleConfig struct {
	Store                 ThrottleStore
	IPEvery, AccountEvery time.Duration
	IPBurst, AccountBurst int
	Now                   func() time.Time
}

// Throttle limits failed logins per client IP and per account. It is safe
// for concurrent use.
type Throttle struct {
	store       ThrottleStore
	ip, account db.ThrottleBucket // the limits; Key is set per attempt
	now         func() time.Time

	// inFlight counts, by bucket key, the attempts of this server that
	// passed the throttle and have not ended: each holds a token the
	// store does not know about until it fails. Without them, a burst of
	// simultaneous guesses would all read the same count and all go
	// ahead. Entries go when their attempts end, so the map is as large
	// as the logins in progress.
	mu       sync.Mutex
	inFlight map[string]int
}

// NewThrottle returns a throttle with cfg's limits on cfg.Store.
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
	return &Throttle{
		store:    cfg.Store,
		ip:       db.ThrottleBucket{Every: orDur(cfg.IPEvery, ipEvery), Burst: orInt(cfg.IPBurst, ipBurst)},
		account:  db.ThrottleBucket{Every: orDur(cfg.AccountEvery, accountEvery), Burst: orInt(cfg.AccountBurst, accountBurst)},
		now:      now,
		inFlight: map[string]int{},
	}
}

// Attempt is one login attempt that passed the throttle. It must end with
// Fail (a wrong username or password) or Release (anything else); more
// calls do nothing.
type Attempt struct {
	t       *Throttle
	buckets []db.ThrottleBucket
	once    sync.Once
}

// Fail records the attempt as a failed login in the store, which takes a
// token from each of its buckets, and ends it. The write outlives ctx's
// cancellation: a guesser hanging up must not leave a guess uncounted.
// Errors are the store's: the store did not count the failure (a database
// that stopped taking writes: a failover to a standby, a full disk). The
// throttle then fails closed: this server keeps the attempt's tokens in
// flight until the buckets would have refilled, so guesses stay limited
// while failures cannot be stored.
func (a *Attempt) Fail(ctx context.Context) error {
	var err error
	a.once.Do(func() {
		err = a.t.store.LoginFailed(context.WithoutCancel(ctx), a.buckets, a.t.now())
		if err != nil {
			time.AfterFunc(a.t.refill(a.buckets), func() { a.t.release(a.buckets) })
			return
		}
		a.t.release(a.buckets) // after the write: the token is never in neither place
	})
	return err
}

// refill is how long the longest of bs takes to refill from empty.
func (t *Throttle) refill(bs []db.ThrottleBucket) time.Duration {
	var d time.Duration
	for _, b := range bs {
		d = max(d, time.Duration(b.Burst)*b.Every)
	}
	return d
}

// Release ends the attempt without spending its tokens: for a successful
// login, and for failures that were not the user's doing.
func (a *Attempt) Release() {
	a.once.Do(func() { a.t.release(a.buckets) })
}

// Begin checks one login attempt against the IP's bucket and the
// account's; from a known device (a browser that has logged in to the
// account before), the IP's only, so that failures from elsewhere cannot
// lock the account's owner out. When a bucket has no token it returns a
// nil Attempt and how long to wait (at least a second). Errors are the
// store's.
func (t *Throttle) Begin(ctx context.Context, account, ip string, knownDevice bool) (*Attempt, time.Duration, error) {
	a := &Attempt{t: t, buckets: []db.ThrottleBucket{t.ip}}
	a.buckets[0].Key = bucketKey("ip", ipKey(ip))
	if !knownDevice {
		acct := t.account
		acct.Key = bucketKey("user", account)
		a.buckets = append(a.buckets, acct)
	}
	check, busy := t.reserve(a.buckets)
	wait, err := t.store.LoginWait(ctx, check, t.now())
	switch {
	case err != nil:
		a.Release()
		return nil, 0, err
	case wait > 0 || busy:
		a.Release()
		return nil, max(wait, minWait), nil
	}
	return a, 0, nil
}

// reserve counts an attempt in flight on each of bs, and returns the
// buckets to check in the store: each with its burst lowered by the
// attempts already in flight on it. busy says that for some bucket they
// take every token, so the attempt must wait whatever the store says.
func (t *Throttle) reserve(bs []db.ThrottleBucket) (check []db.ThrottleBucket, busy bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	check = make([]db.ThrottleBucket, len(bs))
	for i, b := range bs {
		n := t.inFlight[b.Key]
		t.inFlight[b.Key] = n + 1
		b.Burst -= n
		if b.Burst < 1 {
			busy, b.Burst = true, 1
		}
		check[i] = b
	}
	return check, busy
}

// release ends an attempt in flight on each of bs.
func (t *Throttle) release(bs []db.ThrottleBucket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range bs {
		if t.inFlight[b.Key]--; t.inFlight[b.Key] <= 0 {
			delete(t.inFlight, b.Key)
		}
	}
}

// bucketKey is the store's key of a bucket: kind and name, or kind and
// the name's SHA-256 when the name is too long to be one (a username or
// forwarded address of any length can reach the login form).
func bucketKey(kind, name string) string {
	if k := kind + ":" + name; len(k) <= db.MaxThrottleKey {
		return k
	}
	sum := sha256.Sum256([]byte(name))
	return kind + ":sha256:" + hex.EncodeToString(sum[:])
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
