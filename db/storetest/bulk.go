package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Bulk actions: snapshots, batches, undo, as package db's bulk_test.go
// and review's bulk actions see them through BulkStep and UndoStep. The
// snapshot's expiry needs the store's clock: each store tests it on its
// own (db's TestSnapshotOwnerAndExpiry, postgres' TestSnapshotExpiry).

func init() {
	add("Bulk/SnapshotSemantics", bulkSnapshotSemantics)
	add("Bulk/FailureWritesNothing", bulkFailureWritesNothing)
	add("Bulk/SnapshotOwner", bulkSnapshotOwner)
	add("Bulk/SnapshotSeenKeepsThePagesVersions", bulkSnapshotSeenKeepsVersions)
	add("Bulk/SnapshotIDsNotReusedAndActionBound", bulkSnapshotIDsAndAction)
	add("Bulk/Kinds", bulkKinds)
	add("Bulk/TopicsFollowSearchAndCounts", bulkTopicsFollowSearch)
	add("Bulk/RespellTopicAndUndo", bulkRespellAndUndo)
	add("Bulk/Refusals", bulkRefusals)
	add("Bulk/UndoSkipsChangedSince", bulkUndoSkipsChangedSince)
	add("Bulk/BatchHistory", bulkBatchHistory)
	add("Bulk/RaceWithSaves", bulkRaceWithSaves)
}

func bulkSetStatus(st article.Status) db.BulkStep {
	return func(*db.Record) (db.Edit, error) { return db.Edit{Status: &st}, nil }
}

// bulkSnap snapshots every article for action "", failing t on an error.
func bulkSnap(t *testing.T, s db.Database, q db.ListQuery, userID int64) db.SnapshotInfo {
	t.Helper()
	snap, err := s.SnapshotQuery(context.Background(), q, userID, "")
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return snap
}

