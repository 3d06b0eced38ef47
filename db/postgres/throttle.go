package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// Login throttling: the token buckets of db/throttle.go, in the same
// table, so that every server on the database counts failed logins
// together. The arithmetic is package db's (db.ThrottleWait,
// db.ThrottleSpend); this file only reads and writes the rows.

// throttleCleanup bounds how many full buckets one failure deletes. Each
// failure adds at most a couple of rows, so the table still shrinks to
// the buckets that are not full.
const throttleCleanup = 1000

// LoginWait is how long a login attempt at now must wait until each of
// buckets has a token: 0 when it may go ahead. One query; it works on a
// read-only store. Errors: an invalid list of buckets (see
// db.CheckThrottleBuckets), or a store failure.
func (s *Store) LoginWait(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) (time.Duration, error) {
	if err := db.CheckThrottleBuckets(buckets); err != nil {
		return 0, fmt.Errorf("postgres: login wait: %w", err)
	}
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = b.Key
	}
	rows, err := s.pool.Query(ctx, `SELECT key, full_at FROM login_throttle WHERE key = ANY($1)`, keys)
	if err != nil {
		return 0, fmt.Errorf("postgres: login wait: %w", err)
	}
	fullAt := make(map[string]int64, len(buckets))
	var k string
	var f int64
	_, err = pgx.ForEachRow(rows, []any{&k, &f}, func() error {
		fullAt[k] = f
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: login wait: %w", err)
	}
	return db.ThrottleWait(buckets, fullAt, now), nil
}

// LoginFailed records a failed login at now: it takes a token from each of
// buckets, and deletes buckets that are full again. Concurrent failures,
// from this server or another, each count: the update is computed from
// the row under its lock. Errors: an invalid list of buckets (see
// db.CheckThrottleBuckets), db.ErrReadOnly, or a store failure.
func (s *Store) LoginFailed(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) error {
	if err := db.CheckThrottleBuckets(buckets); err != nil {
		return fmt.Errorf("postgres: login failed: %w", err)
	}
	// In key order, so two failures naming the same buckets lock them in
	// the same order and cannot deadlock.
	sorted := slices.SortedFunc(slices.Values(buckets), func(a, b db.ThrottleBucket) int {
		return strings.Compare(a.Key, b.Key)
	})
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, b := range sorted {
			nowMs, every, limit := db.ThrottleSpend(b, now)
			_, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, full_at) VALUES ($1, $2::bigint + $3::bigint)
				ON CONFLICT (key) DO UPDATE
				SET full_at = LEAST(GREATEST(login_throttle.full_at, $2) + $3, $4::bigint)`,
				b.Key, nowMs, every, limit)
			if err != nil {
				return err
			}
		}
		// Last, and SKIP LOCKED: the cleanup never waits for a row another
		// failure holds (it is left for a later cleanup), so a
		// transaction that waits for a lock holds none that a cleanup
		// could be waiting for, and there is no deadlock.
		_, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key IN (
			SELECT key FROM login_throttle WHERE full_at <= $1
			LIMIT $2 FOR UPDATE SKIP LOCKED)`, millis(now), throttleCleanup)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: login failed: %w", err)
	}
	return nil
}
