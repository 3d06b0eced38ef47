package postgres

import (
	"context"
	"fmt"

	"github.com/newsdesk/newsdesk/db"
)

// Export calls fn for every article matching q's filters (Sort, Cursor and
// Limit are ignored), in the byte order of their keys, as the SQLite store
// orders them (COLLATE "C", whatever the database's collation).
//
// It reads a page of rows (at most db.ExportPageRows, or up to the row
// that brings the page's files to db.ExportPageBytes), returns the
// connection to the pool, and only then calls fn for each: a slow
// consumer, such as a download to a stalled client, never holds a
// connection. Each page is its own snapshot, and keyset paging on the key
// visits every article at most once: an article added during the export
// with a key past the current page is included, one before it is not.
//
// Each article's bytes are checked against their stored content hash
// (sha256); a mismatch, or a topics column that is not a JSON list, still
// reaches fn, with ExportRecord.Err set (wrapping db.ErrCorrupt) and Raw
// and Changes empty, and the export goes on. An error from fn stops the
// export and is returned as is; an unknown status in q is an error before
// anything is read.
func (s *Store) Export(ctx context.Context, q db.ListQuery, fn func(db.ExportRecord) error) error {
	f, err := listWhere(q, true)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	after, first := "", true
	for {
		page, more, err := s.exportPage(ctx, f, after, first)
		if err != nil {
			return err
		}
		for _, rec := range page {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		after, first = page[len(page)-1].Key, false
	}
}

// exportPage reads the page of rows after key after (from the start when
// first) and releases its connection before it returns; more says whether
// another page may follow.
func (s *Store) exportPage(ctx context.Context, f *where, after string, first bool) (page []db.ExportRecord, more bool, err error) {
	pf := f.clone()
	if !first {
		pf.add(`a.key COLLATE "C" > ?`, after)
	}
	limit := pf.arg(db.ExportPageRows)
	rows, err := s.pool.Query(ctx, `SELECT a.key, a.file_name, coalesce(c.raw, ''::bytea), a.content_hash, a.status,
		a.quality, a.topics, a.published, a.edit_quality, a.edit_topics, a.edit_published
		FROM articles a LEFT JOIN article_content c ON c.article_id = a.id`+pf.sql()+`
		ORDER BY a.key COLLATE "C" LIMIT `+limit, pf.args...)
	if err != nil {
		return nil, false, exportError(after, err)
	}
	defer rows.Close()
	size := 0
	for size < db.ExportPageBytes && rows.Next() {
		var x db.ExportRow
		err := flagRow{rows}.Scan(&x.Key, &x.FileName, &x.Raw, &x.Hash, &x.Status, &x.Quality, &x.Topics,
			&x.Published, &x.EditQuality, &x.EditTopics, &x.EditPublished)
		if err != nil {
			return nil, false, exportError(after, err)
		}
		page = append(page, x.Record())
		size += len(x.Raw)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, exportError(after, err)
	}
	return page, len(page) == db.ExportPageRows || size >= db.ExportPageBytes, nil
}

// exportError names where an export stopped.
func exportError(after string, err error) error {
	if after == "" {
		return fmt.Errorf("postgres: export: reading stopped at the start: %w", err)
	}
	return fmt.Errorf("postgres: export: reading stopped after article %q: %w", after, err)
}
