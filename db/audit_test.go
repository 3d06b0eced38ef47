package db

import (
	"context"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// Every audit row carries the version its change produced: the rows of
// one save share it, an import's update gets its own, and an import's
// rename (which raises no version) the one it found.
func TestAuditVersionNamesTheSave(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)

	st := article.StatusApproved
	saved, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Quality: ptr(12), Status: &st, Note: ptr("n"), Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r.ID, Edit{Version: saved.Version, Published: ptr(!saved.Published), Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	changed := *a
	changed.Heat++
	changed.FileName = a.Key + ".markdown"
	changed.Raw = append(renderRaw(&changed), '\n')
	mustImport(t, s, &changed)
	now := mustGetByKey(t, s, a.Key)

	hist, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{ // field -> version
		"quality": saved.Version, "status": saved.Version, "note": saved.Version,
		"published":    saved.Version + 1,
		"file_name":    saved.Version + 1, // the rename comes before the update, at the version it found
		"content_hash": now.Version,
	}
	if now.Version != saved.Version+2 {
		t.Fatalf("article at version %d after save, save and import; want %d", now.Version, saved.Version+2)
	}
	for _, e := range hist {
		if v, ok := want[e.Field]; ok && e.Version != v {
			t.Errorf("%s by %s audited at version %d, want %d", e.Field, e.Actor, e.Version, v)
		}
		delete(want, e.Field)
	}
	if len(want) > 0 {
		t.Errorf("history lacks %v", want)
	}
}

// AuditValue writes the current values as the audit does, so an undo can
// compare them with what a change set.
func TestAuditValueMatchesTheAudit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(2)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)
	st := article.StatusRejected
	saved, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Quality: ptr(33), Topics: []string{"Space", "Ökonomie"}, SetTopics: true,
		Published: ptr(!r.Published), Status: &st, Note: ptr("a note, with \"quotes\""), Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 5 {
		t.Fatalf("%d audit rows, want 5", len(hist))
	}
	for _, e := range hist {
		if got, ok := saved.AuditValue(e.Field); !ok || got != e.New {
			t.Errorf("AuditValue(%s) = %q, %v; the audit says %q", e.Field, got, ok, e.New)
		}
		if got, ok := r.AuditValue(e.Field); !ok || got != e.Old {
			t.Errorf("before: AuditValue(%s) = %q, %v; the audit says %q", e.Field, got, ok, e.Old)
		}
	}
	if _, ok := r.AuditValue("content_hash"); ok {
		t.Error("AuditValue answers for a field editors do not set")
	}
	ts, err := AuditTopics(`["Space","Ökonomie"]`)
	if err != nil || len(ts) != 2 || ts[1] != "Ökonomie" {
		t.Errorf("AuditTopics = %q, %v", ts, err)
	}
}
