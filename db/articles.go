package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// Record is one article with its review state.
type Record struct {
	ID      int64
	Article article.Article // upstream values as imported, incl. Raw
	Status  article.Status

	// Effective values: the editor's where one is set, else upstream.
	Quality    int
	HasQuality bool
	Topics     []string
	Published  bool
	Edited     EditedFields // which effective values come from an editor

	Note        string
	Version     int64
	ContentHash string
	ImportedAt  time.Time
	UpdatedAt   time.Time
}

// EditedFields says which effective values an editor has set. A set value
// stays set, even when equal to upstream, so imports never override it.
type EditedFields struct {
	Quality, Topics, Published bool
}

// ConflictError is returned by Update when the edit was made on a version
// that is no longer current. Current is the record as it is now, so the
// editor can see what changed and choose.
type ConflictError struct {
	Current *Record
}

func (e *ConflictError) Error() string {
	if e.Current == nil {
		return ErrConflict.Error()
	}
	return fmt.Sprintf("%v: article %d is at version %d", ErrConflict, e.Current.ID, e.Current.Version)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// recordColumns is the column list scanRecord reads, in its order.
const recordColumns = `id, key, file_name, category, title, excerpt, published_at,
	original_url, web_url, type, heat, provider_name, provider_domain, has_secured,
	body, images, related, raw, content_hash, quality, published, topics,
	edit_quality, edit_topics, edit_published, status, note, version, imported_at, updated_at`

// recordFrom is where recordColumns come from: the article's row and its
// content (body, images, related, raw; see 0006_article_content.sql).
const recordFrom = ` FROM articles JOIN article_content ON article_content.article_id = articles.id`

func scanRecord(row scanner) (*Record, error) {
	var (
		r                                   Record
		a                                   = &r.Article
		publishedAt, importedAt, updatedAt  int64
		images, related, topics             string
		quality, editQuality, editPublished sql.NullInt64
		editTopics                          sql.NullString
		status                              string
	)
	err := row.Scan(&r.ID, &a.Key, &a.FileName, &a.Category, &a.Title, &a.Excerpt, &publishedAt,
		&a.OriginalURL, &a.WebURL, &a.Type, &a.Heat, &a.Provider.Name, &a.Provider.Domain, &a.HasSecured,
		&a.Body, &images, &related, &a.Raw, &r.ContentHash, &quality, &a.Published, &topics,
		&editQuality, &editTopics, &editPublished, &status, &r.Note, &r.Version, &importedAt, &updatedAt)
	if err != nil {
		return nil, err
	}
	a.PublishedAt = fromUnix(publishedAt)
	a.Quality, a.HasQuality = int(quality.Int64), quality.Valid
	if err := decodeJSON(images, &a.Images); err != nil {
		return nil, fmt.Errorf("article %d images: %w", r.ID, err)
	}
	if err := decodeJSON(related, &a.Related); err != nil {
		return nil, fmt.Errorf("article %d related: %w", r.ID, err)
	}
	if a.Topics, err = decodeTopics(topics); err != nil {
		return nil, fmt.Errorf("article %d topics: %w", r.ID, err)
	}
	r.Status = article.Status(status)
	r.ImportedAt, r.UpdatedAt = fromMillis(importedAt), fromMillis(updatedAt)

	r.Quality, r.HasQuality = a.Quality, a.HasQuality
	if editQuality.Valid {
		r.Quality, r.HasQuality, r.Edited.Quality = int(editQuality.Int64), true, true
	}
	r.Published = a.Published
	if editPublished.Valid {
		r.Published, r.Edited.Published = editPublished.Int64 != 0, true
	}
	r.Topics = a.Topics
	if editTopics.Valid {
		if r.Topics, err = decodeTopics(editTopics.String); err != nil {
			return nil, fmt.Errorf("article %d edit_topics: %w", r.ID, err)
		}
		r.Edited.Topics = true
	}
	return &r, nil
}

// Get returns the article with the given id.
func (s *Store) Get(ctx context.Context, id int64) (*Record, error) {
	row := s.readQueryRow(ctx, `SELECT `+recordColumns+recordFrom+` WHERE id = ?`, id)
	return recordOrNotFound(row, "article %d", id)
}

// GetByKey returns the article with the given key (file name without
// extension).
func (s *Store) GetByKey(ctx context.Context, key string) (*Record, error) {
	row := s.readQueryRow(ctx, `SELECT `+recordColumns+recordFrom+` WHERE key = ?`, key)
	return recordOrNotFound(row, "article %q", key)
}

func recordOrNotFound(row scanner, format string, arg any) (*Record, error) {
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("db: "+format+": %w", arg, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("db: "+format+": %w", arg, err)
	}
	return r, nil
}

// Edit is an editor's save of the review form. Nil pointers and a false
// SetTopics leave a value as it is; only values that differ from the
// current effective ones are written.
type Edit struct {
	Version int64 // the version the editor loaded
	Quality *int
	// ClearQuality drops the editor's quality (edit_quality NULL): the
	// file's own, or none, applies again. Quality must be nil with it.
	ClearQuality bool
	Topics       []string
	SetTopics    bool
	Published    *bool
	Status       *article.Status
	Note         *string
	ActorID      int64  // users.id; 0 when not a user
	Actor        string // username, kept in the audit even if the user goes

	// Check, when set, is called inside the transaction with the record
	// as the edit would leave it, before anything is written; an error
	// from it aborts the update and is returned as is. review uses it to
	// refuse a save that could not be exported.
	Check func(next *Record) error
}

func (e Edit) validate() error {
	if e.ClearQuality && e.Quality != nil {
		return errors.New("a quality both set and cleared")
	}
	if e.Quality != nil && (*e.Quality < article.MinQuality || *e.Quality > article.MaxQuality) {
		return fmt.Errorf("quality %d outside %d..%d", *e.Quality, article.MinQuality, article.MaxQuality)
	}
	if e.Status != nil {
		if _, err := article.ParseStatus(string(*e.Status)); err != nil {
			return err
		}
	}
	if e.SetTopics {
		for _, t := range e.Topics {
			if topicFold(t) == "" {
				return errors.New("empty topic")
			}
		}
	}
	if e.Actor == "" {
		return errors.New("edit without actor")
	}
	return nil
}

// change is one field an edit changes, as the audit records it.
type change struct {
	field, old, new string
}

// Update applies an editor's edit to article id in one transaction: a
// stale Version returns a *ConflictError with the current record and
// writes nothing; an edit that changes nothing writes nothing and returns
// the record at the same version; otherwise every changed field is
// written with one audit row, and the version goes up by one.
func (s *Store) Update(ctx context.Context, id int64, e Edit) (*Record, error) {
	if err := e.validate(); err != nil {
		return nil, fmt.Errorf("db: update article %d: %w", id, err)
	}
	var out *Record
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		cur, err := w.record(id)
		if err != nil {
			return err
		}
		if cur.Version != e.Version {
			return &ConflictError{Current: cur}
		}
		next, changes := applyEdit(cur, e)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		if e.Check != nil {
			if err := e.Check(next); err != nil {
				return err
			}
		}
		if err := w.saveEdit(next, changes, e, s.now()); err != nil {
			return err
		}
		out, err = w.record(id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: update article %d: %w", id, err)
	}
	return out, nil
}

func (w *writer) record(id int64) (*Record, error) {
	return recordOrNotFound(w.queryRow(`SELECT `+recordColumns+recordFrom+` WHERE id = ?`, id), "article %d", id)
}

// applyEdit returns the record as the edit leaves it and the changes it
// makes, comparing with the current effective values.
func applyEdit(cur *Record, e Edit) (*Record, []change) {
	next := *cur
	var cs []change
	if e.Quality != nil && (!cur.HasQuality || cur.Quality != *e.Quality) {
		next.Quality, next.HasQuality, next.Edited.Quality = *e.Quality, true, true
		cs = append(cs, change{"quality", qualityText(cur.Quality, cur.HasQuality), qualityText(*e.Quality, true)})
	}
	if e.ClearQuality && e.Quality == nil && cur.Edited.Quality {
		next.Quality, next.HasQuality, next.Edited.Quality = cur.Article.Quality, cur.Article.HasQuality, false
		if old, now := qualityText(cur.Quality, cur.HasQuality), qualityText(next.Quality, next.HasQuality); old != now {
			cs = append(cs, change{"quality", old, now})
		}
	}
	if e.SetTopics && !sameTopics(cur.Topics, e.Topics) {
		next.Topics, next.Edited.Topics = slices.Clone(e.Topics), true
		cs = append(cs, change{"topics", encodeTopics(cur.Topics), encodeTopics(e.Topics)})
	}
	if e.Published != nil && cur.Published != *e.Published {
		next.Published, next.Edited.Published = *e.Published, true
		cs = append(cs, change{"published", strconv.FormatBool(cur.Published), strconv.FormatBool(*e.Published)})
	}
	if e.Status != nil && cur.Status != *e.Status {
		next.Status = *e.Status
		cs = append(cs, change{"status", string(cur.Status), string(*e.Status)})
	}
	if e.Note != nil && cur.Note != *e.Note {
		next.Note = *e.Note
		cs = append(cs, change{"note", cur.Note, *e.Note})
	}
	return &next, cs
}

// sameTopics compares topic lists the way the store identifies topics,
// ignoring case: a form that only respells them (it takes the store's
// spelling, "ai" -> "AI") edits nothing, so the file keeps its own.
func sameTopics(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool { return topicFold(x) == topicFold(y) })
}

