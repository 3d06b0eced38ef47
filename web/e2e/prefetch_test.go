package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/newsdesk/newsdesk/article"
)

// The next article at once (static/js/instant.js): the review page
// fetches the next article's page while the editor reads; Approve, Reject
// and Save and next show it without a page load and save in the
// background.

// instantNext turns instant.js on in the tab's browser: loginAs turns it
// off, so that the other tests keep their page load per decision.
func (tb *tab) instantNext() {
	tb.t.Helper()
	eval[bool](tb, `(localStorage.setItem("newsdesk.instant-next", "on"), true)`)
}

// waitFor polls the JavaScript condition cond until it holds, also
// across page loads (an evaluation that fails while the document changes
// counts as not yet).
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	tb.t.Fatalf("%s: %s: not within %s", tb.name, what, actionTimeout)
}

// waitInPage waits, without a page load, until the JavaScript condition
// cond holds, checking it in the page at every frame: a timing as close
// as the screen's.
func (tb *tab) waitInPage(what, cond string) {
	tb.t.Helper()
	run(tb, what, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(actionTimeout)))
}

// nextReady waits until the page has fetched the next article's page,
// and returns that page's path.
func (tb *tab) nextReady() string {
	tb.t.Helper()
	tb.waitFor("the next page fetched", `!!document.querySelector('.decision-bar[data-next-ready]')`)
	return eval[string](tb, `document.querySelector('.decision-bar').dataset.nextUrl`)
}

// articleID is the article of a review page path.
func articleID(path string) int64 {
	p, _, _ := strings.Cut(strings.TrimPrefix(path, "/articles/"), "?")
	n, _ := strconv.ParseInt(p, 10, 64)
	return n
}

