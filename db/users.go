package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/review/account"
)

// Role is account.Role, where the roles and their rules live; the store
// only keeps its text. The alias and constants let store code and its
// callers say db.Role without a second definition.
type Role = account.Role

// The roles, as account defines them.
const (
	RoleAdmin  = account.RoleAdmin
	RoleEditor = account.RoleEditor
)

// User is an account. SessionEpoch goes up whenever existing sessions must
// end (logout, new password, disabled): a session remembers the epoch it
// was made in and is refused once it is older.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	Disabled     bool
	SessionEpoch int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastLoginAt  time.Time // the last successful login; zero: never (see RecordLogin)
}

const userColumns = `id, username, password_hash, role, disabled, session_epoch, created_at, updated_at, last_login_at`

func scanUser(row scanner) (*User, error) {
	var u User
	var role string
	var created, updated int64
	var lastLogin sql.NullInt64
	if err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &u.Disabled, &u.SessionEpoch, &created, &updated, &lastLogin); err != nil {
		return nil, err
	}
	u.Role = Role(role)
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	if lastLogin.Valid {
		u.LastLoginAt = fromMillis(lastLogin.Int64)
	}
	return &u, nil
}

// CreateUser adds a user. Usernames are unique case-insensitively; a
// taken one returns an error wrapping ErrUserExists.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role Role) (*User, error) {
	if strings.TrimSpace(username) == "" {
		return nil, errors.New("db: create user: empty username")
	}
	if passwordHash == "" {
		return nil, fmt.Errorf("db: create user %q: empty password hash", username)
	}
	if !role.Valid() {
		return nil, fmt.Errorf("db: create user %q: unknown role %q", username, role)
	}
	now := toMillis(s.now())
	// DO NOTHING + RETURNING: no row back means the name is taken, without
	// matching on the driver's error codes.
	row := s.w.QueryRowContext(ctx, `INSERT INTO users (username, password_hash, role, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING `+userColumns,
		username, passwordHash, string(role), now, now)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("db: create user %q: %w", username, ErrUserExists)
	}
	if err != nil {
		return nil, fmt.Errorf("db: create user %q: %w", username, err)
	}
	return u, nil
}

// UserByName returns the user with the given name, matched
// case-insensitively.
func (s *Store) UserByName(ctx context.Context, name string) (*User, error) {
	return s.user(ctx, "user "+fmt.Sprintf("%q", name), `SELECT `+userColumns+` FROM users WHERE username = ?`, name)
}

// UserByID returns the user with the given id.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	return s.user(ctx, fmt.Sprintf("user %d", id), `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

func (s *Store) user(ctx context.Context, what, query string, arg any) (*User, error) {
	u, err := scanUser(s.readQueryRow(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("db: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", what, err)
	}
	return u, nil
}

// Users returns every user, by username.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("db: users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("db: users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: users: %w", err)
	}
	return out, nil
}

// SetPassword stores a new password hash and ends the user's sessions.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	if hash == "" {
		return fmt.Errorf("db: set password of user %d: empty hash", id)
	}
	return s.updateUser(ctx, id, "set password", `password_hash = ?, session_epoch = session_epoch + 1`, hash)
}

// SetDisabled disables or enables a user and ends their sessions.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.updateUser(ctx, id, "set disabled", `disabled = ?, session_epoch = session_epoch + 1`, boolInt(disabled))
}

// SetRole changes what a user may do. Sessions read the role from the
// user on each request, so they need not end.
func (s *Store) SetRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("db: set role of user %d: unknown role %q", id, role)
	}
	return s.updateUser(ctx, id, "set role", `role = ?`, string(role))
}

// BumpSessionEpoch ends every session of the user (logout everywhere).
func (s *Store) BumpSessionEpoch(ctx context.Context, id int64) error {
	return s.updateUser(ctx, id, "bump session epoch", `session_epoch = session_epoch + 1`)
}

// RecordLogin notes that user id has just logged in (the users page shows
// it). It leaves updated_at alone: that is for changes to the account.
func (s *Store) RecordLogin(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, toMillis(s.now()), id)
	if err != nil {
		return fmt.Errorf("db: record login of user %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("db: record login of user %d: %w", id, cmp.Or(err, ErrNotFound))
	}
	return nil
}

// updateUser runs one UPDATE of user id with the given SET clause; no row
// updated means no such user.
func (s *Store) updateUser(ctx context.Context, id int64, what, set string, args ...any) error {
	args = append(args, toMillis(s.now()), id)
	res, err := s.w.ExecContext(ctx, `UPDATE users SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("db: %s of user %d: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("db: %s of user %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("db: %s of user %d: %w", what, id, ErrNotFound)
	}
	return nil
}
