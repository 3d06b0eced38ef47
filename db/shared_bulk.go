package db

// The bulk area's pure logic, exported for the PostgreSQL store (package
// db/postgres), which must decide exactly as this one does: what a chunk
// of a batch skips, leaves unchanged, refuses and writes, the checks run
// side by side, the snapshot rules, the history rows. Only the SQL differs
// between the stores.

import (
	"errors"
	"fmt"
	"time"
)

// Batches read, check and write BatchChunk articles at a time, and call
// Batch.Progress every ProgressEvery articles (a multiple of BatchChunk).
const (
	BatchChunk    = batchChunk
	ProgressEvery = progressEvery
)

// SnapshotUsable checks that userID may use the snapshot info at time
// now. Errors (wrapped): ErrNotOwner, ErrSnapshotExpired (older than
// SnapshotTTL).
func SnapshotUsable(info SnapshotInfo, userID int64, now time.Time) error {
	// usable reads only the store's clock.
	return (&Store{now: func() time.Time { return now }}).usable(info, userID)
}

// BatchParams is the params column of b: b.Params, or "{}" for none.
func BatchParams(b Batch) string {
	if b.Params == "" {
		return "{}"
	}
	return b.Params
}

// BulkSave is an article of a batch to write, in order: Next as its Edit
// leaves it (Edit.Version, ActorID and Actor filled in), audited with
// Changes and the batch's id, its version raised by one.
type BulkSave struct {
	Next    *Record
	Changes []Change
	Edit    Edit
}

// PlanChunk decides what a batch does to one chunk of its articles: the
// one decision loop of both stores' batches, each reading the chunk and
// writing the result with its own SQL. items are the chunk's articles
// with the version each must still have (items[0] is the batch's article
// number first, the index step receives); recs the chunk's articles as they are
// now, by id (one missing was deleted). An article deleted or changed
// since is counted in out.Skipped; one step refuses (ErrRefused, wrapped)
// or whose Edit.Check fails is counted in out.Refused and named in
// out.Refusals (at most MaxRefusals); one the edit leaves as it is in
// out.Unchanged. The Checks run side by side, on as many goroutines as
// there are processors. The result is the articles to write, in items'
// order; the caller adds them to out.Changed as it writes them. An error
// from step (other than ErrRefused) or an invalid edit aborts the batch:
// the error names the article.
func PlanChunk(b Batch, items []Seen, recs map[int64]*Record, first int, step func(cur *Record, i int) (Edit, error), out *BatchCounts) ([]BulkSave, error) {
	pend := make([]pendingSave, 0, len(items))
	for k, it := range items {
		cur := recs[it.ID]
		if cur == nil || cur.Version != it.Version {
			out.Skipped++ // deleted, or changed since
			continue
		}
		e, err := step(cur, first+k)
		if errors.Is(err, ErrRefused) {
			out.refuse(cur, err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("article %d: %w", it.ID, err)
		}
		e.Version, e.ActorID, e.Actor = cur.Version, b.UserID, b.Actor
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("article %d: %w", it.ID, err)
		}
		next, changes := applyEdit(cur, e)
		if len(changes) == 0 && b.RenameFrom != "" {
			next, changes = respell(cur, e)
		}
		if len(changes) == 0 {
			out.Unchanged++
			continue
		}
		pend = append(pend, pendingSave{next: next, changes: changes, e: e})
	}
	checkAll(pend)
	saves := make([]BulkSave, 0, len(pend))
	for _, p := range pend {
		if p.refused != nil {
			out.refuse(p.next, p.refused)
			continue
		}
		saves = append(saves, BulkSave{Next: p.next, Changes: exportChanges(p.changes), Edit: p.e})
	}
	return saves, nil
}

// ScanBatch reads one row of the batches table, columns id, kind,
// params, coalesce(user_id, 0), actor, at, changed, unchanged, skipped,
// refused, coalesce(undoes, 0), coalesce(undone_by, 0),
// coalesce(undone_at, 0), in that order. The error is the row's
// (sql.ErrNoRows, pgx.ErrNoRows...).
func ScanBatch(row RowScanner) (BatchInfo, error) { return scanBatch(row) }
