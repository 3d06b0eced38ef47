package postgres

// Stubs of the bulk area until it is written: delete each one as its
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

var errTodoBulk = errors.New("postgres: not written yet")

func (s *Store) SnapshotQuery(ctx context.Context, q db.ListQuery, userID int64, action string) (db.SnapshotInfo, error) {
	return db.SnapshotInfo{}, errTodoBulk
}

func (s *Store) SnapshotSeen(ctx context.Context, seen []db.Seen, userID int64, action string) (db.SnapshotInfo, error) {
	return db.SnapshotInfo{}, errTodoBulk
}

func (s *Store) SnapshotTopic(ctx context.Context, topic string, userID int64, action string) (db.SnapshotInfo, error) {
	return db.SnapshotInfo{}, errTodoBulk
}

func (s *Store) Snapshot(ctx context.Context, id, userID int64) (db.SnapshotInfo, error) {
	return db.SnapshotInfo{}, errTodoBulk
}

func (s *Store) BulkApply(ctx context.Context, snapshotID int64, b db.Batch, step db.BulkStep) (db.BatchCounts, error) {
	return db.BatchCounts{}, errTodoBulk
}

func (s *Store) UndoBatch(ctx context.Context, batchID int64, b db.Batch, step db.UndoStep) (db.BatchCounts, error) {
	return db.BatchCounts{}, errTodoBulk
}

func (s *Store) Batch(ctx context.Context, id int64) (db.BatchInfo, error) {
	return db.BatchInfo{}, errTodoBulk
}

func (s *Store) Batches(ctx context.Context, limit int) ([]db.BatchInfo, error) {
	return nil, errTodoBulk
}
