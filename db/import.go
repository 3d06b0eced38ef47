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
	"strings"
	"sync"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"golang.org/x/text/unicode/norm"
)

// ImportResult says what an import did with one article.
type ImportResult string

const (
	ImportNew       ImportResult = "new"
	ImportUpdated   ImportResult = "updated"
	ImportUnchanged ImportResult = "unchanged"
	// ImportRefused: a changed file into which the editors' values kept
	// over it cannot be written; the stored article stays as it was and
	// ImportOutcome.Err says why.
	ImportRefused ImportResult = "refused"
)

// ImportOutcome reports one imported article. Kept names the editor values
// ("quality", "topics", "published", "status") that were kept although the
// file changed under them. Result is about the file's bytes.
//
// PreviousFileName is set when the key was stored from a file of another
// name: another extension (a.txt after a.md), another folder's file of the
// same name, or the same name in another Unicode form (a Mac's NFD
// "cafe\u0301.md" after "café.md"). The article keeps its identity and now
// carries the new name, which export will use; the report should say so.
type ImportOutcome struct {
	Key              string
	Result           ImportResult
	Kept             []string
	PreviousFileName string
	Err              error // with ImportRefused
}

// importActor is the audit actor of changes made by an import.
const importActor = "import"

// Import stores a batch of parsed articles in one transaction, merging by
// key: a new key is inserted as pending; a known key with the same bytes
// is left alone; a changed file updates the upstream values and the raw
// bytes, while every value an editor set stays. The caller sizes the
// batches (the write lock is held for one batch, so a batch's duration is
// what an editor's save may wait); one bad article rolls back its whole
// batch. A save in this process waits for one batch at most: the writer
// pool hands its one connection to a waiting save when a batch commits.
// For a save in another process, Import leaves the lock free for a moment
// after every lockShare of holding it (see batchPacer). A read-only store
// returns an error wrapping ErrReadOnly.
func (s *Store) Import(ctx context.Context, arts []*article.Article) ([]ImportOutcome, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(arts))
	for _, a := range arts {
		if a == nil || a.Key == "" {
			return nil, errors.New("db: import: article without key")
		}
		keys = append(keys, a.Key)
	}
	if err := s.pause(ctx); err != nil {
		return nil, fmt.Errorf("db: import: %w", err)
	}
	out := make([]ImportOutcome, 0, len(arts))
	now := s.now()
	var began time.Time
	err := s.inWriteTx(ctx, func(w *writer) error {
		began = time.Now() // the write lock is ours from here to the commit
		lookup, err := w.lookupBatch(keys)
		if err != nil {
			return fmt.Errorf("db: import: %w", err)
		}
		for _, a := range arts {
			o, err := w.importOne(a, lookup, now)
			if err != nil {
				return fmt.Errorf("db: import %q: %w", a.Key, err)
			}
			out = append(out, o)
		}
		return w.flushFTS()
	})
	if !began.IsZero() {
		s.batches.done(began, time.Now())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pause waits, before a batch, for the pause the last batches asked for
// (see batchPacer), and checkpoints the WAL meanwhile, work the import
// would otherwise do in its next commit: the pause then costs little
// more than the checkpoint would have anyway. A PASSIVE checkpoint takes
// no write lock, so a save from another process commits during it.
func (s *Store) pause(ctx context.Context) error {
	if !s.batches.pausing() {
		return nil
	}
	var busy, logFrames, done int
	err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return s.batches.wait(ctx)
}

// maxBatchPause is the longest pause between two batches. SQLite's busy
// handler, which makes another process's BEGIN IMMEDIATE wait for our
// lock, retries after 1, 2, 5 ... 50 ms and then every 100 ms
// (sqliteDefaultBusyCallback in SQLite's main.c; modernc.org/sqlite's
// busy.go keeps the schedule). The lock is not queued: back-to-back
// batches, a few microseconds apart, could take it again before the other
// process next looks, for longer than its busy timeout, and its save would
// fail with "database is locked". A pause of more than 100 ms is always
// seen.
const maxBatchPause = 110 * time.Millisecond

// lockShare is how long Import may hold the write lock, summed over
// batches, before it leaves the lock free for maxBatchPause. A save in
// another process then waits at most lockShare, plus the batch that
// crosses it, plus maxBatchPause: under a second with the batches of
// review.Import. A pause after every batch, as long as the batch (what
// this replaced), halved the import's throughput; this costs at most
// maxBatchPause per lockShare of writing, and nothing when the import
// waits for parsing rather than for the store.
const lockShare = 500 * time.Millisecond

// batchPacer spaces Import's write transactions so that another process
// waiting for the write lock gets it (see lockShare). Saves in the same
// process need none of this (the writer pool queues them in Go), but a
// store cannot tell whether another process waits.
type batchPacer struct {
	mu      sync.Mutex
	freeAt  time.Time     // the lock stays free until then
	share   time.Duration // the lock held since it was last free for maxBatchPause
	lastEnd time.Time     // when the last batch released the lock
}

// pausing reports whether the last batch asked for a pause that is not
// over yet.
func (p *batchPacer) pausing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Now().Before(p.freeAt)
}

