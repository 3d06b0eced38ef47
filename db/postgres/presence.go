package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsdesk/newsdesk/db"
)

// presenceLockWait bounds how long a presence write waits for a row lock
// (lock_timeout). Writers do not queue here as in SQLite, but a presence
// row's foreign key takes a share lock on its article, which waits for a
// save or a bulk action holding that article FOR UPDATE: a review page
// must not wait for that. Below the 200 ms the handlers allow a presence
// write (handlers.presenceWait), so the store gives up first, cleanly,
// and the connection is not cancelled mid-statement.
const presenceLockWait = "150ms"

// renewPresence records a presence on an article that exists, or renews
// one older than db.PresenceRenew; a younger one is left as it is, and
// the statement writes nothing. Arguments: user, now, article, now minus
// db.PresenceRenew (ms).
const renewPresence = `INSERT INTO presence (article_id, user_id, seen_at)
	SELECT id, $1, $2 FROM articles WHERE id = $3
	ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at WHERE presence.seen_at < $4`

// OpenArticle records that user has the review page of article open at
// now, and ends the user's presence on every other article (an editor
// reads one article at a time; a second tab renews its own with
// RenewPresence). It also deletes presences gone for db.PresenceKeep,
// which keeps the table as small as the number of editors at work.
//
// A write that waits more than presenceLockWait (150 ms) for a lock (an
// article held by a save or a bulk action) is dropped and nil returned,
// as the handlers drop a SQLite presence write that waits 200 ms for the
// writer: the next heartbeat records the editor. Errors: a store failure, or
// db.ErrReadOnly.
func (s *Store) OpenArticle(ctx context.Context, articleID, userID int64, now time.Time) error {
	ms := millis(now)
	err := s.presenceTx(ctx, func(tx pgx.Tx) error { return openArticle(ctx, tx, articleID, userID, ms) })
	if err != nil {
		return fmt.Errorf("postgres: open article %d for user %d: %w", articleID, userID, err)
	}
	return nil
}

// openArticle is OpenArticle's writes, at now (ms).
func openArticle(ctx context.Context, tx pgx.Tx, articleID, userID, now int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM presence WHERE user_id = $1 AND article_id <> $2`, userID, articleID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM presence WHERE seen_at < $1`, now-db.PresenceKeep.Milliseconds()); err != nil {
		return err
	}
	// As in RenewPresence, a presence renewed moments ago (a reload) is
	// left as it is.
	_, err := tx.Exec(ctx, renewPresence, userID, now, articleID, now-db.PresenceRenew.Milliseconds())
	return err
}

// ClaimArticle is OpenArticle on the condition that no other user has
// article open at now (a presence younger than db.PresenceTTL, as OpenBy
// counts it): of several editors claiming one article at once, on any
// number of instances, exactly one gets it, which is how "save and next"
// sends two editors to two different articles. The user's own presence
// does not stand in the way. claimed is false, and nothing is written,
// when another user has the article open, and when the claim waited more
// than presenceLockWait (150 ms) for a lock: the article is held by a
// save or a bulk action, or by a pile of claims; the caller moves on to
// another article. Errors: db.ErrNotFound (wrapped) when there is no
// such article, a store failure, or db.ErrReadOnly.
func (s *Store) ClaimArticle(ctx context.Context, articleID, userID int64, now time.Time) (claimed bool, err error) {
	ms := millis(now)
	err = s.presenceTx(ctx, func(tx pgx.Tx) error {
		claimed = false // inTx may run this again
		// Claims of one article queue on its row (a lock that, unlike
		// FOR UPDATE, leaves the presence rows' foreign key checks, FOR
		// KEY SHARE, free), so the check below, a new snapshot in READ
		// COMMITTED, sees every claim committed before this one.
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM articles WHERE id = $1 FOR NO KEY UPDATE`, articleID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("article %d: %w", articleID, db.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var taken bool
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM presence WHERE article_id = $1 AND user_id <> $2 AND seen_at >= $3)`,
			articleID, userID, ms-db.PresenceTTL.Milliseconds()).Scan(&taken)
		if err != nil || taken {
			return err
		}
		if err := openArticle(ctx, tx, articleID, userID, ms); err != nil {
			return err
		}
		claimed = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: claim article %d for user %d: %w", articleID, userID, err)
	}
	return claimed, nil
}

// RenewPresence is the heartbeat of an open review page: user still has
// article open at now. It records the presence again if it was ended
// (the editor opened another article in another tab, and this one is
// still open), and leaves a presence renewed in the last
// db.PresenceRenew as it is, so most heartbeats write nothing. A write
// that waits more than presenceLockWait for a lock is dropped (see
// OpenArticle).
// Errors: db.ErrNotFound (wrapped) when there is no such article, a
// store failure, or db.ErrReadOnly.
func (s *Store) RenewPresence(ctx context.Context, articleID, userID int64, now time.Time) error {
	ms := millis(now)
	var n int64
	err := s.presenceTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, renewPresence, userID, ms, articleID, ms-db.PresenceRenew.Milliseconds())
		n = tag.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		// Renewed moments ago, or no such article (or dropped): only the
		// second is an error.
		var one int
		err = s.pool.QueryRow(ctx, `SELECT 1 FROM articles WHERE id = $1`, articleID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			err = fmt.Errorf("article %d: %w", articleID, db.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: renew presence of user %d on article %d: %w", userID, articleID, err)
	}
	return nil
}

// presenceTx runs fn in a transaction whose lock waits end after
// presenceLockWait; a transaction that timed out on a lock is rolled back
// and counts as done (nil), having written nothing.
func (s *Store) presenceTx(ctx context.Context, fn func(pgx.Tx) error) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, presenceLockWait); err != nil {
			return err
		}
		return fn(tx)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		return nil
	}
	return err
}

// OpenBy returns, for each of the articles ids that someone other than
// user except has open at now (a presence younger than db.PresenceTTL),
// the usernames of those editors as stored, sorted as Users sorts them
// (ignoring ASCII case, as SQLite's NOCASE column: see nocase). Articles
// nobody else has open are absent. With no ids it answers for every
// article: the set is as small as the number of editors at work. One
// query on a table of one row per editor at work; nothing is cached,
// since another instance may have written.
func (s *Store) OpenBy(ctx context.Context, ids []int64, except int64, now time.Time) (map[int64][]string, error) {
	query := `SELECT p.article_id, u.username FROM presence p JOIN users u ON u.id = p.user_id
		WHERE p.seen_at >= $1 AND p.user_id <> $2`
	args := []any{millis(now) - db.PresenceTTL.Milliseconds(), except}
	if len(ids) > 0 {
		query += ` AND p.article_id = ANY($3)`
		args = append(args, ids)
	}
	rows, err := s.pool.Query(ctx, query+` ORDER BY p.article_id, `+nocase("u.username"), args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: open by: %w", err)
	}
	out := map[int64][]string{}
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[id] = append(out[id], name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: open by: %w", err)
	}
	return out, nil
}
