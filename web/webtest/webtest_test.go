package webtest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// TestHarness checks what the HTTP tests build on: files imported through
// the workflow are found by key (in NFC, as the import keys them), a
// logged-in client saves with its session's token, and after Restart the
// server on the reopened database still has the article, the save and the
// session.
func TestHarness(t *testing.T) {
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{
		"plain.md":        webtest.PlainArticle("Plain"),
		"cafe\u0301.md":   webtest.PlainArticle("NFD name"),
		"spec-made.md":    webtest.Spec{Key: "spec-made", Title: "From a spec", Topics: []string{"AI"}}.File(),
		"ignored-ext.txt": webtest.PlainArticle("Any extension"),
	})
	for _, key := range []string{"plain", "caf\u00e9", "spec-made", "ignored-ext"} {
		if ids[key] == 0 || env.ID(t, key) != ids[key] {
			t.Errorf("key %q: id %d, ID %d", key, ids[key], env.ID(t, key))
		}
	}
	alice := env.LoginNewUser(t, "alice", db.RoleEditor)
	path := webtest.ArticlePath(ids["plain"])
	doc := alice.GetDoc(path)
	if got := webtest.TestIDText(doc, "title"); got != "Plain" {
		t.Errorf("title %q", got)
	}
	resp := alice.PostForm(path, url.Values{"version": {"1"}, "quality": {"70"}, "status": {"approved"}, "topics": {"Health"}})
	webtest.WantRedirect(t, resp, path)
	if got := webtest.Flashes(alice.Doc(alice.Follow(resp))); len(got) != 1 || got[0] != "Approved “Plain”: quality 50 → 70." {
		t.Errorf("flashes %q", got)
	}
	before := env.Snapshot(t)

	env.Restart(t)
	if after := env.Snapshot(t); after != before {
		t.Errorf("restart changed the database:\n%s\n%s", before, after)
	}
	if r := env.Record(t, ids["plain"]); r.Quality != 70 || r.Version != 2 {
		t.Errorf("after restart: quality %d, version %d", r.Quality, r.Version)
	}
	if !alice.LoggedIn() {
		t.Fatal("the session did not survive the restart")
	}
	resp = alice.PostForm(path, url.Values{"version": {"2"}, "quality": {"71"}, "status": {"approved"}, "topics": {"Health"}})
	webtest.WantStatus(t, resp, http.StatusSeeOther)
}
