package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Import stores a batch of parsed articles in one transaction, merging by
// key, as the SQLite store does: a new key is inserted as pending; a known
// key with the same bytes is left alone (but takes the new file name); a
// changed file updates the upstream values and the raw bytes, while every
// value an editor set stays (db.ImportOutcome.Kept says which); a changed
// file into which the kept values cannot be written is refused
// (db.ImportRefused) and the article stays as it was. One bad article
// rolls back its whole batch. The stored rows of the batch are locked
// while it runs, so a save to one of them waits for the batch, and the
// batch for the save. The outcomes are in the order of arts.
//
// Writes are made a batch at a time (one statement per table for new
// articles and for changed ones, one pipelined round trip for renames
// and for audit rows), not an article at a time. Two instances importing
// the same new key at once: the one that loses the race runs its batch
// again and finds the key stored. An article without a key is an error;
// a read-only store returns an error wrapping db.ErrReadOnly.
func (s *Store) Import(ctx context.Context, arts []*article.Article) ([]db.ImportOutcome, error) {
	keys := make([]string, 0, len(arts))
	for _, a := range arts {
		if a == nil || a.Key == "" {
			return nil, errors.New("postgres: import: article without key")
		}
		keys = append(keys, a.Key)
	}
	var out []db.ImportOutcome
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			im, err := newImporter(ctx, tx, keys, s.now())
			if err != nil {
				return err
			}
			out, err = im.run(arts)
			return err
		})
		if !isUniqueViolation(err, "articles_key_key") {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: import: %w", err)
	}
	return out, nil
}

// importer is one import transaction. It decides article by article as
// the SQLite store's importOne does, from one lookup of the batch's keys,
// and queues the writes; the queue is flushed at the end, and before an
// article whose key the batch already wrote (a key twice in one batch),
// which is then looked up again.
type importer struct {
	ctx   context.Context
	tx    pgx.Tx
	now   time.Time
	found map[string]*db.StoredArticle // by key, as the batch began
	asked map[string]bool
	used  map[int64]bool

	// The queue.
	renames  pgx.Batch          // renames of stored articles and their audit rows, in order
	updated  []updatedRow       // changed files over stored articles
	audits   pgx.Batch          // the audit rows of updated, written after it
	inserts  []*article.Article // new articles
	content  []contentRow       // article_content of updated articles
	topics   []topicsRow        // article_topics to replace, of updated articles
	searches []searchRow        // search documents of updated articles
}

// updatedRow is a changed file a over stored article id, with its
// content hash.
type updatedRow struct {
	id   int64
	a    *article.Article
	hash string
}

type contentRow struct {
	id int64
	a  *article.Article
}

type topicsRow struct {
	id      int64
	topics  []string
	replace bool // the article has rows to delete first (not a new one)
}

type searchRow struct {
	id                       int64
	title, excerpt, provider string
	topics                   []string
}

// newImporter locks and reads the stored articles of keys: those with one
// of keys, or with its NFD form (an article stored by an older newsdesk,
// whose key is rewritten to NFC when its file comes again, as in SQLite).
// Rows are locked in id order, the order bulk actions lock them in, FOR
// NO KEY UPDATE as a save locks them (see getRecord): a presence or
// another foreign-key insert referencing them need not wait for the
// batch. The rare rename of a key to NFC takes the stronger lock on its
// own row when it updates the key.
func newImporter(ctx context.Context, tx pgx.Tx, keys []string, now time.Time) (*importer, error) {
	all := make([]string, 0, len(keys))
	for _, k := range keys {
		all = append(all, k)
		if nfd := norm.NFD.String(k); nfd != k {
			all = append(all, nfd)
		}
	}
	im := &importer{ctx: ctx, tx: tx, now: now, found: map[string]*db.StoredArticle{},
		asked: map[string]bool{}, used: map[int64]bool{}}
	rows, err := tx.Query(ctx, `SELECT `+db.StoredColumns+` FROM articles WHERE key = ANY($1)
		ORDER BY id FOR NO KEY UPDATE`, all)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := db.ScanStored(flagRow{rows})
		if err != nil {
			return nil, err
		}
		im.found[st.Key()] = st
	}
	return im, rows.Err()
}

