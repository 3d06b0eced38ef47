package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

func TestLoginWrongThenRight(t *testing.T) {
	env := webtest.New(t)
	disabled := env.CreateUser(t, "gone", "gone-password", db.RoleEditor)
	if err := env.Store.SetDisabled(t.Context(), disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	c := env.Client(t)
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", webtest.EditorName, "not-the-password"},
		{"unknown user", "nobody", webtest.EditorPassword},
		{"disabled user, right password", "gone", "gone-password"},
		{"password of another user", webtest.EditorName, webtest.AdminPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.PostLogin(tc.user, tc.pass)
			webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := c.Doc(resp)
			if got := strings.TrimSpace(webtest.ByTestID(doc, "login-error").Text()); got != "Wrong username or password." {
				t.Errorf("login error %q", got)
			}
			if v := doc.Find(`input[name="username"]`).AttrOr("value", ""); v != tc.user {
				t.Errorf("username not kept: %q", v)
			}
			if _, has := doc.Find(`input[name="password"]`).Attr("value"); has {
				t.Error("password echoed back into the form")
			}
			if webtest.SetsSession(resp) {
				t.Error("failed login wrote the session cookie")
			}
		})
	}
	resp := c.PostLogin(webtest.EditorName, webtest.EditorPassword)
	webtest.WantRedirect(t, resp, "/articles")
	doc := c.Doc(c.Follow(resp))
	if got := webtest.ByTestID(doc, "current-user").Text(); got != webtest.EditorName {
		t.Errorf("current user %q", got)
	}
}

func TestLoginUsernameIsCaseInsensitive(t *testing.T) {
	env := webtest.New(t)
	webtest.WantRedirect(t, env.Client(t).PostLogin("  EDITOR ", webtest.EditorPassword), "/articles")
}

func TestLoginFormAccessible(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	doc := c.Doc(c.Get("/login?next=/articles/3"))
	for name, auto := range map[string]string{"username": "username", "password": "current-password"} {
		in := doc.Find(`input[name="` + name + `"]`)
		if in.AttrOr("autocomplete", "") != auto {
			t.Errorf("%s: autocomplete %q, want %q", name, in.AttrOr("autocomplete", ""), auto)
		}
		id := in.AttrOr("id", "")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("%s: no label", name)
		}
	}
	if v := doc.Find(`input[name="next"]`).AttrOr("value", ""); v != "/articles/3" {
		t.Errorf("next = %q", v)
	}
	// Missing fields get field errors tied to their inputs.
	resp := c.PostForm("/login", url.Values{"username": {""}, "password": {""}})
	webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
	doc = c.Doc(resp)
	for _, id := range []string{"username", "password"} {
		if webtest.ByTestID(doc, id+"-error").Length() != 1 {
			t.Errorf("no error for %s", id)
		}
		if doc.Find("#"+id).AttrOr("aria-invalid", "") != "true" {
			t.Errorf("%s not marked invalid", id)
		}
	}
}

func TestRequireLogin(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	for _, path := range []string{"/articles", "/articles/1", "/export", "/admin/users", "/articles?status=approved&q=a+b"} {
		resp := c.Get(path)
		webtest.WantRedirect(t, resp, "/login?next="+url.QueryEscape(path))
	}
	// GET / sends to the queue, which sends to the login page.
	webtest.WantRedirect(t, c.Get("/"), "/articles")

	// A POST with a valid token but no session is refused, not redirected.
	for _, path := range []string{"/articles/1", "/admin/users", "/admin/users/1"} {
		resp := c.PostForm(path, url.Values{"op": {"disable"}})
		webtest.WantStatus(t, resp, http.StatusUnauthorized)
		doc := c.Doc(resp)
		if webtest.ByTestID(doc, "error-login").AttrOr("href", "") != "/login" {
			t.Errorf("POST %s: 401 page has no login link", path)
		}
	}
	// htmx is told where to go.
	req := c.NewRequest(http.MethodGet, "/articles", nil)
	req.Header.Set("HX-Request", "true")
	resp := c.Do(req)
	webtest.WantStatus(t, resp, http.StatusUnauthorized)
	if resp.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("HX-Redirect = %q", resp.Header.Get("HX-Redirect"))
	}
	if strings.Contains(c.Text(resp), "<html") {
		t.Error("htmx got a whole page")
	}
	// With the page htmx is on, the login comes back to it.
	req = c.NewRequest(http.MethodPost, "/articles/3", strings.NewReader("_csrf="+c.CSRFToken()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", env.Server.URL+"/articles/3?from=q%3Dx")
	resp = c.Do(req)
	webtest.WantStatus(t, resp, http.StatusUnauthorized)
	if got := resp.Header.Get("HX-Redirect"); got != "/login?next="+url.QueryEscape("/articles/3?from=q%3Dx") {
		t.Errorf("HX-Redirect = %q", got)
	}
	req.Header.Set("HX-Current-URL", "https://evil.example/phish")
	if got := c.Do(req).Header.Get("HX-Redirect"); got != "/login" {
		t.Errorf("HX-Redirect for a foreign page = %q", got)
	}
}

func TestLoginPageWhenLoggedIn(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	webtest.WantRedirect(t, c.Get("/login"), "/articles")
	webtest.WantRedirect(t, c.Get("/login?next=/export"), "/export")
	webtest.WantRedirect(t, c.Get("/login?next=//evil.example"), "/articles")
}

func TestLoginNextOpenRedirect(t *testing.T) {
	env := webtest.New(t)
	for _, tc := range []struct{ next, want string }{
		{"//evil.example", "/articles"},
		{"//evil.example/articles", "/articles"},
		{`/\evil.example`, "/articles"},
		{`/\/evil.example`, "/articles"},
		{"https://evil.example", "/articles"},
		{"http:evil.example", "/articles"},
		{"javascript:alert(1)", "/articles"},
		{"/\t/evil.example", "/articles"},
		{"/\n/evil.example", "/articles"},
		{"evil.example", "/articles"},
		{"", "/articles"},
		{"/articles/7?from=status%3Dapproved", "/articles/7?from=status%3Dapproved"},
		{"/export", "/export"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			resp := env.Client(t).PostForm("/login", url.Values{"username": {webtest.EditorName}, "password": {webtest.EditorPassword}, "next": {tc.next}})
			webtest.WantRedirect(t, resp, tc.want)
		})
	}
}

