package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// writer wraps one write transaction: it prepares each statement once and
// reuses it, and caches topic ids, which is most of what makes a batch
// import fast. It lives no longer than its transaction.
type writer struct {
	ctx      context.Context
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	topicIDs map[string]int64 // by topicFold
	fts      []ftsWrite       // search index writes deferred to flushFTS
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
// and cost more than the rest of the import together.
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
	st, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
	}
	w.stmts[query] = st
	return st, nil
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
		res, err = w.exec(`INSERT INTO topics (name, fold) VALUES (?, ?)`, strings.TrimSpace(name), fold)
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
func topicFold(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
