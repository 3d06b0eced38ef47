package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSaveInReachOnALaptop: on a 1366x768 laptop the review page shows
// the Save buttons as it opens, also under the flash that "Save and next"
// leaves, and they stay in reach while the editor reads down the article.
func TestSaveInReachOnALaptop(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "laptop")
	tb.do("set a laptop viewport", chromedp.EmulateViewport(1366, 768))
	tb.loginAs(editorName, editorPassword)
	tb.open(a.articlePath(t, seedKey))
	saveInReach(tb, "as the page opens")
	tb.step("laptop-opened")
	eval[bool](tb, `(window.scrollTo(0, document.body.scrollHeight), true)`)
	saveInReach(tb, "scrolled to the end")
	tb.step("laptop-scrolled")
	tb.click(`[data-testid="save-next"]`, 200)
	if tb.count(`[data-testid="flash"]`) == 0 {
		t.Fatalf("no flash after Save and next")
	}
	saveInReach(tb, "after Save and next")
	tb.step("laptop-next")
}

func saveInReach(tb *tab, when string) {
	tb.t.Helper()
	for _, sel := range []string{`[data-testid="save"]`, `[data-testid="save-next"]`} {
		if !onScreen(tb, sel) {
			tb.t.Errorf("%s, %s is not on the screen", when, sel)
		}
	}
}

// onScreen reports whether the element sel is inside the viewport and
// not covered, so a click on its middle reaches it.
func onScreen(tb *tab, sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		const r = el.getBoundingClientRect();
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		return r.top >= 0 && r.bottom <= window.innerHeight && el.contains(document.elementFromPoint(x, y));
	})()`, sel))
}
