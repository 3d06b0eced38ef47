package db

// The articles area's pure logic, exported for the PostgreSQL store
// (package db/postgres), which must decide exactly as this one does: the
// record decoding, the edit rules, the import decisions and the export
// patch decisions live once, here and in the files these wrap.

import (
	"database/sql"
	"fmt"
	"slices"

	"github.com/newsdesk/newsdesk/article"
)

// RowScanner is what a database row offers: *sql.Row, *sql.Rows,
// pgx.Row and pgx.Rows all have it.
type RowScanner interface {
	Scan(dest ...any) error
}

// RecordColumns is the column list ScanRecord reads, in its order, and
// RecordFrom the FROM clause they come from. Both are plain SQL, the same
// in SQLite and PostgreSQL.
const (
	RecordColumns = recordColumns
	RecordFrom    = recordFrom
)

// ScanRecord reads one row of RecordColumns into a Record. Its destinations
// are *int64, *int, *string, *[]byte, *bool (for the 0/1 integer flags
// has_secured and published), *sql.NullInt64 and *sql.NullString; a row
// whose driver cannot scan an integer into *bool must convert. The error
// is the row's (sql.ErrNoRows, pgx.ErrNoRows...) or a decoding error.
func ScanRecord(row RowScanner) (*Record, error) { return scanRecord(row) }

// Change is one field an edit or an import changes, as the audit records
// it: Old and New are exact (see AuditEntry).
type Change struct {
	Field, Old, New string
}

func exportChanges(cs []change) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = Change{c.field, c.old, c.new}
	}
	return out
}

// Validate checks an edit before any read: quality in range and not both
// set and cleared, a known status, no empty topic, an actor. The error
// says what is wrong; Update wraps it.
func (e Edit) Validate() error { return e.validate() }

// ApplyEdit returns the record as e leaves cur, and the changes it makes
// compared with cur's effective values, in audit order; no changes means
// the edit writes nothing. cur is not modified.
func ApplyEdit(cur *Record, e Edit) (*Record, []Change) {
	next, cs := applyEdit(cur, e)
	return next, exportChanges(cs)
}

// EditedValues are the edit_quality, edit_topics and edit_published column
// values of r: nil (NULL) where no editor value is set, else the quality,
// the JSON topic list and 0/1.
func EditedValues(r *Record) (quality, topics, published any) {
	if r.Edited.Quality {
		quality = r.Quality
	}
	if r.Edited.Topics {
		topics = encodeTopics(r.Topics)
	}
	if r.Edited.Published {
		published = boolInt(r.Published)
	}
	return quality, topics, published
}

// TopicFold is a topic's case-insensitive identity, the topics.fold
// column: article.TopicKey. "" for a blank name, which is never stored.
func TopicFold(name string) string { return topicFold(name) }

// EncodeTopics is a topic list as the topics columns and the audit store
// it: a JSON array, [] for none.
func EncodeTopics(ts []string) string { return encodeTopics(ts) }

// ContentHash is the content_hash of a file's bytes: sha256, lower-case
// hex.
func ContentHash(raw []byte) string { return contentHash(raw) }

// UpstreamValues are a's upstream column values with hash, in the order
// file_name, category, title, excerpt, published_at (unix seconds),
// original_url, web_url, type, heat, provider_name, provider_domain,
// has_secured (0/1), content_hash, quality (nil when absent), published
// (0/1), topics (JSON): the order of the import's INSERT and UPDATE.
func UpstreamValues(a *article.Article, hash string) []any {
	args, _ := upstreamArgs(a, hash) // never fails
	return args
}

// ContentValues are a's article_content values: body, images and related
// as JSON arrays ([] for none), and raw (never nil: an empty file is
// still a file).
func ContentValues(a *article.Article) (body, images, related string, raw []byte, err error) {
	if images, err = encodeJSON(nonNil(a.Images)); err != nil {
		return "", "", "", nil, err
	}
	if related, err = encodeJSON(nonNil(a.Related)); err != nil {
		return "", "", "", nil, err
	}
	raw = a.Raw
	if raw == nil {
		raw = []byte{}
	}
	return a.Body, images, related, raw, nil
}

// StoredArticle is what an import needs to know of an article already
// stored: read with StoredColumns and ScanStored.
type StoredArticle struct{ st *stored }

// StoredColumns is the column list of the articles table ScanStored reads.
const StoredColumns = storedColumns