// fetchesOf counts the requests for path this document made (the
// prefetch is one), from the browser's resource timing.
func (tb *tab) fetchesOf(path string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname + new URL(e.name).search === %q).length`, path))
}

// TestPrefetchApprove: with the next page fetched, `a` shows the next
// article without loading a page (the document is the same one, and the
// next page was requested once: by the prefetch); the flash with Undo
// arrives, the count is corrected, the save is stored, and Undo works.
// Back shows the article before; forward the one after.
func TestPrefetchApprove(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	tb.instantNext()
	titles := tb.texts(`[data-testid="row-title"]`)
	n := len(titles)
	tb.click(`[data-testid="row-title"]`, 200)
	first := tb.path()
	next := tb.nextReady()
	eval[bool](tb, `(window.e2eSameDocument = true)`)
	// The flash's height as the page changes: the box put there at once
	// and the flash it becomes must be of one height, or the page jumps.
	eval[bool](tb, `(window.e2eFlashHeights = [], new MutationObserver(() => {
		const b = document.querySelector('[data-testid="flash-box"]');
		if (b) window.e2eFlashHeights.push(b.className + " " + b.getBoundingClientRect().height);
	}).observe(document.body, {childList: true, subtree: true}), true)`)

	tb.keyPress("a", "a")
	tb.waitFor("the next article shown", fmt.Sprintf(`document.querySelector('[data-testid="title"]').textContent.trim() === %q`, titles[1]))
	if !eval[bool](tb, `window.e2eSameDocument === true`) {
		t.Fatal("`a` loaded a page")
	}
	if got := tb.path(); got != next {
		t.Errorf("the address is %s, want the next article's %s", got, next)
	}
	if got := tb.fetchesOf(next); got != 1 {
		t.Errorf("the next page was requested %d times, want once (the prefetch)", got)
	}
	if got := tb.focused(); got != "[data-testid=article]" {
		t.Errorf("after the swap the focus is on %s, want the article", got)
	}
	tb.waitFor("the save's flash", `!!document.querySelector('[data-testid="flash-undo"]')`)
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Approved “") {
		t.Errorf("flash %q", got)
	}
	heights := eval[[]string](tb, `window.e2eFlashHeights`)
	if len(heights) < 2 || !strings.HasPrefix(heights[0], "notice pending ") {
		t.Errorf("the flash went through %q, want a pending box first", heights)
	}
	for _, h := range heights[1:] {
		if strings.Fields(h)[2] != strings.Fields(heights[0])[2] {
			t.Errorf("the flash changed height: %q", heights)
			break
		}
	}
	if got := tb.text(`[data-testid="progress"]`); got != fmt.Sprintf("1 of %d pending in this queue", n-1) {
		t.Errorf("progress after the save %q", got)
	}
	if rec, err := a.Store.Get(context.Background(), articleID(first)); err != nil || rec.Status != article.StatusApproved {
		t.Fatalf("the first article: %v; want it approved", err)
	}
	tb.step("approved-at-once")

	// The keys, the guard and the next prefetch work on the page shown.
	tb.nextReady()
	tb.keyPress("p", "p")
	if !tb.checked("#published") {
		t.Errorf("p did not tick Published on the page shown")
	}
	tb.keyPress("p", "p")

	// Back: the first article again, from the server (approved now);
	// forward: the second.
	tb.back()
	if got := tb.path(); got != first {
		t.Errorf("back: at %s, want %s", got, first)
	}
	if got := tb.text(`[data-testid="title"]`); got != titles[0] {
		t.Errorf("back: title %q, want %q", got, titles[0])
	}
	if got := tb.text(`[data-testid="status"]`); got != "approved" {
		t.Errorf("back: status %q, want approved", got)
	}
	// Forward may be a page load or, within the document, a reload: wait
	// for a new document at the address.
	eval[bool](tb, `(window.e2eLeft = true)`)
	tb.do("history forward", chromedp.NavigateForward())
	tb.waitFor("forward", fmt.Sprintf(`!window.e2eLeft && location.pathname + location.search === %q && document.readyState === "complete"`, next))
	if got := tb.text(`[data-testid="title"]`); got != titles[1] {
		t.Errorf("forward: title %q, want %q", got, titles[1])
	}

	// Undo from the flash: a plain form, as after a page load.
	tb.nextReady()
	tb.keyPress("r", "r")
	tb.waitFor("the save's flash", `!!document.querySelector('[data-testid="flash-undo"]')`)
	tb.click(`[data-testid="flash-undo"]`, 200)
	if got := tb.path(); got != next {
		t.Errorf("Undo went to %s, want %s", got, next)
	}
	if rec, err := a.Store.Get(context.Background(), articleID(next)); err != nil || rec.Status != article.StatusPending {
		t.Errorf("after Undo the second article is %v (%v), want pending", rec.Status, err)
	}
	if got := tb.text(`[data-testid="flash"]`); !strings.HasPrefix(got, "Undid your change") {
		t.Errorf("flash after Undo %q", got)
	}
}

// TestPrefetchConflict: a background save that meets a newer version
// (rita saved the article meanwhile) says so, naming the article and
// rita, and the page shown stays usable; its Open it posts the editor's
// values as the form would, which shows the conflict page.
func TestPrefetchConflict(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	ed.instantNext()
	titles := ed.texts(`[data-testid="row-title"]`)
	ed.click(`[data-testid="row-title"]`, 200)
	ed.nextReady()
	ed.keyPress("a", "a")
	ed.waitFor("the second article", fmt.Sprintf(`document.querySelector('[data-testid="title"]').textContent.trim() === %q`, titles[1]))
	second := ed.path()
	ed.nextReady()

	rita := newTab(t, a, "rita")
	rita.loginAs(otherName, otherPassword)
	rita.open(second)
	rita.typeInto("#quality", "3")
	rita.click(`[data-testid="save"]`, 200)

	ed.typeInto("#quality", "88")
	ed.keyPress("leave the field", kb.Escape)
	ed.keyPress("a", "a")
	ed.waitFor("the third article", fmt.Sprintf(`document.querySelector('[data-testid="title"]').textContent.trim() === %q`, titles[2]))
	ed.waitFor("the failure", `!!document.querySelector('[data-save-failed]')`)
	// The flash quotes up to 60 characters of the title.
	got := ed.text(`[data-save-failed] [data-testid="flash"]`)
	if !strings.HasPrefix(got, "Not saved: “"+titles[1][:40]) || !strings.HasSuffix(got, "” was changed by "+otherName+" since.") {
		t.Errorf("failure %q, want it to name %q and %s", got, titles[1], otherName)
	}
	if rec, err := a.Store.Get(context.Background(), articleID(second)); err != nil || rec.Quality != 3 || rec.Status != article.StatusPending {
		t.Errorf("the second article: quality %d, %s (%v); want rita's 3, pending", rec.Quality, rec.Status, err)
	}
	ed.step("save-failed")
	// The page shown works: its keys, its form.
	ed.keyPress("p", "p")
	if !ed.checked("#published") {
		t.Errorf("p did not tick Published after the failure")
	}
	ed.keyPress("p", "p")
	// Moving on would lose the failed decision: a only points at it.
	third := ed.path()
	ed.keyPress("a with a failure shown", "a")
	ed.waitFor("the failure's button focused", `document.activeElement && document.activeElement.dataset.testid === "save-failed-open"`)
	if ed.path() != third {
		t.Errorf("a moved on to %s with a failed save on screen", ed.path())
	}
	if rec, err := a.Store.Get(context.Background(), articleID(third)); err != nil || rec.Status != article.StatusPending {
		t.Errorf("the third article after a: %s (%v), want pending", rec.Status, err)
	}
	// Open it: the editor's values go to the conflict page.
	ed.click(`[data-testid="save-failed-open"]`, 409)
	if page := ed.text(`main`); !strings.Contains(page, titles[1]) || !strings.Contains(page, "88") {
		t.Errorf("Open it shows a page without the article or the editor's quality 88: %q", page)
	}
}

// TestPrefetchTriage25 triages 25 articles by keyboard (a and r in turn)
// with the next article shown at once. It prints, per article, the time
// from the key to the next article in the page's DOM, measured in the
// browser (keydown to the swap), and the same seen from the test (with
// the driver's round trips); TestKeysTriage25 prints the same with a page
// load per decision (instant.js off), the figure to compare. The
// prefetch happens while the editor reads: its wait is left out of the
// figures and printed apart. It asserts the decisions stored.
func TestPrefetchTriage25(t *testing.T) {
	t.Parallel()
	const n = 25
	// armKey notes the time of the next keydown (epoch ms) in the tab's
	// sessionStorage.
	const armKey = `(document.addEventListener("keydown", () => sessionStorage.setItem("e2eKeyAt", String(performance.timeOrigin + performance.now())), {capture: true, once: true}), true)`
	a := startApp(t)
	tb := newTab(t, a, "instant")
	tb.loginAs(editorName, editorPassword)
	tb.instantNext()
	if rows := len(tb.rowIDs()); rows < n+1 {
		t.Fatalf("the queue has %d articles, want at least %d", rows, n+1)
	}
	tb.click(`[data-testid="row-title"]`, 200)
	var inPage float64
	var seen, reading time.Duration
	decided := map[int64]article.Status{}
	for i := range n {
		id := articleID(tb.path())
		key, want := "a", article.StatusApproved
		if i%2 == 1 {
			key, want = "r", article.StatusRejected
		}
		decided[id] = want
		r := time.Now()
		tb.nextReady()
		reading += time.Since(r)
		eval[bool](tb, armKey)
		start := time.Now()
		tb.keyPress(key, key)
		// Checked at every frame; notes when it first holds.
		tb.waitInPage("the next article", fmt.Sprintf(`location.pathname !== %q && !!document.querySelector('[data-testid="title"]') &&
			(window.e2eShownAt = performance.timeOrigin + performance.now(), true)`, "/articles/"+strconv.FormatInt(id, 10)))
		seen += time.Since(start)
		inPage += eval[float64](tb, `window.e2eShownAt - Number(sessionStorage.getItem("e2eKeyAt"))`)
	}
	tb.waitFor("the last save answered", `!!document.querySelector('[data-testid="flash-undo"]')`)
	t.Logf("%d articles, next article at once (prefetch ready %.0f ms after the article, waited for): %.1f ms per article from key to next article (in the browser), %.1f ms seen from the test",
		n, float64(reading.Milliseconds())/n, inPage/n, float64(seen.Microseconds())/1000/n)
	for id, want := range decided {
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("article %d: %v", id, err)
		}
		if rec.Status != want {
			t.Errorf("article %d (%q): status %s, want %s", id, rec.Article.Title, rec.Status, want)
		}
	}
}

// watchDialogs answers every JavaScript dialog of the tab with "stay"
// and sends its type on the channel it returns.
func (tb *tab) watchDialogs() <-chan page.DialogType {
	dialogs := make(chan page.DialogType, 4)
	go func() {
		for ev, err := range chromedp.Events(tb.ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs <- ev.Type
			go func() { // stay on the page
				_ = chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
					return err
				}))
			}()
		}
	}()
	return dialogs
}

// decideFirstAtOnce opens the queue's first article, waits for the next
// page, decides with key and waits until the next article is shown and
// the save answered. It returns the queue's titles.
func (tb *tab) decideFirstAtOnce(key string) []string {
	tb.t.Helper()
	titles := tb.texts(`[data-testid="row-title"]`)
	tb.click(`[data-testid="row-title"]`, 200)
	tb.nextReady()
	eval[bool](tb, `(window.e2eSameDocument = true)`)
	tb.keyPress(key, key)
	tb.waitFor("the next article shown", fmt.Sprintf(`document.querySelector('[data-testid="title"]').textContent.trim() === %q`, titles[1]))
	tb.waitFor("the save's flash", `!!document.querySelector('[data-testid="flash-undo"]')`)
	if !eval[bool](tb, `window.e2eSameDocument === true`) {
		tb.t.Fatalf("%s: `%s` loaded a page", tb.name, key)
	}
	return titles
}

// TestPrefetchUnsavedGuard: on the article shown at once, leaving with
// an edit not saved asks first, as on a page loaded (review.js's guard
// must not take instant.js's submit for a page left).
func TestPrefetchUnsavedGuard(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "guard")
	tb.loginAs(editorName, editorPassword)
	tb.instantNext()
	tb.decideFirstAtOnce("a")
	second := tb.path()
	dialogs := tb.watchDialogs()
	tb.typeInto("#note", "half a thought")
	tb.do("click the back link", chromedp.Click(chromedp.CSS(`[data-testid="back-to-queue"]`)))
	select {
	case typ := <-dialogs:
		if typ != page.DialogTypeBeforeunload {
			t.Errorf("dialog %s, want beforeunload", typ)
		}
	case <-time.After(actionTimeout):
		t.Fatal("leaving the article shown at once with an unsaved note did not ask")
	}
	if got := tb.path(); got != second {
		t.Errorf("after staying the page is %q, want %q", got, second)
	}

	// A submit that a listener of the form added after review.js's
	// cancels (as instant.js's does while an earlier save is on its way)
	// leaves the page where it is: the guard stays on.
	eval[bool](tb, `(document.querySelector("form.review-form").addEventListener("submit", (e) => e.preventDefault()), true)`)
	tb.do("click Save", chromedp.Click(chromedp.CSS(`[data-testid="save"]`)))
	tb.do("click the back link", chromedp.Click(chromedp.CSS(`[data-testid="back-to-queue"]`)))
	select {
	case <-dialogs:
	case <-time.After(actionTimeout):
		t.Fatal("after a cancelled submit, leaving with an unsaved note did not ask")
	}
	if got := tb.path(); got != second {
		t.Errorf("after staying the page is %q, want %q", got, second)
	}
}

// TestPrefetchOlderBrowser: a browser whose FormData ignores the
// submitter (before Chrome 112, Firefox 111, Safari 16.4) still sends
// Approve as Approve.
func TestPrefetchOlderBrowser(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "old-formdata")
	tb.loginAs(editorName, editorPassword)
	tb.instantNext()
	tb.click(`[data-testid="row-title"]`, 200)
	first := tb.path()
	tb.nextReady()
	eval[bool](tb, `(window.FormData = class extends FormData { constructor(form) { super(form); } }, true)`)
	tb.keyPress("a", "a")
	tb.waitFor("the next article shown", fmt.Sprintf(`location.pathname !== %q`, strings.SplitN(first, "?", 2)[0]))
	tb.waitFor("the save's flash", `!!document.querySelector('[data-testid="flash-undo"]')`)
	if rec, err := a.Store.Get(context.Background(), articleID(first)); err != nil || rec.Status != article.StatusApproved {
		t.Errorf("the first article is %v (%v), want approved", rec.Status, err)
	}
}

// TestPrefetchPresence: the next article the page fetched ahead was
// opened meanwhile by rita. Approve shows it at once, but the save's
// answer moves on (the server claims its own next, which skips rita's)
// and the editor is taken to the article after it, told why: two editors
// never silently review one article.
func TestPrefetchPresence(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	ed.instantNext()
	titles := ed.texts(`[data-testid="row-title"]`)
	ed.click(`[data-testid="row-title"]`, 200)
	first := ed.path()
	next := ed.nextReady()

	rita := newTab(t, a, "rita")
	rita.loginAs(otherName, otherPassword)
	rita.open(next)

	eval[bool](ed, `(window.e2eSameDocument = true)`)
	ed.keyPress("a", "a")
	// Titles may repeat in the queue: wait for the address.
	ed.waitFor("the article after rita's", fmt.Sprintf(`location.pathname !== %q && location.pathname !== %q && !document.querySelector(".notice.pending")`,
		strings.SplitN(next, "?", 2)[0], strings.SplitN(first, "?", 2)[0]))
	if got := ed.text(`[data-testid="title"]`); got != titles[2] {
		t.Errorf("the editor is on %q (%s), want %q, the article after rita's %s", got, ed.path(), titles[2], next)
	}
	if !eval[bool](ed, `window.e2eSameDocument === true`) {
		t.Error("moving on loaded a page")
	}
	flashes := ed.texts(`[data-testid="flash"]`)
	if len(flashes) != 2 || !strings.HasPrefix(flashes[0], "Approved “") || !strings.Contains(flashes[1], "is open by "+otherName) {
		t.Errorf("flashes %q, want the approval and that %s has the article", flashes, otherName)
	}
	if rec, err := a.Store.Get(context.Background(), articleID(first)); err != nil || rec.Status != article.StatusApproved {
		t.Errorf("the first article is %v (%v), want approved", rec.Status, err)
	}
	ed.step("moved-on")
}
