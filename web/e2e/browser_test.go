package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// actionTimeout bounds one browser action: a click and the page it loads,
// a query, an axe run. Generous, because it only matters when a test fails.
const actionTimeout = 30 * time.Second

// tab is one browser tab in its own browser context (like an incognito
// window: its own cookies), on one app.
type tab struct {
	t    *testing.T
	ctx  context.Context
	app  *app
	name string // names the tab in screenshots and messages
	noJS bool
}

type tabOption func(*tab)

// withoutJavaScript turns script execution off in the tab, as a browser
// with JavaScript disabled.
func withoutJavaScript(tb *tab) { tb.noJS = true }

// newTab opens a tab in a new browser context of the shared browser.
func newTab(t *testing.T, a *app, name string, opts ...tabOption) *tab {
	t.Helper()
	bctx := browserContext(t)
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, app: a, name: name}
	for _, o := range opts {
		o(tb)
	}
	// The first action on a context creates its tab and binds the tab's
	// life to the context it runs with: this one, not one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open a tab: %v", name, err)
	}
	tb.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	if tb.noJS {
		tb.setScripts(false)
	}
	// Runs before cancel (cleanups run last in, first out): the page as it
	// was when the test failed.
	t.Cleanup(func() {
		if t.Failed() {
			tb.screenshot("at-failure")
		}
	})
	return tb
}

// setScripts turns the page's script execution on or off.
func (tb *tab) setScripts(on bool) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("set JavaScript on=%v", on), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

// run runs one action with a timeout and fails the test on error.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	return v
}

// do runs actions in order with one timeout, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	run(tb, what, chromedp.Steps(actions...))
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, "evaluate "+abbrev(expr), chromedp.Evaluate[T](expr))
}

// load runs actions that make the page navigate (a click on a link or a
// submit button, a key press) and waits for the new page. It fails the
// test unless the page answered with wantStatus.
func (tb *tab) load(what string, wantStatus int, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	if resp == nil || int(resp.Status) != wantStatus {
		tb.t.Fatalf("%s: %s: got %s, want status %d", tb.name, what, describeResponse(resp), wantStatus)
	}
}

// open navigates to a path of the app and expects a 200.
func (tb *tab) open(path string) {
	tb.t.Helper()
	resp := run(tb, "open "+path, chromedp.NavigateResponse(tb.app.URL+path))
	if resp == nil || resp.Status != 200 {
		tb.t.Fatalf("%s: open %s: got %v, want status 200", tb.name, path, describeResponse(resp))
	}
}

// click clicks the element sel and waits for the page it loads.
func (tb *tab) click(sel string, wantStatus int) {
	tb.t.Helper()
	tb.load("click "+sel, wantStatus, chromedp.Click(chromedp.CSS(sel)))
}

// typeInto replaces the value of the text field sel by typing: select all,
// then the keys, as a person at a keyboard would.
func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do("type into "+sel,
		chromedp.Focus(chromedp.CSS(sel)),
		selectAll,
		chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent(text),
	)
}

// selectAll is Ctrl+A, sent as the editing command so that it does the
// same on every platform.
var selectAll = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	return dispatchKey(ctx, t, "a", "KeyA", 65, "selectAll", 2)
})

// path is the path and query of the page shown now.
func (tb *tab) path() string {
	tb.t.Helper()
	loc := run(tb, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		tb.t.Fatalf("%s: location %q: %v", tb.name, loc, err)
	}
	return u.RequestURI()
}

// text is the trimmed, space-normalised text content of the first element
// sel, or "" when there is none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent.replace(/\s+/g, " ").trim() : ""; })()`, sel))
}

// texts is text for every element sel.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent.replace(/\s+/g, " ").trim())`, sel))
}

// count is the number of elements sel.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// value is the current value of the form control sel.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return run(tb, "value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// checked reports whether the checkbox or radio button sel is checked.
func (tb *tab) checked(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`document.querySelector(%q).checked`, sel))
}

