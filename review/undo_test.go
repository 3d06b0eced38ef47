package review_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// undoFile is an article with comments, a flow topics list and a body: an
// undo must give back its exact bytes on export.
const undoFile = "---\n# from the wire\ntitle: \"Undo me\"\nquality: 56   # scored upstream\npublished: false\ntopics: [Energy, Climate]\n---\nBody text.\n"

// undo runs an undo as the named user.
func (f *fixture) undo(key string, t review.Target, actor string) (review.UndoOutcome, error) {
	f.t.Helper()
	return f.svc.Undo(context.Background(), f.record(key).ID, t, 0, actor) // 0: no users table row needed
}

// saveAs saves e on the current version as actor and returns the version made.
func (f *fixture) saveAs(key, actor string, e review.Edit) int64 {
	f.t.Helper()
	e.Actor = actor
	out, err := f.save(key, e)
	if err != nil || !out.Changed {
		f.t.Fatalf("save by %s: %+v, %v", actor, out, err)
	}
	return out.Record.Version
}

func ptr[T any](v T) *T { return &v }

// A full undo restores every field of the change, is audited as a change
// of its own by the one who undid it, and exports the original bytes.
func TestUndoRestoresEveryFieldAndExportsTheOriginal(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"u.md": undoFile})
		before, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		orig := f.record("u")
		v := f.saveAs("u", "alice", review.Edit{
			Quality: ptr(80), Topics: []string{"Energy", "Solar"}, SetTopics: true,
			Published: ptr(true), Status: ptr(article.StatusApproved), Note: ptr("checked with the desk"),
		})
		if n := len(review.Changes(f.history("u"))[0].Entries); n != 5 {
			t.Fatalf("the save wrote %d audit rows, want 5", n)
		}

		out, err := f.undo("u", review.Target{Version: v, Latest: true}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		got := f.record("u")
		if got.Quality != orig.Quality || !slices.Equal(got.Topics, orig.Topics) || got.Published != orig.Published ||
			got.Status != orig.Status || got.Note != orig.Note {
			t.Errorf("after undo: quality %d topics %q published %v status %s note %q; want %d %q %v %s %q",
				got.Quality, got.Topics, got.Published, got.Status, got.Note,
				orig.Quality, orig.Topics, orig.Published, orig.Status, orig.Note)
		}
		if out.Record.Version != v+1 || out.Undone.Version != v {
			t.Errorf("undo made version %d undoing %d; want %d undoing %d", out.Record.Version, out.Undone.Version, v+1, v)
		}

		changes := review.Changes(f.history("u"))
		undo := changes[0]
		if undo.Actor != "alice" || undo.Version != v+1 || len(undo.Entries) != 5 {
			t.Errorf("the undo's audit: %+v", undo)
		}
		if undone, ok := review.Reverts(changes, 0); !ok || undone.Version != v {
			t.Errorf("the undo is not marked as reverting version %d: %+v %v", v, undone, ok)
		}

		after, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after["u.md"], before["u.md"]) {
			t.Errorf("export after undo:\n%s\nwant the original:\n%s", after["u.md"], before["u.md"])
		}
	})
}

// The latest-change undo (the flash, `u`) refuses once anybody changed the
// article since, naming them, and writes nothing; undoing twice says the
// change is undone already.
func TestUndoRefusedWhenChangedSince(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"u.md": undoFile})
		v := f.saveAs("u", "alice", review.Edit{Quality: ptr(70)})
		f.saveAs("u", "bob", review.Edit{Note: ptr("bob was here")})
		was := f.record("u")

		_, err := f.undo("u", review.Target{Version: v, Latest: true}, "alice")
		var since *review.ChangedSinceError
		if !errors.As(err, &since) || since.Actor != "bob" || since.Undone || since.At.IsZero() {
			t.Fatalf("undo after bob's change: %v (%+v), want changed since by bob", err, since)
		}
		if now := f.record("u"); now.Version != was.Version || now.Quality != 70 {
			t.Errorf("a refused undo changed the article: version %d quality %d", now.Version, now.Quality)
		}

		// Undo bob's own change, then try it again.
		v2 := was.Version
		if _, err := f.undo("u", review.Target{Version: v2, Latest: true}, "bob"); err != nil {
			t.Fatal(err)
		}
		_, err = f.undo("u", review.Target{Version: v2, Latest: true}, "bob")
		if !errors.As(err, &since) || !since.Undone || since.Actor != "bob" {
			t.Errorf("second undo: %v (%+v), want undone already by bob", err, since)
		}
	})
}

