package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Login throttling. The state of the login throttle lives in the store, so
// that several servers on one database count failed logins together. It
// is a set of token buckets (handlers/throttle.go decides which: one per
// client address, one per account), each kept as one row: the time at
// which the bucket is full again (full_at, unix ms). A bucket holds Burst
// tokens and gets one back every Every; a failed login takes one. So a
// bucket has Burst - (full_at - now)/Every tokens at now, an attempt may
// go ahead while that is at least one, and a row past its full_at is a
// full bucket, the same as no row. This is the token bucket of
// golang.org/x/time/rate (the throttle's state before it moved here) in
// one number per key, the form known as GCRA.
//
// Reading costs one query; only a failure writes, and that write also
// deletes the full buckets, so the table holds the buckets that took a
// failure within the last Burst*Every: at most that window's failures, and
// each failure costs the server a password verification.

// ThrottleBucket is one token bucket of the login throttle.
type ThrottleBucket struct {
	// Key names the bucket: "ip:192.0.2.1", "user:alice". 1 to
	// MaxThrottleKey bytes.
	Key string
	// Every is how long the bucket takes to get a token back: at least a
	// millisecond (finer parts are dropped).
	Every time.Duration
	// Burst is how many tokens a full bucket holds: how many failures in
	// a row it allows. At least 1.
	Burst int
}

// Limits of the buckets the throttle methods accept.
const (
	// MaxThrottleKey is the longest bucket key, in bytes.
	MaxThrottleKey = 256
	// MaxThrottleBuckets is the most buckets one call may name.
	MaxThrottleBuckets = 8
)

// errBadBucket is wrapped by the throttle methods for buckets they refuse.
var errBadBucket = errors.New("invalid throttle bucket")

// CheckThrottleBuckets returns an error for a list of buckets the
// throttle methods refuse: none, more than MaxThrottleBuckets, a key that
// is empty, longer than MaxThrottleKey or named twice, Every under a
// millisecond, or Burst under 1. Both stores call it first.
func CheckThrottleBuckets(bs []ThrottleBucket) error {
	if len(bs) == 0 || len(bs) > MaxThrottleBuckets {
		return fmt.Errorf("%w: %d buckets, want 1 to %d", errBadBucket, len(bs), MaxThrottleBuckets)
	}
	for i, b := range bs {
		switch {
		case b.Key == "" || len(b.Key) > MaxThrottleKey:
			return fmt.Errorf("%w: key of %d bytes, want 1 to %d", errBadBucket, len(b.Key), MaxThrottleKey)
		case b.Every < time.Millisecond || b.Burst < 1:
			return fmt.Errorf("%w: %q: every %v, burst %d", errBadBucket, b.Key, b.Every, b.Burst)
		}
		for _, o := range bs[:i] {
			if o.Key == b.Key {
				return fmt.Errorf("%w: %q named twice", errBadBucket, b.Key)
			}
		}
	}
	return nil
}

// ThrottleWait is how long an attempt at now must wait until every one of
// bs has a token, given the stored full_at (unix ms) of the buckets that
// have a row: 0 when it may go ahead. Both stores' LoginWait end here.
func ThrottleWait(bs []ThrottleBucket, fullAt map[string]int64, now time.Time) time.Duration {
	var wait int64
	for _, b := range bs {
		f, ok := fullAt[b.Key]
		if !ok {
			continue
		}
		// The bucket has a token once full_at is within Burst-1 intervals.
		every := b.Every.Milliseconds()
		wait = max(wait, f-now.UnixMilli()-int64(b.Burst-1)*every)
	}
	return time.Duration(wait) * time.Millisecond
}

// ThrottleSpend is what a failure at now writes to bucket b, in unix ms:
// the bucket's full_at becomes min(max(full_at, now) + every, limit), or
// now + every where it has no row. The limit, a bucket empty at now, keeps
// failures that raced past the throttle on several servers from pushing
// the wait beyond Burst*Every.
func ThrottleSpend(b ThrottleBucket, now time.Time) (nowMs, everyMs, limitMs int64) {
	nowMs, everyMs = now.UnixMilli(), b.Every.Milliseconds()
	return nowMs, everyMs, nowMs + int64(b.Burst)*everyMs
}

// LoginWait is how long a login attempt at now must wait until each of
// buckets has a token: 0 when it may go ahead. It reads, never writes, so
// it works on a read-only store. Errors: an invalid list of buckets (see
// CheckThrottleBuckets), or a store failure.
func (s *Store) LoginWait(ctx context.Context, buckets []ThrottleBucket, now time.Time) (time.Duration, error) {
	if err := CheckThrottleBuckets(buckets); err != nil {
		return 0, fmt.Errorf("db: login wait: %w", err)
	}
	keys := make([]any, len(buckets))
	for i, b := range buckets {
		keys[i] = b.Key
	}
	// One query shape per number of buckets (one or two in practice), so
	// the statement cache holds a handful.
	q := `SELECT key, full_at FROM login_throttle WHERE key IN (?` + strings.Repeat(`, ?`, len(keys)-1) + `)`
	rows, err := s.readQuery(ctx, q, keys...)
	if err != nil {
		return 0, fmt.Errorf("db: login wait: %w", err)
	}
	defer rows.Close()
	fullAt := make(map[string]int64, len(buckets))
	for rows.Next() {
		var k string
		var f int64
		if err := rows.Scan(&k, &f); err != nil {
			return 0, fmt.Errorf("db: login wait: %w", err)
		}
		fullAt[k] = f
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("db: login wait: %w", err)
	}
	return ThrottleWait(buckets, fullAt, now), nil
}

// LoginFailed records a failed login at now: it takes a token from each of
// buckets, and deletes the buckets that are full again. One write
// transaction. Errors: an invalid list of buckets (see
// CheckThrottleBuckets), ErrReadOnly, or a store failure.
func (s *Store) LoginFailed(ctx context.Context, buckets []ThrottleBucket, now time.Time) error {
	if err := CheckThrottleBuckets(buckets); err != nil {
		return fmt.Errorf("db: login failed: %w", err)
	}
	err := s.inWriteTx(ctx, func(w *writer) error {
		if _, err := w.exec(`DELETE FROM login_throttle WHERE full_at <= ?`, toMillis(now)); err != nil {
			return err
		}
		for _, b := range buckets {
			nowMs, every, limit := ThrottleSpend(b, now)
			_, err := w.exec(`INSERT INTO login_throttle (key, full_at) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET full_at = min(max(full_at, ?) + ?, ?)`,
				b.Key, nowMs+every, nowMs, every, limit)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: login failed: %w", err)
	}
	return nil
}