// bulkGet returns article id as it is now.
func bulkGet(t *testing.T, s db.Database, id int64) *db.Record {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// bulkStatuses are the statuses of recs' articles now, in their order.
func bulkStatuses(t *testing.T, s db.Database, recs []*db.Record) []article.Status {
	t.Helper()
	out := make([]article.Status, len(recs))
	for i, r := range recs {
		out[i] = bulkGet(t, s, r.ID).Status
	}
	return out
}

// bulkClean fails t when the store's check finds a fault (counts, search
// index, topics).
func bulkClean(t *testing.T, s db.Database) {
	t.Helper()
	probs, err := s.Check(context.Background())
	if err != nil || len(probs) > 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
}

// The action applies to exactly the snapshot's articles: one imported
// after it is untouched, one changed after it is skipped and keeps the
// other editor's change; every changed article is audited with the batch,
// at its new version. A used snapshot is gone.
func bulkSnapshotSemantics(t *testing.T, s db.Database) {
	ctx := context.Background()
	for _, full := range []bool{false, true} {
		var recs []*db.Record
		if !full {
			recs = seed(t, s, 10)
		} else { // the second round: the first round's articles are approved
			for i := 20; i < 30; i++ {
				if _, err := s.Import(ctx, []*article.Article{seedArticle(t, i)}); err != nil {
					t.Fatal(err)
				}
				r, err := s.GetByKey(ctx, fmt.Sprintf("seed_%04d", i))
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, r)
			}
		}
		snap := bulkSnap(t, s, db.ListQuery{Status: article.StatusPending}, 0)
		if snap.Count != 10 || snap.ID == 0 {
			t.Fatalf("full=%v: snapshot %+v", full, snap)
		}
		late := seedArticle(t, 40+len(recs)*btoi(full))
		if _, err := s.Import(ctx, []*article.Article{late}); err != nil {
			t.Fatal(err)
		}
		rejected := article.StatusRejected
		if _, err := s.Update(ctx, recs[3].ID, db.Edit{Version: recs[3].Version, Status: &rejected, Actor: "bob"}); err != nil {
			t.Fatal(err)
		}
		var calls [][2]int
		b := db.Batch{Kind: "approve", Actor: "alice", Full: full}
		b.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
		out, err := s.BulkApply(ctx, snap.ID, b, bulkSetStatus(article.StatusApproved))
		if err != nil {
			t.Fatal(err)
		}
		if out.Changed != 9 || out.Skipped != 1 || out.Unchanged != 0 || out.Refused != 0 || out.BatchID == 0 {
			t.Errorf("full=%v: outcome %+v", full, out)
		}
		if len(calls) == 0 || calls[len(calls)-1] != [2]int{10, 10} {
			t.Errorf("full=%v: progress calls %v, want the last (10, 10)", full, calls)
		}
		st := bulkStatuses(t, s, recs)
		if st[3] != article.StatusRejected || st[0] != article.StatusApproved || st[9] != article.StatusApproved {
			t.Errorf("full=%v: statuses after bulk: %v", full, st)
		}
		if r, err := s.GetByKey(ctx, late.Key); err != nil || r.Status != article.StatusPending {
			t.Errorf("full=%v: the article imported after the snapshot: %+v, %v", full, r, err)
		}
		r := bulkGet(t, s, recs[0].ID)
		hist, err := s.History(ctx, r.ID)
		if err != nil || len(hist) != 1 || hist[0].Field != "status" || hist[0].Version != r.Version ||
			hist[0].New != "approved" || hist[0].Actor != "alice" || r.Version != 2 {
			t.Errorf("full=%v: history %+v, %v; version %d", full, hist, err, r.Version)
		}
		if _, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", Actor: "alice", Full: full}, bulkSetStatus(article.StatusApproved)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("full=%v: a used snapshot again: %v, want ErrNotFound", full, err)
		}
		if _, err := s.Snapshot(ctx, snap.ID, 0); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("full=%v: a used snapshot: %v, want ErrNotFound", full, err)
		}
		// The audit rows carry the batch: its undo receives them.
		var entries int
		_, err = s.UndoBatch(ctx, out.BatchID, db.Batch{Kind: "undo", Actor: "carol", Full: full}, func(cur *db.Record, es []db.AuditEntry) (db.Edit, error) {
			entries += len(es)
			if len(es) != 1 || es[0].Field != "status" || es[0].Version != cur.Version || es[0].ArticleID != cur.ID {
				t.Errorf("full=%v: batch entries %+v of article %d at version %d", full, es, cur.ID, cur.Version)
			}
			return db.Edit{}, nil // changes nothing
		})
		if err != nil || entries != 9 {
			t.Errorf("full=%v: undo saw %d entries, want 9 (%v)", full, entries, err)
		}
		bulkClean(t, s)
		if !full { // the next round snapshots pending articles: approve the rest
			rest := bulkSnap(t, s, db.ListQuery{Status: article.StatusPending}, 0)
			if _, err := s.BulkApply(ctx, rest.ID, db.Batch{Kind: "approve", Actor: "alice"}, bulkSetStatus(article.StatusApproved)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A failure at any article aborts the batch: nothing is written, and the
// snapshot can still be used.
func bulkFailureWritesNothing(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 5)
	u, err := s.CreateUser(ctx, "alice", "x", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	snap := bulkSnap(t, s, db.ListQuery{}, u.ID)
	boom := errors.New("boom")
	n := 0
	b := db.Batch{Kind: "approve", UserID: u.ID, Actor: "alice"}
	_, err = s.BulkApply(ctx, snap.ID, b, func(cur *db.Record) (db.Edit, error) {
		if n++; n == 3 {
			return db.Edit{}, boom
		}
		return bulkSetStatus(article.StatusApproved)(cur)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	for i, st := range bulkStatuses(t, s, recs) {
		if st != article.StatusPending {
			t.Errorf("article %d is %s after a failed batch", i, st)
		}
		if h, err := s.History(ctx, recs[i].ID); err != nil || len(h) != 0 {
			t.Errorf("article %d history %+v, %v after a failed batch", i, h, err)
		}
	}
	if list, err := s.Batches(ctx, 10); err != nil || len(list) != 0 {
		t.Errorf("batches %+v, %v after a failed batch", list, err)
	}
	// An invalid edit aborts too.
	bad := 101
	if _, err := s.BulkApply(ctx, snap.ID, b, func(*db.Record) (db.Edit, error) { return db.Edit{Quality: &bad}, nil }); err == nil {
		t.Error("a quality of 101 written")
	}
	out, err := s.BulkApply(ctx, snap.ID, b, bulkSetStatus(article.StatusApproved))
	if err != nil || out.Changed != 5 {
		t.Errorf("the snapshot after a failed batch: %+v, %v", out, err)
	}
	if got, err := s.Batch(ctx, out.BatchID); err != nil || got.UserID != u.ID || got.Actor != "alice" {
		t.Errorf("batch %+v, %v", got, err)
	}
	bulkClean(t, s)
}

// A snapshot belongs to its taker; SnapshotSeen leaves out ids of no
// article and counts a repeated id once; it takes at most
// MaxSnapshotIDs ids.
func bulkSnapshotOwner(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 3)
	var users [2]int64
	for i, name := range []string{"alice", "bob"} {
		u, err := s.CreateUser(ctx, name, "x", db.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
	}
	alice, bob := users[0], users[1]
	missing := recs[2].ID + 1000
	snap, err := s.SnapshotSeen(ctx, []db.Seen{{ID: recs[0].ID, Version: 1}, {ID: recs[1].ID, Version: 1},
		{ID: missing, Version: 1}, {ID: recs[0].ID, Version: 7}}, alice, "")
	if err != nil || snap.Count != 2 || snap.UserID != alice {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	if got, err := s.Snapshot(ctx, snap.ID, alice); err != nil || got.Count != 2 || got.ID != snap.ID || !got.CreatedAt.Equal(snap.CreatedAt) {
		t.Errorf("stored snapshot %+v, %v; taken %+v", got, err, snap)
	}
	if _, err := s.Snapshot(ctx, snap.ID, bob); !errors.Is(err, db.ErrNotOwner) {
		t.Errorf("another user's snapshot: %v", err)
	}
	if _, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", UserID: bob, Actor: "bob"}, bulkSetStatus(article.StatusApproved)); !errors.Is(err, db.ErrNotOwner) {
		t.Errorf("bulk on another user's snapshot: %v", err)
	}
	if _, err := s.Snapshot(ctx, snap.ID+12345, alice); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("no snapshot: %v", err)
	}
	// The first version of the repeated id is the one kept: 1, current.
	out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", UserID: alice, Actor: "alice"}, bulkSetStatus(article.StatusApproved))
	if err != nil || out.Changed != 2 || out.Skipped != 0 {
		t.Errorf("bulk %+v, %v", out, err)
	}
	if _, err := s.SnapshotSeen(ctx, make([]db.Seen, db.MaxSnapshotIDs+1), alice, ""); err == nil {
		t.Error("too many ids taken")
	}
	if snap, err := s.SnapshotTopic(ctx, "no such topic", alice, ""); err != nil || snap.ID != 0 || snap.Count != 0 {
		t.Errorf("snapshot of no topic %+v, %v", snap, err)
	}
}

// A selection keeps the versions the editor's page showed, not the ones
// the articles have when it is posted: an article changed between the two
// is skipped, and keeps the other editor's change.
func bulkSnapshotSeenKeepsVersions(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 3)
	x, y := recs[0], recs[1]
	rejected := article.StatusRejected
	if _, err := s.Update(ctx, x.ID, db.Edit{Version: x.Version, Status: &rejected, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	snap, err := s.SnapshotSeen(ctx, []db.Seen{{ID: x.ID, Version: x.Version}, {ID: y.ID, Version: y.Version}}, 0, "")
	if err != nil || snap.Count != 2 {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", Actor: "alice"}, bulkSetStatus(article.StatusApproved))
	if err != nil || out.Changed != 1 || out.Skipped != 1 {
		t.Errorf("counts %+v, %v; want 1 changed, 1 skipped", out, err)
	}
	if st := bulkStatuses(t, s, recs); st[0] != article.StatusRejected || st[1] != article.StatusApproved || st[2] != article.StatusPending {
		t.Errorf("statuses %v: bob's reject overwritten, or the wrong articles changed", st)
	}
}

// A used snapshot's id is never given to a later one, a snapshot runs
// only the action it was taken for (and a refused action leaves it), and
// a selection of no article stores no snapshot.
func bulkSnapshotIDsAndAction(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 3)
	first, err := s.SnapshotSeen(ctx, []db.Seen{{ID: recs[0].ID, Version: 1}}, 0, "publish")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BulkApply(ctx, first.ID, db.Batch{Action: "publish", Kind: "approve", Actor: "alice"}, bulkSetStatus(article.StatusApproved)); err != nil {
		t.Fatal(err)
	}
	second, err := s.SnapshotQuery(ctx, db.ListQuery{}, 0, "reject")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatalf("snapshot id %d reused after it was used up", first.ID)
	}
	if got, err := s.Snapshot(ctx, second.ID, 0); err != nil || got.Action != "reject" || got.Count != 3 {
		t.Errorf("stored snapshot %+v, %v", got, err)
	}
	if _, err := s.BulkApply(ctx, second.ID, db.Batch{Action: "publish", Kind: "approve", Actor: "alice"}, bulkSetStatus(article.StatusApproved)); !errors.Is(err, db.ErrActionMismatch) {
		t.Errorf("another action on the snapshot: %v, want ErrActionMismatch", err)
	}
	if list, err := s.Batches(ctx, 10); err != nil || len(list) != 1 {
		t.Errorf("batches %d (%v) after a refused action, want 1", len(list), err)
	}
	if h, err := s.History(ctx, recs[1].ID); err != nil || len(h) != 0 {
		t.Errorf("a refused action wrote: %+v, %v", h, err)
	}
	if _, err := s.Snapshot(ctx, second.ID, 0); err != nil {
		t.Errorf("a refused action used up the snapshot: %v", err)
	}
	empty, err := s.SnapshotSeen(ctx, []db.Seen{{ID: recs[2].ID + 999, Version: 1}}, 0, "approve")
	if err != nil || empty.ID != 0 || empty.Count != 0 {
		t.Errorf("snapshot of no article: %+v, %v", empty, err)
	}
	// The next one stored has a new id all the same.
	third, err := s.SnapshotQuery(ctx, db.ListQuery{}, 0, "reject")
	if err != nil || third.ID <= second.ID {
		t.Errorf("third snapshot %+v after %d, %v", third, second.ID, err)
	}
}

// The kinds of review's bulk actions, as the store sees their steps:
// status changes read without content, the others whole; an article that
// has the value already is unchanged; each change is audited as a save's.
func bulkKinds(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 6)
	yes, no, q := true, false, 77
	tests := []struct {
		kind  string
		full  bool
		step  db.BulkStep
		check func(r *db.Record) bool
		field string
	}{
		{"approve", false, bulkSetStatus(article.StatusApproved), func(r *db.Record) bool { return r.Status == article.StatusApproved }, "status"},
		{"reject", false, bulkSetStatus(article.StatusRejected), func(r *db.Record) bool { return r.Status == article.StatusRejected }, "status"},
		{"publish", true, func(*db.Record) (db.Edit, error) { return db.Edit{Published: &yes}, nil },
			func(r *db.Record) bool { return r.Published }, "published"},
		{"unpublish", true, func(*db.Record) (db.Edit, error) { return db.Edit{Published: &no}, nil },
			func(r *db.Record) bool { return !r.Published }, "published"},
		{"set-quality", true, func(*db.Record) (db.Edit, error) { return db.Edit{Quality: &q}, nil },
			func(r *db.Record) bool { return r.Quality == 77 && r.Edited.Quality }, "quality"},
		{"remove-topic", true, func(cur *db.Record) (db.Edit, error) {
			return db.Edit{Topics: slices.DeleteFunc(slices.Clone(cur.Topics), func(t string) bool { return article.SameTopic(t, "AI") }), SetTopics: true}, nil
		}, func(r *db.Record) bool {
			return !slices.ContainsFunc(r.Topics, func(t string) bool { return article.SameTopic(t, "AI") })
		}, "topics"},
	}
	for _, tt := range tests {
		before := make([]*db.Record, len(recs))
		for i, r := range recs {
			before[i] = bulkGet(t, s, r.ID)
		}
		snap := bulkSnap(t, s, db.ListQuery{}, 0)
		var sawContent bool
		out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: tt.kind, Actor: "alice", Full: tt.full}, func(cur *db.Record) (db.Edit, error) {
			sawContent = sawContent || len(cur.Article.Raw) > 0
			return tt.step(cur)
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.kind, err)
		}
		if sawContent != tt.full {
			t.Errorf("%s: the step saw the file %v, want %v", tt.kind, sawContent, tt.full)
		}
		changed := 0
		for i, r := range recs {
			now := bulkGet(t, s, r.ID)
			if !tt.check(now) {
				t.Errorf("%s: article %d after: %+v", tt.kind, i, now)
			}
			if now.Version == before[i].Version {
				continue
			}
			changed++
			h, err := s.History(ctx, r.ID)
			if err != nil || len(h) == 0 || h[0].Field != tt.field || h[0].Version != now.Version {
				t.Errorf("%s: article %d history %+v, %v", tt.kind, i, h, err)
			}
		}
		if out.Changed != changed || out.Changed+out.Unchanged != len(recs) || out.Skipped+out.Refused != 0 {
			t.Errorf("%s: outcome %+v, %d articles changed", tt.kind, out, changed)
		}
	}
	bulkClean(t, s)
}

