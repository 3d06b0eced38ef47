package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// TestSecureSessionCookieFlags: behind TLS (SecureCookies) the session
// cookie, the anonymous one of the login page and the one set at login,
// is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, host-only and
// bounded in lifetime; it is the only cookie. The client's jar would not
// send Secure cookies over the test's plain HTTP, so the cookies are
// carried by hand.
func TestSecureSessionCookieFlags(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.SecureCookies = true })
	c := env.Client(t)
	resp := c.Get("/login")
	var anon *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-"+webtest.SessionCookie {
			anon = ck
		} else {
			t.Errorf("login page set cookie %s", ck.Name)
		}
	}
	if anon == nil || !anon.Secure || !anon.HttpOnly || anon.Path != "/" || anon.Domain != "" {
		t.Fatalf("login page's session cookie: %+v", anon)
	}
	form := url.Values{"username": {webtest.EditorName}, "password": {webtest.EditorPassword}, "_csrf": {c.CSRFToken()}}
	req := c.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: anon.Name, Value: anon.Value})
	resp = env.Client(t).Do(req)
	webtest.WantRedirect(t, resp, "/articles")
	found := map[string]bool{}
	for _, ck := range resp.Cookies() {
		found[ck.Name] = true
		if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: %+v", ck.Name, ck)
		}
		maxAge := int(web.DefaultSessionLifetime.Seconds())
		if ck.Name == "__Host-newsdesk_device" {
			maxAge = 365 * 24 * 3600 // a year: the browser stays known to the throttle
		}
		if ck.MaxAge <= 0 || ck.MaxAge > maxAge {
			t.Errorf("cookie %s: Max-Age %d", ck.Name, ck.MaxAge)
		}
	}
	if len(found) != 2 || !found["__Host-"+webtest.SessionCookie] || !found["__Host-newsdesk_device"] {
		t.Errorf("login set %v, want the new __Host- session and device cookies", found)
	}
}

// TestRotatedKeysEndSessions: after `newsdesk rotate-keys` (the store's
// RotateSessionKeys) and a restart, a cookie from before lands on the
// login page and is replaced.
func TestRotatedKeysEndSessions(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	old := c.Cookie(webtest.SessionCookie)
	if err := env.Store.RotateSessionKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	env.Restart(t)
	resp := c.Get("/articles")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Farticles" {
		t.Fatalf("old cookie after rotation: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !replacesCookie(resp, webtest.SessionCookie, old.Value) {
		t.Error("old cookie not replaced")
	}
}

// TestLoginNextStaysOnSite adds to TestLoginNextOpenRedirect the
// encodings and dot segments that could turn into another host, and
// checks by resolving: wherever a login or the login page sends the
// browser, it is on this host, and the form never carries a foreign next.
func TestLoginNextStaysOnSite(t *testing.T) {
	env := webtest.New(t)
	base, _ := url.Parse(env.Server.URL + "/login")
	logged := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	for _, next := range []string{
		"/.//evil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example", `\\evil.example`, `\/evil.example`,
		"https:/evil.example", "https:evil.example", "//evil.example@x", "/\x00/evil.example", " //evil.example",
		"/\u3000/evil.example", "//\u3000evil.example", "/%09/evil.example", "/%5Cevil.example",
		"data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)", "\x01javascript:alert(1)",
		"/articles/1#//evil.example", "/" + strings.Repeat("a", 5000),
	} {
		t.Run(next, func(t *testing.T) {
			resp := env.Client(t).PostForm("/login", url.Values{"username": {webtest.EditorName}, "password": {webtest.EditorPassword}, "next": {next}})
			webtest.WantStatus(t, resp, http.StatusSeeOther)
			onSite(t, base, resp.Header.Get("Location"))
			resp = logged.Get("/login?next=" + url.QueryEscape(next))
			webtest.WantStatus(t, resp, http.StatusSeeOther)
			onSite(t, base, resp.Header.Get("Location"))
			anon := env.Client(t)
			if v := anon.Doc(anon.Get("/login?next="+url.QueryEscape(next))).Find(`input[name="next"]`).AttrOr("value", ""); v != "" {
				onSite(t, base, v)
			}
		})
	}
}

