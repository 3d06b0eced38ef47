package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/newsdesk/newsdesk/article"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ExportRecord is what export needs of one article: its original bytes
// and the editor values to patch into them.
//
// Err is set when the stored article cannot be exported as it is: its
// bytes no longer match their content hash, or its row cannot be decoded.
// It wraps ErrCorrupt and says what is wrong; Raw and Changes are then
// empty, so damaged bytes cannot be written by mistake, while Key,
// FileName (when readable) and Status name the article.
type ExportRecord struct {
	Key      string
	FileName string
	Raw      []byte
	Changes  article.Changes // only editor values that differ from upstream
	Status   article.Status
	Err      error
}

// Export pages: at most this many rows, or the first row that brings the
// page's raw bytes to this many. One page is in memory at a time: at most
// 8 MiB plus one file.
const (
	exportPageRows  = 100
	exportPageBytes = 8 << 20
)

// Export calls fn for every article matching q's filters (Sort, Cursor and
// Limit are ignored), ordered by key.
//
// It reads a page of rows (see exportPageRows), releases the database
// connection, and only then calls fn for each: a slow consumer, such as a
// download to a stalled client, never holds a read connection. Each page
// is its own snapshot, and keyset paging on the key visits every article
// at most once: an article added during the export with a key past the
// current page is included, one before it is not.
//
// Each article's bytes are checked against their stored content hash
// (sha256); a mismatch, or a row that cannot be decoded, still reaches fn,
// with ExportRecord.Err set (wrapping ErrCorrupt), and the export goes on.
// An error from fn stops the export and is returned as is. An article
// whose row SQLite cannot read (a damaged page of the database file) is
// passed to fn with Err set too, by key (see unreadable); when the damage
// is such that SQLite cannot find the next article at all, the articles
// read so far are passed to fn and the error returned names the last key
// read and wraps ErrCorrupt.
func (s *Store) Export(ctx context.Context, q ListQuery, fn func(ExportRecord) error) error {
	f, err := q.where(true)
	if err != nil {
		return err
	}
	after, first := "", true
	for {
		page, more, readErr := s.exportPage(ctx, f, after, first)
		for _, rec := range page {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if readErr != nil && isCorrupt(readErr) {
			// Name the unreadable article and go on after it, if that is
			// what stopped the read.
			rec, ok := s.unreadable(ctx, lastKey(page, after))
			if !ok {
				return readErr
			}
			if err := fn(rec); err != nil {
				return err
			}
			after, first = rec.Key, false
			continue
		}
		if readErr != nil || !more {
			return readErr
		}
		after, first = page[len(page)-1].Key, false
	}
}

// unreadable returns a record with Err for the article after key after
// when its row is what SQLite cannot read, so that an export of a file
// with a damaged page names the articles on it and writes the others. The
// key comes from the key's index alone (a covering read), which may be
// sound when the table's page is not. ok is false when the next key cannot
// be read or its row can: then the damage is elsewhere and the export
// stops. The article may not match the export's filters; it is named
// anyway, since nobody can tell.
func (s *Store) unreadable(ctx context.Context, after string) (ExportRecord, bool) {
	var key string
	err := s.r.QueryRowContext(ctx, `SELECT key FROM articles INDEXED BY sqlite_autoindex_articles_1
		WHERE key > ? ORDER BY key LIMIT 1`, after).Scan(&key)
	if err != nil {
		return ExportRecord{}, false
	}
	var f where
	f.add("a.key = ?", key)
	query, args := exportQuery(f)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err == nil {
		for rows.Next() {
			_, err = scanExport(rows)
		}
		err = errors.Join(err, rows.Err(), rows.Close())
	}
	if !isCorrupt(err) {
		return ExportRecord{}, false
	}
	return ExportRecord{Key: key, Err: &corruptError{fmt.Sprintf("row cannot be read: %v", err)}}, true
}

// exportPage reads the page of rows after key after (from the start when
// first), closing its rows before it returns; more says whether another
// page may follow. On a read error it returns the records read before it
// along with the error.
func (s *Store) exportPage(ctx context.Context, f where, after string, first bool) (page []ExportRecord, more bool, err error) {
	pf := where{conds: slices.Clone(f.conds), args: slices.Clone(f.args)}
	if !first {
		pf.add("a.key > ?", after)
	}
	query, args := exportQuery(pf)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, s.readError("export", after, err)
	}
	defer rows.Close()
	size := 0
	for size < exportPageBytes && rows.Next() {
		rec, err := scanExport(rows)
		if err != nil {
			return page, false, s.readError("export", lastKey(page, after), err)
		}
		page = append(page, rec)
		size += len(rec.Raw)
	}
	if err := rows.Err(); err != nil {
		return page, false, s.readError("export", lastKey(page, after), err)
	}
	more = len(page) == exportPageRows || size >= exportPageBytes
	return page, more, rows.Close()
}

