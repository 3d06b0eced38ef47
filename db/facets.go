package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Facet is one value of a filter dropdown and how many articles have it.
type Facet struct {
	Name  string
	Count int
}

// The dropdowns read the counter tables of 0004_counts.sql (a row per
// value, status and published state, kept by triggers), never the
// articles: their cost grows with the number of distinct values, not of
// articles. A value whose count fell to zero is left out.

// Topics returns the topics in use (effective topics) with the number of
// articles that have each, most used first, then by name.
func (s *Store) Topics(ctx context.Context) ([]Facet, error) {
	return s.TopTopics(ctx, 0)
}

// TopTopics is Topics cut to the n most used (n <= 0: all of them), for
// suggestions.
func (s *Store) TopTopics(ctx context.Context, n int) ([]Facet, error) {
	limit := -1 // SQLite: a negative LIMIT is none
	if n > 0 {
		limit = n
	}
	return s.facets(ctx, "topics", `SELECT t.name, c.n FROM (SELECT topic_id, sum(n) AS n FROM count_topic
		GROUP BY topic_id HAVING sum(n) > 0) c JOIN topics t ON t.id = c.topic_id
		ORDER BY c.n DESC, t.name LIMIT ?`, limit)
}

// Categories returns the categories in use with their number of articles,
// most used first, then by name.
func (s *Store) Categories(ctx context.Context) ([]Facet, error) {
	return s.facets(ctx, "categories", `SELECT category, sum(n) AS total FROM count_category
		WHERE category <> '' GROUP BY category HAVING total > 0 ORDER BY total DESC, category`)
}

// Providers returns the provider names in use with their number of
// articles, most used first, then by name.
func (s *Store) Providers(ctx context.Context) ([]Facet, error) {
	return s.facets(ctx, "providers", `SELECT provider_name, sum(n) AS total FROM count_provider
		WHERE provider_name <> '' GROUP BY provider_name HAVING total > 0 ORDER BY total DESC, provider_name`)
}

// facets reads the rows of (name, count) of query, from the cache while
// the database has not changed (see resultCache): the dropdowns are on
// every queue page. The caller gets its own copy.
func (s *Store) facets(ctx context.Context, what, query string, args ...any) ([]Facet, error) {
	fs, err := cached(ctx, s.results, fmt.Sprint("facets", args, query), func() ([]Facet, error) {
		return s.readFacets(ctx, what, query, args...)
	})
	return slices.Clone(fs), err
}

func (s *Store) readFacets(ctx context.Context, what, query string, args ...any) ([]Facet, error) {
	rows, err := s.readQuery(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Facet
	for rows.Next() {
		var f Facet
		if err := rows.Scan(&f.Name, &f.Count); err != nil {
			return nil, fmt.Errorf("db: %s: %w", what, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: %s: %w", what, err)
	}
	return out, nil
}

// CanonicalTopic returns the spelling of an existing topic that matches
// name case-insensitively, or name as given when there is none, so that
// editors typing "ai" reuse "AI" instead of starting a second topic.
func (s *Store) CanonicalTopic(ctx context.Context, name string) (string, error) {
	var canon string
	err := s.readQueryRow(ctx, `SELECT name FROM topics WHERE fold = ?`, topicFold(name)).Scan(&canon)
	if errors.Is(err, sql.ErrNoRows) {
		return name, nil
	}
	if err != nil {
		return "", fmt.Errorf("db: topic %q: %w", name, err)
	}
	return canon, nil
}
