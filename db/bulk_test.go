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

// A topic change in a batch reaches the topic table, the counts and the
// search index.
func TestBulkTopicsFollowSearchAndCounts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(6)
	mustImport(t, s, arts...)
	snap, err := s.SnapshotQuery(ctx, ListQuery{}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.BulkApply(ctx, snap.ID, Batch{Kind: "add-topic", Actor: "alice", Full: true}, func(cur *Record) (Edit, error) {
		return Edit{Topics: append(cur.Topics[:len(cur.Topics):len(cur.Topics)], "Zeppelins"), SetTopics: true}, nil
	})
	if err != nil || out.Changed != 6 {
		t.Fatalf("%+v %v", out, err)
	}
	page, err := s.List(ctx, ListQuery{Text: "zeppelins"})
	if err != nil || page.Total != 6 {
		t.Errorf("search finds %d, want 6 (%v)", page.Total, err)
	}
	page, err = s.List(ctx, ListQuery{Topic: "zeppelins"})
	if err != nil || page.Total != 6 {
		t.Errorf("topic filter finds %d, want 6 (%v)", page.Total, err)
	}
	checkClean(t, s)
}

// Undo reverts the articles still as the batch left them and skips the
// others; it is a batch itself, and a batch is undone once.
func TestUndoBatchSkipsChangedSince(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(4)
	mustImport(t, s, arts...)
	snap, err := s.SnapshotQuery(ctx, ListQuery{}, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	done, err := s.BulkApply(ctx, snap.ID, bulkBatch(false), approveStep)
	if err != nil {
		t.Fatal(err)
	}
	moved := mustGetByKey(t, s, arts[1].Key)
	note := "checked"
	if _, err := s.Update(ctx, moved.ID, Edit{Version: moved.Version, Note: &note, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	undo := func(cur *Record, entries []AuditEntry) (Edit, error) {
		if len(entries) != 1 || entries[0].Field != "status" {
			t.Errorf("entries %+v", entries)
		}
		st := article.Status(entries[0].Old)
		return Edit{Status: &st}, nil
	}
	out, err := s.UndoBatch(ctx, done.BatchID, Batch{Kind: "undo", Actor: "carol"}, undo)
	if err != nil || out.Changed != 3 || out.Skipped != 1 {
		t.Fatalf("undo %+v, %v", out, err)
	}
	st := statuses(t, s, arts)
	if st[arts[0].Key] != article.StatusPending || st[arts[1].Key] != article.StatusApproved {
		t.Errorf("statuses after undo: %v", st)
	}
	if _, err := s.UndoBatch(ctx, done.BatchID, Batch{Kind: "undo", Actor: "carol"}, undo); !errors.Is(err, ErrBatchUndone) {
		t.Errorf("second undo: %v", err)
	}
	if _, err := s.UndoBatch(ctx, 999, Batch{Kind: "undo", Actor: "carol"}, undo); !errors.Is(err, ErrNotFound) {
		t.Errorf("undo of no batch: %v", err)
	}
	list, err := s.Batches(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Undoes != done.BatchID || list[1].UndoneBy != list[0].BatchID || list[1].Changed != 4 {
		t.Errorf("batches %+v, %v", list, err)
	}
	checkClean(t, s)
}

// A selection keeps the versions the editor's page showed, not the ones
// the articles have when it is posted: an article changed between the two
// is skipped, and keeps the other editor's change.
func TestSnapshotSeenKeepsThePagesVersions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(3)
	mustImport(t, s, arts...)
	x, y := mustGetByKey(t, s, arts[0].Key), mustGetByKey(t, s, arts[1].Key)
	// The page is drawn (versions x.Version, y.Version); then bob rejects x.
	rejected := article.StatusRejected
	if _, err := s.Update(ctx, x.ID, Edit{Version: x.Version, Status: &rejected, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	snap, err := s.SnapshotSeen(ctx, []Seen{{x.ID, x.Version}, {y.ID, y.Version}}, 0, "")
	if err != nil || snap.Count != 2 {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	out, err := s.BulkApply(ctx, snap.ID, Batch{Kind: "approve", Actor: "alice"}, approveStep)
	if err != nil {
		t.Fatal(err)
	}
	if out.Changed != 1 || out.Skipped != 1 {
		t.Errorf("counts %+v, want 1 changed, 1 skipped", out)
	}
	if got := mustGetByKey(t, s, arts[0].Key).Status; got != article.StatusRejected {
		t.Errorf("x is %s: bob's reject was overwritten", got)
	}
	if got := mustGetByKey(t, s, arts[1].Key).Status; got != article.StatusApproved {
		t.Errorf("y is %s, want approved", got)
	}
}

// The queue's rows carry the version a bulk selection sends back.
func TestListSummaryVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(2)
	mustImport(t, s, arts...)
	x := mustGetByKey(t, s, arts[0].Key)
	q := 70
	if _, err := s.Update(ctx, x.ID, Edit{Version: x.Version, Quality: &q, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.List(ctx, ListQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range page.Items {
		want := int64(1)
		if sm.ID == x.ID {
			want = x.Version + 1
		}
		if sm.Version != want {
			t.Errorf("article %d version %d, want %d", sm.ID, sm.Version, want)
		}
	}
}

// A used snapshot's id is never given to a later one (the tester's
// replay: a Confirm form of snapshot 7 must not name the next snapshot
// 7), a snapshot runs only the action it was taken for, and a selection
// of no article stores no snapshot.
func TestSnapshotIDsNotReusedAndActionBound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(3)...)
	first, err := s.SnapshotSeen(ctx, []Seen{{1, 1}}, 0, "publish")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkApply(ctx, first.ID, Batch{Action: "publish", Kind: "approve", Actor: "alice"}, approveStep); err != nil {
		t.Fatal(err)
	}
	second, err := s.SnapshotQuery(ctx, ListQuery{}, 0, "reject")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatalf("snapshot id %d reused after it was used up", first.ID)
	}
	if got, err := s.Snapshot(ctx, second.ID, 0); err != nil || got.Action != "reject" || got.Count != 3 {
		t.Errorf("stored snapshot %+v, %v", got, err)
	}
	before := countRows(t, s, "audit")
	if _, err := s.BulkApply(ctx, second.ID, Batch{Action: "publish", Kind: "approve", Actor: "alice"}, approveStep); !errors.Is(err, ErrActionMismatch) {
		t.Errorf("another action on the snapshot: %v, want ErrActionMismatch", err)
	}
	if countRows(t, s, "audit") != before || countRows(t, s, "batches") != 1 {
		t.Error("a refused action wrote")
	}
	if _, err := s.Snapshot(ctx, second.ID, 0); err != nil {
		t.Errorf("a refused action used up the snapshot: %v", err)
	}

	rows := countRows(t, s, "bulk_snapshots")
	empty, err := s.SnapshotSeen(ctx, []Seen{{999, 1}}, 0, "approve")
	if err != nil || empty.ID != 0 || empty.Count != 0 {
		t.Errorf("snapshot of no article: %+v, %v", empty, err)
	}
	if countRows(t, s, "bulk_snapshots") != rows {
		t.Error("a snapshot of no article was stored")
	}
}
