package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// The dashboard reads the counter tables of 0004_counts.sql and
// 0009_dashboard.sql and two index seeks: its cost grows with the number
// of days, editors, topics and statuses shown, not with the articles or
// the audit.

// MaxDashboardDays bounds DashboardQuery.Days.
const MaxDashboardDays = 366

// QualityNone is the QualityBucket.Bucket of articles without a quality.
const QualityNone = -1

// DashboardQuery says what the dashboard shows.
type DashboardQuery struct {
	// Days is how many UTC days of reviews to return, today included:
	// 1..MaxDashboardDays (0 means 30).
	Days int
	// TopTopics is how many topics to return, most used first (0 means 10).
	TopTopics int
}

// Dashboard is the team's numbers at one moment (one read transaction).
type Dashboard struct {
	// Now is the store's time the numbers were read at; Days ends on its
	// UTC day.
	Now time.Time
	// Statuses counts the articles by review status; every status is
	// present.
	Statuses map[article.Status]int
	// Days are the last DashboardQuery.Days UTC days, oldest first, every
	// day present (zeros for days nobody worked).
	Days []DayReviews
	// Quality counts the articles by effective quality in tens:
	// QualityNone first, then buckets 0 (0-9) to 9 (90-100), every bucket
	// present.
	Quality []QualityBucket
	// Topics are the most used topics with their number of articles.
	Topics []Facet
	// Editors are everyone who ever changed a status, most decisions in
	// the period first, then by name.
	Editors []EditorReviews
	// Oldest is the pending article imported longest ago; nil when
	// nothing is pending.
	Oldest *OldestPending
}

// Reviews are status changes, by the status they set. A decision (a
// review) is a change to approved or rejected; Reopened counts changes
// back to pending (undos, single or bulk, and reopenings), which do not
// take the decision away from the day it was made.
type Reviews struct {
	Approved, Rejected, Reopened int
}

// Decisions is Approved + Rejected.
func (r Reviews) Decisions() int { return r.Approved + r.Rejected }

func (r *Reviews) add(status string, n int) {
	switch article.Status(status) {
	case article.StatusApproved:
		r.Approved += n
	case article.StatusRejected:
		r.Rejected += n
	case article.StatusPending:
		r.Reopened += n
	}
}

// DayReviews are the status changes of one UTC day.
type DayReviews struct {
	Day time.Time // midnight UTC
	Reviews
}

// QualityBucket is the number of articles whose effective quality is in
// Bucket*10 .. Bucket*10+9 (90..100 for bucket 9), or that have none
// (Bucket QualityNone).
type QualityBucket struct {
	Bucket int
	N      int
}

// Label is the bucket's range as text: "0–9", "90–100" or "none".
func (b QualityBucket) Label() string {
	switch b.Bucket {
	case QualityNone:
		return "none"
	case 9:
		return "90–100"
	}
	return fmt.Sprintf("%d–%d", b.Bucket*10, b.Bucket*10+9)
}

// EditorReviews are one editor's status changes. UserID is 0 for changes
// recorded without a user (fixtures, users since deleted); Name is the
// actor the audit recorded.
type EditorReviews struct {
	UserID int64
	Name   string
	Period Reviews // in the dashboard's days
	All    Reviews // all time
}

// OldestPending is the pending article imported longest ago.
type OldestPending struct {
	ID         int64
	Title      string
	ImportedAt time.Time
}

const dayMillis = 24 * 60 * 60 * 1000

// unixDay is t's UTC day as the counter tables number it.
func unixDay(t time.Time) int64 { return t.UnixMilli() / dayMillis }

// Dashboard reads the dashboard's numbers in one read transaction, so they
// agree with each other.
func (s *Store) Dashboard(ctx context.Context, q DashboardQuery) (*Dashboard, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("db: dashboard: %w", err)
	}
	var missed []string
	defer func() {
		sqlTx.Rollback()
		s.rStmts.learn(ctx, missed)
	}()
	tx := readTx{sqlTx, s.rStmts, &missed}
	d := NewDashboard(s.now(), q)
	for _, part := range []struct {
		name string
		read func(context.Context, readTx, *Dashboard, DashboardQuery) error
	}{
		{"statuses", readStatusTotals},
		{"reviews per day", readDays},
		{"quality", readQuality},
		{"topics", readTopTopics},
		{"editors", readEditors},
		{"oldest pending", readOldest},
	} {
		if err := part.read(ctx, tx, d, q); err != nil {
			return nil, fmt.Errorf("db: dashboard: %s: %w", part.name, err)
		}
	}
	return d, nil
}

