package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ImportActor is the audit actor of the changes an import makes.
const ImportActor = importActor

// AuditEntry is one changed field of an article. Old and New are exact
// (see the audit table in 0001_init.sql), so an entry can be reversed.
// Actor is a username, or ImportActor for changes made by an import.
type AuditEntry struct {
	ID        int64
	ArticleID int64
	UserID    int64 // 0 for imports and for users since deleted
	At        time.Time
	Actor     string
	Field     string
	Old, New  string
	// Version is the article's version right after the change that wrote
	// the entry: the entries of one save share it (see 0005_audit_version.sql).
	// 0 for entries recorded before the audit kept it.
	Version int64
}

// audit writes one audit row. It runs after the change's UPDATE of the
// article, in the same transaction, so the version it copies from the
// article is the one the change produced.
func (w *writer) audit(articleID, userID int64, actor string, at time.Time, c change) error {
	var uid any
	if userID != 0 {
		uid = userID
	}
	_, err := w.exec(`INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT version FROM articles WHERE id = ?))`,
		articleID, uid, actor, toMillis(at), c.field, c.old, c.new, articleID)
	return err
}

// AuditValue is the record's current value of an editable field (quality,
// topics, published, status, note) written as the audit writes it, so it
// compares with an entry's Old and New. ok is false for any other field.
func (r *Record) AuditValue(field string) (v string, ok bool) {
	switch field {
	case "quality":
		return qualityText(r.Quality, r.HasQuality), true
	case "topics":
		return encodeTopics(r.Topics), true
	case "published":
		return strconv.FormatBool(r.Published), true
	case "status":
		return string(r.Status), true
	case "note":
		return r.Note, true
	}
	return "", false
}

// fileSidePrefix begins the audit field of an import's change to the
// file's own value of quality, topics or published while an editor's
// value stays in force ("file:quality"). The rows under a field's own
// name record the effective values, what editors see and export writes,
// so that the values at any version can be rebuilt from them (the
// conflict page, undo); the file's value under an editor's is not one.
// Rows written before newsdesk knew this stay under the field's name.
const fileSidePrefix = "file:"

// FileSide reports whether an audit field is an import's file-side row
// (see fileSidePrefix), and names the editable field whose file value it
// records.
func FileSide(field string) (editable string, ok bool) {
	return strings.CutPrefix(field, fileSidePrefix)
}

// AuditTopics reads a topics value of the audit (a JSON array); an empty
// list is nil.
func AuditTopics(v string) ([]string, error) { return decodeTopics(v) }

// History returns the audit of an article, newest first. Ids grow in
// commit order (one writer), so they order entries even when the clock
// does not.
func (s *Store) History(ctx context.Context, articleID int64) ([]AuditEntry, error) {
	if err := s.articleExists(ctx, articleID); err != nil {
		return nil, err
	}
	rows, err := s.readQuery(ctx, `SELECT id, article_id, coalesce(user_id, 0), at, actor, field, old_value, new_value,
		coalesce(version, 0) FROM audit WHERE article_id = ? ORDER BY id DESC`, articleID)
	if err != nil {
		return nil, fmt.Errorf("db: history of article %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.ArticleID, &e.UserID, &at, &e.Actor, &e.Field, &e.Old, &e.New, &e.Version); err != nil {
			return nil, fmt.Errorf("db: history of article %d: %w", articleID, err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: history of article %d: %w", articleID, err)
	}
	return out, nil
}

func (s *Store) articleExists(ctx context.Context, id int64) error {
	var one int
	err := s.readQueryRow(ctx, `SELECT 1 FROM articles WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("db: article %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: article %d: %w", id, err)
	}
	return nil
}
