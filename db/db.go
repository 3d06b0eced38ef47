// Package db is the SQLite store of newsdesk: opening the database with the
// pragmas it needs, the embedded migrations, and one file per entity
// (articles, import, list, audit, users, backup, search). SQL lives here
// and nowhere else.
package db

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var (
	// ErrNotFound is wrapped by every lookup whose row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is wrapped by *ConflictError when an edit was based on a
	// version that is no longer current.
	ErrConflict = errors.New("version conflict")
	// ErrUserExists is returned by CreateUser for a taken username.
	ErrUserExists = errors.New("user already exists")
	// ErrBadCursor is wrapped when List gets a cursor it did not make.
	ErrBadCursor = errors.New("invalid cursor")
	// ErrReadOnly is wrapped by every write to a store opened with
	// OpenReadOnly.
	ErrReadOnly = errors.New("database is open read-only")
	// ErrCorrupt is wrapped by every report of damaged stored data: an
	// article whose bytes no longer match their content hash, a row that
	// cannot be decoded, or SQLite finding the database file malformed.
	ErrCorrupt = errors.New("stored data is damaged")
	// ErrForeignDatabase is wrapped when Open is given a database that
	// holds tables but no newsdesk schema: another program's, which
	// newsdesk's tables must not be mixed into.
	ErrForeignDatabase = errors.New("not a newsdesk database")
)

// ForeignTables is the error for a database without a newsdesk schema
// that holds tables or views (the first few of names, sorted): it wraps
// ErrForeignDatabase. Both stores refuse such a database in Open.
func ForeignTables(names []string) error {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return fmt.Errorf("%w: it holds tables or views of its own (%s); give newsdesk a database of its own",
		ErrForeignDatabase, strings.Join(quoted, ", "))
}

// readerConns bounds the read pool: enough for a few concurrent page
// renders and an export, small enough to keep memory per connection low.
// Export holds a connection only while it reads a page of rows, never
// while its caller writes them out, so slow downloads cannot exhaust it.
const readerConns = 4

// defaultBusyTimeout is how long, in milliseconds, a connection waits for
// another process's lock before failing with SQLITE_BUSY.
const defaultBusyTimeout = 5000

// Store is the newsdesk database. It holds two pools on the same file: a
// writer with one connection, so writes queue in Go instead of failing with
// SQLITE_BUSY, and readers that WAL lets run beside the writer. A store
// opened with OpenReadOnly has readers only: every write returns an error
// wrapping ErrReadOnly.
type Store struct {
	w        *sql.DB
	r        *sql.DB
	path     string   // for Backup's own connection
	readOnly bool     // opened by OpenReadOnly
	roParams []string // the URI parameters of a read-only store (see readOnlyParams)
	now      func() time.Time
	batches  batchPacer   // spaces Import's transactions (see import.go)
	wStmts   *stmtCache   // statements kept prepared on w (see inWriteTx)
	rStmts   *stmtCache   // and on r (see readQueryRow)
	results  *resultCache // dropdowns and counts until the next change; nil: none (read-only stores)
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// options says how open treats the file.
type options struct {
	create      bool // create the file (mode 0600) when it does not exist
	readOnly    bool // OpenReadOnly: no writer, no migrations
	busyTimeout int  // milliseconds; 0 means defaultBusyTimeout
}

// Open opens the database file at path for reading and writing, creating
// it when it does not exist, and brings its schema up to date. It is for
// the commands that make a database: import, demo and user add. A new file
// is created mode 0600 before SQLite opens it, and SQLite gives its -wal
// and -shm files the same mode, since the database holds the session keys;
// an existing database that anyone may read is made private the same way
// (see makePrivate). path is a file name, not a URI; ":memory:" would give
// each pool a database of its own and is not supported.
func Open(ctx context.Context, path string) (*Store, error) {
	return openStore(ctx, path, options{create: true})
}

// OpenExisting is Open for a database that must already exist, for the
// commands that work on one (serve, user passwd and disable, rotate-keys):
// a mistyped path is refused with an error wrapping fs.ErrNotExist that says
// how to create a database, instead of quietly creating an empty one. It
// also refuses an empty file and an SQLite file that is not a newsdesk
// database. An older schema is brought up to date, as Open does.
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	return openStore(ctx, path, options{})
}

// OpenReadOnly opens an existing database for the commands that only read
// (export, backup, user list, check). It runs no migrations and refuses a
// schema older or newer than this program's; it takes no write lock, so it
// works beside a running server or import; it never writes to the database
// file, and it works on a file and a folder the user may not write to. The
// connections are opened with mode=ro and query_only (SQLite URI and PRAGMA
// documentation); every method that writes returns an error wrapping
// ErrReadOnly. See readOnlyParams for the -wal and -shm files.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	return openStore(ctx, path, options{readOnly: true})
}

