package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// Instances starting together on an empty database take turns at the
// migrations (the advisory lock): all of them open, and the schema is
// made once.
func TestOpenConcurrentMigrations(t *testing.T) {
	url := pgtest.Empty(t)
	ctx := context.Background()
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows, version int
	if err := stores[0].Pool().QueryRow(ctx, `SELECT count(*), max(version) FROM schema_version`).Scan(&rows, &version); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || version != postgres.SchemaVersion() {
		t.Errorf("schema_version holds %d rows, version %d; want 1 row, version %d", rows, version, postgres.SchemaVersion())
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	t.Run("refuses a database without newsdesk's schema", func(t *testing.T) {
		_, err := postgres.OpenReadOnly(ctx, pgtest.Empty(t))
		if err == nil || !strings.Contains(err.Error(), "not a newsdesk database") {
			t.Fatalf("OpenReadOnly of an empty database: %v; want a refusal saying it is not a newsdesk database", err)
		}
	})
	t.Run("refuses a newer schema, and Open does too", func(t *testing.T) {
		url := pgtest.URL(t)
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Pool().Exec(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		for name, open := range map[string]func(context.Context, string) (*postgres.Store, error){
			"Open": postgres.Open, "OpenReadOnly": postgres.OpenReadOnly,
		} {
			if _, err := open(ctx, url); err == nil || !strings.Contains(err.Error(), "newer than this program") {
				t.Errorf("%s of a newer schema: %v; want a refusal", name, err)
			}
		}
	})
	t.Run("writes fail with ErrReadOnly", func(t *testing.T) {
		url := pgtest.URL(t)
		s, err := postgres.OpenReadOnly(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.CreateUser(ctx, "alice", "hash", db.RoleEditor); !errors.Is(err, db.ErrReadOnly) {
			t.Errorf("CreateUser on a read-only store: %v; want ErrReadOnly", err)
		}
	})
}

// A URL's password never appears in an error, whatever fails.
func TestOpenErrorsHideThePassword(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{
		"postgres://newsdesk:s3cret-pw@127.0.0.1:1/news?sslmode=disable&connect_timeout=2", // nothing listens on port 1
		"postgres://newsdesk:s3cret-pw@[::1/news",                                          // cannot be parsed
	} {
		_, err := postgres.Open(ctx, url)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Open's error shows the password: %v", err)
		}
	}
}

// A bad setting in the URL is named, without the URL's password.
func TestOpenNamesABadSetting(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://newsdesk:s3cret-pw@127.0.0.1:1/news?pool_max_conns=abc")
	if err == nil || !strings.Contains(err.Error(), "cannot parse pool_max_conns") || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open with pool_max_conns=abc: %v; want an error naming pool_max_conns, without the password", err)
	}
}

// OpenExisting refuses a database that is not newsdesk's rather than give
// it newsdesk's tables, and opens one that is.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	empty := pgtest.Empty(t)
	if _, err := postgres.OpenExisting(ctx, empty); err == nil || !strings.Contains(err.Error(), "not a newsdesk database") {
		t.Fatalf("OpenExisting of an empty database: %v; want a refusal", err)
	}
	s, err := postgres.Open(ctx, empty) // Open gives it the tables...
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = postgres.OpenExisting(ctx, empty) // ...and then it is newsdesk's
	if err != nil {
		t.Fatalf("OpenExisting after Open: %v", err)
	}
	s.Close()
}

// A database whose schema holds another program's tables (one named
// like ours among them) is refused, and left as it was: it is still not a
// newsdesk database afterwards.
func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	url := pgtest.Empty(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE articles (invoice text)`); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, url)
	if err == nil {
		s.Close()
		t.Fatal("Open took another program's database")
	}
	if !errors.Is(err, db.ErrForeignDatabase) || !strings.Contains(err.Error(), `"articles", "customers"`) {
		t.Errorf("error %q, want db.ErrForeignDatabase naming its tables", err)
	}
	var tables string
	if err := conn.QueryRow(ctx, `SELECT string_agg(tablename::text, ' ' ORDER BY tablename) FROM pg_tables
		WHERE schemaname = current_schema()`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != "articles customers" {
		t.Errorf("the database now holds %q", tables)
	}
	if _, err := postgres.OpenExisting(ctx, url); !errors.Is(err, db.ErrForeignDatabase) {
		t.Errorf("OpenExisting after the refusal: %v; want db.ErrForeignDatabase", err)
	}
}

// A newsdesk database is found wherever the search_path finds it, though
// the first schema on the path holds another program's tables.
func TestOpenFindsTheSchemaOnTheSearchPath(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA other; CREATE TABLE other.foo (id bigint)`); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, url+"&search_path=other,public")
	if err != nil {
		t.Fatalf("Open with another schema first on the search_path: %v", err)
	}
	s.Close()
}

// A database is newsdesk's by the shape of its schema_version table, not
// by the name alone (Flyway keeps one too), and views and sequences count
// as another program's as tables do. Each is refused, by Open and by the
// commands that only read, and left as it was.
func TestOpenRefusesLookalikes(t *testing.T) {
	ctx := context.Background()
	for name, schema := range map[string]string{
		"flyway-like":  `CREATE TABLE schema_version (version text PRIMARY KEY, script text); INSERT INTO schema_version VALUES ('1', 'V1__init.sql'); CREATE TABLE invoices (id int)`,
		"same columns": `CREATE TABLE schema_version (version bigint NOT NULL); INSERT INTO schema_version VALUES (1); CREATE TABLE invoices (id int)`,
		"views only":   `CREATE VIEW v AS SELECT 1; CREATE SEQUENCE s`,
	} {
		t.Run(name, func(t *testing.T) {
			url := pgtest.Empty(t)
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, schema); err != nil {
				t.Fatal(err)
			}
			relations := func() string {
				var s string
				if err := conn.QueryRow(ctx, `SELECT string_agg(relname::text, ' ' ORDER BY relname) FROM pg_class
					WHERE relnamespace = 'public'::regnamespace`).Scan(&s); err != nil {
					t.Fatal(err)
				}
				return s
			}
			before := relations()
			if s, err := postgres.Open(ctx, url); !errors.Is(err, db.ErrForeignDatabase) {
				if err == nil {
					s.Close()
				}
				t.Errorf("Open: %v, want db.ErrForeignDatabase", err)
			}
			if _, err := postgres.OpenReadOnly(ctx, url); !errors.Is(err, db.ErrForeignDatabase) || !strings.Contains(err.Error(), "of its own") {
				t.Errorf("OpenReadOnly: %v, want db.ErrForeignDatabase naming what it holds", err)
			}
			if after := relations(); after != before {
				t.Errorf("the database held %q, now %q", before, after)
			}
		})
	}
}
