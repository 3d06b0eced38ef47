package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// colorScheme emulates the system's light or dark setting for the tab.
func (tb *tab) colorScheme(scheme string) {
	tb.t.Helper()
	tb.do("prefers-color-scheme: "+scheme, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// colours is an element's text colour against the background it is drawn
// on (its own, or the first ancestor's that is not transparent).
type colours struct {
	Sel      string  `json:"sel"`
	Found    bool    `json:"found"`
	BgLum    float64 `json:"bgLum"` // relative luminance, 0 black .. 1 white
	Contrast float64 `json:"contrast"`
}

// coloursJS computes WCAG 2 relative luminance and contrast ratios.
const coloursJS = `((sels) => {
	const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
	const lum = c => { const m = c.match(/[\d.]+/g).map(Number); return 0.2126 * lin(m[0]) + 0.7152 * lin(m[1]) + 0.0722 * lin(m[2]); };
	const bg = el => {
		for (let e = el; e; e = e.parentElement) {
			const c = getComputedStyle(e).backgroundColor;
			if (c !== "transparent" && !/rgba\(.*, 0\)$/.test(c)) return c;
		}
		return "rgb(255, 255, 255)";
	};
	return sels.map(sel => {
		const el = document.querySelector(sel);
		if (!el) return { sel, found: false };
		const b = lum(bg(el)), f = lum(getComputedStyle(el).color);
		return { sel, found: true, bgLum: b, contrast: (Math.max(b, f) + 0.05) / (Math.min(b, f) + 0.05) };
	});
})`

// checkColours fails unless every element sel is found with text of
// contrast at least 4.5:1, and the first one (the page) is drawn on a dark
// (dark true) or light background.
func (tb *tab) checkColours(page string, dark bool, sels ...string) {
	tb.t.Helper()
	js, _ := json.Marshal(sels)
	for i, c := range eval[[]colours](tb, coloursJS+"("+string(js)+")") {
		switch {
		case !c.Found:
			tb.t.Errorf("%s: no %s on the page", page, c.Sel)
		case i == 0 && (dark && c.BgLum > 0.1 || !dark && c.BgLum < 0.5):
			tb.t.Errorf("%s: %s is drawn on a background of luminance %.2f, want it %s", page, c.Sel, c.BgLum, map[bool]string{true: "dark", false: "light"}[dark])
		case c.Contrast < 4.5:
			tb.t.Errorf("%s: %s has a text contrast of %.1f:1, want at least 4.5:1", page, c.Sel, c.Contrast)
		}
	}
}

// TestLayoutDarkMode: with the system set to dark, the login page, the
// queue and the review page are dark, their text readable (the checks
// here and axe's colour contrast rule); set to light, they are light.
func TestLayoutDarkMode(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	for _, scheme := range []string{"dark", "light"} {
		dark := scheme == "dark"
		tb.colorScheme(scheme)
		tb.open("/login")
		tb.checkColours("login "+scheme, dark, "body", "h1", "label[for=username]", "#username", "[data-testid=login-submit]")
		tb.step("login-" + scheme)
		tb.loginAs(editorName, editorPassword)
		tb.checkColours("queue "+scheme, dark, "body", "h1", "[data-testid=row-title]", "th", "[data-testid=count-all]",
			"#f-q", "[data-testid=row-status]", ".result-count", "[data-testid=current-user]")
		tb.keyPress("j", "j")
		tb.step("queue-" + scheme)
		tb.open(a.articlePath(t, seedKey))
		tb.checkColours("review "+scheme, dark, "body", "h1", "[data-testid=excerpt]", "#quality", "label[for=quality]", "[data-testid=save]")
		tb.step("review-" + scheme)
		tb.keyPress("?", "?")
		tb.checkColours("help overlay "+scheme, dark, "dialog[data-testid=keys-help] h2", "dialog[data-testid=keys-help] kbd", "dialog[data-testid=keys-help] dd")
		tb.step("review-help-" + scheme)
		tb.keyPress("Esc", kb.Escape)
		tb.click(`[data-testid="logout"]`, 200)
	}
}

// TestLayoutNarrow: at 390 px wide (a phone) no page scrolls sideways, the
// header fits, and the queue's rows are cards.
func TestLayoutNarrow(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "phone")
	tb.do("390 px wide", chromedp.EmulateViewport(390, 844))
	noSideways := func(page string) {
		t.Helper()
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s at 390 px: the page is %d px wide, it scrolls sideways", page, w)
		}
		// Every element of the header is inside the window.
		if out := eval[[]string](tb, `Array.from(document.querySelectorAll(".topbar *"))
			.filter(e => e.checkVisibility() && e.getBoundingClientRect().right > 390.5)
			.map(e => e.tagName + " " + e.textContent.trim().slice(0, 30))`); len(out) > 0 {
			t.Errorf("%s at 390 px: header elements past the right edge: %q", page, out)
		}
	}
	tb.open("/login")
	noSideways("login")
	tb.step("login-390")
	tb.loginAs(editorName, editorPassword)
	noSideways("queue")
	if got := eval[string](tb, `getComputedStyle(document.querySelector('[data-testid="queue-row"]')).display`); got != "flex" {
		t.Errorf("queue at 390 px: rows are display %q, want cards (flex)", got)
	}
	if eval[bool](tb, `document.querySelector("table.queue thead").checkVisibility() && document.querySelector("table.queue thead").getBoundingClientRect().height > 1`) {
		t.Errorf("queue at 390 px: the table head is shown above the cards")
	}
	tb.step("queue-390")
	tb.open(a.articlePath(t, seedKey))
	noSideways("review page")
	tb.step("review-390")
	tb.open("/export")
	noSideways("export page")
}