func (im *importer) run(arts []*article.Article) ([]db.ImportOutcome, error) {
	out := make([]db.ImportOutcome, 0, len(arts))
	for _, a := range arts {
		o, err := im.importOne(a)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", a.Key, err)
		}
		out = append(out, o)
	}
	return out, im.flush()
}

// importOne decides what to do with a and queues it.
func (im *importer) importOne(a *article.Article) (db.ImportOutcome, error) {
	o := db.ImportOutcome{Key: a.Key}
	hash := db.ContentHash(a.Raw)
	st, err := im.lookup(a.Key)
	if err != nil {
		return o, err
	}
	if st == nil {
		o.Result = db.ImportNew
		im.inserts = append(im.inserts, a)
		return o, nil
	}
	if st.Hash() != hash {
		if err := db.KeptValuesFit(st, a); err != nil {
			o.Result, o.Err = db.ImportRefused, err
			return o, nil
		}
	}
	im.rename(st, a)
	if st.FileName() != a.FileName {
		o.PreviousFileName = st.FileName()
	}
	if st.Hash() == hash {
		o.Result = db.ImportUnchanged
		return o, nil
	}
	o.Result = db.ImportUpdated
	o.Kept, err = im.update(st, a, hash)
	return o, err
}

// lookup returns the article stored under key, or under its NFD form; nil
// when there is none. A key asked again in the batch, or a row the batch
// already used, is asked of the database again, after the writes queued
// so far, since the batch itself has changed it.
func (im *importer) lookup(key string) (*db.StoredArticle, error) {
	st := im.found[key]
	nfd := norm.NFD.String(key)
	if st == nil && nfd != key {
		st = im.found[nfd]
	}
	if im.asked[key] || st != nil && im.used[st.ID()] {
		if err := im.flush(); err != nil {
			return nil, err
		}
		st, err := im.stored(key)
		if st == nil && err == nil && nfd != key {
			st, err = im.stored(nfd)
		}
		return st, err
	}
	im.asked[key] = true
	if st != nil {
		im.used[st.ID()] = true
	}
	return st, nil
}

// stored reads and locks the article of key; nil when there is none.
func (im *importer) stored(key string) (*db.StoredArticle, error) {
	row := im.tx.QueryRow(im.ctx, `SELECT `+db.StoredColumns+` FROM articles WHERE key = $1 FOR NO KEY UPDATE`, key)
	st, err := db.ScanStored(flagRow{row})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return st, err
}

// importAudit writes one audit row of an import at the version the
// article has when the row is written (a rename does not raise it).
const importAudit = `INSERT INTO audit (article_id, actor, at, field, old_value, new_value, version)
	SELECT $1, $2, $3, $4, $5, $6, version FROM articles WHERE id = $1`

func (im *importer) audit(b *pgx.Batch, id int64, c db.Change) {
	b.Queue(importAudit, id, db.ImportActor, millis(im.now), c.Field, c.Old, c.New)
}

// rename queues the key and file name of a for st, when they differ, with
// an audit row each. It does not raise the version: no value an editor
// sees in the form changed.
func (im *importer) rename(st *db.StoredArticle, a *article.Article) {
	if st.Key() != a.Key {
		im.renames.Queue(`UPDATE articles SET key = $1 WHERE id = $2`, a.Key, st.ID())
		im.audit(&im.renames, st.ID(), db.Change{Field: "key", Old: st.Key(), New: a.Key})
	}
	if st.FileName() != a.FileName {
		im.renames.Queue(`UPDATE articles SET file_name = $1, updated_at = $2 WHERE id = $3`,
			a.FileName, millis(im.now), st.ID())
		im.audit(&im.renames, st.ID(), db.Change{Field: "file_name", Old: st.FileName(), New: a.FileName})
	}
}

// update queues a changed file over st. It never touches the edit_*
// columns, status or note; it returns which of them were kept while the
// upstream value under them changed.
func (im *importer) update(st *db.StoredArticle, a *article.Article, hash string) ([]string, error) {
	plan, err := db.PlanImportUpdate(st, a, hash)
	if err != nil {
		return nil, err
	}
	im.updated = append(im.updated, updatedRow{st.ID(), a, hash})
	for _, c := range plan.Changes {
		im.audit(&im.audits, st.ID(), c)
	}
	im.content = append(im.content, contentRow{st.ID(), a})
	if plan.ReplaceTopics {
		im.topics = append(im.topics, topicsRow{st.ID(), a.Topics, true})
	}
	// Title, excerpt or provider may have changed: rewrite always.
	im.searches = append(im.searches, searchRow{st.ID(), a.Title, a.Excerpt, a.Provider.Name, plan.Topics})
	return plan.Kept, nil
}

