package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Facet is one value of a filter dropdown and how many articles have it.
type Facet struct {
	Name  string
	Count int
}

// Topics returns the topics in use (effective topics), most used first.
func (s *Store) Topics(ctx context.Context) ([]Facet, error) {
	return s.facets(ctx, "topics", `SELECT t.name, count(*) AS n FROM article_topics at
		JOIN topics t ON t.id = at.topic_id GROUP BY t.id ORDER BY n DESC, t.name`)
}

// Categories returns the categories in use, most used first.
func (s *Store) Categories(ctx context.Context) ([]Facet, error) {
	return s.facets(ctx, "categories", `SELECT category, count(*) AS n FROM articles
		WHERE category <> '' GROUP BY category ORDER BY n DESC, category`)
}

// Providers returns the provider names in use, most used first.
func (s *Store) Providers(ctx context.Context) ([]Facet, error) {
	return s.facets(ctx, "providers", `SELECT provider_name, count(*) AS n FROM articles
		WHERE provider_name <> '' GROUP BY provider_name ORDER BY n DESC, provider_name`)
}

func (s *Store) facets(ctx context.Context, what, query string) ([]Facet, error) {
	rows, err := s.r.QueryContext(ctx, query)
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
	err := s.r.QueryRowContext(ctx, `SELECT name FROM topics WHERE fold = ?`, topicFold(name)).Scan(&canon)
	if errors.Is(err, sql.ErrNoRows) {
		return name, nil
	}
	if err != nil {
		return "", fmt.Errorf("db: topic %q: %w", name, err)
	}
	return canon, nil
}
