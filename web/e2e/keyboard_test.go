package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tabbablesJS lists, in document order, the elements the Tab key should
// visit: enabled, rendered links, buttons and form controls, and elements
// with tabindex >= 0; of a group of radio buttons only the checked one (or
// the first, when none is checked), since arrow keys move inside a group.
const tabbablesJS = `(() => {
	const all = document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]");
	return Array.from(all).filter(el => {
		if (el.tabIndex < 0 || el.disabled || el.type === "hidden") return false;
		if (!el.checkVisibility({visibilityProperty: true})) return false;
		if (el.type === "radio" && el.name) {
			const group = Array.from((el.form || document).querySelectorAll('input[type="radio"]'))
				.filter(r => r.name === el.name && !r.disabled);
			const checked = group.find(r => r.checked);
			return el === (checked || group[0]);
		}
		return true;
	});
})()`

// focusInfo describes the focused element: its place in the tab order
// (-1 when it is not in it), a readable name and its focus style.
type focusInfo struct {
	Index   int    `json:"index"`
	Name    string `json:"name"`
	Outline string `json:"outline"`
	Shadow  string `json:"shadow"`
}

const focusInfoJS = `(() => {
	const el = document.activeElement;
	const list = ` + tabbablesJS + `;
	const cs = el ? getComputedStyle(el) : null;
	const label = el && (el.id ? "#" + el.id : el.getAttribute("data-testid") ? "[data-testid=" + el.getAttribute("data-testid") + "]" :
		el.tagName.toLowerCase() + ' "' + (el.textContent || el.value || "").trim().slice(0, 40) + '"');
	return {
		index: list.indexOf(el),
		name: label || "(none)",
		outline: cs ? cs.outlineStyle + " " + cs.outlineWidth : "",
		shadow: cs ? cs.boxShadow : "",
	};
})()`

// visibleFocus reports whether a focused element's style shows it: an
// outline that is drawn, or a box shadow.
func (f focusInfo) visibleFocus() bool {
	outline := f.Outline != "" && !strings.HasPrefix(f.Outline, "none") && !strings.HasSuffix(f.Outline, " 0px")
	shadow := f.Shadow != "" && f.Shadow != "none"
	return outline || shadow
}

// tabOrder presses Tab through every control of the page and checks that
// focus visits each one once, in document order, and that each shows a
// visible focus style. Focus starts where the page put it and wraps
// around the end of the page (where it may leave the document for one
// press), so the order is checked as a cycle. It returns the names of the
// controls in tab order.
func (tb *tab) tabOrder(page string) []string {
	tb.t.Helper()
	n := eval[int](tb, tabbablesJS+`.length`)
	if n == 0 {
		tb.t.Fatalf("%s: no control to reach with Tab", page)
	}
	names := make([]string, n)
	seen, prev := 0, -1
	for press := 0; seen < n; press++ {
		if press > n+2 {
			tb.t.Errorf("%s: %d Tab presses reached only %d of the %d controls: %q", page, press, seen, n, names)
			return names
		}
		tb.keyPress("Tab", kb.Tab)
		f := eval[focusInfo](tb, focusInfoJS)
		if f.Index < 0 {
			if prev == n-1 || prev == -1 {
				continue // out of the document, at the end of the cycle
			}
			tb.t.Errorf("%s: Tab after %s focused %s, which is not a control in the tab order", page, names[prev], f.Name)
			return names
		}
		if prev >= 0 && f.Index != (prev+1)%n {
			tb.t.Errorf("%s: Tab after %s (place %d) focused %s (place %d), want place %d",
				page, names[prev], prev, f.Name, f.Index, (prev+1)%n)
			return names
		}
		if names[f.Index] == "" {
			seen++
		}
		names[f.Index], prev = f.Name, f.Index
		if !f.visibleFocus() {
			tb.t.Errorf("%s: %s has no visible focus (outline %q, box-shadow %q)", page, f.Name, f.Outline, f.Shadow)
		}
	}
	tb.t.Logf("%s: Tab visits %d controls: %s", page, n, strings.Join(names, ", "))
	return names
}

// tabTo presses Tab until the element sel has the focus, checking on the
// way that each focused element shows it.
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	for range 80 {
		tb.keyPress("Tab to "+sel, kb.Tab)
		if eval[bool](tb, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, sel)) {
			if f := eval[focusInfo](tb, focusInfoJS); !f.visibleFocus() {
				tb.t.Errorf("%s has no visible focus (outline %q, box-shadow %q)", sel, f.Outline, f.Shadow)
			}
			return
		}
	}
	tb.t.Fatalf("Tab never reached %s", sel)
}