// flush writes the queue: the renames, the updates and their audit rows
// (which carry the raised version), then the new articles, then the
// contents, topics and search documents of both. A key is in the queue
// once at most (see lookup), so each article is updated once.
func (im *importer) flush() error {
	if im.renames.Len() > 0 {
		if err := im.tx.SendBatch(im.ctx, &im.renames).Close(); err != nil {
			return err
		}
		im.renames = pgx.Batch{}
	}
	if err := im.writeUpdates(); err != nil {
		return err
	}
	if im.audits.Len() > 0 {
		if err := im.tx.SendBatch(im.ctx, &im.audits).Close(); err != nil {
			return err
		}
		im.audits = pgx.Batch{}
	}
	if err := im.insert(); err != nil {
		return err
	}
	if err := writeContents(im.ctx, im.tx, im.content); err != nil {
		return err
	}
	if err := replaceTopics(im.ctx, im.tx, im.topics); err != nil {
		return err
	}
	if err := writeSearches(im.ctx, im.tx, im.searches); err != nil {
		return err
	}
	im.updated, im.inserts, im.content, im.topics, im.searches = nil, nil, nil, nil, nil
	return nil
}

// upstreamColumns are the columns of db.UpstreamValues, with their array
// types for unnest.
const (
	upstreamColumns = `file_name, category, title, excerpt, published_at, original_url, web_url, type, heat,
		provider_name, provider_domain, has_secured, content_hash, quality, published, topics`
	upstreamArrays = `$2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[],
		$9::text[], $10::bigint[], $11::text[], $12::text[], $13::integer[], $14::text[], $15::bigint[],
		$16::integer[], $17::text[]`
)

// upstreamArgs are the columns of db.UpstreamValues of as, one array per
// column, in the order of upstreamArrays.
func upstreamArgs(as []*article.Article, hashes []string) []any {
	cols := make([][]any, 16)
	for i, a := range as {
		for c, v := range db.UpstreamValues(a, hashes[i]) {
			cols[c] = append(cols[c], v)
		}
	}
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = c
	}
	return args
}

// writeUpdates writes the queued changed files over their stored
// articles in one statement, raising each version by one. One statement,
// so that the count triggers lock their counter rows once and in key
// order, whatever the order of the files: a statement per article took
// them in the files' order, and deadlocked with other writers.
func (im *importer) writeUpdates() error {
	if len(im.updated) == 0 {
		return nil
	}
	ids, as, hashes := make([]int64, len(im.updated)), make([]*article.Article, len(im.updated)), make([]string, len(im.updated))
	for i, u := range im.updated {
		ids[i], as[i], hashes[i] = u.id, u.a, u.hash
	}
	args := append([]any{ids}, upstreamArgs(as, hashes)...)
	_, err := im.tx.Exec(im.ctx, `UPDATE articles a SET file_name = u.file_name, category = u.category, title = u.title,
		excerpt = u.excerpt, published_at = u.published_at, original_url = u.original_url, web_url = u.web_url,
		type = u.type, heat = u.heat, provider_name = u.provider_name, provider_domain = u.provider_domain,
		has_secured = u.has_secured, content_hash = u.content_hash, quality = u.quality, published = u.published,
		topics = u.topics, version = a.version + 1, updated_at = $18
		FROM unnest($1::bigint[], `+upstreamArrays+`) AS u (id, `+upstreamColumns+`)
		WHERE a.id = u.id`, append(args, millis(im.now))...)
	return err
}

