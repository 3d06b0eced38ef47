package review_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// bulk snapshots every article and applies a, as user 0 ("alice").
func (f *fixture) bulk(a review.BulkAction) review.BatchOutcome {
	f.t.Helper()
	ctx := context.Background()
	snap, err := f.svc.SnapshotQuery(ctx, db.ListQuery{}, a, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := f.svc.Bulk(ctx, snap.ID, a, 0, "alice", nil)
	if err != nil {
		f.t.Fatalf("bulk %+v: %v", a, err)
	}
	return out
}

const (
	fileAI     = "---\ntitle: A\nquality: 10\ntopics: [AI, Health]\n---\n"
	fileHealth = "---\ntitle: B\ntopics:\n  - Health\n  - Space\n---\n"
	fileNone   = "---\ntitle: C\ntopics: []\n---\n"
)

// Each topic and quality action, on articles with and without the
// topic: the lists keep their order, the store's spelling wins, and
// articles that already have the result are unchanged.
func TestBulkTopicAndQualityActions(t *testing.T) {
	tests := []struct {
		action    review.BulkAction
		topics    map[string][]string // after, by key
		changed   int
		unchanged int
	}{
		{review.BulkAction{Kind: review.BulkAddTopic, Topic: "ai"}, // the store's spelling: AI
			map[string][]string{"a": {"AI", "Health"}, "b": {"Health", "Space", "AI"}, "c": {"AI"}}, 2, 1},
		{review.BulkAction{Kind: review.BulkRemoveTopic, Topic: "health"},
			map[string][]string{"a": {"AI"}, "b": {"Space"}, "c": nil}, 2, 1},
		{review.BulkAction{Kind: review.BulkRenameTopic, Topic: "Health", To: "Medicine"}, // new: in place
			map[string][]string{"a": {"AI", "Medicine"}, "b": {"Medicine", "Space"}, "c": nil}, 2, 1},
		{review.BulkAction{Kind: review.BulkRenameTopic, Topic: "Health", To: "space"}, // merge: no duplicate
			map[string][]string{"a": {"AI", "Space"}, "b": {"Space"}, "c": nil}, 2, 1},
		{review.BulkAction{Kind: review.BulkRenameTopic, Topic: "health", To: "HEALTH"}, // a respelling
			map[string][]string{"a": {"AI", "HEALTH"}, "b": {"HEALTH", "Space"}, "c": nil}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.action.Describe(), func(t *testing.T) {
			forEachStore(t, func(t *testing.T, f *fixture) {
				f.importFiles(map[string]string{"a.md": fileAI, "b.md": fileHealth, "c.md": fileNone})
				out := f.bulk(tt.action)
				if out.Changed != tt.changed || out.Unchanged != tt.unchanged || out.Skipped+out.Refused != 0 {
					t.Errorf("outcome %+v", out)
				}
				for key, want := range tt.topics {
					if got := f.record(key).Topics; !slices.Equal(got, want) {
						t.Errorf("%s topics %q, want %q", key, got, want)
					}
				}
				files, rep, err := f.exportAll()
				if err != nil || rep.Written != 3 {
					t.Fatalf("export %+v %v", rep, err)
				}
				if want := tt.topics["b"]; !strings.Contains(string(files["b.md"]), want[len(want)-1]) {
					t.Errorf("export of b:\n%s", files["b.md"])
				}
			})
		})
	}
	t.Run("set quality", func(t *testing.T) {
		forEachStore(t, func(t *testing.T, f *fixture) {
			f.importFiles(map[string]string{"a.md": fileAI, "b.md": fileHealth})
			out := f.bulk(review.BulkAction{Kind: review.BulkSetQuality, Quality: 10})
			if out.Changed != 1 || out.Unchanged != 1 || f.record("b").Quality != 10 {
				t.Errorf("outcome %+v, b quality %d", out, f.record("b").Quality)
			}
			files, _, _ := f.exportAll()
			if !strings.Contains(string(files["b.md"]), "quality: 10") {
				t.Errorf("export of b:\n%s", files["b.md"])
			}
		})
	})
}

// Invalid actions are refused before anything is written.
func TestBulkValidation(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"a.md": fileAI})
		ctx := context.Background()
		snap, err := f.svc.SnapshotQuery(ctx, db.ListQuery{}, review.BulkAction{Kind: review.BulkApprove}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []review.BulkAction{
			{Kind: "explode"},
			{Kind: review.BulkSetQuality, Quality: 101},
			{Kind: review.BulkAddTopic, Topic: "  "},
			{Kind: review.BulkAddTopic, Topic: strings.Repeat("x", article.MaxTopicLength+1)},
			{Kind: review.BulkRenameTopic, Topic: "AI", To: ""},
		} {
			_, err := f.svc.Bulk(ctx, snap.ID, a, 0, "alice", nil)
			var fe *review.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("%+v: %v, want a FieldError", a, err)
			}
		}
		if _, err := f.svc.SnapshotSeen(ctx, nil, review.BulkAction{Kind: review.BulkApprove}, 0); err == nil {
			t.Error("an empty selection taken")
		}
		if len(f.history("a")) != 0 {
			t.Error("a refused action wrote")
		}
	})
}

