package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

const userColumns = `id, username, password_hash, role, disabled, session_epoch, created_at, updated_at, last_login_at`

// nocase is the SQL of expr (a text column or parameter) folded as
// SQLite's NOCASE collation folds users.username and topics.name there:
// the ASCII capitals lower-cased, every other character as it is, and
// ordered by bytes, whatever the database's locale. lower() under the C
// collation folds ASCII only; under any other it folds every script. The
// unique indexes users_username and topics_name (0001_init.sql) are on
// this same expression, so the lookups written with it use them.
func nocase(expr string) string { return `lower(` + expr + ` COLLATE "C")` }

// scanUser reads a row of userColumns. disabled is an integer 0/1, as in
// SQLite, so it is scanned as one.
func scanUser(row pgx.Row) (*db.User, error) {
	var u db.User
	var role string
	var disabled int
	var created, updated int64
	var lastLogin *int64
	if err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &disabled, &u.SessionEpoch, &created, &updated, &lastLogin); err != nil {
		return nil, err
	}
	u.Role, u.Disabled = db.Role(role), disabled != 0
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	if lastLogin != nil {
		u.LastLoginAt = fromMillis(*lastLogin)
	}
	return &u, nil
}

// CreateUser adds a user. Usernames are unique ignoring ASCII case, as in
// SQLite ("alice" and "ALICE" are one name, "Émile" and "émile" two: see
// nocase); a taken one returns an error wrapping db.ErrUserExists. An
// empty username or hash, or an unknown role, is refused before any
// write.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role db.Role) (*db.User, error) {
	if strings.TrimSpace(username) == "" {
		return nil, errors.New("postgres: create user: empty username")
	}
	if passwordHash == "" {
		return nil, fmt.Errorf("postgres: create user %q: empty password hash", username)
	}
	if !role.Valid() {
		return nil, fmt.Errorf("postgres: create user %q: unknown role %q", username, role)
	}
	if s.readOnly {
		return nil, fmt.Errorf("postgres: create user %q: %w", username, db.ErrReadOnly)
	}
	now := millis(s.now())
	// DO NOTHING + RETURNING: no row back means the name is taken, even
	// when another instance inserted it a moment ago.
	u, err := scanUser(s.pool.QueryRow(ctx, `INSERT INTO users (username, password_hash, role, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING `+userColumns,
		username, passwordHash, string(role), now))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: create user %q: %w", username, db.ErrUserExists)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: create user %q: %w", username, err)
	}
	return u, nil
}

// UserByName returns the user with the given name, matched ignoring
// ASCII case (see nocase); db.ErrNotFound (wrapped) when there is none.
func (s *Store) UserByName(ctx context.Context, name string) (*db.User, error) {
	return s.user(ctx, fmt.Sprintf("user %q", name),
		`SELECT `+userColumns+` FROM users WHERE `+nocase("username")+` = `+nocase("$1::text"), name)
}

// UserByID returns the user with the given id; db.ErrNotFound (wrapped)
// when there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (*db.User, error) {
	return s.user(ctx, fmt.Sprintf("user %d", id), `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
}

func (s *Store) user(ctx context.Context, what, query string, arg any) (*db.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, query, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: %s: %w", what, db.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return u, nil
}

// Users returns every user, by username ignoring ASCII case, as SQLite's
// NOCASE column orders them (see nocase).
func (s *Store) Users(ctx context.Context) ([]db.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY `+nocase("username"))
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (db.User, error) {
		u, err := scanUser(r)
		if err != nil {
			return db.User{}, err
		}
		return *u, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: users: %w", err)
	}
	return out, nil
}

// SetPassword stores a new password hash and ends the user's sessions
// (raises the session epoch). Errors: an empty hash, db.ErrNotFound.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	if hash == "" {
		return fmt.Errorf("postgres: set password of user %d: empty hash", id)
	}
	return s.updateUser(ctx, id, "set password", `password_hash = $3, session_epoch = session_epoch + 1`, hash)
}

// SetDisabled disables or enables a user and ends their sessions.
// Errors: db.ErrNotFound.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	flag := 0
	if disabled {
		flag = 1
	}
	return s.updateUser(ctx, id, "set disabled", `disabled = $3, session_epoch = session_epoch + 1`, flag)
}

// SetRole changes what a user may do. Sessions read the role from the
// user on each request, so they need not end. Errors: an unknown role,
// db.ErrNotFound.
func (s *Store) SetRole(ctx context.Context, id int64, role db.Role) error {
	if !role.Valid() {
		return fmt.Errorf("postgres: set role of user %d: unknown role %q", id, role)
	}
	return s.updateUser(ctx, id, "set role", `role = $3`, string(role))
}

// BumpSessionEpoch ends every session of the user (logout everywhere), on
// every instance: each reads the epoch from the database per request.
// Errors: db.ErrNotFound.
func (s *Store) BumpSessionEpoch(ctx context.Context, id int64) error {
	return s.updateUser(ctx, id, "bump session epoch", `session_epoch = session_epoch + 1`)
}

// RecordLogin notes that user id has just logged in (the users page shows
// it). It leaves updated_at alone: that is for changes to the account.
// Errors: db.ErrNotFound.
func (s *Store) RecordLogin(ctx context.Context, id int64) error {
	return s.execUser(ctx, id, "record login", `UPDATE users SET last_login_at = $1 WHERE id = $2`, millis(s.now()), id)
}

// updateUser runs one UPDATE of user id with the given SET clause, whose
// own arguments start at $3 ($1 is updated_at, $2 the id); no row updated
// means no such user. The epoch is raised in the statement itself, so
// two instances raising it at once both count.
func (s *Store) updateUser(ctx context.Context, id int64, what, set string, args ...any) error {
	args = append([]any{millis(s.now()), id}, args...)
	return s.execUser(ctx, id, what, `UPDATE users SET `+set+`, updated_at = $1 WHERE id = $2`, args...)
}

func (s *Store) execUser(ctx context.Context, id int64, what, query string, args ...any) error {
	if s.readOnly {
		return fmt.Errorf("postgres: %s of user %d: %w", what, id, db.ErrReadOnly)
	}
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("postgres: %s of user %d: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s of user %d: %w", what, id, db.ErrNotFound)
	}
	return nil
}