// wait blocks until the pause asked for by the last batch is over, or ctx
// ends.
func (p *batchPacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.freeAt)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// held asks for the lock to stay free for min(d, maxBatchPause) from now.
func (p *batchPacer) held(d time.Duration) {
	p.mu.Lock()
	p.freeAt = time.Now().Add(min(d, maxBatchPause))
	p.mu.Unlock()
}

// done records a batch that held the lock from began to ended, and asks
// for a pause once the lock has been held for lockShare since it was last
// free for maxBatchPause (a pause, or a gap the caller left anyway).
func (p *batchPacer) done(began, ended time.Time) {
	p.mu.Lock()
	if began.Sub(p.lastEnd) >= maxBatchPause {
		p.share = 0
	}
	p.share += ended.Sub(began)
	p.lastEnd = ended
	pause := p.share >= lockShare
	if pause {
		p.share = 0
	}
	p.mu.Unlock()
	if pause {
		p.held(maxBatchPause)
	}
}

// stored is what an import needs to know of an existing article.
type stored struct {
	id                                  int64
	key, fileName                       string
	hash                                string
	quality, editQuality, editPublished sql.NullInt64
	published                           bool
	topics                              string
	editTopics                          sql.NullString
	status                              article.Status
}

// storedColumns are the columns of stored, in scanStored's order.
const storedColumns = `id, key, file_name, content_hash, quality, published, topics,
	edit_quality, edit_topics, edit_published, status`

func scanStored(row scanner) (*stored, error) {
	var st stored
	var status string
	err := row.Scan(&st.id, &st.key, &st.fileName, &st.hash, &st.quality, &st.published, &st.topics,
		&st.editQuality, &st.editTopics, &st.editPublished, &status)
	st.status = article.Status(status)
	return &st, err
}

func (w *writer) storedArticle(key string) (*stored, error) {
	return scanStored(w.queryRow(`SELECT `+storedColumns+` FROM articles WHERE key = ?`, key))
}

// lookupChunk is how many keys storedArticles asks for in one query: a
// fixed number, so that it is one statement, prepared once; the places a
// chunk does not fill are NULL, which matches no key.
const lookupChunk = 100

// storedArticles looks up the stored articles of a batch, lookupChunk
// keys a query: those with one of keys, or with the NFD form of one (see
// storedLegacy). It is what importOne would otherwise ask once per
// article. Keys are bound as they are: a file name that is not valid
// UTF-8 is a key too, which an encoding such as JSON would alter.
func (w *writer) storedArticles(keys []string) (map[string]*stored, error) {
	all := make([]string, 0, len(keys))
	for _, k := range keys {
		all = append(all, k)
		if nfd := norm.NFD.String(k); nfd != k {
			all = append(all, nfd)
		}
	}
	query := `SELECT ` + storedColumns + ` FROM articles WHERE key IN (` +
		strings.Repeat("?, ", lookupChunk-1) + `?)`
	known := map[string]*stored{}
	for lo := 0; lo < len(all); lo += lookupChunk {
		args := make([]any, lookupChunk) // nil is NULL
		for i, k := range all[lo:min(lo+lookupChunk, len(all))] {
			args[i] = k
		}
		if err := w.storedIn(query, args, known); err != nil {
			return nil, err
		}
	}
	return known, nil
}

// storedIn adds the rows of query to known, by key.
func (w *writer) storedIn(query string, args []any, known map[string]*stored) error {
	rows, err := w.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			return err
		}
		known[st.key] = st
	}
	return rows.Err()
}