// A change the file cannot carry is refused for that article alone, and
// a list that would pass MaxTopics too; the others change.
func TestBulkRefusesUnexportableArticles(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: T\ntopics: &t [")
	for i := range article.MaxTopics {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s%02d", strings.Repeat("x", article.MaxTopicLength-2), i)
	}
	b.WriteString("]\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "copy%d: *t\n", i)
	}
	b.WriteString("---\n")
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"x.md": b.String(), "a.md": fileAI})
		out := f.bulk(review.BulkAction{Kind: review.BulkRemoveTopic, Topic: "xx" + strings.Repeat("x", article.MaxTopicLength-4) + "00"})
		if out.Refused != 1 || out.Unchanged != 1 || out.Changed != 0 {
			t.Errorf("remove: %+v", out)
		}
		// The refused article is named, with why.
		if r := out.Refusals; len(r) != 1 || r[0].Title != "T" || !strings.HasPrefix(r[0].Reason, "its file cannot carry the change: ") {
			t.Errorf("remove refusals %+v", r)
		}
		out = f.bulk(review.BulkAction{Kind: review.BulkAddTopic, Topic: "New"})
		if out.Refused != 1 || out.Changed != 1 {
			t.Errorf("add: %+v", out)
		}
		if r := out.Refusals; len(r) != 1 || r[0].Title != "T" || !strings.Contains(r[0].Reason, "topic rule: too many topics") {
			t.Errorf("add refusals %+v", r)
		}
		if len(f.history("x")) != 0 {
			t.Error("a refused article was written")
		}
		if _, rep, err := f.exportAll(); err != nil || rep.Written != 2 {
			t.Errorf("export %+v, %v", rep, err)
		}
	})
}

// Undoing a topic batch restores every list, and the files export as
// they were imported; an article's own history can undo its bulk change.
func TestUndoBatchRestoresTopicsAndExport(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"a.md": fileAI, "b.md": fileHealth, "c.md": fileNone})
		before, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		out := f.bulk(review.BulkAction{Kind: review.BulkRenameTopic, Topic: "Health", To: "Medicine"})
		// c's own undo of its change is not possible (unchanged); b's article
		// undo works on the bulk change, as on a save.
		if _, err := f.undo("b", review.Target{Version: f.record("b").Version, Latest: true}, "bob"); err != nil {
			t.Fatalf("article undo of a bulk change: %v", err)
		}
		undo, err := f.svc.UndoBatch(ctx, out.BatchID, 0, "carol")
		if err != nil || undo.Changed != 1 || undo.Skipped != 1 {
			t.Fatalf("undo %+v, %v", undo, err)
		}
		after, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		for name, b := range before {
			if string(after[name]) != string(b) {
				t.Errorf("%s exports\n%s\nwas\n%s", name, after[name], b)
			}
		}
		list, err := f.svc.Batches(ctx, 10)
		if err != nil || len(list) != 2 || review.ActionOf(list[1]).To != "Medicine" || list[1].UndoneBy != undo.BatchID {
			t.Errorf("batches %+v, %v", list, err)
		}
		if _, err := f.svc.UndoBatch(ctx, out.BatchID, 0, "carol"); !errors.Is(err, db.ErrBatchUndone) {
			t.Errorf("second undo: %v", err)
		}
		// The undo is no change to undo: its original would still say undone.
		if _, err := f.svc.UndoBatch(ctx, undo.BatchID, 0, "carol"); !errors.Is(err, review.ErrUndoOfUndo) {
			t.Errorf("undo of the undo: %v", err)
		}
	})
}

// A snapshot is taken for one action: Bulk runs no other on it, and
// leaves it for its own.
func TestBulkRunsOnlyTheSnapshotsAction(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"a.md": fileAI, "b.md": fileHealth})
		ctx := context.Background()
		reject := review.BulkAction{Kind: review.BulkReject, Topic: "ignored"}
		snap, err := f.svc.SnapshotQuery(ctx, db.ListQuery{}, reject, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.CheckSnapshot(ctx, snap.ID, 0)
		if err != nil || got.Action != (review.BulkAction{Kind: review.BulkReject}) || got.Count != 2 {
			t.Fatalf("stored snapshot %+v, %v", got, err)
		}
		for _, a := range []review.BulkAction{
			{Kind: review.BulkPublish},
			{Kind: review.BulkSetQuality, Quality: 5},
			{Kind: review.BulkRenameTopic, Topic: "AI", To: "ML"},
		} {
			if _, err := f.svc.Bulk(ctx, snap.ID, a, 0, "alice", nil); !errors.Is(err, review.ErrActionMismatch) {
				t.Errorf("%+v on a reject snapshot: %v", a, err)
			}
		}
		if len(f.history("a")) != 0 {
			t.Fatal("a refused action wrote")
		}
		if out, err := f.svc.Bulk(ctx, snap.ID, got.Action, 0, "alice", nil); err != nil || out.Changed != 2 {
			t.Errorf("its own action: %+v, %v", out, err)
		}
		if _, err := f.svc.SnapshotTopic(ctx, review.BulkAction{Kind: review.BulkReject, Topic: "AI"}, 0); err == nil {
			t.Error("a topic snapshot for another action than a rename")
		}
	})
}