// TestLayoutFavicon: GET /favicon.ico answers an icon, cached and public,
// and the icons the layout links are served.
func TestLayoutFavicon(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "visitor")
	tb.open("/login")
	links := eval[[]string](tb, `Array.from(document.querySelectorAll('link[rel="icon"]'), l => l.href)`)
	if len(links) == 0 {
		t.Fatal("the page links no icon")
	}
	get := func(u string) (*http.Response, []byte) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	res, body := get(a.URL + "/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/vnd.microsoft.icon" || !strings.HasPrefix(string(body), "\x00\x00\x01\x00") {
		t.Errorf("GET /favicon.ico: %d %s, %d bytes starting %q; want an ICO file", res.StatusCode, res.Header.Get("Content-Type"), len(body), body[:min(4, len(body))])
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") {
		t.Errorf("GET /favicon.ico: Cache-Control %q, want public with a max-age", cc)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("GET /favicon.ico sets a cookie")
	}
	for _, l := range links {
		res, body := get(l)
		if res.StatusCode != 200 || len(body) == 0 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
			t.Errorf("icon %s: %d %s, %d bytes", l, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
	}
}

// TestLayoutUsernameAsTyped: the header shows the username as it was
// created, capitals and accents included, whatever case it is logged in
// with.
func TestLayoutUsernameAsTyped(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	const name, password = "MaryAnn.Zoë", "maryann-password-e2e"
	if _, err := a.Store.CreateUser(context.Background(), name, webtest.PasswordHash(t, password), db.RoleEditor); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, a, "maryann")
	tb.open("/login")
	tb.login(name, password, 200)
	if got := tb.text(`[data-testid="current-user"]`); got != name {
		t.Errorf("the header shows %q, want %q as created", got, name)
	}
	tb.click(`[data-testid="logout"]`, 200)
	tb.login("maryann.zoë", password, 200)
	if got := tb.text(`[data-testid="current-user"]`); got != name {
		t.Errorf("logged in as maryann.zoë, the header shows %q, want %q", got, name)
	}
}
