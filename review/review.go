// Package review is the editorial workflow of newsdesk, used alike by the
// command line and the web handlers: import in bounded batches, save (the
// canonical topics, the check that the result still exports, the version
// check and the audit, in one store transaction) and export (stored
// originals, hash checked, patched, written to a folder, a zip or a YAML
// stream). Callers only decode their input and render the outcome.
package review

import (
	"context"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Store is what the workflow needs of the database.
type Store interface {
	Import(ctx context.Context, arts []*article.Article) ([]db.ImportOutcome, error)
	Get(ctx context.Context, id int64) (*db.Record, error)
	Update(ctx context.Context, id int64, e db.Edit) (*db.Record, error)
	History(ctx context.Context, id int64) ([]db.AuditEntry, error)
	CanonicalTopic(ctx context.Context, name string) (string, error)
	Export(ctx context.Context, q db.ListQuery, fn func(db.ExportRecord) error) error
	BulkStore
}

// Service runs the workflow on one store.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the workflow over store.
func New(store Store) *Service {
	return &Service{store: store, now: time.Now}
}
