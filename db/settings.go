package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting keys and the sizes securecookie wants: a 64-byte HMAC-SHA256 key
// and a 32-byte AES-256 key.
const (
	settingSessionHashKey  = "session.hash_key"
	settingSessionBlockKey = "session.block_key"
	sessionHashKeyLen      = 64
	sessionBlockKeyLen     = 32
)

// SessionKeys returns the keys that sign and encrypt session cookies. The
// first call creates them from crypto/rand and stores them; every later call,
// in this process or the next, returns the same keys, so a restart keeps
// everyone logged in. Creation runs in one write transaction, so two
// processes starting at once still agree on one pair.
func (s *Store) SessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		hashKey, err = ensureSecret(ctx, tx, settingSessionHashKey, sessionHashKeyLen, s.now().UnixMilli())
		if err != nil {
			return err
		}
		blockKey, err = ensureSecret(ctx, tx, settingSessionBlockKey, sessionBlockKeyLen, s.now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("db: session keys: %w", err)
	}
	return hashKey, blockKey, nil
}

// ensureSecret reads the secret stored under key or, when there is none,
// stores n fresh random bytes. A stored value of the wrong size is an error
// rather than silently replaced: replacing it would hide a damaged database.
func ensureSecret(ctx context.Context, tx *sql.Tx, key string, n int, nowMillis int64) ([]byte, error) {
	var v []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	switch {
	case err == nil:
		if err := CheckSecret(key, v, n); err != nil {
			return nil, err
		}
		return v, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("setting %s: %w", key, err)
	}
	v, err = NewSecret(key, n)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)`, key, v, nowMillis)
	if err != nil {
		return nil, fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// RotateSessionKeys replaces the stored session keys with fresh random
// ones, in one transaction. Every session cookie signed with the old keys
// stops working once the server has read the new ones, at its next start;
// a running server keeps the keys it read at start. It changes nothing for
// a server configured with NEWSDESK_SESSION_KEY, which does not use them.
func (s *Store) RotateSessionKeys(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key IN (?, ?)`, settingSessionHashKey, settingSessionBlockKey)
		if err != nil {
			return err
		}
		now := s.now().UnixMilli()
		if _, err := ensureSecret(ctx, tx, settingSessionHashKey, sessionHashKeyLen, now); err != nil {
			return err
		}
		_, err = ensureSecret(ctx, tx, settingSessionBlockKey, sessionBlockKeyLen, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("db: rotate session keys: %w", err)
	}
	return nil
}