// A topic change in a batch reaches the topic table, the counts and the
// search index.
func bulkTopicsFollowSearch(t *testing.T, s db.Database) {
	ctx := context.Background()
	seed(t, s, 6)
	snap := bulkSnap(t, s, db.ListQuery{}, 0)
	out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "add-topic", Actor: "alice", Full: true}, func(cur *db.Record) (db.Edit, error) {
		return db.Edit{Topics: append(slices.Clone(cur.Topics), "Zeppelins"), SetTopics: true}, nil
	})
	if err != nil || out.Changed != 6 {
		t.Fatalf("%+v %v", out, err)
	}
	if page, err := s.List(ctx, db.ListQuery{Text: "zeppelins"}); err != nil || page.Total != 6 {
		t.Errorf("search finds %d, want 6 (%v)", page.Total, err)
	}
	if page, err := s.List(ctx, db.ListQuery{Topic: "zeppelins"}); err != nil || page.Total != 6 {
		t.Errorf("topic filter finds %d, want 6 (%v)", page.Total, err)
	}
	if tc, err := s.TopicByName(ctx, "ZEPPELINS"); err != nil || tc.Name != "Zeppelins" {
		t.Errorf("topic %+v, %v", tc, err)
	}
	snap, err = s.SnapshotTopic(ctx, "zeppelins", 0, "rename")
	if err != nil || snap.Count != 6 || snap.Action != "rename" {
		t.Errorf("topic snapshot %+v, %v", snap, err)
	}
	bulkClean(t, s)
}

