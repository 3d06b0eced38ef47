package db

import (
	"context"
	"fmt"
)

// counterTable is one counter table of 0004_counts.sql: its name, the
// column it counts by ("" for count_status), and the GROUP BY over the
// articles it must equal, as rows of (key, status, eff_published, n).
type counterTable struct {
	name, column, fresh string
}

var counterTables = []counterTable{
	{"count_status", "", `SELECT '', status, eff_published, count(*) FROM articles GROUP BY 2, 3`},
	{"count_category", "category", `SELECT category, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3`},
	{"count_provider", "provider_name", `SELECT provider_name, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3`},
	{"count_topic", "topic_id", `SELECT at.topic_id, a.status, a.eff_published, count(*)
		FROM article_topics at JOIN articles a ON a.id = at.article_id GROUP BY 1, 2, 3`},
}

// counterDiffQuery returns the rows where t disagrees with a fresh count:
// (key, status, eff_published, counter's n, fresh n). A missing row
// counts as 0 on either side, so a zero row left by the triggers agrees
// with no articles.
func counterDiffQuery(t counterTable) string {
	key := "''"
	if t.column != "" {
		key = t.column
	}
	return `WITH live(k, status, eff_published, n) AS (` + t.fresh + `)
		SELECT k, status, eff_published, sum(counted), sum(fresh) FROM (
			SELECT ` + key + ` AS k, status, eff_published, n AS counted, 0 AS fresh FROM ` + t.name + `
			UNION ALL
			SELECT k, status, eff_published, 0, n FROM live
		) GROUP BY 1, 2, 3 HAVING sum(counted) <> sum(fresh) ORDER BY 1, 2, 3`
}

// checkCounts compares every counter table with a fresh GROUP BY over the
// articles and their topics (what the triggers of 0004_counts.sql keep
// them equal to) and returns one Problem per differing row.
func (s *Store) checkCounts(ctx context.Context) ([]Problem, error) {
	var ps []Problem
	for _, t := range counterTables {
		rows, err := s.r.QueryContext(ctx, counterDiffQuery(t))
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
		for rows.Next() {
			var key, status string
			var published, counted, fresh int
			if err := rows.Scan(&key, &status, &published, &counted, &fresh); err != nil {
				rows.Close()
				return ps, fmt.Errorf("%s: %w", t.name, err)
			}
			ps = append(ps, CounterProblem(t.name, s.counterKeyText(ctx, t, key), status, published == 1, counted, fresh))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	more, err := s.checkDashboardCounts(ctx)
	return append(ps, more...), err
}

// dashboardCounter is one counter table of 0009_dashboard.sql: key is its
// key columns as one text, fresh the GROUP BY over the audit or the
// articles it must equal, as rows of (key, status, n).
type dashboardCounter struct {
	name, key, fresh string
}

// qualityBucketSQL is 0009_dashboard.sql's bucket of an article.
const qualityBucketSQL = `CASE WHEN eff_quality < 0 THEN -1 ELSE min(eff_quality / 10, 9) END`

var dashboardCounters = []dashboardCounter{
	{"count_review", `'day ' || day || ', user ' || user_id || ' ' || actor`,
		`SELECT 'day ' || (at / 86400000) || ', user ' || coalesce(user_id, 0) || ' ' || actor, new_value, count(*)
		FROM audit WHERE field = 'status' GROUP BY 1, 2`},
	{"count_review_user", `'user ' || user_id || ' ' || actor`,
		`SELECT 'user ' || coalesce(user_id, 0) || ' ' || actor, new_value, count(*)
		FROM audit WHERE field = 'status' GROUP BY 1, 2`},
	{"count_quality", `'quality bucket ' || bucket`,
		`SELECT 'quality bucket ' || ` + qualityBucketSQL + `, status, count(*) FROM articles GROUP BY 1, 2`},
}

// dashboardDiffQuery is counterDiffQuery for a dashboardCounter: rows of
// (key, status, counter's n, fresh n) where they differ.
func dashboardDiffQuery(t dashboardCounter) string {
	return `WITH live(k, status, n) AS (` + t.fresh + `)
		SELECT k, status, sum(counted), sum(fresh) FROM (
			SELECT ` + t.key + ` AS k, status, n AS counted, 0 AS fresh FROM ` + t.name + `
			UNION ALL
			SELECT k, status, 0, n FROM live
		) GROUP BY 1, 2 HAVING sum(counted) <> sum(fresh) ORDER BY 1, 2`
}

// checkDashboardCounts compares the dashboard's counter tables with a
// fresh GROUP BY, one Problem per differing row.
func (s *Store) checkDashboardCounts(ctx context.Context) ([]Problem, error) {
	var ps []Problem
	for _, t := range dashboardCounters {
		rows, err := s.r.QueryContext(ctx, dashboardDiffQuery(t))
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
		for rows.Next() {
			var key, status string
			var counted, fresh int
			if err := rows.Scan(&key, &status, &counted, &fresh); err != nil {
				rows.Close()
				return ps, fmt.Errorf("%s: %w", t.name, err)
			}
			ps = append(ps, DashboardCounterProblem(t.name, key, status, counted, fresh))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return ps, nil
}

// counterKeyText names the key of a counter row for a problem: `category
// "tech", `; a topic by its name when it still exists.
func (s *Store) counterKeyText(ctx context.Context, t counterTable, key string) string {
	return CounterKeyText(t.column, key, func(id string) (name string, ok bool) {
		return name, s.r.QueryRowContext(ctx, `SELECT name FROM topics WHERE id = ?`, id).Scan(&name) == nil
	})
}