func (w *writer) saveEdit(next *Record, changes []change, e Edit, now time.Time) error {
	if err := w.writeEdited(next, now); err != nil {
		return err
	}
	for _, c := range changes {
		if err := w.audit(next.ID, e.ActorID, e.Actor, now, c); err != nil {
			return err
		}
		if c.field == "topics" {
			if err := w.setTopics(next.ID, next.Topics, true); err != nil {
				return err
			}
			a := &next.Article
			if err := w.writeFTS(next.ID, a.Title, a.Excerpt, a.Provider.Name, next.Topics, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeEdited writes next's editor values, status and note to its row
// and raises its version by one: the row update of a save, of an undo and
// of each article of a bulk action.
func (w *writer) writeEdited(next *Record, now time.Time) error {
	var editQuality, editPublished, editTopics any
	if next.Edited.Quality {
		editQuality = next.Quality
	}
	if next.Edited.Published {
		editPublished = boolInt(next.Published)
	}
	if next.Edited.Topics {
		editTopics = encodeTopics(next.Topics)
	}
	_, err := w.exec(`UPDATE articles SET edit_quality = ?, edit_topics = ?, edit_published = ?,
		status = ?, note = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		editQuality, editTopics, editPublished, string(next.Status), next.Note, toMillis(now), next.ID)
	return err
}

// qualityText is a quality as the audit stores it: digits, or "" when
// the article has none.
func qualityText(q int, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.Itoa(q)
}

// encodeTopics stores a topic list as a JSON array; nil becomes [].
func encodeTopics(ts []string) string {
	if len(ts) == 0 {
		return "[]"
	}
	b, err := json.Marshal(ts)
	if err != nil {
		panic(err) // a []string always marshals
	}
	return string(b)
}

// decodeTopics reads a JSON topic list; an empty one is nil.
func decodeTopics(s string) ([]string, error) {
	var ts []string
	if err := json.Unmarshal([]byte(s), &ts); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return ts, nil
}

func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeJSON(s string, v any) error {
	return json.Unmarshal([]byte(s), v)
}

// published_at is unix seconds: it sorts, and the zero time round-trips.
func toUnix(t time.Time) int64 { return t.Unix() }

func fromUnix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
