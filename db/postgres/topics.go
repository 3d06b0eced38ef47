package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The topics page reads the counter table count_topic (0004_counts.sql),
// never the articles: its cost grows with the number of topics, not of
// articles. pendingSum is the pending part of a topic's count.
const pendingSum = `coalesce(sum(CASE WHEN c.status = '` + string(article.StatusPending) + `' THEN c.n END), 0)`

// TopicCounts returns the topics in use (a count above zero), most used
// first, then by name ignoring ASCII case as SQLite's NOCASE column
// orders them (see nocase), filtered by q.Q (a substring of the folded
// name) and cut to q's page: q.Limit 1 to db.MaxTopicLimit (<= 0:
// db.DefaultTopicLimit), q.Offset from 0.
// Total is the number of matching topics, also past the last page.
func (s *Store) TopicCounts(ctx context.Context, q db.TopicQuery) (db.TopicPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = db.DefaultTopicLimit
	}
	limit = min(limit, db.MaxTopicLimit)
	offset := max(q.Offset, 0)
	fold := db.TopicFold(q.Q)
	// count(*) OVER () is the number of matching topics before LIMIT, in
	// the same read. strpos, not LIKE: the user's text has no wildcards.
	rows, err := s.pool.Query(ctx, `SELECT t.name, c.total, c.pending, count(*) OVER ()
		FROM (SELECT c.topic_id, sum(c.n) AS total, `+pendingSum+` AS pending
		      FROM count_topic c GROUP BY c.topic_id HAVING sum(c.n) > 0) c
		JOIN topics t ON t.id = c.topic_id
		WHERE $1 = '' OR strpos(t.fold, $1) > 0
		ORDER BY c.total DESC, `+nocase("t.name")+` LIMIT $2 OFFSET $3`, fold, limit, offset)
	if err != nil {
		return db.TopicPage{}, fmt.Errorf("postgres: topic counts: %w", err)
	}
	defer rows.Close()
	var p db.TopicPage
	for rows.Next() {
		var tc db.TopicCount
		var total, pending, matching int64
		if err := rows.Scan(&tc.Name, &total, &pending, &matching); err != nil {
			return db.TopicPage{}, fmt.Errorf("postgres: topic counts: %w", err)
		}
		tc.Total, tc.Pending, p.Total = int(total), int(pending), int(matching)
		p.Items = append(p.Items, tc)
	}
	if err := rows.Err(); err != nil {
		return db.TopicPage{}, fmt.Errorf("postgres: topic counts: %w", err)
	}
	if len(p.Items) == 0 && offset > 0 {
		// Past the last page: the window count came with no row.
		return s.topicTotalOnly(ctx, fold)
	}
	return p, nil
}

// topicTotalOnly is an empty page that still says how many topics match.
func (s *Store) topicTotalOnly(ctx context.Context, fold string) (db.TopicPage, error) {
	var p db.TopicPage
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT topic_id FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		WHERE $1 = '' OR strpos(t.fold, $1) > 0`, fold).Scan(&p.Total)
	if err != nil {
		return db.TopicPage{}, fmt.Errorf("postgres: topic counts: %w", err)
	}
	return p, nil
}

// TopicByName returns the topic that is name compared as the store
// compares topics (db.TopicFold: trimmed, lower-cased), with its counts,
// which are zero when no article has it any more. A name the store has
// never had is db.ErrNotFound.
func (s *Store) TopicByName(ctx context.Context, name string) (db.TopicCount, error) {
	var tc db.TopicCount
	var total, pending int64
	err := s.pool.QueryRow(ctx, `SELECT t.name, coalesce(sum(c.n), 0), `+pendingSum+`
		FROM topics t LEFT JOIN count_topic c ON c.topic_id = t.id
		WHERE t.fold = $1 GROUP BY t.id, t.name`, db.TopicFold(name)).Scan(&tc.Name, &total, &pending)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.TopicCount{}, fmt.Errorf("postgres: topic %q: %w", name, db.ErrNotFound)
	}
	if err != nil {
		return db.TopicCount{}, fmt.Errorf("postgres: topic %q: %w", name, err)
	}
	tc.Total, tc.Pending = int(total), int(pending)
	return tc, nil
}