// A rename that only respells a topic (RenameFrom, RenameTo equal but for
// case) changes the topic's own spelling and every list that has it, and
// its undo puts the old spelling back.
func bulkRespellAndUndo(t *testing.T, s db.Database) {
	ctx := context.Background()
	seed(t, s, 6)
	snap, err := s.SnapshotTopic(ctx, "ai", 0, "")
	if err != nil || snap.Count == 0 {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	respell := func(from, to string) db.BulkStep {
		return func(cur *db.Record) (db.Edit, error) {
			ts := slices.Clone(cur.Topics)
			for i, x := range ts {
				if article.SameTopic(x, from) {
					ts[i] = to
				}
			}
			return db.Edit{Topics: ts, SetTopics: true}, nil
		}
	}
	b := db.Batch{Kind: "rename-topic", Actor: "alice", Full: true, RenameFrom: "AI", RenameTo: "Ai"}
	out, err := s.BulkApply(ctx, snap.ID, b, respell("AI", "Ai"))
	if err != nil || out.Changed != snap.Count || out.Unchanged != 0 {
		t.Fatalf("respell %+v, %v; snapshot of %d", out, err, snap.Count)
	}
	if name, err := s.CanonicalTopic(ctx, "ai"); err != nil || name != "Ai" {
		t.Errorf("the topic is spelt %q (%v), want Ai", name, err)
	}
	page, err := s.List(ctx, db.ListQuery{Topic: "ai", Limit: 50})
	if err != nil || page.Total != snap.Count {
		t.Fatalf("topic filter %d, %v", page.Total, err)
	}
	for _, sm := range page.Items {
		if r := bulkGet(t, s, sm.ID); !slices.Contains(r.Topics, "Ai") {
			t.Errorf("article %d topics %q", r.ID, r.Topics)
		}
	}
	undo := db.Batch{Kind: "undo", Actor: "carol", Full: true, RenameFrom: "Ai", RenameTo: "AI"}
	back, err := s.UndoBatch(ctx, out.BatchID, undo, func(cur *db.Record, es []db.AuditEntry) (db.Edit, error) {
		var ts []string // the audit's topics: a JSON list
		if err := json.Unmarshal([]byte(es[0].Old), &ts); err != nil {
			return db.Edit{}, err
		}
		return db.Edit{Topics: ts, SetTopics: true}, nil
	})
	if err != nil || back.Changed != snap.Count {
		t.Fatalf("undo %+v, %v", back, err)
	}
	if name, err := s.CanonicalTopic(ctx, "ai"); err != nil || name != "AI" {
		t.Errorf("after undo the topic is spelt %q (%v), want AI", name, err)
	}
	bulkClean(t, s)
}

// A step's ErrRefused or an edit's failed Check leaves its article alone,
// counted and (the first MaxRefusals) named; the batch goes on.
func bulkRefusals(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 12)
	snap := bulkSnap(t, s, db.ListQuery{}, 0)
	q := 5
	notExportable := errors.New("cannot carry it")
	out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "set-quality", Actor: "alice", Full: true}, func(cur *db.Record) (db.Edit, error) {
		switch cur.ID % 3 {
		case 0:
			return db.Edit{}, fmt.Errorf("%w: too many topics", db.ErrRefused)
		case 1:
			return db.Edit{Quality: &q, Check: func(next *db.Record) error {
				if next.Quality != 5 || next.ID != cur.ID {
					return errors.New("check saw the wrong record")
				}
				return notExportable
			}}, nil
		}
		return db.Edit{Quality: &q, Check: func(*db.Record) error { return nil }}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Refused != 8 || out.Changed+out.Unchanged != 4 || len(out.Refusals) != db.MaxRefusals {
		t.Fatalf("outcome %+v", out)
	}
	for _, r := range out.Refusals {
		want := notExportable
		if r.ID%3 == 0 {
			want = db.ErrRefused
		}
		if !errors.Is(r.Err, want) || r.Title != bulkGet(t, s, r.ID).Article.Title {
			t.Errorf("refusal %+v, want %v", r, want)
		}
	}
	for _, r := range recs {
		now := bulkGet(t, s, r.ID)
		if refused := r.ID%3 != 2; refused != (now.Version == r.Version) {
			t.Errorf("article %d (id %% 3 = %d) at version %d", r.ID, r.ID%3, now.Version)
		}
	}
	if b, err := s.Batch(ctx, out.BatchID); err != nil || b.Refused != 8 || b.Changed != out.Changed || b.Kind != "set-quality" {
		t.Errorf("batch %+v, %v", b, err)
	}
}

