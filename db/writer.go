package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/newsdesk/newsdesk/article"
)

// writer wraps one write transaction: it prepares each statement once and
// reuses it, and caches topic ids, which is most of what makes a batch
// import fast. It lives no longer than its transaction. A writer made by
// Store.inWriteTx also reuses the statements of earlier transactions (see
// stmtCache).
type writer struct {
	ctx      context.Context
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	topicIDs map[string]int64 // by topicFold
	fts      []ftsWrite       // search index writes deferred to flushFTS
	cache    *stmtCache       // the store's writer statements, or nil
	missed   []string         // queries prepared here that cache lacks
}

// ftsWrite is one deferred call of writeFTS.
type ftsWrite struct {
	id                       int64
	title, excerpt, provider string
	topics                   []string
	replace                  bool
}

// deferFTS queues writeFTS(id, ...) for flushFTS, which the caller must
// run before its transaction commits. An import defers its search index
// writes to the end of the batch because FTS5 writes its pending terms to
// disk, as a segment of their own, at every statement savepoint once the
// table has been written in the transaction (fts5SavepointMethod), and
// each article insert opens one (the count triggers write several rows):
// writing the index in between the inserts made a tiny segment per article
// and cost 40% of the import's CPU time (BenchmarkStoreImportGrowth: 394
// against 238 µs an article).
func (w *writer) deferFTS(id int64, title, excerpt, provider string, topics []string, replace bool) {
	w.fts = append(w.fts, ftsWrite{id, title, excerpt, provider, topics, replace})
}

// flushFTS writes the deferred search index writes, in the order queued.
func (w *writer) flushFTS() error {
	for _, f := range w.fts {
		if err := w.writeFTS(f.id, f.title, f.excerpt, f.provider, f.topics, f.replace); err != nil {
			return fmt.Errorf("search index of article %d: %w", f.id, err)
		}
	}
	w.fts = w.fts[:0]
	return nil
}

func newWriter(ctx context.Context, tx *sql.Tx) *writer {
	return &writer{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, topicIDs: map[string]int64{}}
}

func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared := w.cache.lookup(query); shared != nil {
		// Reuses the statement compiled on the writer's connection.
		st = w.tx.StmtContext(w.ctx, shared)
	} else {
		var err error
		if st, err = w.tx.PrepareContext(w.ctx, query); err != nil {
			return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
		}
		if w.cache != nil {
			w.missed = append(w.missed, query)
		}
	}
	w.stmts[query] = st
	return st, nil
}

// query runs a prepared query; the caller closes the rows.
func (w *writer) query(query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

func (w *writer) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

// queryRow returns the row of a prepared query; a prepare error comes back
// from Scan, like any other.
func (w *writer) queryRow(query string, args ...any) scanner {
	st, err := w.stmt(query)
	if err != nil {
		return errScanner{err}
	}
	return st.QueryRowContext(w.ctx, args...)
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }

// topicID returns the id of the topic named name (case-insensitively),
// creating it on first use.
func (w *writer) topicID(name string) (int64, error) {
	fold := topicFold(name)
	if id, ok := w.topicIDs[fold]; ok {
		return id, nil
	}
	var id int64
	err := w.queryRow(`SELECT id FROM topics WHERE fold = ?`, fold).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = w.exec(`INSERT INTO topics (name, fold) VALUES (?, ?)`, article.CleanTopic(name), fold)
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("topic %q: %w", name, err)
	}
	w.topicIDs[fold] = id
	return id, nil
}

// setTopics replaces the effective topics of an article. Names equal but
// for case count once, at their first position; blank names are skipped.
func (w *writer) setTopics(articleID int64, topics []string, replace bool) error {
	if replace {
		if _, err := w.exec(`DELETE FROM article_topics WHERE article_id = ?`, articleID); err != nil {
			return err
		}
	}
	for pos, name := range topics {
		if topicFold(name) == "" {
			continue
		}
		id, err := w.topicID(name)
		if err != nil {
			return err
		}
		_, err = w.exec(`INSERT INTO article_topics (article_id, topic_id, position) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, articleID, id, pos)
		if err != nil {
			return err
		}
	}
	return nil
}

// topicFold is a topic's case-insensitive identity. NOCASE folds ASCII
// only; this folds every script the same way in writes and lookups.
func topicFold(name string) string { return article.TopicKey(name) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// inWriteTx is inTx with a writer whose statements outlive the
// transaction: each query is compiled once on the writer's connection and
// reused by every later transaction (see stmtCache). Compiling costs about
// 50 to 100 µs a statement here (an UPDATE of articles compiles the count
// triggers with it), several times what running one costs.
func (s *Store) inWriteTx(ctx context.Context, fn func(w *writer) error) error {
	var w *writer
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w = newWriter(ctx, tx)
		w.cache = s.wStmts
		return fn(w)
	})
	if w != nil {
		// After the transaction: preparing on the pool needs its one
		// connection, which the transaction held.
		s.wStmts.learn(ctx, w.missed)
	}
	return err
}

// stmtCache keeps statements prepared on one pool for the life of the
// store, so a query is compiled once per connection instead of once per
// use (readers) or per transaction (the writer). database/sql keeps a
// prepared statement per connection of the pool and re-prepares it on a
// connection that lacks it; Tx.StmtContext reuses the one of the
// transaction's connection. A nil *stmtCache caches nothing.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// maxCachedStmts bounds a stmtCache. The store's queries are constants,
// a few dozen; a query built from input (an IN list of varying length)
// would otherwise grow the cache without end.
const maxCachedStmts = 200

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// lookup returns the statement cached for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepare returns the statement for query, preparing it on the pool the
// first time, or nil when the cache is full. It takes a connection of the
// pool, so on the writer's pool it must not run inside a transaction,
// which holds the only connection.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.lookup(query); st != nil {
		return st, nil
	}
	c.mu.Lock()
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if full {
		return nil, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok { // prepared meanwhile by another caller
		return prev, st.Close()
	}
	c.m[query] = st
	return st, nil
}

// learn prepares the queries a transaction compiled for itself, so the
// next transactions reuse them. A query that fails to prepare here is
// left out: the next transaction prepares it again, and reports its error.
func (c *stmtCache) learn(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, err := c.prepare(ctx, q); err != nil {
			return
		}
	}
}

// close closes the cached statements; the cache is empty afterwards.
func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// readQueryRow runs a query of one row on the read pool with a statement
// prepared once per connection (see stmtCache); errors come back from
// Scan. It is for the store's constant queries: a query built from input
// would fill the cache, and goes to s.r as before once it is full.
func (s *Store) readQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.rStmts.prepare(ctx, query)
	if err != nil || st == nil {
		return s.r.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// readQuery is readQueryRow for a query of several rows.
func (s *Store) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.rStmts.prepare(ctx, query)
	if err != nil || st == nil {
		return s.r.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}
