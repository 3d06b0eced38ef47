package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// SessionKeys returns the keys that sign and encrypt session cookies
// (db.SessionHashKeyLen and db.SessionBlockKeyLen bytes). The first call
// on a database creates them from crypto/rand; every later call, by this
// instance or any other, returns the same keys. Instances starting at
// once on an empty database each offer a pair with INSERT ... ON CONFLICT
// DO NOTHING and then read what is stored: the first insert wins, the
// others wait for it on the primary key and keep nothing of their own,
// so all end with one pair. A stored key of the wrong size is an error,
// not replaced: replacing it would hide a damaged database.
func (s *Store) SessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error) {
	hashKey, blockKey, err = s.readSessionKeys(ctx)
	if err == nil && (hashKey == nil || blockKey == nil) {
		// A missing key: offer one. Both in one statement, so either
		// both of ours are stored or neither conflicts half-way.
		err = s.inTx(ctx, func(tx pgx.Tx) error { return offerSessionKeys(ctx, tx, millis(s.now())) })
		if err == nil {
			hashKey, blockKey, err = s.readSessionKeys(ctx)
		}
	}
	if err == nil && (hashKey == nil || blockKey == nil) {
		err = fmt.Errorf("keys missing after creating them")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: session keys: %w", err)
	}
	return hashKey, blockKey, nil
}

// readSessionKeys returns the stored keys, nil for one not stored.
func (s *Store) readSessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error) {
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM settings WHERE key IN ($1, $2)`,
		db.SettingSessionHashKey, db.SettingSessionBlockKey)
	if err != nil {
		return nil, nil, err
	}
	var key string
	var value []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
		switch key {
		case db.SettingSessionHashKey:
			hashKey = value
			return db.CheckSecret(key, value, db.SessionHashKeyLen)
		default:
			blockKey = value
			return db.CheckSecret(key, value, db.SessionBlockKeyLen)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return hashKey, blockKey, nil
}

// offerSessionKeys stores fresh random keys where there are none.
func offerSessionKeys(ctx context.Context, tx pgx.Tx, now int64) error {
	h, err := db.NewSecret(db.SettingSessionHashKey, db.SessionHashKeyLen)
	if err != nil {
		return err
	}
	b, err := db.NewSecret(db.SettingSessionBlockKey, db.SessionBlockKeyLen)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $5), ($3, $4, $5)
		ON CONFLICT (key) DO NOTHING`, db.SettingSessionHashKey, h, db.SettingSessionBlockKey, b, now)
	return err
}

// RotateSessionKeys replaces the stored session keys with fresh random
// ones in one transaction, as the SQLite store does: the old keys are
// deleted, not kept. Every session cookie signed with them stops working
// once a server has read the new ones, at its next start; running
// servers keep the keys they read at start (so restart every instance).
// It changes nothing for a server configured with NEWSDESK_SESSION_KEY.
func (s *Store) RotateSessionKeys(ctx context.Context) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM settings WHERE key IN ($1, $2)`, db.SettingSessionHashKey, db.SettingSessionBlockKey)
		if err != nil {
			return err
		}
		return offerSessionKeys(ctx, tx, millis(s.now()))
	})
	if err != nil {
		return fmt.Errorf("postgres: rotate session keys: %w", err)
	}
	return nil
}
