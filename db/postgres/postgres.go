// Package postgres is the PostgreSQL store of newsdesk: the same
// db.Database as the SQLite store in package db, on a pgx connection pool,
// for several app instances sharing one database. Its schema mirrors the
// SQLite one migration by migration (migrations/), with the same table
// and column names, so a newsroom can move between the two with
// `newsdesk copy`. SQL for PostgreSQL lives here and nowhere else.
//
// What differs from SQLite, and why:
//   - Writers do not queue in Go: PostgreSQL locks rows, so saves to
//     different articles run at once. A transaction that loses a deadlock
//     or a serialization check is retried (see inTx).
//   - Nothing is cached in the process: another instance may have written,
//     and PostgreSQL answers the small reads (counts, facets) from its own
//     buffers.
//   - Backup is pg_dump's job (see the README), not the store's.
package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newsdesk/newsdesk/db"
)

// Store is the PostgreSQL newsdesk database: one pgxpool pool shared by
// reads and writes. It is safe for concurrent use, and any number of
// processes may open the same database.
type Store struct {
	pool     *pgxpool.Pool
	readOnly bool
	now      func() time.Time
}

var _ db.Database = (*Store)(nil)

// IsURL reports whether a --db value names a PostgreSQL database (a
// postgres:// or postgresql:// URL, as libpq accepts) rather than an SQLite
// file path.
func IsURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// migrationLock is the key of the session-level advisory lock held while
// migrations run, so that of several instances starting at once one
// migrates and the others wait, then find nothing left to do
// (PostgreSQL documentation, "Advisory Locks"). The number is arbitrary
// but fixed: "newsdesk" in ASCII, as a 64-bit integer.
const migrationLock int64 = 0x6e65777364657368

// Open connects to the PostgreSQL database at url (a postgres:// URL; pool
// settings such as pool_max_conns go in its query string, as pgxpool
// documents) and brings its schema up to date. The database must exist;
// an empty one gets newsdesk's tables. It refuses a schema newer than this
// program's. Errors name the host and database, never the password.
func Open(ctx context.Context, url string) (*Store, error) {
	s, err := connect(ctx, url, false)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres: %s: migrate: %w", dbName(s.pool.Config().ConnConfig), err)
	}
	return s, nil
}

// OpenExisting is Open for a database that must already be newsdesk's,
// for the commands that work on one (serve, rotate-keys, user passwd and
// disable): a database without newsdesk's schema_version table, say the
// server's default "postgres" database named by mistake, is refused with
// a message saying how to create one, instead of quietly getting empty
// tables. An older schema is brought up to date, as Open does.
func OpenExisting(ctx context.Context, url string) (*Store, error) {
	s, err := connect(ctx, url, false)
	if err != nil {
		return nil, err
	}
	err = mustBeNewsdesk(ctx, s.pool, false)
	if err == nil {
		err = s.migrate(ctx)
	}
	if err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", dbName(s.pool.Config().ConnConfig), err)
	}
	return s, nil
}

// OpenReadOnly connects for the commands that only read (export, check,
// user list). It runs no migrations, refuses a schema older or newer than
// this program's, and opens every transaction read-only
// (default_transaction_read_only), so a write fails with an error
// wrapping db.ErrReadOnly.
func OpenReadOnly(ctx context.Context, url string) (*Store, error) {
	s, err := connect(ctx, url, true)
	if err != nil {
		return nil, err
	}
	if err := s.schemaIsCurrent(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", dbName(s.pool.Config().ConnConfig), err)
	}
	return s, nil
}

func connect(ctx context.Context, url string, readOnly bool) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: the --db URL cannot be parsed%s (expected postgres://user:password@host:port/database?sslmode=MODE, settings such as pool_max_conns as query parameters)", parseDetail(err, url))
	}
	rt := cfg.ConnConfig.RuntimeParams
	if rt["application_name"] == "" {
		rt["application_name"] = "newsdesk"
	}
	if rt["timezone"] == "" {
		rt["timezone"] = "UTC"
	}
	// The store's locking is written for READ COMMITTED (rows locked with
	// FOR UPDATE, counters upserted in one statement): a server or role
	// whose default is stricter (PostgreSQL's default_transaction_isolation,
	// or an engine that is serializable by default) would abort saves with
	// serialization failures. This covers the single statements outside
	// inTx too.
	rt["default_transaction_isolation"] = "read committed"
	if readOnly {
		rt["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", dbName(cfg.ConnConfig), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", dbName(cfg.ConnConfig), err)
	}
	return &Store{pool: pool, readOnly: readOnly, now: time.Now}, nil
}

// parseDetail is what pgx says is wrong with url, without the URL: pgx's
// ParseConfigError quotes the whole string with the password redacted
// only "best effort" (its own comment), so just the text after the quote
// is kept, and dropped if it holds the password anyway. It is "" when
// there is nothing safe to add.
func parseDetail(err error, url string) string {
	var pce *pgconn.ParseConfigError
	if !errors.As(err, &pce) {
		return ""
	}
	msg := pce.Error()
	i := strings.LastIndex(msg, "`: ")
	if i < 0 {
		return ""
	}
	detail := msg[i+3:]
	if pw := urlPassword(url); pw != "" && strings.Contains(detail, pw) {
		return ""
	}
	return ": " + detail
}

// urlPassword is the password a postgres:// URL carries, in its user part
// or as ?password=, or "".
func urlPassword(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return ""
	}
	if pw, ok := u.User.Password(); ok {
		return pw
	}
	return u.Query().Get("password")
}

// dbName names a database for error messages without its password.
func dbName(c *pgx.ConnConfig) string {
	return fmt.Sprintf("database %q on %s:%d", c.Database, c.Host, c.Port)
}