// exportQuery selects one page of export rows in key order. It walks the
// key's index (the one SQLite makes for the UNIQUE constraint on key) from
// the last key on and filters as it goes, so the pages of an export visit
// each article once in all. Left to itself, the planner prefers a filter's
// index (status, category...) and sorts every page's matches by key: a
// whole sort per page of 100.
func exportQuery(f where) (string, []any) {
	return `SELECT a.key, a.file_name, coalesce(c.raw, X''), a.content_hash, a.status,
		a.quality, a.topics, a.published, a.edit_quality, a.edit_topics, a.edit_published
		FROM articles a INDEXED BY sqlite_autoindex_articles_1
		LEFT JOIN article_content c ON c.article_id = a.id` + f.sql() + ` ORDER BY a.key LIMIT ?`, append(f.args, exportPageRows)
}

func lastKey(page []ExportRecord, after string) string {
	if len(page) == 0 {
		return after
	}
	return page[len(page)-1].Key
}

// exportColumns is the number of columns exportPage selects.
const exportColumns = 11

// scanExport reads one export row. A row whose key can be read becomes a
// record, with Err set when the rest cannot be read or decoded or the
// bytes do not match their hash; only a row without a readable key is an
// error, since there is nothing to name.
func scanExport(rows *sql.Rows) (ExportRecord, error) {
	var x ExportRow
	err := rows.Scan(&x.Key, &x.FileName, &x.Raw, &x.Hash, &x.Status, &x.Quality, &x.Topics, &x.Published,
		&x.EditQuality, &x.EditTopics, &x.EditPublished)
	if err != nil {
		return damagedRow(rows, err)
	}
	return x.Record(), nil
}

// damagedRow makes a record of a row that Scan refused (a damaged value
// of the wrong type), reading again only what it can: database/sql lets
// a row be scanned more than once.
func damagedRow(rows *sql.Rows, scanErr error) (ExportRecord, error) {
	var r ExportRecord
	var fileName, status sql.NullString
	dest := make([]any, exportColumns)
	for i := range dest {
		dest[i] = new(any)
	}
	dest[0] = &r.Key
	if err := rows.Scan(dest...); err != nil {
		return r, fmt.Errorf("a row without a readable key: %w", scanErr)
	}
	dest[1], dest[4] = &fileName, &status
	if rows.Scan(dest...) == nil {
		r.FileName, r.Status = fileName.String, article.Status(status.String)
	}
	return damaged(r, &corruptError{fmt.Sprintf("row cannot be read: %v", scanErr)}), nil
}

func damaged(r ExportRecord, err error) ExportRecord {
	r.Raw, r.Changes, r.Err = nil, article.Changes{}, err
	return r
}

// corruptError is damage found in one stored article. It wraps ErrCorrupt.
type corruptError struct{ detail string }

func (e *corruptError) Error() string { return "stored file is damaged: " + e.detail }
func (e *corruptError) Unwrap() error { return ErrCorrupt }

// checkHash compares raw with its stored sha256 hex digest.
func checkHash(raw []byte, stored string) error {
	sum := sha256.Sum256(raw)
	computed := hex.EncodeToString(sum[:])
	if computed == stored {
		return nil
	}
	return &corruptError{fmt.Sprintf("content hash mismatch (stored %s…, computed %s…)", prefix(stored, 12), computed[:12])}
}

func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// readError names what could not be read. SQLite's report of a damaged
// file (SQLITE_CORRUPT, SQLITE_NOTADB) also wraps ErrCorrupt.
func (s *Store) readError(what, after string, err error) error {
	where := "at the start"
	if after != "" {
		where = fmt.Sprintf("after article %q", after)
	}
	if isCorrupt(err) {
		return fmt.Errorf("db: %s: database %s: %w (reading stopped %s): %w", what, s.path, ErrCorrupt, where, err)
	}
	return fmt.Errorf("db: %s: reading stopped %s: %w", what, where, err)
}

// isCorrupt reports whether err is SQLite finding the database file
// malformed or not a database (result codes SQLITE_CORRUPT and
// SQLITE_NOTADB, with their extended codes), or wraps ErrCorrupt.
func isCorrupt(err error) bool {
	if errors.Is(err, ErrCorrupt) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// isReadOnlyFile reports whether err is SQLite's SQLITE_READONLY: the file
// (or the folder its journal goes in) cannot be written.
func isReadOnlyFile(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY
}
