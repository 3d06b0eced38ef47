package db

import (
	"context"
	"database/sql"
	"fmt"
)

// reindexPage is how many articles reindexSearch reads at a time.
const reindexPage = 1000

// reindexSearch is the Go step of migration 0003: it fills the new
// articles_fts with every article's ftsColumns, in the migration's
// transaction, reading the articles in pages of reindexPage by id. The
// error names the article it failed on.
func reindexSearch(ctx context.Context, tx *sql.Tx) error {
	exec := func(query string, args ...any) (sql.Result, error) { return tx.ExecContext(ctx, query, args...) }
	var after int64
	for {
		batch, err := searchRows(ctx, tx, after)
		if err != nil {
			return fmt.Errorf("reindex search after article id %d: %w", after, err)
		}
		for _, r := range batch {
			if err := insertFTS(exec, r.id, r.cols); err != nil {
				return fmt.Errorf("reindex search: article %q: %w", r.key, err)
			}
			after = r.id
		}
		if len(batch) < reindexPage {
			return nil
		}
	}
}

// searchRow is one article as the search index holds it.
type searchRow struct {
	id   int64
	key  string
	cols [4]string
}

// searchRows reads the next page of articles after id after.
func searchRows(ctx context.Context, tx *sql.Tx, after int64) ([]searchRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, key, title, excerpt, provider_name, coalesce(edit_topics, topics)
		FROM articles WHERE id > ? ORDER BY id LIMIT ?`, after, reindexPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []searchRow
	for rows.Next() {
		var r searchRow
		var title, excerpt, provider, topics string
		if err := rows.Scan(&r.id, &r.key, &title, &excerpt, &provider, &topics); err != nil {
			return nil, err
		}
		eff, err := decodeTopics(topics)
		if err != nil {
			return nil, fmt.Errorf("article %q: topics: %w", r.key, err)
		}
		r.cols = ftsColumns(title, excerpt, provider, eff)
		out = append(out, r)
	}
	return out, rows.Err()
}
