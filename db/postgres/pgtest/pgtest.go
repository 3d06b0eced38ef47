// Package pgtest gives tests a real PostgreSQL database of their own. The
// server is named by NEWSDESK_TEST_POSTGRES, a postgres:// URL of a role
// that may create databases (.ci/run starts a throwaway cluster and sets
// it). Without it the tests that need PostgreSQL skip, except under
// CI=true, where a missing server is a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db/postgres"
)

// Env is the environment variable naming the test server.
const Env = "NEWSDESK_TEST_POSTGRES"

// templateLock serialises making the template across test processes
// (go test runs packages in parallel); any fixed number will do.
const templateLock int64 = 0x6e64746d706c //"ndtmpl"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Admin returns the server's URL, skipping the test (failing it under
// CI=true) when there is none.
func Admin(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server)", Env)
		}
		t.Skipf("%s is not set: no PostgreSQL to test against", Env)
	}
	return u
}

// URL returns the URL of a new database with newsdesk's schema, cloned
// from a template migrated once per schema (postgres.SchemaID), and drops
// it when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := Admin(t)
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin) })
	if templateErr != nil {
		t.Fatalf("pgtest: template: %v", templateErr)
	}
	name := "nd_test_" + randomHex()
	// FILE_COPY clones a small database about five times faster than
	// PostgreSQL 15's default WAL_LOG (0.3 s against 1.4 s here); older
	// servers do not know the option and clone their one way.
	err := exec(admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY`, name, templateName))
	if err != nil {
		err = exec(admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName))
	}
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(admin, name)
}

// Empty returns the URL of a new empty database (no schema), dropped when
// the test ends: for tests of migrations and of opening.
func Empty(t testing.TB) string {
	t.Helper()
	admin := Admin(t)
	name := "nd_test_" + randomHex()
	if err := exec(admin, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(admin, name)
}

// WithDatabase is the admin URL pointing at another database.
func WithDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		panic(err) // Admin's URL was used already
	}
	u.Path = "/" + name
	return u.String()
}

// makeTemplate migrates a database named after the schema version once;
// later test processes find it made.
func makeTemplate(admin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "nd_template_" + postgres.SchemaID()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, templateLock)
	var ready bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	if err := dropStaleTemplates(ctx, conn); err != nil {
		return "", err
	}
	// A template left half-made by a killed run is made again.
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", err
	}
	s, err := postgres.Open(ctx, WithDatabase(admin, name))
	if err != nil {
		return "", err
	}
	s.Close()
	_, err = conn.Exec(ctx, `ALTER DATABASE `+name+` WITH is_template true`)
	return name, err
}

// dropStaleTemplates drops the templates of other schemas, left by test
// runs before a migration changed, so a developer's server does not
// collect one per edit. A run of an older checkout using one at the same
// moment would fail to clone it, and make it again.
func dropStaleTemplates(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'nd\_template\_%' AND datistemplate`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		ident := pgx.Identifier{n}.Sanitize()
		if _, err := conn.Exec(ctx, `ALTER DATABASE `+ident+` WITH is_template false`); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`); err != nil {
			return err
		}
	}
	return nil
}

func exec(admin, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
