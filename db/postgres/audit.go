package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// History returns the audit of an article, newest first (by id: ids are
// taken in the order the rows are written, and a save's rows are written
// in one statement, in order). A missing article is an error wrapping
// db.ErrNotFound; an article without audit rows has an empty history.
func (s *Store) History(ctx context.Context, articleID int64) ([]db.AuditEntry, error) {
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM articles WHERE id = $1`, articleID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: article %d: %w", articleID, db.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: article %d: %w", articleID, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, article_id, coalesce(user_id, 0), at, actor, field, old_value, new_value,
		coalesce(version, 0) FROM audit WHERE article_id = $1 ORDER BY id DESC`, articleID)
	if err != nil {
		return nil, fmt.Errorf("postgres: history of article %d: %w", articleID, err)
	}
	var out []db.AuditEntry
	var e db.AuditEntry
	var at int64
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.ArticleID, &e.UserID, &at, &e.Actor, &e.Field, &e.Old, &e.New, &e.Version},
		func() error {
			e.At = fromMillis(at)
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: history of article %d: %w", articleID, err)
	}
	return out, nil
}
