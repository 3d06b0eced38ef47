package postgres

// Stubs of the list area until it is written: delete each one as its
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

var errTodoList = errors.New("postgres: not written yet")

func (s *Store) List(ctx context.Context, q db.ListQuery) (db.Page, error) {
	return db.Page{}, errTodoList
}

func (s *Store) Topics(ctx context.Context) ([]db.Facet, error) {
	return nil, errTodoList
}

func (s *Store) TopTopics(ctx context.Context, n int) ([]db.Facet, error) {
	return nil, errTodoList
}

func (s *Store) Categories(ctx context.Context) ([]db.Facet, error) {
	return nil, errTodoList
}

func (s *Store) Providers(ctx context.Context) ([]db.Facet, error) {
	return nil, errTodoList
}

func (s *Store) CanonicalTopic(ctx context.Context, name string) (string, error) {
	return "", errTodoList
}

func (s *Store) TopicCounts(ctx context.Context, q db.TopicQuery) (db.TopicPage, error) {
	return db.TopicPage{}, errTodoList
}

func (s *Store) TopicByName(ctx context.Context, name string) (db.TopicCount, error) {
	return db.TopicCount{}, errTodoList
}