func openStore(ctx context.Context, path string, o options) (*Store, error) {
	if path == "" {
		return nil, errors.New("db: empty database path")
	}
	if o.busyTimeout == 0 {
		o.busyTimeout = defaultBusyTimeout
	}
	if err := prepareFile(ctx, path, o); err != nil {
		return nil, err
	}
	var s *Store
	var err error
	if o.readOnly {
		s, err = openReadOnly(ctx, path, o)
	} else {
		s, err = open(ctx, path, o)
	}
	switch {
	case err != nil && !o.readOnly && isReadOnlyFile(err):
		return nil, fmt.Errorf("db: open %s: the database file or its folder is read-only, and this command writes to it (export, backup, check and user list only read): %w", path, err)
	case err != nil: // SQLite's messages do not say which file
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return s, nil
}

// prepareFile checks, creates or tightens the database file before SQLite
// opens it: SQLite would create a missing file with the umask's mode
// (usually 0644), and we want Open's new files private and the other
// openers to refuse a missing database rather than create one. A file
// that is not newsdesk's (probeNewsdesk) is refused before its mode or
// its journal mode changes.
func prepareFile(ctx context.Context, path string, o options) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && o.create:
		return createPrivate(path)
	case errors.Is(err, fs.ErrNotExist):
		return &missingError{path: path}
	case err != nil:
		return fmt.Errorf("db: open %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("db: open %s: a folder, not a database file", path)
	case fi.Mode().IsRegular() && fi.Size() == 0 && !o.create:
		return &missingError{path: path, empty: true}
	case o.readOnly:
		return nil // a read-only command changes nothing, modes included
	}
	if err := probeNewsdesk(ctx, path, o); err != nil {
		return fmt.Errorf("db: open %s: %w", path, err)
	}
	return makePrivate(path)
}

// missingError is the refusal of a path with no database. It wraps
// fs.ErrNotExist.
type missingError struct {
	path  string
	empty bool
}

func (e *missingError) Error() string {
	what := "does not exist"
	if e.empty {
		what = "is an empty file"
	}
	return fmt.Sprintf("database %s %s; create it with `newsdesk import --db %s FILES` or `newsdesk user add --db %s NAME`",
		e.path, what, e.path, e.path)
}

func (e *missingError) Unwrap() error { return fs.ErrNotExist }