// storedLegacy finds an article stored by an older newsdesk under the NFD
// form of key (article.KeyOf now returns NFC, the form of every key since).
// A migration cannot rewrite the old keys: SQLite has no Unicode
// normalisation, and migrations are SQL. So an old key is found here, when
// its file comes again, and rewritten to NFC; until then it keeps its old
// form, and Check names an old key whose NFC twin was imported as a second
// article before this fix. NFD is what a Mac writes (HFS+ uses a variant
// of it that agrees for the accented letters of Latin scripts).
func (w *writer) storedLegacy(key string) (*stored, error) {
	nfd := norm.NFD.String(key)
	if nfd == key {
		return nil, sql.ErrNoRows
	}
	return w.storedArticle(nfd)
}

// batchLookup tells importOne what is stored under a key, from one query
// made as the batch began (storedArticles). A key asked again in the
// batch, or a row already used by the batch, is asked of the database
// again, since the batch itself has changed it.
type batchLookup struct {
	w     *writer
	found map[string]*stored // by key, as the batch began
	asked map[string]bool
	used  map[int64]bool
}

func (w *writer) lookupBatch(keys []string) (*batchLookup, error) {
	found, err := w.storedArticles(keys)
	if err != nil {
		return nil, err
	}
	return &batchLookup{w: w, found: found, asked: map[string]bool{}, used: map[int64]bool{}}, nil
}

// get returns the article stored under key, or under its NFD form (see
// storedLegacy); sql.ErrNoRows when there is none.
func (l *batchLookup) get(key string) (*stored, error) {
	st := l.found[key]
	if nfd := norm.NFD.String(key); st == nil && nfd != key {
		st = l.found[nfd]
	}
	if l.asked[key] || st != nil && l.used[st.id] {
		st, err := l.w.storedArticle(key)
		if errors.Is(err, sql.ErrNoRows) {
			st, err = l.w.storedLegacy(key)
		}
		return st, err
	}
	l.asked[key] = true
	if st == nil {
		return nil, sql.ErrNoRows
	}
	l.used[st.id] = true
	return st, nil
}

// importOne stores a, merging it with the article stored under its key.
func (w *writer) importOne(a *article.Article, lookup *batchLookup, now time.Time) (ImportOutcome, error) {
	o := ImportOutcome{Key: a.Key}
	hash := contentHash(a.Raw)
	st, err := lookup.get(a.Key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		o.Result = ImportNew
		return o, w.insertArticle(a, hash, now)
	case err != nil:
		return o, err
	}
	if st.hash != hash {
		if err := keptValuesFit(st, a); err != nil {
			o.Result, o.Err = ImportRefused, err
			return o, nil
		}
	}
	if err := w.renameArticle(st, a, now); err != nil {
		return o, err
	}
	if st.fileName != a.FileName {
		o.PreviousFileName = st.fileName
	}
	if st.hash == hash {
		o.Result = ImportUnchanged
		return o, nil
	}
	o.Result = ImportUpdated
	o.Kept, err = w.updateArticle(st, a, hash, now)
	return o, err
}

// keptValuesFit checks that the editor values an update of st would keep
// can be written into the new file a: otherwise every export of the
// article would fail (the review form refuses such a save the same way).
func keptValuesFit(st *stored, a *article.Article) error {
	var c article.Changes
	if st.editQuality.Valid && (!a.HasQuality || int64(a.Quality) != st.editQuality.Int64) {
		q := int(st.editQuality.Int64)
		c.Quality = &q
	}
	if st.editPublished.Valid && (st.editPublished.Int64 != 0) != a.Published {
		p := st.editPublished.Int64 != 0
		c.Published = &p
	}
	if st.editTopics.Valid {
		ts, err := decodeTopics(st.editTopics.String)
		if err != nil {
			return fmt.Errorf("stored edit_topics: %w", err)
		}
		if !slices.Equal(ts, a.Topics) {
			c.Topics, c.SetTopics = ts, true
		}
	}
	if c.IsZero() {
		return nil
	}
	if _, err := article.Patch(a.Raw, c); err != nil {
		return fmt.Errorf("the editors' values cannot be written into the new version of this file (%w); the stored article is kept as it was", err)
	}
	return nil
}

