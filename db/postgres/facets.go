package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// The dropdowns read the counter tables of 0004_counts.sql (a row per
// value, status and published state, kept by triggers), never the
// articles: their cost grows with the number of distinct values, not of
// articles. A value whose count fell to zero is left out. Unlike the
// SQLite store, nothing is cached: another instance may have written.

// Topics returns the topics in use (effective topics) with the number of
// articles that have each, most used first, then by name ignoring ASCII
// case, as SQLite's NOCASE column orders them (see nocase).
func (s *Store) Topics(ctx context.Context) ([]db.Facet, error) {
	return s.TopTopics(ctx, 0)
}

// TopTopics is Topics cut to the n most used (n <= 0: all of them), for
// suggestions.
func (s *Store) TopTopics(ctx context.Context, n int) ([]db.Facet, error) {
	var limit any // NULL: LIMIT NULL is no limit
	if n > 0 {
		limit = n
	}
	return s.facets(ctx, "topics", `SELECT t.name, c.n FROM (SELECT topic_id, sum(n) AS n FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		ORDER BY c.n DESC, `+nocase("t.name")+` LIMIT $1`, limit)
}

// Categories returns the categories in use with their number of articles,
// most used first, then by name.
func (s *Store) Categories(ctx context.Context) ([]db.Facet, error) {
	return s.facets(ctx, "categories", `SELECT category, sum(n) AS total FROM count_category
		WHERE category <> '' GROUP BY category HAVING sum(n) > 0 ORDER BY total DESC, category COLLATE "C"`)
}

// Providers returns the provider names in use with their number of
// articles, most used first, then by name.
func (s *Store) Providers(ctx context.Context) ([]db.Facet, error) {
	return s.facets(ctx, "providers", `SELECT provider_name, sum(n) AS total FROM count_provider
		WHERE provider_name <> '' GROUP BY provider_name HAVING sum(n) > 0 ORDER BY total DESC, provider_name COLLATE "C"`)
}

// facets reads the rows of (name, count) of query. Names are ordered by
// their bytes (COLLATE "C"), as SQLite's BINARY collation orders them,
// whatever the database's collation.
func (s *Store) facets(ctx context.Context, what, query string, args ...any) ([]db.Facet, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rows.Close()
	var out []db.Facet
	for rows.Next() {
		var f db.Facet
		var n int64 // sum(bigint) is numeric, which pgx scans into an int64 when whole
		if err := rows.Scan(&f.Name, &n); err != nil {
			return nil, fmt.Errorf("postgres: %s: %w", what, err)
		}
		f.Count = int(n)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

// CanonicalTopic returns the spelling of an existing topic that matches
// name case-insensitively (db.TopicFold), or name as given when there is
// none, so that editors typing "ai" reuse "AI" instead of starting a
// second topic.
func (s *Store) CanonicalTopic(ctx context.Context, name string) (string, error) {
	var canon string
	err := s.pool.QueryRow(ctx, `SELECT name FROM topics WHERE fold = $1`, db.TopicFold(name)).Scan(&canon)
	if errors.Is(err, pgx.ErrNoRows) {
		return name, nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: topic %q: %w", name, err)
	}
	return canon, nil
}