// ScanStored reads one row of StoredColumns (the published flag into a
// *bool, like ScanRecord). The error is the row's.
func ScanStored(row RowScanner) (*StoredArticle, error) {
	st, err := scanStored(row)
	if err != nil {
		return nil, err
	}
	return &StoredArticle{st}, nil
}

// ID, Key, FileName and Hash are the stored article's id, key, file name
// and content hash.
func (s *StoredArticle) ID() int64        { return s.st.id }
func (s *StoredArticle) Key() string      { return s.st.key }
func (s *StoredArticle) FileName() string { return s.st.fileName }
func (s *StoredArticle) Hash() string     { return s.st.hash }

// KeptValuesFit checks that the editor values an update of st by a would
// keep can be written into a's bytes; the error (for ImportRefused) says
// why not.
func KeptValuesFit(st *StoredArticle, a *article.Article) error { return keptValuesFit(st.st, a) }

// ImportUpdate is what an import of a changed file over a stored article
// writes besides the upstream columns and content.
type ImportUpdate struct {
	Changes []Change // the audit rows, content_hash last
	Kept    []string // ImportOutcome.Kept
	// Topics are the effective topics after the update (for the search
	// document); ReplaceTopics says the article_topics rows must be
	// replaced by them (the file's topics changed and no editor's are set).
	Topics        []string
	ReplaceTopics bool
}

// PlanImportUpdate decides, as the SQLite store's import does, what an
// update of st by the changed file a (content hash hash) audits and
// keeps. An error means a stored topics column is not a JSON list.
func PlanImportUpdate(st *StoredArticle, a *article.Article, hash string) (ImportUpdate, error) {
	oldTopics, err := decodeTopics(st.st.topics)
	if err != nil {
		return ImportUpdate{}, fmt.Errorf("stored topics: %w", err)
	}
	changes, kept := upstreamChanges(st.st, oldTopics, a)
	changes = append(changes, change{"content_hash", st.st.hash, hash})
	u := ImportUpdate{Changes: exportChanges(changes), Kept: kept, Topics: a.Topics}
	if st.st.editTopics.Valid {
		if u.Topics, err = decodeTopics(st.st.editTopics.String); err != nil {
			return ImportUpdate{}, fmt.Errorf("stored edit_topics: %w", err)
		}
	} else {
		u.ReplaceTopics = !slices.Equal(oldTopics, a.Topics)
	}
	return u, nil
}

// ExportRow is one article's row as export reads it, column by column:
// both stores scan their export rows into it and call Record, so the
// export decision lives once.
type ExportRow struct {
	Key, FileName              string
	Raw                        []byte
	Hash, Status               string
	Quality                    sql.NullInt64
	Topics                     string
	Published                  bool
	EditQuality, EditPublished sql.NullInt64
	EditTopics                 sql.NullString
}

// Record decides what export writes of the row: the editor values that
// differ from the file's as Changes, or Err (wrapping ErrCorrupt, with Raw
// and Changes empty) when the bytes do not match their hash or a topics
// column is not a JSON list.
func (x ExportRow) Record() ExportRecord {
	r := ExportRecord{Key: x.Key, FileName: x.FileName, Raw: x.Raw, Status: article.Status(x.Status)}
	if err := checkHash(r.Raw, x.Hash); err != nil {
		return damaged(r, err)
	}
	if x.EditQuality.Valid && (!x.Quality.Valid || x.Quality.Int64 != x.EditQuality.Int64) {
		q := int(x.EditQuality.Int64)
		r.Changes.Quality = &q
	}
	if x.EditPublished.Valid && (x.EditPublished.Int64 != 0) != x.Published {
		p := x.EditPublished.Int64 != 0
		r.Changes.Published = &p
	}
	if x.EditTopics.Valid {
		up, err := decodeTopics(x.Topics)
		if err != nil {
			return damaged(r, &corruptError{fmt.Sprintf("topics column is not a JSON list: %v", err)})
		}
		ed, err := decodeTopics(x.EditTopics.String)
		if err != nil {
			return damaged(r, &corruptError{fmt.Sprintf("edit_topics column is not a JSON list: %v", err)})
		}
		if !slices.Equal(up, ed) {
			r.Changes.Topics, r.Changes.SetTopics = ed, true
		}
	}
	return r
}

// Export pages, as the SQLite store reads them: at most ExportPageRows
// rows, or the first row that brings the page's raw bytes to
// ExportPageBytes.
const (
	ExportPageRows  = exportPageRows
	ExportPageBytes = exportPageBytes
)
