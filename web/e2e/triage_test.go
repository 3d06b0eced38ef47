package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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

// TestTriageApproveAndRejectAndNext clicks Approve and Reject from the
// first article of the default queue: each saves and shows the next
// article of the queue, with a flash naming what was done and the place
// in the queue.
func TestTriageApproveAndRejectAndNext(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "triage")
	tb.loginAs(editorName, editorPassword)
	tb.open("/articles")
	titles := tb.texts(`[data-testid="row-title"]`)
	ids := eval[[]string](tb, `[...document.querySelectorAll('[data-testid="queue-row"]')].map(r => r.dataset.id)`)
	if len(titles) < 4 || len(ids) != len(titles) {
		t.Fatalf("queue has %d rows, %d ids", len(titles), len(ids))
	}
	n := len(titles)
	tb.click(`[data-testid="row-title"]`, 200)
	if got := tb.text(`[data-testid="progress"]`); got != fmt.Sprintf("1 of %d pending in this queue", n) {
		t.Errorf("progress %q", got)
	}
	tb.click(`[data-testid="approve"]`, 200)
	if got := tb.text(`[data-testid="title"]`); got != titles[1] {
		t.Fatalf("after Approve the page shows %q, want %q", got, titles[1])
	}
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Approved “") {
		t.Errorf("flash after Approve %q", got)
	}
	// The approved article left the queue: the next one is first now.
	if got := tb.text(`[data-testid="progress"]`); got != fmt.Sprintf("1 of %d pending in this queue", n-1) {
		t.Errorf("progress after Approve %q", got)
	}
	tb.step("approved-next")
	tb.click(`[data-testid="reject"]`, 200)
	if got := tb.text(`[data-testid="title"]`); got != titles[2] {
		t.Fatalf("after Reject the page shows %q, want %q", got, titles[2])
	}
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Rejected “") {
		t.Errorf("flash after Reject %q", got)
	}
	tb.step("rejected-next")
	for i, want := range []article.Status{article.StatusApproved, article.StatusRejected, article.StatusPending} {
		id, _ := strconv.ParseInt(ids[i], 10, 64)
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if rec.Status != want {
			t.Errorf("row %d (%s): status %s, want %s", i, titles[i], rec.Status, want)
		}
	}
	if got := tb.path(); !strings.HasPrefix(got, "/articles/"+ids[2]+"?") {
		t.Errorf("after Reject the page is %s, want article %s", got, ids[2])
	}
}

// TestTriageDecisionBarInView: at 1280×720 and 1366×768 the decision bar
// is on screen after a save that left a flash and five topics, also when
// scrolled to the end; the focus starts on the article, not in a field.
func TestTriageDecisionBarInView(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	for _, size := range [][2]int64{{1280, 720}, {1366, 768}} {
		name := fmt.Sprintf("%dx%d", size[0], size[1])
		tb := newTab(t, a, name)
		tb.do("set the viewport", chromedp.EmulateViewport(size[0], size[1]))
		tb.loginAs(editorName, editorPassword)
		tb.open(a.articlePath(t, seedKey))
		checkFocusOnArticle(tb)
		if rec := a.record(t, seedKey); len(rec.Topics) < 5 {
			tb.typeInto("#new-topic", "Workforce, Training")
		}
		tb.click(`[data-testid="save"]`, 200)
		if tb.count(`[data-testid="flash"]`) != 1 || tb.count(`[data-testid="topic-input"]`) != 5 {
			t.Fatalf("%s: %d flashes, %d topics", name, tb.count(`[data-testid="flash"]`), tb.count(`[data-testid="topic-input"]`))
		}
		checkFocusOnArticle(tb)
		decisionBarInView(tb, name+" after a save")
		tb.step("decision-bar-" + name)
		viewportShot(tb, "viewport-"+name)
		eval[bool](tb, `(window.scrollTo(0, document.body.scrollHeight), true)`)
		decisionBarInView(tb, name+" scrolled to the end")
	}
}

