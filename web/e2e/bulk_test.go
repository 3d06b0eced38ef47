package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// shiftClick clicks the element sel with Shift held, as a person
// ticking a range of rows does.
func (tb *tab) shiftClick(sel string) {
	tb.t.Helper()
	nodes := run(tb, "find "+sel, chromedp.Nodes(chromedp.CSS(sel)))
	tb.do("shift-click "+sel, chromedp.MouseClickNode(nodes[0], chromedp.ButtonModifiers(chromedp.ModifierShift)))
}

// statuses are the stored statuses of the articles with ids.
func (a *app) statuses(t *testing.T, ids []string) map[string]article.Status {
	t.Helper()
	out := map[string]article.Status{}
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[s] = rec.Status
	}
	return out
}

func allAre(m map[string]article.Status, st article.Status) bool {
	for _, s := range m {
		if s != st {
			return false
		}
	}
	return len(m) > 0
}

// TestBulk: the editor ticks rows with `x` and a shift-click, approves
// them after a confirmation with the exact count, undoes that from the
// flash; then approves "all matching" while an article is imported
// between the count and the confirmation (it stays pending), and undoes
// that from the history of bulk actions.
func TestBulk(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	rowBox := func(i int) string {
		return fmt.Sprintf(`[data-testid="queue-row"]:nth-child(%d) [data-testid="row-select"]`, i)
	}

	// j selects the first row, x ticks it; a shift-click on the third row
	// ticks the range.
	ed.keyPress("select the first row", "j")
	ed.keyPress("tick it", "x")
	if !ed.checked(rowBox(1)) {
		t.Fatal("x did not tick the first row")
	}
	ed.shiftClick(rowBox(3))
	ids := eval[[]string](ed, `Array.from(document.querySelectorAll('[data-testid="row-select"]:checked'), b => b.value)`)
	if len(ids) != 3 || !ed.checked(rowBox(2)) {
		t.Fatalf("after x and a shift-click on row 3: ticked %q, want rows 1 to 3", ids)
	}
	if got := ed.text(`[data-testid="bulk-count"]`); got != "3 selected" {
		t.Errorf("live count %q, want 3 selected", got)
	}
	ed.step("selected")

	ed.do("choose approve", chromedp.SetValue(chromedp.CSS(`[data-testid="bulk-action"]`), "approve"))
	ed.click(`[data-testid="bulk-apply-selected"]`, 200)
	if got := ed.text(`[data-testid="bulk-confirm-text"]`); got != "Approve 3 articles?" {
		t.Fatalf("confirmation %q", got)
	}
	if !allAre(a.statuses(t, ids), article.StatusPending) {
		t.Fatal("the confirmation page changed articles")
	}
	ed.step("confirm-selected")
	ed.click(`[data-testid="bulk-confirm"]`, 200)
	if got := ed.text(`[data-testid="flash"]`); got != "Approved 3 articles." {
		t.Errorf("flash %q", got)
	}
	if st := a.statuses(t, ids); !allAre(st, article.StatusApproved) {
		t.Errorf("after the bulk approve: %v", st)
	}
	ed.step("approved")
	ed.click(`[data-testid="flash-undo"]`, 200)
	if got := ed.text(`[data-testid="flash"]`); !regexp.MustCompile(`^Undid bulk action #\d+: 3 articles restored\.$`).MatchString(got) {
		t.Errorf("flash after Undo %q", got)
	}
	if st := a.statuses(t, ids); !allAre(st, article.StatusPending) {
		t.Errorf("after the Undo: %v", st)
	}
	ed.step("undone-from-flash")

	// All matching: the count, then an article arrives, then Confirm.
	ed.open("/articles")
	n := ed.count(`[data-testid="queue-row"]`)
	ed.do("choose approve", chromedp.SetValue(chromedp.CSS(`[data-testid="bulk-action"]`), "approve"))
	ed.click(`[data-testid="bulk-apply-all"]`, 200)
	if got, want := ed.text(`[data-testid="bulk-confirm-text"]`), fmt.Sprintf("Approve %d articles?", n); got != want {
		t.Fatalf("confirmation %q, want %q", got, want)
	}
	late, err := article.Parse("late.md", []byte(webtest.PlainArticle("Arrived after the count")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.Import(context.Background(), []*article.Article{late}); err != nil {
		t.Fatal(err)
	}
	ed.click(`[data-testid="bulk-confirm"]`, 200)
	if got, want := ed.text(`[data-testid="flash"]`), fmt.Sprintf("Approved %d articles.", n); got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if st := a.record(t, "late").Status; st != article.StatusPending {
		t.Errorf("the article imported after the count is %s, want pending", st)
	}
	if got := ed.texts(`[data-testid="row-title"]`); len(got) != 1 || got[0] != "Arrived after the count" {
		t.Errorf("the pending queue after approving all: %q", got)
	}
	ed.step("approved-all")

	// The history: the newest action first, undone from there.
	ed.click(`[data-testid="bulk-history-link"]`, 200)
	if got := ed.texts(`[data-testid="bulk-history-changed"]`); len(got) != 3 || got[0] != strconv.Itoa(n) {
		t.Fatalf("history counts %q", got)
	}
	ed.step("history")
	ed.click(`[data-testid="bulk-history-row"]:first-child [data-testid="bulk-history-undo"]`, 200)
	if got := ed.text(`[data-testid="flash"]`); !regexp.MustCompile(fmt.Sprintf(`^Undid bulk action #\d+: %d articles restored\.$`, n)).MatchString(got) {
		t.Errorf("flash after the history's Undo %q", got)
	}
	if rec := a.record(t, seedKey); rec.Status != article.StatusPending {
		t.Errorf("after the history's Undo the seed article is %s", rec.Status)
	}
	if ed.count(`[data-testid="bulk-history-undone"]`) != 2 {
		t.Errorf("the history marks %d actions undone, want 2", ed.count(`[data-testid="bulk-history-undone"]`))
	}
}

// TestBulkWithoutJavaScript: ticking rows and the bulk form work with
// scripts off.
func TestBulkWithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor", withoutJavaScript)
	ed.loginAs(editorName, editorPassword)
	ids := []string{}
	for i := 1; i <= 2; i++ {
		sel := fmt.Sprintf(`[data-testid="queue-row"]:nth-child(%d) [data-testid="row-select"]`, i)
		ed.do("tick row", chromedp.Click(chromedp.CSS(sel)))
		ids = append(ids, ed.value(sel))
	}
	ed.do("choose add topic", chromedp.SetValue(chromedp.CSS(`[data-testid="bulk-action"]`), "add-topic"))
	ed.typeInto(`[data-testid="bulk-topic"]`, "Bulk Topic")
	ed.click(`[data-testid="bulk-apply-selected"]`, 200)
	if got := ed.text(`[data-testid="bulk-confirm-text"]`); got != "Add topic “Bulk Topic” to 2 articles?" {
		t.Fatalf("confirmation %q", got)
	}
	ed.click(`[data-testid="bulk-confirm"]`, 200)
	if got := ed.text(`[data-testid="flash"]`); got != "Add topic “Bulk Topic”: 2 articles changed." {
		t.Errorf("flash %q", got)
	}
	for _, s := range ids {
		id, _ := strconv.ParseInt(s, 10, 64)
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil || rec.Topics[len(rec.Topics)-1] != "Bulk Topic" {
			t.Errorf("article %s topics %q (%v)", s, rec.Topics, err)
		}
	}
}

// TestBulkSelectedLeavesLaterChanges: an editor ticks two rows (with `x`
// and a click); another editor rejects the first before the bulk form is
// posted; approving the selection leaves that article rejected and says
// so, since the page showed an older version of it.
func TestBulkSelectedLeavesLaterChanges(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	rowBox := func(i int) string {
		return fmt.Sprintf(`[data-testid="queue-row"]:nth-child(%d) [data-testid="row-select"]`, i)
	}
	ed.keyPress("select the first row", "j")
	ed.keyPress("tick it", "x")
	ed.do("tick the second row", chromedp.Click(chromedp.CSS(rowBox(2))))
	ids := []string{ed.value(rowBox(1)), ed.value(rowBox(2))}

	// The other editor, after the page was drawn.
	first, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Store.Get(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	rejected := article.StatusRejected
	if _, err := a.Store.Update(context.Background(), first, db.Edit{Version: rec.Version, Status: &rejected, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}

	ed.do("choose approve", chromedp.SetValue(chromedp.CSS(`[data-testid="bulk-action"]`), "approve"))
	ed.click(`[data-testid="bulk-apply-selected"]`, 200)
	if got := ed.text(`[data-testid="bulk-confirm-text"]`); got != "Approve 2 articles?" {
		t.Fatalf("confirmation %q", got)
	}
	ed.click(`[data-testid="bulk-confirm"]`, 200)
	if got, want := ed.text(`[data-testid="flash"]`), "Approved 1 article. 1 article left alone: changed by someone since the count."; got != want {
		t.Errorf("flash %q, want %q", got, want)
	}
	if st := a.statuses(t, ids); st[ids[0]] != article.StatusRejected || st[ids[1]] != article.StatusApproved {
		t.Errorf("statuses %v: want the first rejected (the other editor's), the second approved", st)
	}
}

// TestBulkFormErrorKeepsTheQueue: a bulk form the server refuses (set
// quality with no quality) says why, and its way back returns to the
// queue with the filters the editor had.
func TestBulkFormErrorKeepsTheQueue(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	ed.open("/articles?status=pending&sort=heat")
	ed.do("tick the first row", chromedp.Click(chromedp.CSS(`[data-testid="queue-row"]:nth-child(1) [data-testid="row-select"]`)))
	ed.do("choose set quality", chromedp.SetValue(chromedp.CSS(`[data-testid="bulk-action"]`), "set-quality"))
	ed.click(`[data-testid="bulk-apply-selected"]`, 422)
	if got := ed.text(`[data-testid="error-message"]`); got != "Set quality needs a whole number from 0 to 100 in the Quality field." {
		t.Errorf("message %q", got)
	}
	ed.click(`[data-testid="bulk-back"]`, 200)
	if p := ed.path(); !regexp.MustCompile(`^/articles\?.*sort=heat`).MatchString(p) || !regexp.MustCompile(`status=pending`).MatchString(p) {
		t.Errorf("back at %q, want the queue with its filters", p)
	}
}
