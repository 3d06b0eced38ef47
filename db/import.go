package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// ImportResult says what an import did with one article.
type ImportResult string

const (
	ImportNew       ImportResult = "new"
	ImportUpdated   ImportResult = "updated"
	ImportUnchanged ImportResult = "unchanged"
)

// ImportOutcome reports one imported article. Kept names the editor values
// ("quality", "topics", "published", "status") that were kept although the
// file changed under them.
type ImportOutcome struct {
	Key    string
	Result ImportResult
	Kept   []string
}

// importActor is the audit actor of changes made by an import.
const importActor = "import"

// Import stores a batch of parsed articles in one transaction, merging by
// key: a new key is inserted as pending; a known key with the same bytes
// is left alone; a changed file updates the upstream values and the raw
// bytes, while every value an editor set stays. The caller sizes the
// batches; one bad article rolls back its whole batch.
func (s *Store) Import(ctx context.Context, arts []*article.Article) ([]ImportOutcome, error) {
	out := make([]ImportOutcome, 0, len(arts))
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := newWriter(ctx, tx)
		for _, a := range arts {
			if a == nil || a.Key == "" {
				return errors.New("db: import: article without key")
			}
			o, err := w.importOne(a, now)
			if err != nil {
				return fmt.Errorf("db: import %q: %w", a.Key, err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// stored is what an import needs to know of an existing article.
type stored struct {
	id                                  int64
	hash                                string
	quality, editQuality, editPublished sql.NullInt64
	published                           bool
	topics                              string
	editTopics                          sql.NullString
	status                              article.Status
}

func (w *writer) importOne(a *article.Article, now time.Time) (ImportOutcome, error) {
	o := ImportOutcome{Key: a.Key}
	hash := contentHash(a.Raw)
	var st stored
	var status string
	err := w.queryRow(`SELECT id, content_hash, quality, published, topics,
		edit_quality, edit_topics, edit_published, status FROM articles WHERE key = ?`, a.Key).Scan(
		&st.id, &st.hash, &st.quality, &st.published, &st.topics,
		&st.editQuality, &st.editTopics, &st.editPublished, &status)
	st.status = article.Status(status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		o.Result = ImportNew
		return o, w.insertArticle(a, hash, now)
	case err != nil:
		return o, err
	case st.hash == hash:
		o.Result = ImportUnchanged
		return o, nil
	}
	o.Result = ImportUpdated
	o.Kept, err = w.updateArticle(&st, a, hash, now)
	return o, err
}

// upstreamArgs are the upstream column values of a, in the order of the
// insert and update statements below.
func upstreamArgs(a *article.Article, hash string) ([]any, error) {
	images, err := encodeJSON(nonNil(a.Images))
	if err != nil {
		return nil, err
	}
	related, err := encodeJSON(nonNil(a.Related))
	if err != nil {
		return nil, err
	}
	var quality any
	if a.HasQuality {
		quality = a.Quality
	}
	raw := a.Raw
	if raw == nil {
		raw = []byte{} // raw is NOT NULL; an empty file is still a file
	}
	return []any{a.FileName, a.Category, a.Title, a.Excerpt, toUnix(a.PublishedAt),
		a.OriginalURL, a.WebURL, a.Type, a.Heat, a.Provider.Name, a.Provider.Domain, boolInt(a.HasSecured),
		a.Body, images, related, raw, hash, quality, boolInt(a.Published), encodeTopics(a.Topics)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (w *writer) insertArticle(a *article.Article, hash string, now time.Time) error {
	args, err := upstreamArgs(a, hash)
	if err != nil {
		return err
	}
	args = append([]any{a.Key}, args...)
	args = append(args, toMillis(now), toMillis(now))
	res, err := w.exec(`INSERT INTO articles (key, file_name, category, title, excerpt, published_at,
		original_url, web_url, type, heat, provider_name, provider_domain, has_secured,
		body, images, related, raw, content_hash, quality, published, topics, imported_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if err := w.setTopics(id, a.Topics, false); err != nil {
		return err
	}
	return w.writeFTS(id, a.Title, a.Excerpt, a.Provider.Name, a.Topics, false)
}

// updateArticle writes a changed file over st. It never touches the
// edit_* columns, status or note; it reports which of them were kept
// while the upstream value under them changed.
func (w *writer) updateArticle(st *stored, a *article.Article, hash string, now time.Time) ([]string, error) {
	args, err := upstreamArgs(a, hash)
	if err != nil {
		return nil, err
	}
	args = append(args, toMillis(now), st.id)
	_, err = w.exec(`UPDATE articles SET file_name = ?, category = ?, title = ?, excerpt = ?, published_at = ?,
		original_url = ?, web_url = ?, type = ?, heat = ?, provider_name = ?, provider_domain = ?, has_secured = ?,
		body = ?, images = ?, related = ?, raw = ?, content_hash = ?, quality = ?, published = ?, topics = ?,
		version = version + 1, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return nil, err
	}
	oldTopics, err := decodeTopics(st.topics)
	if err != nil {
		return nil, fmt.Errorf("stored topics: %w", err)
	}
	changes, kept := upstreamChanges(st, oldTopics, a)
	changes = append(changes, change{"content_hash", st.hash, hash})
	for _, c := range changes {
		if err := w.audit(st.id, 0, importActor, now, c); err != nil {
			return nil, err
		}
	}
	topics := a.Topics
	if st.editTopics.Valid {
		if topics, err = decodeTopics(st.editTopics.String); err != nil {
			return nil, fmt.Errorf("stored edit_topics: %w", err)
		}
	} else if !slices.Equal(oldTopics, a.Topics) {
		if err := w.setTopics(st.id, a.Topics, true); err != nil {
			return nil, err
		}
	}
	// Title, excerpt or provider may have changed: reindex always.
	return kept, w.writeFTS(st.id, a.Title, a.Excerpt, a.Provider.Name, topics, true)
}

// upstreamChanges compares the stored upstream editable values with the
// new file's: the changes to audit, and the editor values kept over them
// (only where the editor's value differs from the new upstream one).
func upstreamChanges(st *stored, oldTopics []string, a *article.Article) (changes []change, kept []string) {
	if st.quality.Valid != a.HasQuality || (a.HasQuality && int(st.quality.Int64) != a.Quality) {
		changes = append(changes, change{"quality",
			qualityText(int(st.quality.Int64), st.quality.Valid), qualityText(a.Quality, a.HasQuality)})
		if st.editQuality.Valid && (!a.HasQuality || int(st.editQuality.Int64) != a.Quality) {
			kept = append(kept, "quality")
		}
	}
	if !slices.Equal(oldTopics, a.Topics) {
		changes = append(changes, change{"topics", encodeTopics(oldTopics), encodeTopics(a.Topics)})
		if st.editTopics.Valid && st.editTopics.String != encodeTopics(a.Topics) {
			kept = append(kept, "topics")
		}
	}
	if st.published != a.Published {
		changes = append(changes, change{"published",
			strconv.FormatBool(st.published), strconv.FormatBool(a.Published)})
		if st.editPublished.Valid && (st.editPublished.Int64 != 0) != a.Published {
			kept = append(kept, "published")
		}
	}
	// The review decision was made on the old file: say it was kept.
	if st.status != article.StatusPending {
		kept = append(kept, "status")
	}
	return changes, kept
}

func contentHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
