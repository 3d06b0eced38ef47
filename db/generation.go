package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// generation says whether the database changed since a result was
// cached. It reads SQLite's PRAGMA data_version on a connection of its
// own, which never writes: the value changes whenever any other
// connection, of this process or another (an import run beside the
// server), commits a change (https://sqlite.org/pragma.html#pragma_data_version).
// So a cache keyed by it needs no bump in every write path, and cannot
// miss one.
type generation struct {
	mu   sync.Mutex
	pool *sql.DB // one connection
	stmt *sql.Stmt
}

func newGeneration(ctx context.Context, dsn string) (*generation, error) {
	pool, err := openPool(dsn, 1)
	if err != nil {
		return nil, err
	}
	st, err := pool.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: data_version: %w", err)
	}
	return &generation{pool: pool, stmt: st}, nil
}

// current is the connection's data_version now.
func (g *generation) current(ctx context.Context) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var v int64
	if err := g.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("db: data_version: %w", err)
	}
	return v, nil
}

func (g *generation) close() error {
	if g == nil {
		return nil
	}
	g.stmt.Close()
	return g.pool.Close()
}

// resultCache keeps query results that stay true until the database
// changes: the filter dropdowns and the counts of a queue or a search.
// Every entry belongs to one generation; the first lookup in a newer one
// empties the cache. A nil *resultCache caches nothing.
type resultCache struct {
	gen *generation
	mu  sync.Mutex
	at  int64 // the generation of the entries
	m   map[string]any
}

// maxCachedResults bounds the entries of one generation: distinct
// filter combinations and searches. Past it the cache starts over.
const maxCachedResults = 512

// snapshot returns the current generation, to be given back to put with
// the result computed after it. Reading it before the query, not after,
// means a change committed meanwhile makes the entry stale at once
// instead of hiding behind it.
func (c *resultCache) snapshot(ctx context.Context) (int64, error) {
	if c == nil {
		return 0, nil
	}
	return c.gen.current(ctx)
}

// get returns the value cached for key in generation at.
func (c *resultCache) get(at int64, key string) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if at != c.at {
		return nil, false
	}
	v, ok := c.m[key]
	return v, ok
}

// put caches v for key as of generation at; a value of an older
// generation than the cache's is dropped.
func (c *resultCache) put(at int64, key string, v any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case at < c.at:
		return
	case at > c.at || len(c.m) >= maxCachedResults:
		c.at, c.m = at, map[string]any{}
	}
	c.m[key] = v
}

// cached returns the value of compute for key, from the cache when the
// database has not changed since it was computed. Values are shared
// between callers: compute must return something nobody modifies.
func cached[T any](ctx context.Context, c *resultCache, key string, compute func() (T, error)) (T, error) {
	at, err := c.snapshot(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	if v, ok := c.get(at, key); ok {
		return v.(T), nil
	}
	v, err := compute()
	if err == nil {
		c.put(at, key, v)
	}
	return v, err
}

// readTx is a read transaction whose queries reuse the statements the
// store keeps prepared on each reader connection (stmtCache): compiling
// the queue's queries took a tenth of its CPU time. A query the cache
// lacks runs unprepared and is noted in missed, for the caller to learn
// once the transaction has ended: preparing it on the pool meanwhile
// would wait for a second connection while holding one, and with every
// connection held so, nothing would move.
type readTx struct {
	tx     *sql.Tx
	stmts  *stmtCache
	missed *[]string
}

func (r readTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := r.stmts.lookup(query); st != nil {
		return r.tx.StmtContext(ctx, st)
	}
	if r.missed != nil {
		*r.missed = append(*r.missed, query)
	}
	return nil
}

// QueryContext is (*sql.Tx).QueryContext with a cached statement.
func (r readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext is (*sql.Tx).QueryRowContext with a cached statement.
func (r readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.tx.QueryRowContext(ctx, query, args...)
}