// An older change, from the history, is undone when its fields still hold
// what it set, whoever changed other fields since; refused otherwise,
// naming who changed them.
func TestUndoOlderChange(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"u.md": undoFile})
		v := f.saveAs("u", "alice", review.Edit{Quality: ptr(70), Topics: []string{"Wind"}, SetTopics: true})
		f.saveAs("u", "bob", review.Edit{Note: ptr("bob was here")})

		if _, err := f.undo("u", review.Target{Version: v}, "carol"); err != nil {
			t.Fatalf("undo of alice's change after bob's note: %v", err)
		}
		got := f.record("u")
		if got.Quality != 56 || !slices.Equal(got.Topics, []string{"Energy", "Climate"}) || got.Note != "bob was here" {
			t.Errorf("after undo: quality %d topics %q note %q", got.Quality, got.Topics, got.Note)
		}
		if c := review.Changes(f.history("u"))[0]; c.Actor != "carol" {
			t.Errorf("the undo is audited as %q's, want carol's", c.Actor)
		}

		// Now dave sets the quality over erin's change: erin's cannot be undone.
		v = f.saveAs("u", "erin", review.Edit{Quality: ptr(40), Status: ptr(article.StatusRejected)})
		f.saveAs("u", "dave", review.Edit{Quality: ptr(45)})
		was := f.record("u")
		_, err := f.undo("u", review.Target{Version: v}, "carol")
		var since *review.ChangedSinceError
		if !errors.As(err, &since) || since.Actor != "dave" {
			t.Fatalf("undo of a change whose quality dave changed: %v, want changed since by dave", err)
		}
		if now := f.record("u"); now.Version != was.Version || now.Status != article.StatusRejected {
			t.Errorf("a refused undo changed the article: version %d status %s", now.Version, now.Status)
		}
	})
}

// An import's changes are not the editors' to undo; an unknown version is
// no change at all.
func TestUndoRefusesImportsAndUnknownChanges(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"u.md": undoFile})
		f.importFiles(map[string]string{"u.md": bytesReplace(undoFile, "quality: 56", "quality: 60")})
		r := f.record("u")
		changes := review.Changes(f.history("u"))
		if len(changes) != 1 || !changes[0].Import() || changes[0].Version != r.Version {
			t.Fatalf("the re-import's audit: %+v (article at version %d)", changes, r.Version)
		}
		_, err := f.undo("u", review.Target{Version: r.Version, Latest: true}, "alice")
		var no *review.NotUndoableError
		if !errors.As(err, &no) {
			t.Errorf("undo of an import: %v, want NotUndoableError", err)
		}
		for _, v := range []int64{0, 1, r.Version + 1, -3} {
			if _, err := f.undo("u", review.Target{Version: v}, "alice"); !errors.Is(err, review.ErrNoSuchChange) {
				t.Errorf("undo of version %d: %v, want ErrNoSuchChange", v, err)
			}
		}
		if _, err := f.svc.Undo(context.Background(), 999, review.Target{Version: 2}, 0, "alice"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("undo on a missing article: %v, want ErrNotFound", err)
		}
		if now := f.record("u"); now.Version != r.Version {
			t.Errorf("refused undos changed the article to version %d", now.Version)
		}
	})
}

// Undoing an undo redoes the change.
func TestUndoOfUndoRedoes(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"u.md": undoFile})
		v := f.saveAs("u", "alice", review.Edit{Quality: ptr(90), Published: ptr(true)})
		out, err := f.undo("u", review.Target{Version: v, Latest: true}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.undo("u", review.Target{Version: out.Record.Version, Latest: true}, "alice"); err != nil {
			t.Fatalf("redo: %v", err)
		}
		if r := f.record("u"); r.Quality != 90 || !r.Published || r.Version != v+2 {
			t.Errorf("after redo: quality %d published %v version %d; want 90 true %d", r.Quality, r.Published, r.Version, v+2)
		}
	})
}

// Undoing the first quality given to a file without one leaves the
// article without a quality again: the export is the file as imported.
func TestUndoOfAFirstQualityRemovesIt(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		const file = "---\ntitle: No quality\n---\n"
		f.importFiles(map[string]string{"n.md": file})
		v := f.saveAs("n", "alice", review.Edit{Quality: ptr(50), Note: ptr("scored")})
		if _, err := f.undo("n", review.Target{Version: v, Latest: true}, "alice"); err != nil {
			t.Fatalf("undo of a first quality: %v", err)
		}
		r := f.record("n")
		if r.HasQuality || r.Edited.Quality || r.Note != "" || r.Version != v+1 {
			t.Errorf("after the undo: quality %d (has %v, edited %v), note %q, version %d; want none, \"\", %d",
				r.Quality, r.HasQuality, r.Edited.Quality, r.Note, r.Version, v+1)
		}
		files, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(files["n.md"]); got != file {
			t.Errorf("export after the undo:\n%s\nwant the file as imported:\n%s", got, file)
		}
	})
}

func bytesReplace(s, old, new string) string {
	return string(bytes.Replace([]byte(s), []byte(old), []byte(new), 1))
}