// viewportShot saves what the window shows (the step screenshots show the
// whole page), beside the step screenshots.
func viewportShot(tb *tab, name string) {
	tb.t.Helper()
	png := run(tb, "screenshot "+name, chromedp.CaptureScreenshot())
	dir := filepath.Join(shared.shotsDir, fileName(tb.t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%02d-%s-%s.png", tb.app.nextShot(), fileName(tb.name), fileName(name)))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

func decisionBarInView(tb *tab, when string) {
	tb.t.Helper()
	bottom := eval[float64](tb, `document.querySelector('[data-testid="decision-bar"]').getBoundingClientRect().bottom`)
	height := eval[float64](tb, `window.innerHeight`)
	if bottom > height {
		tb.t.Errorf("%s: the decision bar ends at %.0f px, below the window (%.0f px)", when, bottom, height)
	}
	for _, sel := range []string{`[data-testid="approve"]`, `[data-testid="reject"]`, `[data-testid="save"]`, `[data-testid="save-next"]`} {
		if !onScreen(tb, sel) {
			tb.t.Errorf("%s: %s is not on the screen", when, sel)
		}
	}
}

func checkFocusOnArticle(tb *tab) {
	tb.t.Helper()
	if got := eval[string](tb, `document.activeElement.dataset.testid || document.activeElement.tagName`); got != "article" {
		tb.t.Errorf("the focus is on %q, want the article", got)
	}
}

// TestTriageFields: Enter in the quality field keeps the value and leaves
// the field without submitting; the add-topic field takes several topics,
// Enter starts the next, and a topic not in use is marked new.
func TestTriageFields(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "fields")
	tb.loginAs(editorName, editorPassword)
	tb.open(a.articlePath(t, seedKey))
	eval[bool](tb, `(document.querySelector('form.review-form').addEventListener('submit', () => { window.e2eSubmitted = true }), true)`)
	tb.typeInto("#quality", "77")
	tb.keyPress("Enter in quality", kb.Enter)
	if eval[bool](tb, `!!window.e2eSubmitted`) {
		t.Fatal("Enter in the quality field submitted the form")
	}
	if got := tb.value("#quality"); got != "77" {
		t.Errorf("quality %q", got)
	}
	if eval[bool](tb, `document.activeElement.id === "quality"`) {
		t.Error("Enter left the focus in the quality field")
	}

	tb.typeInto("#new-topic", "ai, Zzyzx")
	if !tb.visible(`[data-testid="new-topic-check"]`) {
		t.Fatal("no new-topic mark")
	}
	if got := tb.text(`[data-testid="new-topic-check"]`); !strings.Contains(got, "Zzyzx") || strings.Contains(strings.ToLower(got), "ai ") {
		t.Errorf("new-topic mark %q", got)
	}
	tb.keyPress("Enter in new topic", kb.Enter)
	if eval[bool](tb, `!!window.e2eSubmitted`) {
		t.Fatal("Enter in the add-topic field submitted the form")
	}
	if got := tb.value("#new-topic"); got != "ai, Zzyzx, " {
		t.Errorf("after Enter the add-topic field holds %q", got)
	}
	// The suggestions now offer each topic after what is typed.
	if got := eval[string](tb, `document.querySelector('#topic-suggestions option').value`); !strings.HasPrefix(got, "ai, Zzyzx, ") {
		t.Errorf("first suggestion %q", got)
	}
	tb.keyPress("type a third topic", "Health Policy")
	tb.step("new-topics")
	tb.click(`[data-testid="save"]`, 200)
	rec := a.record(t, seedKey)
	if rec.Quality != 77 || !containsFold(rec.Topics, "Zzyzx") || !containsFold(rec.Topics, "Health Policy") {
		t.Errorf("stored quality %d, topics %q", rec.Quality, rec.Topics)
	}
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.Contains(got[0], "new topic") {
		t.Errorf("flash %q", got)
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// TestTriageUnsavedChanges: leaving with unsaved edits asks first (the
// editor stays when they say no); saving does not ask, nor does leaving a
// page without edits.
func TestTriageUnsavedChanges(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "unsaved")
	tb.loginAs(editorName, editorPassword)
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
	path := a.articlePath(t, seedKey)
	tb.open(path)
	tb.typeInto("#note", "half a thought")
	tb.do("click the back link", chromedp.Click(chromedp.CSS(`[data-testid="back-to-queue"]`)))
	select {
	case typ := <-dialogs:
		if typ != page.DialogTypeBeforeunload {
			t.Errorf("dialog %s, want beforeunload", typ)
		}
	case <-time.After(actionTimeout):
		t.Fatal("leaving with an unsaved note did not ask")
	}
	if got := tb.path(); got != path {
		t.Errorf("after staying the page is %q", got)
	}
	if got := tb.value("#note"); got != "half a thought" {
		t.Errorf("the note is %q after staying", got)
	}
	tb.click(`[data-testid="save"]`, 200)
	tb.click(`[data-testid="back-to-queue"]`, 200)
	if got := tb.path(); !strings.HasPrefix(got, "/articles") || strings.HasPrefix(got, path) {
		t.Errorf("after leaving a saved page: %q", got)
	}
	select {
	case typ := <-dialogs:
		t.Errorf("a %s dialog opened without unsaved edits", typ)
	default:
	}
}

// TestTriageBrokenImages: a lead image and a body image that do not load
// leave no box behind.
func TestTriageBrokenImages(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	missing := a.URL + "/static/no-such-image.png"
	file := fmt.Sprintf("---\ntitle: Broken pictures\nimages:\n  - url: %q\n---\nText.\n\n![body picture](%s)\n", missing, missing)
	art, err := article.Parse("broken.md", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.Import(context.Background(), []*article.Article{art}); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, a, "images")
	tb.loginAs(editorName, editorPassword)
	tb.open(a.articlePath(t, "broken") + "?from=" + url.QueryEscape("status=pending"))
	tb.do("wait for the lead image to hide", chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="image"]`)))
	tb.do("wait for the body image to hide", chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="body"] img`)))
	if got := eval[int](tb, `[...document.querySelectorAll('main img')].filter(i => i.getBoundingClientRect().height > 0).length`); got != 0 {
		t.Errorf("%d images still take room", got)
	}
	if got := tb.text(`[data-testid="body"] p`); got != "Text." {
		t.Errorf("body %q", got)
	}
}
