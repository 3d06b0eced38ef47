package postgres

// Stubs of the users area until it is written: delete each one as its
// method lands (the package must keep compiling), and this file with the last.

import (
	"context"
	"errors"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

var (
	_ = time.Now
	_ article.Status
	_ = db.ErrNotFound
)

var errTodoUsers = errors.New("postgres: not written yet")

func (s *Store) OpenArticle(ctx context.Context, articleID, userID int64, now time.Time) error {
	return errTodoUsers
}

func (s *Store) RenewPresence(ctx context.Context, articleID, userID int64, now time.Time) error {
	return errTodoUsers
}

func (s *Store) OpenBy(ctx context.Context, ids []int64, except int64, now time.Time) (map[int64][]string, error) {
	return nil, errTodoUsers
}

func (s *Store) Dashboard(ctx context.Context, q db.DashboardQuery) (*db.Dashboard, error) {
	return nil, errTodoUsers
}

func (s *Store) ReviewsByUser(ctx context.Context) (map[int64]db.Reviews, error) {
	return nil, errTodoUsers
}

func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role db.Role) (*db.User, error) {
	return nil, errTodoUsers
}

func (s *Store) UserByName(ctx context.Context, name string) (*db.User, error) {
	return nil, errTodoUsers
}

func (s *Store) UserByID(ctx context.Context, id int64) (*db.User, error) {
	return nil, errTodoUsers
}

func (s *Store) Users(ctx context.Context) ([]db.User, error) {
	return nil, errTodoUsers
}

func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	return errTodoUsers
}

func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return errTodoUsers
}

func (s *Store) SetRole(ctx context.Context, id int64, role db.Role) error {
	return errTodoUsers
}

func (s *Store) BumpSessionEpoch(ctx context.Context, id int64) error {
	return errTodoUsers
}

func (s *Store) RecordLogin(ctx context.Context, id int64) error {
	return errTodoUsers
}

func (s *Store) SessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error) {
	return nil, nil, errTodoUsers
}

func (s *Store) RotateSessionKeys(ctx context.Context) error {
	return errTodoUsers
}

func (s *Store) Check(ctx context.Context) ([]db.Problem, error) {
	return nil, errTodoUsers
}
