package db

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

func approveStep(*Record) (Edit, error) {
	st := article.StatusApproved
	return Edit{Status: &st}, nil
}

func bulkBatch(full bool) Batch {
	return Batch{Kind: "approve", UserID: 0, Actor: "alice", Full: full}
}

// statuses are the statuses of the articles by key.
func statuses(t *testing.T, s *Store, arts []*article.Article) map[string]article.Status {
	t.Helper()
	out := map[string]article.Status{}
	for _, a := range arts {
		out[a.Key] = mustGetByKey(t, s, a.Key).Status
	}
	return out
}

func checkClean(t *testing.T, s *Store) {
	t.Helper()
	probs, err := s.Check(context.Background())
	if err != nil || len(probs) > 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
}

// The action applies to exactly the snapshot's articles: one imported
// after it is untouched, one changed after it is skipped and keeps the
// other editor's change; every changed article is audited with the batch.
func TestBulkApplySnapshotSemantics(t *testing.T) {
	ctx := context.Background()
	for _, full := range []bool{false, true} {
		s := newStore(t)
		arts := genArticles(10)
		mustImport(t, s, arts...)
		snap, err := s.SnapshotQuery(ctx, ListQuery{Status: article.StatusPending}, 0, "")
		if err != nil || snap.Count != 10 {
			t.Fatalf("snapshot %+v, %v", snap, err)
		}
		late := genArticle(10)
		mustImport(t, s, late)
		changed := mustGetByKey(t, s, arts[3].Key)
		rejected := article.StatusRejected
		if _, err := s.Update(ctx, changed.ID, Edit{Version: changed.Version, Status: &rejected, Actor: "bob"}); err != nil {
			t.Fatal(err)
		}
		var calls int
		b := bulkBatch(full)
		b.Progress = func(done, total int) { calls++ }
		out, err := s.BulkApply(ctx, snap.ID, b, approveStep)
		if err != nil {
			t.Fatal(err)
		}
		if out.Changed != 9 || out.Skipped != 1 || out.Unchanged != 0 || out.BatchID == 0 || calls == 0 {
			t.Errorf("full=%v: outcome %+v, progress calls %d", full, out, calls)
		}
		st := statuses(t, s, append(arts, late))
		if st[late.Key] != article.StatusPending || st[arts[3].Key] != article.StatusRejected || st[arts[0].Key] != article.StatusApproved {
			t.Errorf("statuses after bulk: %v", st)
		}
		r := mustGetByKey(t, s, arts[0].Key)
		hist, err := s.History(ctx, r.ID)
		if err != nil || len(hist) != 1 || hist[0].Field != "status" || hist[0].Version != r.Version || hist[0].New != "approved" {
			t.Errorf("history %+v, %v", hist, err)
		}
		var batch int64
		if err := s.r.QueryRow(`SELECT batch_id FROM audit WHERE article_id = ?`, r.ID).Scan(&batch); err != nil || batch != out.BatchID {
			t.Errorf("audit batch %d, want %d (%v)", batch, out.BatchID, err)
		}
		if _, err := s.BulkApply(ctx, snap.ID, bulkBatch(full), approveStep); !errors.Is(err, ErrNotFound) {
			t.Errorf("a used snapshot again: %v, want ErrNotFound", err)
		}
		checkClean(t, s)
	}
}

// A failure at any article aborts the batch: nothing is written, and the
// snapshot can still be used.
func TestBulkApplyFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(5)
	mustImport(t, s, arts...)
	u, err := s.CreateUser(ctx, "alice", "x", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.SnapshotQuery(ctx, ListQuery{}, u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = s.BulkApply(ctx, snap.ID, Batch{Kind: "approve", UserID: u.ID, Actor: "alice"}, func(cur *Record) (Edit, error) {
		if n++; n == 3 {
			return Edit{}, errors.New("boom")
		}
		return approveStep(cur)
	})
	if err == nil {
		t.Fatal("no error")
	}
	for k, st := range statuses(t, s, arts) {
		if st != article.StatusPending {
			t.Errorf("%s is %s after a failed batch", k, st)
		}
	}
	if a, b := countRows(t, s, "audit"), countRows(t, s, "batches"); a != 0 || b != 0 {
		t.Errorf("audit %d, batches %d rows after a failed batch", a, b)
	}
	if _, err := s.BulkApply(ctx, snap.ID, Batch{Kind: "approve", UserID: u.ID, Actor: "alice"}, approveStep); err != nil {
		t.Errorf("the snapshot after a failed batch: %v", err)
	}
	checkClean(t, s)
}

func TestSnapshotOwnerAndExpiry(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(3)...)
	snap, err := s.SnapshotSeen(ctx, []Seen{{1, 1}, {2, 1}, {999, 1}, {1, 1}}, 1, "")
	if err != nil || snap.Count != 2 {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	if _, err := s.Snapshot(ctx, snap.ID, 2); !errors.Is(err, ErrNotOwner) {
		t.Errorf("another user's snapshot: %v", err)
	}
	if _, err := s.BulkApply(ctx, snap.ID, Batch{Kind: "approve", UserID: 2, Actor: "bob"}, approveStep); !errors.Is(err, ErrNotOwner) {
		t.Errorf("bulk on another user's snapshot: %v", err)
	}
	if _, err := s.Snapshot(ctx, 12345, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("no snapshot: %v", err)
	}
	start := time.Now()
	s.now = func() time.Time { return start.Add(SnapshotTTL + time.Minute) }
	if _, err := s.Snapshot(ctx, snap.ID, 1); !errors.Is(err, ErrSnapshotExpired) {
		t.Errorf("an old snapshot: %v", err)
	}
	if _, err := s.BulkApply(ctx, snap.ID, Batch{Kind: "approve", UserID: 1, Actor: "alice"}, approveStep); !errors.Is(err, ErrSnapshotExpired) {
		t.Errorf("bulk on an old snapshot: %v", err)
	}
	// The next snapshot removes expired ones, items included.
	if _, err := s.SnapshotTopic(ctx, "no such topic", 1, ""); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "bulk_snapshot_items"); n != 0 {
		t.Errorf("%d items of expired snapshots remain", n)
	}
	if _, err := s.SnapshotSeen(ctx, make([]Seen, MaxSnapshotIDs+1), 1, ""); err == nil {
		t.Error("too many ids taken")
	}
}

// A selection of no article stores no snapshot row (the rest of the
// snapshot rules are the suite's Bulk/SnapshotIDsNotReusedAndActionBound).
func TestEmptySnapshotStoresNothing(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticles(3)...)
	empty, err := s.SnapshotSeen(context.Background(), []Seen{{999, 1}}, 0, "approve")
	if err != nil || empty.ID != 0 || empty.Count != 0 {
		t.Errorf("snapshot of no article: %+v, %v", empty, err)
	}
	if n := countRows(t, s, "bulk_snapshots"); n != 0 {
		t.Errorf("%d snapshot rows after a snapshot of no article", n)
	}
}