// eachRow runs scan on every row of query.
func eachRow(ctx context.Context, tx readTx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func readStatusTotals(ctx context.Context, tx readTx, d *Dashboard, _ DashboardQuery) error {
	c := NewStatusCounts()
	if err := groupCounts(ctx, tx, c, `SELECT status, sum(n) FROM count_status GROUP BY status`, nil); err != nil {
		return err
	}
	d.Statuses = c.N
	return nil
}

func readDays(ctx context.Context, tx readTx, d *Dashboard, q DashboardQuery) error {
	return eachRow(ctx, tx, `SELECT day, status, sum(n) FROM count_review
		WHERE day BETWEEN ? AND ? GROUP BY day, status`, []any{d.FirstDay(q), unixDay(d.Now)}, func(rows *sql.Rows) error {
		var day int64
		var status string
		var n int
		if err := rows.Scan(&day, &status, &n); err != nil {
			return err
		}
		d.AddDay(day, status, n)
		return nil
	})
}

func readQuality(ctx context.Context, tx readTx, d *Dashboard, _ DashboardQuery) error {
	return eachRow(ctx, tx, `SELECT bucket, sum(n) FROM count_quality GROUP BY bucket`, nil, func(rows *sql.Rows) error {
		var b, n int
		if err := rows.Scan(&b, &n); err != nil {
			return err
		}
		d.AddQuality(b, n)
		return nil
	})
}

func readTopTopics(ctx context.Context, tx readTx, d *Dashboard, q DashboardQuery) error {
	return eachRow(ctx, tx, `SELECT t.name, c.n FROM (SELECT topic_id, sum(n) AS n FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		ORDER BY c.n DESC, t.name LIMIT ?`, []any{q.TopTopics}, func(rows *sql.Rows) error {
		var f Facet
		if err := rows.Scan(&f.Name, &f.Count); err != nil {
			return err
		}
		d.Topics = append(d.Topics, f)
		return nil
	})
}

// readEditors joins the all-time counts with the period's: the period's
// rows are the days' rows, one per editor, day and status.
func readEditors(ctx context.Context, tx readTx, d *Dashboard, q DashboardQuery) error {
	type key struct {
		id    int64
		actor string
	}
	at := map[key]int{}
	err := eachRow(ctx, tx, `SELECT user_id, actor, status, n FROM count_review_user WHERE n > 0
		ORDER BY actor, user_id`, nil, func(rows *sql.Rows) error {
		var k key
		var status string
		var n int
		if err := rows.Scan(&k.id, &k.actor, &status, &n); err != nil {
			return err
		}
		i, ok := at[k]
		if !ok {
			i = len(d.Editors)
			at[k] = i
			d.Editors = append(d.Editors, EditorReviews{UserID: k.id, Name: k.actor})
		}
		d.Editors[i].All.add(status, n)
		return nil
	})
	if err != nil {
		return err
	}
	err = eachRow(ctx, tx, `SELECT user_id, actor, status, sum(n) FROM count_review
		WHERE day BETWEEN ? AND ? GROUP BY user_id, actor, status`, []any{d.FirstDay(q), unixDay(d.Now)},
		func(rows *sql.Rows) error {
			var k key
			var status string
			var n int
			if err := rows.Scan(&k.id, &k.actor, &status, &n); err != nil {
				return err
			}
			if i, ok := at[k]; ok {
				d.Editors[i].Period.add(status, n)
			}
			return nil
		})
	if err != nil {
		return err
	}
	sortEditors(d.Editors)
	return nil
}

// sortEditors orders editors by decisions in the period, then all time;
// stable, so ties keep the rows' order (by name).
func sortEditors(es []EditorReviews) {
	slices.SortStableFunc(es, func(a, b EditorReviews) int {
		if c := cmp.Compare(b.Period.Decisions(), a.Period.Decisions()); c != 0 {
			return c
		}
		return cmp.Compare(b.All.Decisions(), a.All.Decisions())
	})
}

// readOldest is the first entry of the partial index
// articles_pending_imported; the literal 'pending' lets SQLite use it.
func readOldest(ctx context.Context, tx readTx, d *Dashboard, _ DashboardQuery) error {
	var o OldestPending
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT id, title, imported_at FROM articles INDEXED BY articles_pending_imported
		WHERE status = 'pending' ORDER BY imported_at, id LIMIT 1`).Scan(&o.ID, &o.Title, &at)
	if errors.Is(err, sql.ErrNoRows) {
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
func (s *Store) ReviewsByUser(ctx context.Context) (map[int64]Reviews, error) {
	rows, err := s.readQuery(ctx, `SELECT user_id, status, sum(n) FROM count_review_user
		WHERE user_id <> 0 GROUP BY user_id, status`)
	if err != nil {
		return nil, fmt.Errorf("db: reviews by user: %w", err)
	}
	defer rows.Close()
	out := map[int64]Reviews{}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, fmt.Errorf("db: reviews by user: %w", err)
		}
		r := out[id]
		r.add(status, n)
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: reviews by user: %w", err)
	}
	return out, nil
}
