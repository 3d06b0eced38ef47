package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/newsdesk/newsdesk/article"
)

// ExportRecord is what export needs of one article: its original bytes
// and the editor values to patch into them.
type ExportRecord struct {
	Key      string
	FileName string
	Raw      []byte
	Changes  article.Changes // only editor values that differ from upstream
	Status   article.Status
}

// Export calls fn for every article matching q's filters (Sort, Cursor and
// Limit are ignored), ordered by key, one row at a time so memory stays
// flat however many articles there are. An error from fn stops the export
// and is returned as is.
func (s *Store) Export(ctx context.Context, q ListQuery, fn func(ExportRecord) error) error {
	f, err := q.where(true)
	if err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.key, a.file_name, a.raw, a.status,
		a.quality, a.topics, a.published, a.edit_quality, a.edit_topics, a.edit_published
		FROM articles a`+f.sql()+` ORDER BY a.key`, f.args...)
	if err != nil {
		return fmt.Errorf("db: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scanExport(rows)
		if err != nil {
			return fmt.Errorf("db: export: %w", err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: export: %w", err)
	}
	return nil
}

func scanExport(rows *sql.Rows) (ExportRecord, error) {
	var (
		r                                   ExportRecord
		status, topics                      string
		published                           bool
		quality, editQuality, editPublished sql.NullInt64
		editTopics                          sql.NullString
	)
	if err := rows.Scan(&r.Key, &r.FileName, &r.Raw, &status, &quality, &topics, &published,
		&editQuality, &editTopics, &editPublished); err != nil {
		return r, err
	}
	r.Status = article.Status(status)
	if editQuality.Valid && (!quality.Valid || quality.Int64 != editQuality.Int64) {
		q := int(editQuality.Int64)
		r.Changes.Quality = &q
	}
	if editPublished.Valid && (editPublished.Int64 != 0) != published {
		p := editPublished.Int64 != 0
		r.Changes.Published = &p
	}
	if editTopics.Valid {
		up, err := decodeTopics(topics)
		if err != nil {
			return r, fmt.Errorf("%s: topics: %w", r.Key, err)
		}
		ed, err := decodeTopics(editTopics.String)
		if err != nil {
			return r, fmt.Errorf("%s: edit_topics: %w", r.Key, err)
		}
		if !slices.Equal(up, ed) {
			r.Changes.Topics, r.Changes.SetTopics = ed, true
		}
	}
	return r, nil
}