// press sends key to the focused element and waits for the page it loads.
func (tb *tab) pressAndLoad(what, key string, wantStatus int) {
	tb.t.Helper()
	tb.load(what, wantStatus, chromedp.KeyEvent(key))
}

// TestKeyboardOnly: every page of the flow can be used with the keyboard
// alone. On each, Tab visits every control in order with a visible focus;
// then the login, the queue search and the whole review (quality by typing
// and with the slider's arrow keys, Remove and Published with Space, the
// status with arrow keys, Save with Enter) are done with keys only.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "keyboard")

	tb.open("/login")
	tb.tabOrder("login page")
	tb.do("reload", chromedp.Reload())
	tb.tabTo("#username")
	tb.keyPress("type the username", editorName)
	tb.keyPress("Tab", kb.Tab)
	tb.keyPress("type the password", editorPassword)
	tb.pressAndLoad("log in with Enter", kb.Enter, 200)
	if got := tb.text(`[data-testid="current-user"]`); got != editorName {
		t.Fatalf("keyboard login: current user %q, want %q", got, editorName)
	}
	tb.step("queue")

	tb.tabOrder("queue")
	tb.tabTo(`[data-testid="search"]`)
	tb.keyPress("type a search", "NHS report")
	tb.pressAndLoad("search with Enter", kb.Enter, 200)
	if n := tb.count(`[data-testid="queue-row"]`); n != 3 {
		t.Errorf("keyboard search: %d rows, want 3", n)
	}
	path := a.articlePath(t, seedKey)
	tb.tabTo(fmt.Sprintf(`[data-testid="row-title"][href^=%q]`, path))
	tb.pressAndLoad("open the article with Enter", kb.Enter, 200)
	tb.step("review")

	order := tb.tabOrder("review page")
	for _, want := range []string{"#quality", "#quality-slider", "#topic-0", "#new-topic", "#published", "#status-pending", "#note", "[data-testid=save]", "[data-testid=save-next]"} {
		if !slices.Contains(order, want) {
			t.Errorf("review page: Tab never reaches %s; order %q", want, order)
		}
	}

	// The review with keys only.
	tb.do("reload", chromedp.Reload())
	tb.tabTo("#quality")
	tb.do("select the quality", selectAll)
	tb.keyPress("type a quality", "60")
	tb.keyPress("Tab to the slider", kb.Tab)
	tb.keyPress("slider up", kb.ArrowRight)
	tb.keyPress("slider up", kb.ArrowRight)
	if got := tb.value("#quality"); got != "62" {
		t.Errorf("after typing 60 and two ArrowRight on the slider the quality is %q, want 62", got)
	}
	tb.tabTo(`input[name="remove_topic"][value="1"]`)
	tb.keyPress("tick Remove with Space", " ")
	tb.tabTo("#new-topic")
	tb.keyPress("type a topic", "Keyboard Access")
	tb.tabTo("#published")
	tb.keyPress("tick Published with Space", " ")
	tb.tabTo("#status-pending")
	tb.keyPress("next status with ArrowDown", kb.ArrowDown)
	if !tb.checked("#status-approved") {
		t.Errorf("ArrowDown on the status radios did not choose approved")
	}
	tb.step("review-keyboard-edited")
	tb.tabTo(`[data-testid="save"]`)
	tb.pressAndLoad("save with Enter", kb.Enter, 200)
	tb.step("review-keyboard-saved")

	rec := a.record(t, seedKey)
	wantTopics := []string{"AI Ethics", "AI in Healthcare", "Keyboard Access"}
	if rec.Quality != 62 || !rec.Published || rec.Status != "approved" || !slices.Equal(rec.Topics, wantTopics) {
		t.Errorf("saved with the keyboard: quality %d, published %v, status %s, topics %q; want 62, true, approved, %q",
			rec.Quality, rec.Published, rec.Status, rec.Topics, wantTopics)
	}

	// Export and logout pages, by keyboard: Space on the Log out button.
	tb.tabTo(`nav[aria-label="Main"] a[href="/export"]`)
	tb.pressAndLoad("open Export with Enter", kb.Enter, 200)
	tb.tabOrder("export page")
	tb.tabTo(`[data-testid="logout"]`)
	tb.pressAndLoad("log out with Space", " ", 200)
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("Space on Log out: page %s, want the login page", p)
	}
}