// Close closes the pool; it waits for connections in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Pool is the store's connection pool, for tests that need SQL the
// interface does not offer (damaging a row, moving a time back).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

//go:embed migrations/*.sql
var migrationFS embed.FS

// loadMigrations reads the embedded migrations, numbered 1..N without
// gaps, as package db's are.
func loadMigrations() ([]db.Migration, error) { return db.LoadMigrations(migrationFS, "migrations") }

// SchemaVersion is the number of the newest migration this program has:
// the version an up-to-date database of either store reports.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// SchemaID names this program's schema exactly: its version and a hash
// of its migrations' text, for test templates (package pgtest) that must
// be remade whenever a migration changes during development.
func SchemaID() string {
	ms, err := loadMigrations()
	if err != nil {
		return "invalid"
	}
	h := sha256.New()
	for _, m := range ms {
		h.Write([]byte(m.SQL))
	}
	return fmt.Sprintf("v%d_%x", len(ms), h.Sum(nil)[:6])
}

// migrate applies the migrations the database has not seen, each in its
// own transaction, while holding the migration advisory lock on one
// connection: instances starting together take turns.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx was cancelled,
		// or the pooled connection would keep it.
		unlock, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlock, `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			conn.Conn().Close(unlock) // closing the session releases it
		}
	}()
	if err := mustBeNewsdesk(ctx, conn, true); err != nil {
		return err
	}
	current, err := version(ctx, conn.Conn())
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this program (%d)", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, conn.Conn(), m); err != nil {
			return err
		}
	}
	return nil
}

// mustBeNewsdesk refuses a database that is not newsdesk's. Newsdesk's
// is found on the search_path: a schema_version table of the one column
// version, holding one row, beside an articles table (both made by the
// first migration, in one transaction); another program's table of that
// name (Flyway's, say) is not it. Without it, the schema newsdesk would
// create its tables in (current_schema()) must hold no relation of
// another program's (tables, views, sequences; those an extension made,
// such as PostGIS's spatial_ref_sys, aside): db.ForeignTables names
// them. An empty database is refused too unless empty is set (Open makes
// its schema in it). Every refusal wraps db.ErrForeignDatabase.
func mustBeNewsdesk(ctx context.Context, q querier, empty bool) error {
	rows, _ := q.Query(ctx, `SELECT attname::text FROM pg_attribute
		WHERE attrelid = to_regclass('schema_version') AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read the schema: %w", err)
	}
	if len(cols) == 1 && cols[0] == "version" {
		var versions int64
		var articles bool
		err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM schema_version), to_regclass('articles') IS NOT NULL`).Scan(&versions, &articles)
		if err != nil {
			return fmt.Errorf("read the schema: %w", err)
		}
		if versions == 1 && articles {
			return nil
		}
	}
	rows, _ = q.Query(ctx, `SELECT c.relname::text FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
		AND NOT EXISTS (SELECT 1 FROM pg_depend d
			WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
		ORDER BY c.relname LIMIT 3`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	switch {
	case err != nil:
		return fmt.Errorf("read the schema: %w", err)
	case len(names) > 0:
		return db.ForeignTables(names)
	case len(cols) > 0: // another program's schema_version, in another schema on the path
		return db.ForeignTables([]string{"schema_version"})
	case !empty:
		return fmt.Errorf("%w (no schema_version table); create it with `newsdesk import --db URL FILES` or `newsdesk user add --db URL NAME`", db.ErrForeignDatabase)
	}
	return nil
}

// version is the database's schema version; 0 without a schema_version
// table.
func version(ctx context.Context, conn *pgx.Conn) (int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

func apply(ctx context.Context, conn *pgx.Conn, m db.Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// The version table is made with the first migration, in its
		// transaction: a first migration that fails (a database holding
		// tables of its own named like ours) leaves nothing behind, so
		// the database is not taken for a newsdesk one later.
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL)`); err != nil {
			return fmt.Errorf("schema_version: %w", err)
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, m.Version)
		return err
	})
}

// schemaIsCurrent refuses a database whose schema is not this program's.
func (s *Store) schemaIsCurrent(ctx context.Context) error {
	if err := mustBeNewsdesk(ctx, s.pool, false); err != nil {
		return err
	}
	var v int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	switch {
	case err != nil:
		return fmt.Errorf("schema version: %w", err)
	case v < SchemaVersion():
		return fmt.Errorf("database schema version %d is older than this program (%d); run `newsdesk serve` or `newsdesk import` once to update it", v, SchemaVersion())
	case v > SchemaVersion():
		return fmt.Errorf("database schema version %d is newer than this program (%d)", v, SchemaVersion())
	}
	return nil
}

// maxTxAttempts bounds inTx's retries of a transaction PostgreSQL aborted
// to break a deadlock or a serialization conflict.
const maxTxAttempts = 5

// inTx runs fn in a READ COMMITTED transaction (asked for, whatever the
// server's default) and commits it, or rolls it
// back when fn fails. A transaction PostgreSQL aborted with
// deadlock_detected (40P01) or serialization_failure (40001) is run again
// from the start, up to maxTxAttempts times, so fn must not have effects
// outside the transaction. Writes to a read-only store fail with an error
// wrapping db.ErrReadOnly.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("postgres: %w", db.ErrReadOnly)
	}
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
	return err
}

// retryable reports whether err is PostgreSQL aborting a transaction that
// would succeed when run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// isUniqueViolation reports whether err is a unique_violation (23505),
// optionally of the named constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" &&
		(constraint == "" || pgErr.ConstraintName == constraint)
}

// millis is t as stored: unix milliseconds, as in the SQLite store.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis is a stored time in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