// visible reports whether sel is rendered (not hidden, not display:none).
func (tb *tab) visible(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.checkVisibility(); })()`, sel))
}

// login fills the login form with the mouse and keyboard and submits it.
func (tb *tab) login(user, password string, wantStatus int) {
	tb.t.Helper()
	tb.typeInto(`[data-testid="username"]`, user)
	tb.typeInto(`[data-testid="password"]`, password)
	tb.click(`[data-testid="login-submit"]`, wantStatus)
}

// loginAs opens the login page and logs in; the queue is shown then.
func (tb *tab) loginAs(user, password string) {
	tb.t.Helper()
	tb.open("/login")
	tb.login(user, password, 200)
	if got := tb.text(`[data-testid="current-user"]`); got != user {
		tb.t.Fatalf("%s: after login the page shows user %q, want %q", tb.name, got, user)
	}
	// The next article at once (instant.js) is off unless a test turns it
	// on (instantNext): the others expect a page load per decision.
	eval[bool](tb, `(localStorage.setItem("newsdesk.instant-next", "off"), true)`)
	tb.step("queue")
}

// step records a step of a flow: a screenshot, then the accessibility
// check of the page as it is now.
func (tb *tab) step(name string) {
	tb.t.Helper()
	tb.screenshot(name)
	tb.checkAccessibility(name)
}

// screenshot saves a full-page PNG as <dir>/<test>/<NN>-<tab>-<name>.png.
// A failed screenshot is logged, not fatal: it must not hide the failure
// it is there to show.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("%s: screenshot %s: %v", tb.name, name, err)
		return
	}
	dir := filepath.Join(shared.shotsDir, fileName(tb.t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Logf("screenshot: %v", err)
		return
	}
	file := filepath.Join(dir, fmt.Sprintf("%02d-%s-%s.png", tb.app.nextShot(), fileName(tb.name), fileName(name)))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Logf("screenshot: %v", err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_") }

func abbrev(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// keyPress sends one key (keyDown, char when it types, keyUp) to the
// focused element.
func (tb *tab) keyPress(what string, key string) {
	tb.t.Helper()
	tb.do(what, chromedp.KeyEvent(key))
}

// dispatchKey presses and releases one key with modifiers (Alt=1, Ctrl=2,
// Meta=4, Shift=8) and, optionally, the editing command it stands for.
func dispatchKey(ctx context.Context, t *chromedp.Target, key, code string, keyCode int64, command string, modifiers int64) error {
	down := input.DispatchKeyEventParams{
		Type: input.DispatchKeyEventTypeRawKeyDown, Key: key, Code: code, Modifiers: modifiers,
		WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode,
	}
	if command != "" {
		down.Commands = []string{command}
	}
	if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, down); err != nil {
		return fmt.Errorf("key %s down: %w", key, err)
	}
	up := down
	up.Type, up.Commands = input.DispatchKeyEventTypeKeyUp, nil
	if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, up); err != nil {
		return fmt.Errorf("key %s up: %w", key, err)
	}
	return nil
}

func describeResponse(r *network.Response) string {
	if r == nil {
		return "no response"
	}
	return fmt.Sprintf("%d %s from %s", r.Status, r.StatusText, r.URL)
}

// back is the browser's back button. It does not wait for a load event,
// which a page restored from the back/forward cache never fires: it waits
// until another document than the one shown before is complete.
func (tb *tab) back() {
	tb.t.Helper()
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.e2eLeft = true`))
	tb.do("history back", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		h, err := cdp.Call(ctx, t, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		if h.CurrentIndex < 1 {
			return errors.New("no page to go back to")
		}
		_, err = cdp.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID})
		return err
	}))
	deadline := time.Now().Add(actionTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		// Errors are expected while the documents change.
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.e2eLeft && document.readyState === "complete"`))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("%s: history back: no page shown within %s", tb.name, actionTimeout)
}
