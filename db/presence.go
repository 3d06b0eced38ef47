package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Presence timing. A review page renews its editor's presence every few
// seconds (the page's heartbeat); a presence not renewed for PresenceTTL
// counts as gone, so a closed tab or a lost connection frees the article
// within that time.
const (
	// PresenceTTL is how long a presence lasts without renewal.
	PresenceTTL = 15 * time.Second
	// PresenceRenew is how old a presence must be before a heartbeat
	// writes it again: heartbeats come every 5 s, so about every other
	// one writes, and the row never gets older than PresenceTTL.
	PresenceRenew = 7 * time.Second
	// PresenceKeep is how long gone rows stay before OpenArticle deletes
	// them: long past PresenceTTL, so the cleanup never races a renewal.
	PresenceKeep = time.Minute
)

// renewPresence records a presence on an article that exists, or renews
// one older than PresenceRenew; a younger one is left as it is, and the
// statement writes nothing. Arguments: user, now, article, now minus
// PresenceRenew (ms). ("WHERE true" lets SQLite tell the SELECT's WHERE
// from the upsert's ON CONFLICT.)
const renewPresence = `INSERT INTO presence (article_id, user_id, seen_at)
	SELECT id, ?, ? FROM articles WHERE id = ? AND true
	ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_at < ?`

// OpenArticle records that user has the review page of article open at
// now, and ends the user's presence on every other article (an editor
// reads one article at a time; a second tab renews its own with
// RenewPresence). It also deletes presences gone for a while, which keeps
// the table as small as the number of editors at work. Errors: a store
// failure, or ErrReadOnly.
func (s *Store) OpenArticle(ctx context.Context, articleID, userID int64, now time.Time) error {
	err := s.inWriteTx(ctx, func(w *writer) error { return w.openArticle(articleID, userID, toMillis(now)) })
	if err != nil {
		return fmt.Errorf("db: open article %d for user %d: %w", articleID, userID, err)
	}
	return nil
}

// openArticle is OpenArticle's writes, at now (ms).
func (w *writer) openArticle(articleID, userID, now int64) error {
	if _, err := w.exec(`DELETE FROM presence WHERE user_id = ? AND article_id <> ?`, userID, articleID); err != nil {
		return err
	}
	if _, err := w.exec(`DELETE FROM presence WHERE seen_at < ?`, now-PresenceKeep.Milliseconds()); err != nil {
		return err
	}
	// As in RenewPresence, a presence renewed moments ago (a reload)
	// is left as it is: such a transaction writes nothing.
	_, err := w.exec(renewPresence, userID, now, articleID, now-PresenceRenew.Milliseconds())
	return err
}

// claimCheck tells, for an article, whether it exists and whether a user
// other than the claimer has a live presence on it. Arguments: article,
// article, claimer, now minus PresenceTTL (ms).
const claimCheck = `SELECT EXISTS (SELECT 1 FROM articles WHERE id = ?),
	EXISTS (SELECT 1 FROM presence WHERE article_id = ? AND user_id <> ? AND seen_at >= ?)`

// ClaimArticle is OpenArticle on the condition that no other user has
// article open at now (a presence younger than PresenceTTL, as OpenBy
// counts it), checked and written in one write transaction: of several
// editors claiming one article at once, exactly one gets it, which is
// how "save and next" sends two editors to two different articles. The
// user's own presence does not stand in the way. claimed is false, and
// nothing is written, when another user has the article open. The wait
// for the writer is the caller's (ctx). Errors: ErrNotFound (wrapped)
// when there is no such article, a store failure, or ErrReadOnly.
func (s *Store) ClaimArticle(ctx context.Context, articleID, userID int64, now time.Time) (claimed bool, err error) {
	ms := toMillis(now)
	err = s.inWriteTx(ctx, func(w *writer) error {
		var exists, taken bool
		if err := w.queryRow(claimCheck, articleID, articleID, userID, ms-PresenceTTL.Milliseconds()).Scan(&exists, &taken); err != nil {
			return err
		}
		switch {
		case !exists:
			return fmt.Errorf("article %d: %w", articleID, ErrNotFound)
		case taken:
			return nil
		}
		claimed = true
		return w.openArticle(articleID, userID, ms)
	})
	if err != nil {
		return false, fmt.Errorf("db: claim article %d for user %d: %w", articleID, userID, err)
	}
	return claimed, nil
}

// RenewPresence is the heartbeat of an open review page: user still has
// article open at now. It records the presence again if it was ended
// (the editor opened another article in another tab, and this one is
// still open), and leaves a presence renewed in the last few seconds as
// it is, so most heartbeats write nothing. Errors: ErrNotFound (wrapped)
// when there is no such article, a store failure, or ErrReadOnly.
func (s *Store) RenewPresence(ctx context.Context, articleID, userID int64, now time.Time) error {
	if err := s.writable(); err != nil {
		return err
	}
	ms := toMillis(now)
	args := []any{userID, ms, articleID, ms - PresenceRenew.Milliseconds()}
	var res sql.Result
	st, err := s.wStmts.prepare(ctx, renewPresence)
	switch {
	case err != nil:
	case st != nil:
		res, err = st.ExecContext(ctx, args...)
	default: // the statement cache is full
		res, err = s.w.ExecContext(ctx, renewPresence, args...)
	}
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 0 {
		// Renewed moments ago, or no such article: only the second is
		// an error. A look at one row, for half the heartbeats.
		err = s.articleExists(ctx, articleID)
	}
	if err != nil {
		return fmt.Errorf("db: renew presence of user %d on article %d: %w", userID, articleID, err)
	}
	return nil
}

// OpenBy returns, for each of the articles ids that someone other than
// user except has open at now (a presence younger than PresenceTTL), the
// usernames of those editors, sorted. Articles nobody else has open are
// absent. With no ids it answers for every article: the set is as small
// as the number of editors at work. No query between writes (see
// presenceRows).
func (s *Store) OpenBy(ctx context.Context, ids []int64, except int64, now time.Time) (map[int64][]string, error) {
	rows, err := cached(ctx, s.results, "presence", func() ([]presenceRow, error) { return s.presenceRows(ctx) })
	if err != nil {
		return nil, fmt.Errorf("db: open by: %w", err)
	}
	since := toMillis(now) - PresenceTTL.Milliseconds()
	wanted := map[int64]bool{}
	for _, id := range ids {
		wanted[id] = true
	}
	out := map[int64][]string{}
	for _, r := range rows { // sorted by article, then name
		if r.seenAt >= since && r.userID != except && (len(ids) == 0 || wanted[r.articleID]) {
			out[r.articleID] = append(out[r.articleID], r.username)
		}
	}
	return out, nil
}

// presenceRow is a row of the presence table with its user's name.
type presenceRow struct {
	articleID, userID, seenAt int64
	username                  string
}

// presenceRows reads the whole presence table: a row per editor with a
// review page open, and those gone for less than a minute (see
// OpenArticle's cleanup), so it stays as small as the team. OpenBy keeps
// it in the result cache until the next write, so a queue page costs no
// query between heartbeats, and filters it by time itself.
func (s *Store) presenceRows(ctx context.Context) ([]presenceRow, error) {
	rows, err := s.readQuery(ctx, `SELECT p.article_id, p.user_id, p.seen_at, u.username
		FROM presence p JOIN users u ON u.id = p.user_id ORDER BY p.article_id, u.username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []presenceRow
	for rows.Next() {
		var r presenceRow
		if err := rows.Scan(&r.articleID, &r.userID, &r.seenAt, &r.username); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
