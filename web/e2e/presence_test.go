package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// pollText waits until the text of sel is want, polling in the page: the
// presence line changes with the heartbeat, every 5 s.
func (tb *tab) pollText(sel, want string) {
	tb.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	got := ""
	for time.Now().Before(deadline) {
		if got = tb.text(sel); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.t.Fatalf("%s: %s reads %q, want %q within %s", tb.name, sel, got, want, actionTimeout)
}

// TestPresence: two editors in two browsers. The review page says who
// else has the article open, and the page of the one who came first
// learns it from its heartbeat; the queue marks the article; when the
// other editor moves on, the line goes.
func TestPresence(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	rita := newTab(t, a, "rita")
	ed.loginAs(editorName, editorPassword)
	rita.loginAs(otherName, otherPassword)
	path := a.articlePath(t, seedKey)
	const line = `[data-testid="presence"]`

	rita.open(path)
	if got := rita.text(line); got != "" {
		t.Errorf("alone on the article, rita reads %q", got)
	}
	ed.open(path)
	if got := ed.text(line); got != "Also open by rita" {
		t.Errorf("the editor reads %q, want Also open by rita", got)
	}
	ed.step("presence")
	// Rita's page learns of the editor from its heartbeat, without a reload.
	rita.pollText(line, "Also open by editor")
	rita.step("presence-refreshed")

	// The editor's queue marks the article Rita has open.
	ed.open("/articles")
	row := `[data-testid="queue-row"][data-id="` + strings.TrimPrefix(path, "/articles/") + `"]`
	if got := ed.text(row + ` [data-testid="row-open-by"]`); got != "open by rita" {
		t.Errorf("the queue row of the article reads %q, want open by rita", got)
	}
	if n := ed.count(`[data-testid="row-open-by"]`); n != 1 {
		t.Errorf("%d rows marked, want 1", n)
	}
	ed.step("queue-marked")

	// The editor opens another article: Rita is alone again.
	ed.click(`[data-testid="queue-row"]:not([data-id="`+strings.TrimPrefix(path, "/articles/")+`"]) [data-testid="row-title"]`, 200)
	rita.pollText(line, "")
}

// TestApproveAndNextSkipsWhatOthersHaveOpen: the editor approves the
// first article of the queue while Rita has the second open: the page
// that follows is the third.
func TestApproveAndNextSkipsWhatOthersHaveOpen(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	rita := newTab(t, a, "rita")
	ed.loginAs(editorName, editorPassword)
	rita.loginAs(otherName, otherPassword)
	ed.open("/articles")
	titles := ed.texts(`[data-testid="row-title"]`)
	ids := eval[[]string](ed, `[...document.querySelectorAll('[data-testid="queue-row"]')].map(r => r.dataset.id)`)
	if len(titles) < 3 {
		t.Fatalf("queue has %d rows", len(titles))
	}
	rita.open("/articles/" + ids[1])

	ed.click(`[data-testid="row-title"]`, 200)
	if got := ed.text(`[data-testid="title"]`); got != titles[0] {
		t.Fatalf("opened %q, want %q", got, titles[0])
	}
	ed.click(`[data-testid="approve"]`, 200)
	if got := ed.text(`[data-testid="title"]`); got != titles[2] {
		t.Fatalf("after Approve the page shows %q, want the third, %q (Rita has %q open)", got, titles[2], titles[1])
	}
	if got := ed.path(); !strings.HasPrefix(got, "/articles/"+ids[2]+"?") {
		t.Errorf("after Approve the page is %s, want article %s", got, ids[2])
	}
	ed.step("skipped")
	for i, want := range []article.Status{article.StatusApproved, article.StatusPending, article.StatusPending} {
		id, _ := strconv.ParseInt(ids[i], 10, 64)
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != want {
			t.Errorf("row %d (%s) is %s, want %s", i, titles[i], rec.Status, want)
		}
	}
}
