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
// table, so that every server on the database shares one limit. The
// arithmetic is package db's (db.ThrottleTake); this file locks, reads and
// writes the rows.

// throttleCleanup bounds how many full buckets one take deletes. Each take
// adds at most MaxThrottleBuckets rows, so the table still shrinks to the
// buckets that are not full.
const throttleCleanup = 1000

// LoginTake takes a token at now from each of buckets, or from none: when
// each has one it takes them and returns 0; otherwise it returns how long
// until each would have one (more than 0) and takes nothing. The buckets'
// rows are locked for the decision, so concurrent takes, from this server
// or another, each see the tokens the others left. It also deletes
// buckets that are full again. Errors: an invalid list of buckets (see
// db.CheckThrottleBuckets), wrapping db.ErrReadOnly on a read-only store,
// or a store failure; nothing is taken.
func (s *Store) LoginTake(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) (time.Duration, error) {
	if err := db.CheckThrottleBuckets(buckets); err != nil {
		return 0, fmt.Errorf("postgres: login take: %w", err)
	}
	keys := throttleKeys(buckets)
	var wait time.Duration
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Lock every bucket's row, making the missing ones (full buckets:
		// full_at = now). DO UPDATE ... WHERE false locks an existing row
		// without writing it, and unlike DO NOTHING followed by a SELECT
		// FOR UPDATE it cannot miss a row a cleanup deletes in between.
		// In key order (Go's, the array's), so two takes on the same
		// buckets cannot deadlock.
		_, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, full_at)
			SELECT k, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i
			ON CONFLICT (key) DO UPDATE SET full_at = login_throttle.full_at WHERE false`,
			keys, millis(now))
		if err != nil {
			return err
		}
		// The rows are this transaction's until it ends: what it reads now
		// is what it may write over.
		rows, err := tx.Query(ctx, `SELECT key, full_at FROM login_throttle WHERE key = ANY($1)`, keys)
		if err != nil {
			return err
		}
		fullAt := make(map[string]int64, len(keys))
		var k string
		var f int64
		if _, err := pgx.ForEachRow(rows, []any{&k, &f}, func() error {
			fullAt[k] = f
			return nil
		}); err != nil {
			return err
		}
		var next []int64
		if wait, next = db.ThrottleTake(buckets, fullAt, now); wait == 0 {
			taken := make([]string, len(buckets)) // in next's order
			for i, b := range buckets {
				taken[i] = b.Key
			}
			_, err := tx.Exec(ctx, `UPDATE login_throttle AS t SET full_at = v.full_at
				FROM unnest($1::text[], $2::bigint[]) AS v(key, full_at) WHERE t.key = v.key`,
				taken, next)
			if err != nil {
				return err
			}
		}
		// Last, and SKIP LOCKED: the cleanup never waits for a row another
		// take holds (it is left for a later cleanup), so a transaction
		// that waits for a lock holds none that a cleanup could be
		// waiting for, and there is no deadlock. It deletes the rows a
		// refused take made, too.
		_, err = tx.Exec(ctx, `DELETE FROM login_throttle WHERE key IN (
			SELECT key FROM login_throttle WHERE full_at <= $1
			LIMIT $2 FOR UPDATE SKIP LOCKED)`, millis(now), throttleCleanup)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: login take: %w", err)
	}
	return wait, nil
}

// LoginRefund gives back at now the token a LoginTake took from each of
// buckets (for a successful login): full_at moves back one Every, never
// before now. A bucket with no row is full and stays so. Errors: an
// invalid list of buckets (see db.CheckThrottleBuckets), wrapping
// db.ErrReadOnly on a read-only store, or a store failure.
func (s *Store) LoginRefund(ctx context.Context, buckets []db.ThrottleBucket, now time.Time) error {
	if err := db.CheckThrottleBuckets(buckets); err != nil {
		return fmt.Errorf("postgres: login refund: %w", err)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// One row at a time, in key order, the order takes lock them in.
		for _, b := range sortedBuckets(buckets) {
			_, err := tx.Exec(ctx, `UPDATE login_throttle
				SET full_at = GREATEST(full_at - $2::bigint, $3::bigint) WHERE key = $1`,
				b.Key, b.Every.Milliseconds(), millis(now))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: login refund: %w", err)
	}
	return nil
}

// throttleKeys are the keys of bs, sorted.
func throttleKeys(bs []db.ThrottleBucket) []string {
	keys := make([]string, len(bs))
	for i, b := range bs {
		keys[i] = b.Key
	}
	slices.Sort(keys)
	return keys
}

// sortedBuckets is bs in key order.
func sortedBuckets(bs []db.ThrottleBucket) []db.ThrottleBucket {
	return slices.SortedFunc(slices.Values(bs), func(a, b db.ThrottleBucket) int {
		return strings.Compare(a.Key, b.Key)
	})
}
