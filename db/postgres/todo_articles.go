package postgres

// Stubs of the articles area until it is written: delete each one as its
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

var errTodoArticles = errors.New("postgres: not written yet")

func (s *Store) Get(ctx context.Context, id int64) (*db.Record, error) {
	return nil, errTodoArticles
}

func (s *Store) GetByKey(ctx context.Context, key string) (*db.Record, error) {
	return nil, errTodoArticles
}

func (s *Store) Update(ctx context.Context, id int64, e db.Edit) (*db.Record, error) {
	return nil, errTodoArticles
}

func (s *Store) History(ctx context.Context, articleID int64) ([]db.AuditEntry, error) {
	return nil, errTodoArticles
}

func (s *Store) Import(ctx context.Context, arts []*article.Article) ([]db.ImportOutcome, error) {
	return nil, errTodoArticles
}

func (s *Store) Export(ctx context.Context, q db.ListQuery, fn func(db.ExportRecord) error) error {
	return errTodoArticles
}