// Undo reverts the articles still as the batch left them and skips the
// others; it is a batch itself, and a batch is undone once.
func bulkUndoSkipsChangedSince(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 4)
	snap := bulkSnap(t, s, db.ListQuery{}, 0)
	done, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", Actor: "alice"}, bulkSetStatus(article.StatusApproved))
	if err != nil {
		t.Fatal(err)
	}
	moved := bulkGet(t, s, recs[1].ID)
	note := "checked"
	if _, err := s.Update(ctx, moved.ID, db.Edit{Version: moved.Version, Note: &note, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	undo := func(cur *db.Record, entries []db.AuditEntry) (db.Edit, error) {
		if len(entries) != 1 || entries[0].Field != "status" || entries[0].Actor != "alice" {
			t.Errorf("entries %+v", entries)
		}
		st := article.Status(entries[0].Old)
		return db.Edit{Status: &st}, nil
	}
	out, err := s.UndoBatch(ctx, done.BatchID, db.Batch{Kind: "undo", Actor: "carol"}, undo)
	if err != nil || out.Changed != 3 || out.Skipped != 1 {
		t.Fatalf("undo %+v, %v", out, err)
	}
	st := bulkStatuses(t, s, recs)
	if st[0] != article.StatusPending || st[1] != article.StatusApproved || st[3] != article.StatusPending {
		t.Errorf("statuses after undo: %v", st)
	}
	if h, err := s.History(ctx, recs[0].ID); err != nil || len(h) != 2 || h[0].Actor != "carol" || h[0].New != "pending" { // newest first
		t.Errorf("history after undo %+v, %v", h, err)
	}
	if _, err := s.UndoBatch(ctx, done.BatchID, db.Batch{Kind: "undo", Actor: "carol"}, undo); !errors.Is(err, db.ErrBatchUndone) {
		t.Errorf("second undo: %v", err)
	}
	if _, err := s.UndoBatch(ctx, out.BatchID+999, db.Batch{Kind: "undo", Actor: "carol"}, undo); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("undo of no batch: %v", err)
	}
	list, err := s.Batches(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Undoes != done.BatchID || list[1].UndoneBy != list[0].BatchID ||
		list[1].Changed != 4 || list[1].UndoneAt.IsZero() || list[0].Skipped != 1 || list[0].Kind != "undo" {
		t.Errorf("batches %+v, %v", list, err)
	}
	bulkClean(t, s)
}

// The history of batches: newest first, at most limit, each as recorded.
func bulkBatchHistory(t *testing.T, s db.Database) {
	ctx := context.Background()
	seed(t, s, 3)
	u, err := s.CreateUser(ctx, "dora", "x", db.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, kind := range []string{"approve", "reject", "approve"} {
		snap := bulkSnap(t, s, db.ListQuery{}, u.ID)
		out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: kind, Params: fmt.Sprintf(`{"n":%d}`, i), UserID: u.ID, Actor: "dora"},
			bulkSetStatus(map[string]article.Status{"approve": article.StatusApproved, "reject": article.StatusRejected}[kind]))
		if err != nil || out.Changed != 3 {
			t.Fatalf("%s: %+v, %v", kind, out, err)
		}
		ids = append(ids, out.BatchID)
	}
	list, err := s.Batches(ctx, 2)
	if err != nil || len(list) != 2 || list[0].BatchID != ids[2] || list[1].BatchID != ids[1] {
		t.Fatalf("batches %+v, %v", list, err)
	}
	b := list[1]
	if b.Kind != "reject" || b.Params != `{"n":1}` || b.UserID != u.ID || b.Actor != "dora" || b.Changed != 3 ||
		b.At.IsZero() || b.Undoes != 0 || b.UndoneBy != 0 || !b.UndoneAt.IsZero() {
		t.Errorf("batch %+v", b)
	}
	if got, err := s.Batch(ctx, ids[1]); err != nil || !got.At.Equal(b.At) || got.BatchID != b.BatchID || got.Params != b.Params {
		t.Errorf("batch %+v, %v; listed %+v", got, err, b)
	}
	if _, err := s.Batch(ctx, ids[2]+100); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("no batch: %v", err)
	}
	// No params are stored as {}.
	snap := bulkSnap(t, s, db.ListQuery{}, 0)
	out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", Actor: "eve"}, bulkSetStatus(article.StatusPending))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Batch(ctx, out.BatchID); err != nil || got.Params != "{}" || got.UserID != 0 {
		t.Errorf("batch %+v, %v", got, err)
	}
}