func open(ctx context.Context, path string, o options) (*Store, error) {
	// mode=rw: never let SQLite create the file; Open made it already.
	w, err := openPool(dsn(path, o.busyTimeout, append([]string{"mode=rw", writerParam}, writerTuning...)...), 1)
	if err != nil {
		return nil, err
	}
	s := &Store{w: w, path: path, now: time.Now, wStmts: newStmtCache(w)}
	// Migrate before the readers open, so a fresh file gets WAL mode and
	// its schema from one connection.
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := openPool(dsn(path, o.busyTimeout, "mode=rw", readerParam), readerConns)
	if err != nil {
		w.Close()
		return nil, err
	}
	s.r, s.rStmts = r, newStmtCache(r)
	gen, err := newGeneration(ctx, dsn(path, o.busyTimeout, "mode=rw", readerParam))
	if err != nil {
		s.Close()
		return nil, err
	}
	s.results = &resultCache{gen: gen}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openReadOnly(ctx context.Context, path string, o options) (*Store, error) {
	params, err := readOnlyParams(path)
	if err != nil {
		return nil, err
	}
	r, err := openPool(roDSN(path, o.busyTimeout, params, readerParam), readerConns)
	if err != nil {
		return nil, err
	}
	s := &Store{r: r, w: refusingPool(path), path: path, readOnly: true, roParams: params, now: time.Now,
		rStmts: newStmtCache(r)}
	if err := mustBeNewsdesk(ctx, r, false); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.schemaIsCurrent(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPool(dsn string, conns int) (*sql.DB, error) {
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	// Connections carry their pragmas; keeping them avoids re-running
	// them and losing the page cache.
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
	return pool, nil
}

// dsn builds the driver's connection string. Pragmas go in the DSN because
// a PRAGMA run through database/sql reaches one pooled connection only;
// busy_timeout comes first so the others wait for locks instead of failing.
// Parameters without a leading underscore (mode) are SQLite's own URI
// parameters, which the driver passes on for a "file:" name.
func dsn(file string, busyTimeout int, extra ...string) string {
	q := append([]string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
	}, extra...)
	return "file:" + escapeURIPath(file) + "?" + strings.Join(q, "&")
}

// roDSN is dsn for a read-only connection: no journal_mode, which a
// read-only connection may not change, and the URI parameters of
// readOnlyParams.
func roDSN(file string, busyTimeout int, params []string, extra ...string) string {
	q := append([]string{fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeout)}, params...)
	q = append(q, extra...)
	return "file:" + escapeURIPath(file) + "?" + strings.Join(q, "&")
}

// The pools differ in one parameter each. BEGIN IMMEDIATE takes the write
// lock up front, so a writer transaction that reads then writes cannot
// fail half-way with SQLITE_BUSY; readers are query_only, so a write
// slipped onto the read pool fails loudly instead of racing the writer.
const (
	writerParam = "_txlock=immediate"
	readerParam = "_pragma=query_only(1)"
)

// writerTuning is the writer's tuning, measured on the 100,000 articles
// of `newsdesk gen 100000 DIR --seed 1` with BenchmarkStoreImportGrowth
// (CPU time per imported article, first and last 10,000) and `newsdesk
// import` of ten folders of 10,000 (articles/s); the figures are in the
// note of issue 9.
//
//   - temp_store(MEMORY): statement journals stay in memory. Every
//     article insert also writes the count tables through triggers, so it
//     needs a statement journal, which SQLite otherwise spills to a
//     temporary file past 64 KiB: import CPU went from 380-490 to 180-310
//     µs an article.
//   - cache_size(-16384): a 16 MiB page cache (2 MiB by default) holds
//     what a batch of 500 articles touches in the indexes, the count
//     tables and the search index, so the cost per article grows less as
//     the table grows (180-310 to 165-220 µs). 64 MiB was no faster, and
//     freeing it when the store closes took a second.
//   - wal_autocheckpoint(10000): the WAL is copied into the database once
//     it holds 40 MB rather than 4 MB, so an import does not checkpoint,
//     with its fsyncs, after every batch: 2,900-3,000 articles/s against
//     2,400-2,500, the last 10,000 as fast as the first. An import also
//     checkpoints in its pauses (Store.pause). The cost: a save that finds
//     40 MB of WAL copies it, about 100 ms here, once in thousands of saves
//     when no import runs.
//
// Readers keep SQLite's defaults. Measured with BenchmarkList100k:
// temp_store(MEMORY) and a larger cache_size changed nothing beyond the
// noise (in WAL mode a reader's cache is dropped whenever another
// connection commits), and temp_store(MEMORY) would keep a large sort in
// memory instead of a temporary file; mmap_size(256 MiB) made queries
// that read many rows up to 4x faster, but each reader connection maps
// the file, and the process's RSS grew by 230 MB against a 150 MB target.
// page_size 8192 or 16384 cost 5-15% more import CPU than 4096.
var writerTuning = []string{"_pragma=temp_store(MEMORY)", "_pragma=cache_size(-16384)", "_pragma=wal_autocheckpoint(10000)"}

// escapeURIPath escapes the characters that would end the path part of an
// SQLite URI filename, so any file name works.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Close closes both pools, after letting SQLite refresh its planner
// statistics for the next run. The readers close first, so the writer is
// the last connection: it checkpoints the WAL and removes the -wal and
// -shm files.
func (s *Store) Close() error {
	errs := []error{s.rStmts.close(), s.wStmts.close()}
	if s.results != nil {
		errs = append(errs, s.results.gen.close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		if !s.readOnly {
			if _, err := s.w.Exec("PRAGMA optimize"); err != nil {
				errs = append(errs, fmt.Errorf("db: optimize: %w", err))
			}
		}
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers a query, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.readQueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// Migration is one SQL file of a store's schema, numbered by its name's
// prefix ("0003_search.sql" is Version 3).
type Migration struct {
	Version int    // 1..N, from the name's prefix
	Name    string // the file name, for errors
	SQL     string // the file's text
}

func loadMigrations() ([]Migration, error) { return LoadMigrations(migrationFS, "migrations") }

// LoadMigrations reads the SQL files of dir in fsys, named "<number>_<what>.sql"
// and numbered 1..N without gaps, sorted by number. It returns an error
// for a name without a number and _, a gap or a repeated number, or a
// file that cannot be read. Both stores keep their schema this way.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %q: expected number %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// goSteps are the Go parts of migrations, by version: what SQL cannot do,
// such as filling a table with text processed in Go. A step runs right
// after its migration's SQL, in the same transaction, so the migration
// happens whole or not at all.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	3:  reindexSearch, // 0003_search.sql
	10: refoldTopics,  // 0010_topic_key.sql
}

// migrate applies, in order and each in its own transaction, the embedded
// migrations the database has not seen. Migrations are append-only: a
// released file is never edited, a change is a new file.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	// The version table is the one thing created outside a migration: it
	// is how we know which migrations ran. It is created in a write
	// transaction (BEGIN IMMEDIATE) too: as a lone statement it would read
	// the schema first and then need the write lock, and SQLite fails such
	// an upgrade at once with SQLITE_BUSY, without waiting, when another
	// process opening the same new file holds it.
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Again in the write transaction: another process may have made
		// tables since prepareFile looked.
		if err := mustBeNewsdesk(ctx, tx, true); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		return err
	})
	if errors.Is(err, ErrForeignDatabase) {
		return err
	}
	if err != nil {
		return fmt.Errorf("schema_version: %w", err)
	}
	for _, m := range ms {
		if err := s.apply(ctx, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration unless the database already has it. The check
// is inside the write transaction, so two processes opening a new file at
// once do not both run it.
func (s *Store) apply(ctx context.Context, m Migration, known int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var current int
		err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current)
		if err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if current > known {
			return fmt.Errorf("database schema version %d is newer than this program (%d)", current, known)
		}
		if current >= m.Version {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if step := goSteps[m.Version]; step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("migration %s: Go step: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, m.Version)
		return err
	})
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE on the single writer
// connection) and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.writable(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("db: rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// Times are stored as integers so they sort and compare in SQL:
// event times (imported, updated, created, audit) in unix milliseconds.
func toMillis(t time.Time) int64    { return t.UnixMilli() }
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
