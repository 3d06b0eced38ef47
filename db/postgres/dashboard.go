package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The dashboard reads the counter tables of 0004_counts.sql and
// 0009_dashboard.sql and one index seek, as the SQLite store does: its
// cost grows with the days, editors, topics and statuses shown, not with
// the articles or the audit.

// Dashboard reads the dashboard's numbers in one REPEATABLE READ, read-only
// transaction, so they agree with each other while other instances
// write. q is normalized as db.DashboardQuery.Normalize says; an error
// for a q out of range, or a store failure.
func (s *Store) Dashboard(ctx context.Context, q db.DashboardQuery) (*db.Dashboard, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	d := db.NewDashboard(s.now(), q)
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			for _, part := range []struct {
				name string
				read func(context.Context, pgx.Tx, *db.Dashboard, db.DashboardQuery) error
			}{
				{"statuses", readStatusTotals},
				{"reviews per day", readDays},
				{"quality", readQuality},
				{"topics", readTopTopics},
				{"editors", readEditors},
				{"oldest pending", readOldest},
			} {
				if err := part.read(ctx, tx, d, q); err != nil {
					return fmt.Errorf("%s: %w", part.name, err)
				}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: dashboard: %w", err)
	}
	return d, nil
}

// dashRows runs fn after scanning each row of query into dest.
func dashRows(ctx context.Context, tx pgx.Tx, query string, args []any, dest []any, fn func() error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, fn)
	return err
}

func readStatusTotals(ctx context.Context, tx pgx.Tx, d *db.Dashboard, _ db.DashboardQuery) error {
	var status string
	var n int
	return dashRows(ctx, tx, `SELECT status, sum(n)::bigint FROM count_status GROUP BY status`, nil,
		[]any{&status, &n}, func() error {
			d.Statuses[article.Status(status)] = n
			return nil
		})
}

func readDays(ctx context.Context, tx pgx.Tx, d *db.Dashboard, q db.DashboardQuery) error {
	var day int64
	var status string
	var n int
	return dashRows(ctx, tx, `SELECT day, status, sum(n)::bigint FROM count_review
		WHERE day BETWEEN $1 AND $2 GROUP BY day, status`, []any{d.FirstDay(q), db.UnixDay(d.Now)},
		[]any{&day, &status, &n}, func() error {
			d.AddDay(day, status, n)
			return nil
		})
}

func readQuality(ctx context.Context, tx pgx.Tx, d *db.Dashboard, _ db.DashboardQuery) error {
	var b, n int
	return dashRows(ctx, tx, `SELECT bucket, sum(n)::bigint FROM count_quality GROUP BY bucket`, nil,
		[]any{&b, &n}, func() error {
			d.AddQuality(b, n)
			return nil
		})
}

// readTopTopics orders ties by name ignoring ASCII case, as SQLite's
// NOCASE topics.name (see Users).
func readTopTopics(ctx context.Context, tx pgx.Tx, d *db.Dashboard, q db.DashboardQuery) error {
	var f db.Facet
	return dashRows(ctx, tx, `SELECT t.name, c.n FROM (SELECT topic_id, sum(n)::bigint AS n FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		ORDER BY c.n DESC, `+nocase("t.name")+` LIMIT $1`, []any{q.TopTopics},
		[]any{&f.Name, &f.Count}, func() error {
			d.Topics = append(d.Topics, f)
			return nil
		})
}

// readEditors joins the all-time counts with the period's: the period's
// rows are the days' rows, one per editor, day and status. Editors come
// by actor in byte order (SQLite's BINARY), then sortEditors' order.
func readEditors(ctx context.Context, tx pgx.Tx, d *db.Dashboard, q db.DashboardQuery) error {
	type key struct {
		id    int64
		actor string
	}
	at := map[key]int{}
	var k key
	var status string
	var n int
	err := dashRows(ctx, tx, `SELECT user_id, actor, status, n FROM count_review_user WHERE n > 0
		ORDER BY actor COLLATE "C", user_id`, nil, []any{&k.id, &k.actor, &status, &n}, func() error {
		i, ok := at[k]
		if !ok {
			i = len(d.Editors)
			at[k] = i
			d.Editors = append(d.Editors, db.EditorReviews{UserID: k.id, Name: k.actor})
		}
		d.Editors[i].All.Add(status, n)
		return nil
	})
	if err != nil {
		return err
	}
	err = dashRows(ctx, tx, `SELECT user_id, actor, status, sum(n)::bigint FROM count_review
		WHERE day BETWEEN $1 AND $2 GROUP BY user_id, actor, status`, []any{d.FirstDay(q), db.UnixDay(d.Now)},
		[]any{&k.id, &k.actor, &status, &n}, func() error {
			if i, ok := at[k]; ok {
				d.Editors[i].Period.Add(status, n)
			}
			return nil
		})
	if err != nil {
		return err
	}
	db.SortEditors(d.Editors)
	return nil
}

// readOldest is the first entry of the partial index
// articles_pending_imported.
func readOldest(ctx context.Context, tx pgx.Tx, d *db.Dashboard, _ db.DashboardQuery) error {
	var o db.OldestPending
	var at int64
	err := tx.QueryRow(ctx, `SELECT id, title, imported_at FROM articles
		WHERE status = 'pending' ORDER BY imported_at, id LIMIT 1`).Scan(&o.ID, &o.Title, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	o.ImportedAt = fromMillis(at)
	d.Oldest = &o
	return nil
}

// ReviewsByUser returns every user's status changes of all time by user
// id, for the users page; users who never changed a status are absent.
func (s *Store) ReviewsByUser(ctx context.Context) (map[int64]db.Reviews, error) {
	rows, err := s.pool.Query(ctx, `SELECT user_id, status, sum(n)::bigint FROM count_review_user
		WHERE user_id <> 0 GROUP BY user_id, status`)
	if err != nil {
		return nil, fmt.Errorf("postgres: reviews by user: %w", err)
	}
	out := map[int64]db.Reviews{}
	var id int64
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &status, &n}, func() error {
		r := out[id]
		r.Add(status, n)
		out[id] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reviews by user: %w", err)
	}
	return out, nil
}