// Two bulk actions and saves of the same articles at once, as app
// instances sharing a store would run them: every save either lands
// before a batch reaches its article (which the batch then skips) or
// fails with a conflict (the article changed under it), or lands after;
// each article is changed by one batch at most (both snapshots hold
// version 1); none is lost, none is overwritten, and the counts stay
// right.
func bulkRaceWithSaves(t *testing.T, s db.Database) {
	ctx := context.Background()
	const n = 300 // more than one chunk
	recs := seed(t, s, n)
	approve, reject := bulkSnap(t, s, db.ListQuery{}, 0), bulkSnap(t, s, db.ListQuery{}, 0)
	var wg sync.WaitGroup
	var outs [2]db.BatchCounts
	var bulkErrs [2]error
	tried, saved := make([]bool, n), make([]bool, n)
	saveErrs := make([]error, n)
	start := make(chan struct{})
	for k, snap := range []db.SnapshotInfo{approve, reject} {
		st := []article.Status{article.StatusApproved, article.StatusRejected}[k]
		wg.Go(func() {
			<-start
			outs[k], bulkErrs[k] = s.BulkApply(ctx, snap.ID, db.Batch{Kind: string(st), Actor: "alice"}, bulkSetStatus(st))
		})
	}
	const savers = 4
	for w := range savers {
		wg.Go(func() {
			<-start
			note := fmt.Sprintf("saver %d", w)
			for i := w; i < n; i += savers * 3 { // a third of the articles, each saver its own
				tried[i] = true
				// The version an editor's form carries: read now.
				cur, err := s.Get(ctx, recs[i].ID)
				if err != nil {
					saveErrs[i] = err
					continue
				}
				_, err = s.Update(ctx, cur.ID, db.Edit{Version: cur.Version, Note: &note, Actor: "bob"})
				saved[i] = err == nil
				if !errors.Is(err, db.ErrConflict) {
					saveErrs[i] = err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range bulkErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var byStatus = map[article.Status]int{}
	saves, conflicts := 0, 0
	for i, r := range recs {
		if saveErrs[i] != nil {
			t.Errorf("article %d: save failed: %v", i, saveErrs[i])
		}
		now := bulkGet(t, s, r.ID)
		byStatus[now.Status]++
		if tried[i] {
			saves++
			if !saved[i] {
				conflicts++
			}
		}
		if saved[i] != (now.Note != "") {
			t.Errorf("article %d: saved %v but note %q", i, saved[i], now.Note)
		}
		batched := now.Status != article.StatusPending
		if want := int64(1 + btoi(saved[i]) + btoi(batched)); now.Version != want {
			t.Errorf("article %d: version %d, want %d (saved %v, %s)", i, now.Version, want, saved[i], now.Status)
		}
		if h, err := s.History(ctx, r.ID); err != nil || len(h) != btoi(saved[i])+btoi(batched) {
			t.Errorf("article %d: history %+v, %v", i, h, err)
		}
	}
	for k, st := range []article.Status{article.StatusApproved, article.StatusRejected} {
		if outs[k].Changed != byStatus[st] || outs[k].Changed+outs[k].Skipped != n {
			t.Errorf("%s: outcome %+v; %d articles %s of %d", st, outs[k], byStatus[st], st, n)
		}
	}
	t.Logf("%d articles: %d approved, %d rejected, %d neither; %d saves tried, %d conflicts",
		n, outs[0].Changed, outs[1].Changed, byStatus[article.StatusPending], saves, conflicts)
	bulkClean(t, s)
}
