package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Check/EmptyStoreIsSound", checkEmpty)
	add("Check/HealthyStoreIsSound", checkHealthy)
}

// checkNone fails t when Check finds anything or cannot run.
func checkNone(t *testing.T, s db.Database, when string) {
	t.Helper()
	ps, err := s.Check(context.Background())
	if err != nil {
		t.Fatalf("%s: Check: %v", when, err)
	}
	for _, p := range ps {
		t.Errorf("%s: problem [%s] %s", when, p.Check, p)
	}
}

func checkEmpty(t *testing.T, s db.Database) { checkNone(t, s, "empty store") }

// Imports, re-imports of changed files, saves of every field and topics
// an editor changed: Check finds nothing (the effective topics are in the
// search index, the counters follow every write).
func checkHealthy(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 40)
	// A Check before the saves too: the next one must see them (SQLite's
	// pooled readers once kept a stale search index from this one).
	checkNone(t, s, "after the import")
	u := usersCreate(t, s, "alice", db.RoleEditor)
	q, pub, note := 7, true, "checked"
	edits := []db.Edit{
		{Topics: []string{"Space", "Mars"}, SetTopics: true},
		{Status: statusPtr(article.StatusApproved), Quality: &q},
		{Published: &pub, Note: &note},
		{Status: statusPtr(article.StatusRejected), Topics: nil, SetTopics: true},
		{ClearQuality: true},
	}
	for i, e := range edits {
		dashboardEdit(t, s, recs[i].ID, u, e)
	}
	// A changed file under an editor's values.
	name, raw := seedFile(1)
	changed, err := article.Parse(name, bytes.Replace(raw, []byte("title: \""), []byte("title: \"Updated: "), 1))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.Import(ctx, []*article.Article{changed}); err != nil || out[0].Result == db.ImportUnchanged {
		t.Fatalf("re-import of a changed file: %+v, %v", out, err)
	}
	checkNone(t, s, "after saves and a re-import")
}