func TestLogout(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	other := env.Login(t, webtest.EditorName, webtest.EditorPassword) // another browser
	old := c.Cookie(webtest.SessionCookie)
	if old == nil {
		t.Fatal("no session cookie after login")
	}
	resp := c.PostForm("/logout", url.Values{})
	webtest.WantRedirect(t, resp, "/login")
	doc := c.Doc(c.Follow(resp))
	if got := webtest.Flashes(doc); len(got) != 1 || got[0] != "You have been logged out." {
		t.Errorf("flashes %q", got)
	}
	if webtest.ByTestID(doc, "current-user").Length() != 0 {
		t.Error("still shown as logged in")
	}
	// The flash is shown once.
	if got := webtest.Flashes(c.Doc(c.Get("/login"))); len(got) != 0 {
		t.Errorf("flash shown again: %q", got)
	}
	if c.LoggedIn() {
		t.Error("still logged in after logout")
	}
	// The old cookie, replayed, is refused...
	replay := env.Client(t)
	replay.SetCookie(old)
	if replay.LoggedIn() {
		t.Error("replayed session cookie accepted after logout")
	}
	// ...and so is every other session of the user (a cookie store cannot
	// end just one).
	if other.LoggedIn() {
		t.Error("other session survived logout")
	}
	// Logging in again works.
	env.Login(t, webtest.EditorName, webtest.EditorPassword)
}

// TestLoginStartsFreshSession: login replaces the session cookie and its
// CSRF token; the token of the login form (the anonymous session's) is
// refused afterwards, so one planted or seen before login is no use.
func TestLoginStartsFreshSession(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	webtest.WantRedirect(t, c.PostForm("/logout", url.Values{}), "/login")
	before := c.Cookie(webtest.SessionCookie) // anonymous now: a token and the flash
	tokenBefore := c.CSRFToken()
	c.Doc(c.Get("/login"))
	formToken := c.CSRFToken()
	if formToken == tokenBefore {
		t.Error("logout did not replace the CSRF token")
	}
	resp := c.PostLogin(webtest.EditorName, webtest.EditorPassword)
	webtest.WantRedirect(t, resp, "/articles")
	after := c.Cookie(webtest.SessionCookie)
	if before == nil || after == nil || before.Value == after.Value {
		t.Error("login did not replace the session cookie")
	}
	c.Doc(c.Follow(resp))
	if c.CSRFToken() == formToken {
		t.Error("login did not rotate the CSRF token")
	}
	webtest.WantStatus(t, c.PostForm("/logout", url.Values{"_csrf": {formToken}}), http.StatusForbidden)
	if !c.LoggedIn() {
		t.Error("not logged in")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	c.Doc(c.Get("/login"))
	resp := c.PostLogin(webtest.EditorName, webtest.EditorPassword)
	var found bool
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case webtest.SessionCookie:
			found = true
			if !ck.HttpOnly || ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
				t.Errorf("session cookie attributes: %+v", ck)
			}
			if ck.MaxAge <= 0 || ck.MaxAge > 12*3600 {
				t.Errorf("session cookie Max-Age %d", ck.MaxAge)
			}
			if len(ck.Value) > 1024 {
				t.Errorf("session cookie is %d bytes", len(ck.Value))
			}
		case "newsdesk_device": // see TestThrottleSparesTheOwnersBrowser
			if !ck.HttpOnly || ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != 365*24*3600 || len(ck.Value) > 512 {
				t.Errorf("device cookie attributes: %+v", ck)
			}
		default:
			t.Errorf("login set cookie %s: only the session and device cookies are set", ck.Name)
		}
	}
	if !found {
		t.Fatal("no session cookie set at login")
	}
}

func TestSecureCookies(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.SecureCookies = true })
	c := env.Client(t)
	resp := c.Get("/login")
	var names []string
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
		if !ck.Secure {
			t.Errorf("cookie %s not Secure", ck.Name)
		}
	}
	if len(names) != 1 || names[0] != "__Host-"+webtest.SessionCookie {
		t.Errorf("cookies %q, want the anonymous session's only", names)
	}
}