// onSite fails unless loc, resolved as a browser would against base, is
// an http(s) URL on base's host.
func onSite(t *testing.T, base *url.URL, loc string) {
	t.Helper()
	if strings.ContainsAny(loc, "\\\t\r\n") {
		t.Fatalf("location %q has characters browsers rewrite", loc)
	}
	ref, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("location %q: %v", loc, err)
	}
	u := base.ResolveReference(ref)
	if u.Host != base.Host || u.Scheme != base.Scheme || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
		t.Fatalf("location %q leaves the site (resolves to %s)", loc, u)
	}
}

// TestFlashesStayBounded: a client that posts again and again without
// loading a page (a script, a double submit) keeps getting its 303s. The
// flashes waiting in the session cookie used to pile up until the cookie
// passed 4096 bytes, and from then on every save was made and then
// answered 500.
func TestFlashesStayBounded(t *testing.T) {
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{"a.md": webtest.PlainArticle("A")})
	path := webtest.ArticlePath(ids["a"])
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	c.Doc(c.Get("/articles"))
	for i := range 300 {
		resp := c.PostForm(path, url.Values{"version": {strconv.Itoa(i + 1)}, "status": {"pending"}, "quality": {"5"}, "note": {strconv.Itoa(i)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %d: status %d, session cookie %d bytes", i, resp.StatusCode, len(c.Cookie(webtest.SessionCookie).Value))
		}
	}
	// The first save changed three fields, the 299 others the note only:
	// two messages, the same one not repeated.
	want := []string{"Saved “A”: quality 50 → 5, topics changed, note changed.", "Saved “A”: note changed."}
	if got := webtest.Flashes(c.Doc(c.Get(path))); !slices.Equal(got, want) {
		t.Errorf("editor's flashes %q, want %q", got, want)
	}
	// Different messages (admin actions alternate) are kept, the newest few.
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	admin.Doc(admin.Get("/admin/users"))
	for i := range 40 {
		op := []string{"disable", "enable"}[i%2]
		webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {op}}), "/admin/users")
	}
	if n := len(admin.Cookie(webtest.SessionCookie).Value); n > 2048 {
		t.Errorf("session cookie grew to %d bytes", n)
	}
	got := webtest.Flashes(admin.Doc(admin.Get("/admin/users")))
	if len(got) == 0 || len(got) > 5 || got[len(got)-1] != "Enabled editor." {
		t.Errorf("flashes %q: want the newest few, ending with the last action's", got)
	}
}

// TestFlashesWithLongQueuesFit: saves made from a queue of a long search
// in Chinese (500 characters, 4,500 bytes escaped), each with a different
// message and an Undo button, keep being answered 303: the Undo buttons
// do not take the session cookie past its limit.
func TestFlashesWithLongQueuesFit(t *testing.T) {
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{"a.md": webtest.PlainArticle("A")})
	path := webtest.ArticlePath(ids["a"])
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	c.Doc(c.Get("/articles"))
	from := url.Values{"q": {strings.Repeat("自行车", 167)}, "status": {"pending"}}.Encode()
	for i := range 8 {
		form := url.Values{"version": {strconv.Itoa(i + 1)}, "status": {"pending"}, "quality": {strconv.Itoa(10 + i)},
			"note": {strconv.Itoa(i)}, "from": {from}}
		if resp := c.PostForm(path, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %d: status %d, session cookie %d bytes", i, resp.StatusCode, len(c.Cookie(webtest.SessionCookie).Value))
		}
	}
	if got := webtest.Flashes(c.Doc(c.Get(path))); len(got) != 5 {
		t.Errorf("flashes %q, want the newest 5", got)
	}
}