// renameArticle gives st the key and file name of a, when they differ,
// with an audit row each. It does not raise the version: no value an
// editor sees in the form changed.
func (w *writer) renameArticle(st *stored, a *article.Article, now time.Time) error {
	if st.key != a.Key {
		if _, err := w.exec(`UPDATE articles SET key = ? WHERE id = ?`, a.Key, st.id); err != nil {
			return err
		}
		if err := w.audit(st.id, 0, importActor, now, change{"key", st.key, a.Key}); err != nil {
			return err
		}
	}
	if st.fileName != a.FileName {
		if _, err := w.exec(`UPDATE articles SET file_name = ?, updated_at = ? WHERE id = ?`,
			a.FileName, toMillis(now), st.id); err != nil {
			return err
		}
		if err := w.audit(st.id, 0, importActor, now, change{"file_name", st.fileName, a.FileName}); err != nil {
			return err
		}
	}
	return nil
}

// upstreamArgs are the upstream column values of a, in the order of the
// insert and update statements below.
func upstreamArgs(a *article.Article, hash string) ([]any, error) {
	var quality any
	if a.HasQuality {
		quality = a.Quality
	}
	return []any{a.FileName, a.Category, a.Title, a.Excerpt, toUnix(a.PublishedAt),
		a.OriginalURL, a.WebURL, a.Type, a.Heat, a.Provider.Name, a.Provider.Domain, boolInt(a.HasSecured),
		hash, quality, boolInt(a.Published), encodeTopics(a.Topics)}, nil
}

// writeContent writes the article_content row of article id: a's body,
// images, related items and file.
func (w *writer) writeContent(id int64, a *article.Article) error {
	images, err := encodeJSON(nonNil(a.Images))
	if err != nil {
		return err
	}
	related, err := encodeJSON(nonNil(a.Related))
	if err != nil {
		return err
	}
	raw := a.Raw
	if raw == nil {
		raw = []byte{} // raw is NOT NULL; an empty file is still a file
	}
	_, err = w.exec(`INSERT OR REPLACE INTO article_content (article_id, body, images, related, raw) VALUES (?, ?, ?, ?, ?)`,
		id, a.Body, images, related, raw)
	return err
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
		content_hash, quality, published, topics, imported_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if err := w.writeContent(id, a); err != nil {
		return err
	}
	if err := w.setTopics(id, a.Topics, false); err != nil {
		return err
	}
	w.deferFTS(id, a.Title, a.Excerpt, a.Provider.Name, a.Topics, false)
	return nil
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
		content_hash = ?, quality = ?, published = ?, topics = ?,
		version = version + 1, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return nil, err
	}
	if err := w.writeContent(st.id, a); err != nil {
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
	w.deferFTS(st.id, a.Title, a.Excerpt, a.Provider.Name, topics, true)
	return kept, nil
}

// upstreamChanges compares the stored upstream editable values with the
// new file's: the changes to audit, and the editor values kept over them
// (only where the editor's value differs from the new upstream one). A
// file's change under an editor's value changes no effective value: it is
// audited as file-side (see fileSidePrefix).
func upstreamChanges(st *stored, oldTopics []string, a *article.Article) (changes []change, kept []string) {
	if st.quality.Valid != a.HasQuality || (a.HasQuality && int(st.quality.Int64) != a.Quality) {
		changes = append(changes, upstreamChange("quality", st.editQuality.Valid,
			qualityText(int(st.quality.Int64), st.quality.Valid), qualityText(a.Quality, a.HasQuality)))
		if st.editQuality.Valid && (!a.HasQuality || int(st.editQuality.Int64) != a.Quality) {
			kept = append(kept, "quality")
		}
	}
	if !slices.Equal(oldTopics, a.Topics) {
		changes = append(changes, upstreamChange("topics", st.editTopics.Valid,
			encodeTopics(oldTopics), encodeTopics(a.Topics)))
		if st.editTopics.Valid && st.editTopics.String != encodeTopics(a.Topics) {
			kept = append(kept, "topics")
		}
	}
	if st.published != a.Published {
		changes = append(changes, upstreamChange("published", st.editPublished.Valid,
			strconv.FormatBool(st.published), strconv.FormatBool(a.Published)))
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

// upstreamChange is the audit row of a change of the file's value of
// field: under field when that value is the effective one, under the
// file-side name when an editor's value is in force (edited).
func upstreamChange(field string, edited bool, old, new string) change {
	if edited {
		field = fileSidePrefix + field
	}
	return change{field, old, new}
}

func contentHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