// insert writes the queued new articles, with one statement per table.
// They are pending, version 1, imported and updated now.
func (im *importer) insert() error {
	if len(im.inserts) == 0 {
		return nil
	}
	keys, hashes := make([]string, len(im.inserts)), make([]string, len(im.inserts))
	for i, a := range im.inserts {
		keys[i], hashes[i] = a.Key, db.ContentHash(a.Raw)
	}
	args := append([]any{keys}, upstreamArgs(im.inserts, hashes)...)
	args = append(args, millis(im.now))
	// In the batch's order (ORDER BY ord), so that ids follow the files
	// as they do in the SQLite store.
	rows, err := im.tx.Query(im.ctx, `INSERT INTO articles (key, `+upstreamColumns+`, imported_at, updated_at)
		SELECT key, `+upstreamColumns+`, $18::bigint, $18::bigint
		FROM unnest($1::text[], `+upstreamArrays+`) WITH ORDINALITY AS u (key, `+upstreamColumns+`, ord)
		ORDER BY ord
		RETURNING id, key`, args...)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	var id int64
	var key string
	if _, err := pgx.ForEachRow(rows, []any{&id, &key}, func() error {
		ids[key] = id
		return nil
	}); err != nil {
		return err
	}
	content := make([]contentRow, len(im.inserts))
	topics := make([]topicsRow, len(im.inserts))
	searches := make([]searchRow, len(im.inserts))
	for i, a := range im.inserts {
		id := ids[a.Key]
		content[i], topics[i] = contentRow{id, a}, topicsRow{id, a.Topics, false}
		searches[i] = searchRow{id, a.Title, a.Excerpt, a.Provider.Name, a.Topics}
	}
	im.content = append(im.content, content...)
	im.topics = append(im.topics, topics...)
	im.searches = append(im.searches, searches...)
	return nil
}

// writeContents writes (or replaces) the article_content rows of rows.
func writeContents(ctx context.Context, tx pgx.Tx, rows []contentRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	bodies, images, related := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	raws := make([][]byte, len(rows))
	for i, r := range rows {
		var err error
		ids[i] = r.id
		if bodies[i], images[i], related[i], raws[i], err = db.ContentValues(r.a); err != nil {
			return fmt.Errorf("%q: %w", r.a.Key, err)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO article_content (article_id, body, images, related, raw)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])
		ON CONFLICT (article_id) DO UPDATE SET body = EXCLUDED.body, images = EXCLUDED.images,
			related = EXCLUDED.related, raw = EXCLUDED.raw`, ids, bodies, images, related, raws)
	return err
}

// replaceTopics sets the article_topics rows of several articles, as
// setTopics does for one, with one statement per table.
func replaceTopics(ctx context.Context, tx pgx.Tx, rows []topicsRow) error {
	if len(rows) == 0 {
		return nil
	}
	var replaced []int64
	var folds, names []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.replace {
			replaced = append(replaced, r.id)
		}
		fs, ns, _ := topicRows(r.topics)
		for j, f := range fs {
			if !seen[f] {
				seen[f] = true
				folds, names = append(folds, f), append(names, ns[j])
			}
		}
	}
	if len(replaced) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM article_topics WHERE article_id = ANY($1)`, replaced); err != nil {
			return err
		}
	}
	if len(folds) == 0 {
		return nil
	}
	topicIDList, err := topicIDs(ctx, tx, folds, names)
	if err != nil {
		return err
	}
	byFold := make(map[string]int64, len(folds))
	for i, f := range folds {
		byFold[f] = topicIDList[i]
	}
	var articles, topics, positions []int64
	for _, r := range rows {
		fs, _, ps := topicRows(r.topics)
		for j, f := range fs {
			articles, topics, positions = append(articles, r.id), append(topics, byFold[f]), append(positions, ps[j])
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO article_topics (article_id, topic_id, position)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])`, articles, topics, positions)
	return err
}

// writeSearches writes the search documents of rows, as writeSearch does
// for one, in one statement.
func writeSearches(ctx context.Context, tx pgx.Tx, rows []searchRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids, docs := make([]int64, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], docs[i] = r.id, searchDocument(r.title, r.excerpt, r.provider, r.topics)
	}
	_, err := tx.Exec(ctx, `INSERT INTO articles_search (article_id, doc)
		SELECT i, d::tsvector FROM unnest($1::bigint[], $2::text[]) AS u(i, d)
		ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc`, ids, docs)
	if err != nil {
		return fmt.Errorf("search documents: %w", err)
	}
	return nil
}
