package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Login throttling. The state of the login throttle lives in the store, so
// that several servers on one database share one limit. It is a set of
// token buckets (handlers/throttle.go decides which: one per client
// address, one per account), each kept as one row: the time at which the
// bucket is full again (full_at, unix ms). A bucket holds Burst tokens and
// gets one back every Every, so at now it has Burst - (full_at - now)/Every
// tokens, and a row past its full_at is a full bucket, the same as no row.
// This is the token bucket of golang.org/x/time/rate in one number per
// key, the form known as GCRA.
//
// Every login attempt takes its token before the password is checked, in
// one transaction that holds the buckets' rows (LoginTake): so however
// many attempts run at once, on however many servers, no more than the
// tokens there are get through. A failed login keeps the token spent; a
// successful one gives it back (LoginRefund). Each take also deletes full
// buckets, so the table holds the buckets that lost a token within the
// last Burst*Every.

// ThrottleBucket is one token bucket of the login throttle.
type ThrottleBucket struct {
	// Key names the bucket: "ip:192.0.2.1", "user:alice". 1 to
	// MaxThrottleKey bytes.
	Key string
	// Every is how long the bucket takes to get a token back: at least a
	// millisecond (finer parts are dropped).
	Every time.Duration
	// Burst is how many tokens a full bucket holds: how many attempts in
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

// ThrottleTake decides a take at now from each of bs, given the stored
// full_at (unix ms) of the buckets that have a row. When every bucket has
// a token it returns 0 and the full_at to store for each of bs, in bs's
// order: max(full_at, now) + Every. Otherwise it returns how long until
// every bucket has one (more than 0) and nil: nothing is taken. Both
// stores' LoginTake decide here, with the rows locked.
func ThrottleTake(bs []ThrottleBucket, fullAt map[string]int64, now time.Time) (time.Duration, []int64) {
	nowMs := now.UnixMilli()
	next := make([]int64, len(bs))
	var wait int64
	for i, b := range bs {
		every := b.Every.Milliseconds()
		// A missing row, or one in the past, is a full bucket.
		next[i] = max(fullAt[b.Key], nowMs) + every
		// The bucket has a token when taking it leaves full_at within
		// Burst intervals of now.
		wait = max(wait, next[i]-nowMs-int64(b.Burst)*every)
	}
	if wait > 0 {
		return time.Duration(wait) * time.Millisecond, nil
	}
	return 0, next
}

// LoginTake takes a token at now from each of buckets, or from none: when
// each has one it takes them and returns 0; otherwise it returns how long
// until each would have one (more than 0) and takes nothing. One write
// transaction; a take also deletes the buckets that are full again.
// Errors: an invalid list of buckets (see CheckThrottleBuckets), wrapping
// ErrReadOnly on a read-only store, or a store failure; nothing is taken.
func (s *Store) LoginTake(ctx context.Context, buckets []ThrottleBucket, now time.Time) (time.Duration, error) {
	if err := CheckThrottleBuckets(buckets); err != nil {
		return 0, fmt.Errorf("db: login take: %w", err)
	}
	keys := make([]any, len(buckets))
	for i, b := range buckets {
		keys[i] = b.Key
	}
	// One query shape per number of buckets (one or two in practice), so
	// the statement cache holds a handful.
	q := `SELECT key, full_at FROM login_throttle WHERE key IN (?` + strings.Repeat(`, ?`, len(keys)-1) + `)`
	var wait time.Duration
	err := s.inWriteTx(ctx, func(w *writer) error {
		// The write transaction is exclusive (BEGIN IMMEDIATE): no other
		// take, from this process or another, runs between the read and
		// the write.
		fullAt, err := w.throttleRows(q, keys)
		if err != nil {
			return err
		}
		var next []int64
		if wait, next = ThrottleTake(buckets, fullAt, now); wait > 0 {
			return nil
		}
		for i, b := range buckets {
			_, err := w.exec(`INSERT INTO login_throttle (key, full_at) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET full_at = excluded.full_at`, b.Key, next[i])
			if err != nil {
				return err
			}
		}
		_, err = w.exec(`DELETE FROM login_throttle WHERE full_at <= ?`, toMillis(now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: login take: %w", err)
	}
	return wait, nil
}

// throttleRows reads the full_at of the rows q (keys in an IN list)
// selects, by key.
func (w *writer) throttleRows(q string, keys []any) (map[string]int64, error) {
	rows, err := w.query(q, keys...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fullAt := make(map[string]int64, len(keys))
	for rows.Next() {
		var k string
		var f int64
		if err := rows.Scan(&k, &f); err != nil {
			return nil, err
		}
		fullAt[k] = f
	}
	return fullAt, rows.Err()
}

// LoginRefund gives back at now the token a LoginTake took from each of
// buckets (for a successful login): full_at moves back one Every, never
// before now. A bucket with no row is full and stays so. Errors: an
// invalid list of buckets (see CheckThrottleBuckets), wrapping
// ErrReadOnly on a read-only store, or a store failure.
func (s *Store) LoginRefund(ctx context.Context, buckets []ThrottleBucket, now time.Time) error {
	if err := CheckThrottleBuckets(buckets); err != nil {
		return fmt.Errorf("db: login refund: %w", err)
	}
	err := s.inWriteTx(ctx, func(w *writer) error {
		for _, b := range buckets {
			_, err := w.exec(`UPDATE login_throttle SET full_at = max(full_at - ?, ?) WHERE key = ?`,
				b.Every.Milliseconds(), toMillis(now), b.Key)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: login refund: %w", err)
	}
	return nil
}
