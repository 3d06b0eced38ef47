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
// Every attempt takes its tokens before the password is checked, and only
// a failure keeps them: a successful login, and a failure that was not
// the user's doing (a database error), give them back, and an attempt
// refused by the throttle takes nothing. So someone typing their password
// wrong five times waits at most 12 s for the next try and is back to a
// full bucket after a minute, however long an attacker keeps going. At 5
// guesses a minute an online attack on one account is hopeless against
// the 8-character minimum. A browser that has logged in to the account
// before (its device cookie, see Sessions.KnownDevice) skips the
// account's bucket, so such guesses cannot lock the owner out.
//
// The buckets live in the store (db.ThrottleBucket), which checks and
// takes a token in one transaction: every server on one database shares
// the limit, however many guesses arrive at once. An attempt costs one
// write, a success a second one. A store that cannot write refuses every
// attempt (Begin returns its error): the throttle fails closed.
const (
	ipEvery      = 6 * time.Second
	ipBurst      = 10
	accountEvery = 12 * time.Second
	accountBurst = 5
	// minWait is the shortest wait a refusal reports.
	minWait = time.Second
	// refundTimeout bounds giving tokens back, which outlives the
	// request's context.
	refundTimeout = 5 * time.Second
)

// ThrottleStore is what the throttle needs of the database: the buckets'
// state, shared by every server on it (see db.Database).
type ThrottleStore interface {
	LoginTake(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) (time.Duration, error)
	LoginRefund(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) error
}

// ThrottleConfig sets up a Throttle. Store is required; zero limits take
// the defaults above, and a nil Now is time.Now.
type ThrottleConfig struct {
	Store                 ThrottleStore
	IPEvery, AccountEvery time.Duration
	IPBurst, AccountBurst int
	Now                   func() time.Time
}

// Throttle limits login attempts per client IP and per account. It keeps
// no state of its own (the store does), and is safe for concurrent use.
type Throttle struct {
	store       ThrottleStore
	ip, account db.ThrottleBucket // the limits; Key is set per attempt
	now         func() time.Time
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
		store:   cfg.Store,
		ip:      db.ThrottleBucket{Every: orDur(cfg.IPEvery, ipEvery), Burst: orInt(cfg.IPBurst, ipBurst)},
		account: db.ThrottleBucket{Every: orDur(cfg.AccountEvery, accountEvery), Burst: orInt(cfg.AccountBurst, accountBurst)},
		now:     now,
	}
}

// Attempt is one login attempt that passed the throttle: it has taken a
// token from each of its buckets. It ends with Fail (a wrong username or
// password: the tokens stay spent) or Release (anything else: they are
// given back); the first of these calls counts, later ones do nothing.
type Attempt struct {
	t       *Throttle
	buckets []db.ThrottleBucket
	once    sync.Once
}

// Fail ends the attempt as a failed login: its tokens stay spent. It
// writes nothing (the take already did), so it cannot fail.
func (a *Attempt) Fail() {
	a.once.Do(func() {})
}

// Release ends the attempt and gives its tokens back: for a successful
// login, and for failures that were not the user's doing. The write
// outlives ctx's cancellation (a user hanging up keeps the token), for
// at most refundTimeout. Errors are the store's: the tokens stay spent,
// and the buckets refill at their usual pace.
func (a *Attempt) Release(ctx context.Context) error {
	var err error
	a.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refundTimeout)
		defer cancel()
		err = a.t.store.LoginRefund(ctx, a.buckets, a.t.now())
	})
	return err
}

// Begin takes a token for one login attempt from the IP's bucket and the
// account's, both or neither; from a known device (a browser that has
// logged in to the account before), from the IP's only, so that failures
// from elsewhere cannot lock the account's owner out. When a bucket has
// no token it returns a nil Attempt and how long to wait (at least a
// second). Errors are the store's, and refuse the attempt: a store that
// cannot write lets no guess through.
func (t *Throttle) Begin(ctx context.Context, account, ip string, knownDevice bool) (*Attempt, time.Duration, error) {
	a := &Attempt{t: t, buckets: []db.ThrottleBucket{t.ip}}
	a.buckets[0].Key = bucketKey("ip", ipKey(ip))
	if !knownDevice {
		acct := t.account
		acct.Key = bucketKey("user", account)
		a.buckets = append(a.buckets, acct)
	}
	wait, err := t.store.LoginTake(ctx, a.buckets, t.now())
	switch {
	case err != nil:
		return nil, 0, err
	case wait > 0:
		return nil, max(wait, minWait), nil
	}
	return a, 0, nil
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
