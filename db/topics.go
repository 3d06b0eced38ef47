package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/newsdesk/newsdesk/article"
)

// TopicCount is one topic of the topics page with its number of articles.
type TopicCount struct {
	Name    string // the store's spelling
	Total   int    // articles that have it, whatever their status
	Pending int    // of Total, the pending ones
}

// Bounds of a TopicQuery page.
const (
	DefaultTopicLimit = 200
	MaxTopicLimit     = 1000
)

// TopicQuery selects a page of the topics in use.
type TopicQuery struct {
	// Q keeps the topics whose name contains it, compared lower-cased as
	// the store compares topics ("ai" finds "AI Ethics"); "" keeps all.
	Q      string
	Limit  int // topics per page, 1..MaxTopicLimit; <= 0 means DefaultTopicLimit
	Offset int // topics to skip, >= 0
}

// TopicPage is one page of TopicCounts and how many topics match in all.
type TopicPage struct {
	Items []TopicCount
	Total int
}

// The topics page reads the counter table count_topic (0004_counts.sql),
// never the articles: its cost grows with the number of topics, not of
// articles. pendingSum is the pending part of a topic's count.
const pendingSum = `coalesce(sum(CASE WHEN c.status = '` + string(article.StatusPending) + `' THEN c.n END), 0)`

// TopicCounts returns the topics in use (a count above zero), most used
// first, then by name, filtered by q.Q and cut to q's page.
func (s *Store) TopicCounts(ctx context.Context, q TopicQuery) (TopicPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultTopicLimit
	}
	limit = min(limit, MaxTopicLimit)
	offset := max(q.Offset, 0)
	// From the result cache while the database has not changed (see
	// resultCache), as the dropdowns: a page costs a few milliseconds at
	// thousands of topics, and editors page and filter without writing.
	key := fmt.Sprintf("topic counts %q %d %d", topicFold(q.Q), limit, offset)
	p, err := cached(ctx, s.results, key, func() (TopicPage, error) { return s.readTopicCounts(ctx, q.Q, limit, offset) })
	p.Items = slices.Clone(p.Items)
	return p, err
}

func (s *Store) readTopicCounts(ctx context.Context, q string, limit, offset int) (TopicPage, error) {
	// count(*) OVER () is the number of matching topics before LIMIT, in
	// the same read.
	rows, err := s.readQuery(ctx, `SELECT t.name, c.total, c.pending, count(*) OVER ()
		FROM (SELECT c.topic_id, sum(c.n) AS total, `+pendingSum+` AS pending
		      FROM count_topic c GROUP BY c.topic_id HAVING sum(c.n) > 0) c
		JOIN topics t ON t.id = c.topic_id
		WHERE ? = '' OR instr(t.fold, ?) > 0
		ORDER BY c.total DESC, t.name LIMIT ? OFFSET ?`, topicFold(q), topicFold(q), limit, offset)
	if err != nil {
		return TopicPage{}, fmt.Errorf("db: topic counts: %w", err)
	}
	defer rows.Close()
	var p TopicPage
	for rows.Next() {
		var tc TopicCount
		if err := rows.Scan(&tc.Name, &tc.Total, &tc.Pending, &p.Total); err != nil {
			return TopicPage{}, fmt.Errorf("db: topic counts: %w", err)
		}
		p.Items = append(p.Items, tc)
	}
	if err := rows.Err(); err != nil {
		return TopicPage{}, fmt.Errorf("db: topic counts: %w", err)
	}
	if len(p.Items) == 0 && offset > 0 {
		// Past the last page: the window count came with no row.
		return s.topicTotalOnly(ctx, q)
	}
	return p, nil
}

// topicTotalOnly is an empty page that still says how many topics match.
func (s *Store) topicTotalOnly(ctx context.Context, q string) (TopicPage, error) {
	var p TopicPage
	err := s.readQueryRow(ctx, `SELECT count(*) FROM (SELECT topic_id FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		WHERE ? = '' OR instr(t.fold, ?) > 0`, topicFold(q), topicFold(q)).Scan(&p.Total)
	if err != nil {
		return TopicPage{}, fmt.Errorf("db: topic counts: %w", err)
	}
	return p, nil
}

// TopicByName returns the topic that is name compared as the store
// compares topics (trimmed, lower-cased), with its counts, which are zero
// when no article has it any more. A name the store has never had is
// ErrNotFound.
func (s *Store) TopicByName(ctx context.Context, name string) (TopicCount, error) {
	var tc TopicCount
	err := s.readQueryRow(ctx, `SELECT t.name, coalesce(sum(c.n), 0), `+pendingSum+`
		FROM topics t LEFT JOIN count_topic c ON c.topic_id = t.id
		WHERE t.fold = ? GROUP BY t.id`, topicFold(name)).Scan(&tc.Name, &tc.Total, &tc.Pending)
	if errors.Is(err, sql.ErrNoRows) {
		return TopicCount{}, fmt.Errorf("db: topic %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return TopicCount{}, fmt.Errorf("db: topic %q: %w", name, err)
	}
	return tc, nil
}
