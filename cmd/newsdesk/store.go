package main

import (
	"context"
	"errors"
	"net/url"
	"regexp"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
)

// storeMode is how a command opens its database.
type storeMode int

const (
	// storeCreate creates a missing SQLite file and brings the schema up
	// to date: for the commands that make a database (import, user add).
	storeCreate storeMode = iota
	// storeExisting brings the schema up to date but refuses a missing
	// SQLite file, so a mistyped path is not quietly served empty (serve,
	// rotate-keys, user passwd and disable).
	storeExisting
	// storeReadOnly runs no migrations and refuses every write (export,
	// check, user list).
	storeReadOnly
)

// openStore opens the database that --db names: a postgres:// or
// postgresql:// URL is a PostgreSQL database, anything else an SQLite file.
//
// On PostgreSQL the database itself must exist on the server (newsdesk
// never creates one): storeCreate gives an empty one newsdesk's tables,
// storeExisting refuses a database without them, and both update the
// schema under an advisory lock, so servers starting together migrate
// once. storeReadOnly refuses a database whose schema is missing or not
// this program's. Errors never hold the URL's
// password.
func openStore(ctx context.Context, dsn string, mode storeMode) (db.Database, error) {
	if err := checkDSN(dsn); err != nil {
		return nil, err
	}
	if postgres.IsURL(dsn) {
		switch mode {
		case storeCreate:
			return postgres.Open(ctx, dsn)
		case storeExisting:
			return postgres.OpenExisting(ctx, dsn)
		default:
			return postgres.OpenReadOnly(ctx, dsn)
		}
	}
	switch mode {
	case storeCreate:
		return db.Open(ctx, dsn)
	case storeExisting:
		return db.OpenExisting(ctx, dsn)
	default:
		return db.OpenReadOnly(ctx, dsn)
	}
}

// displayDB is --db as messages show it: an SQLite path as given; a
// PostgreSQL URL as scheme://user@host:port/database only, since its
// password may be in the user part or in the query string
// (?password=...), and the rest of the query is settings.
func displayDB(dsn string) string {
	if !postgres.IsURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database of --db"
	}
	shown := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	if u.User != nil && u.User.Username() != "" {
		shown.User = url.User(u.User.Username())
	}
	return shown.String()
}

// keyValueDSN matches the start of a libpq key/value connection string
// ("host=db user=newsdesk password=..."), which --db does not take.
var keyValueDSN = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)

// checkDSN refuses a --db value that is a libpq key/value connection
// string: taken as an SQLite path it would become a file named after it,
// password and all, and be echoed in messages. The error does not repeat
// the value. A file whose name looks like that can be named ./NAME.
func checkDSN(dsn string) error {
	if keyValueDSN.MatchString(dsn) {
		return errors.New("the database looks like a key/value connection string (host=... dbname=...); newsdesk takes a postgres://user@host:port/database URL, or an SQLite file path (write ./NAME for a file named like that)")
	}
	return nil
}
