package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4/middleware"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// statePosts are the state-changing routes with forms that would succeed
// with a valid token.
var statePosts = []struct {
	path string
	form url.Values
}{
	{"/logout", url.Values{}},
	{"/admin/users", url.Values{"username": {"mallory"}, "role": {"admin"}, "password": {"mallory-password"}}},
	{"/admin/users/2", url.Values{"op": {"disable"}}},
	{"/admin/users/2", url.Values{"op": {"role"}, "role": {"admin"}}},
	{"/articles/1", url.Values{"quality": {"1"}, "status": {"approved"}, "version": {"1"}}},
}

// TestCSRFRefused sends every state-changing POST as an admin, without a
// token, with a wrong one, and with a right one from another site, and
// checks it is refused and changed nothing.
func TestCSRFRefused(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	good := c.CSRFToken()
	for _, tc := range []struct {
		name    string
		token   *string // nil: no _csrf field
		headers map[string]string
	}{
		{name: "no token", token: nil},
		{name: "no token, Sec-Fetch-Site same-origin", headers: map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{name: "no token, Sec-Fetch-Site none", headers: map[string]string{"Sec-Fetch-Site": "none"}},
		{name: "empty token", token: ptr("")},
		{name: "wrong token", token: ptr("AAAAAAAAAAAAAAAAAAAAAAAAAA")},
		{name: "wrong token, Sec-Fetch-Site same-origin", token: ptr("x"), headers: map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{name: "echo's placeholder token", token: ptr(middleware.CSRFUsingSecFetchSite), headers: map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{name: "good token, cross-site", token: &good, headers: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{name: "good token, same-site", token: &good, headers: map[string]string{"Sec-Fetch-Site": "same-site"}},
		{name: "good token, foreign Origin", token: &good, headers: map[string]string{"Origin": "https://evil.example"}},
		{name: "good token, null Origin", token: &good, headers: map[string]string{"Origin": "null"}},
		{name: "good token, same-origin claim, foreign Origin", token: &good,
			headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range statePosts {
				v := url.Values{}
				for k, vs := range p.form {
					v[k] = vs
				}
				if tc.token != nil {
					v.Set("_csrf", *tc.token)
				}
				req := c.NewRequest(http.MethodPost, p.path, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, h := range tc.headers {
					req.Header.Set(k, h)
				}
				resp := c.Do(req)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("POST %s: status %d, want 403", p.path, resp.StatusCode)
				}
				if webtest.ByTestID(c.Doc(resp), "error-code").Text() != "403" {
					t.Errorf("POST %s: no 403 page", p.path)
				}
			}
		})
	}
	// Nothing happened: still logged in, no new user, editor untouched.
	if !c.LoggedIn() {
		t.Fatal("a refused logout logged the admin out")
	}
	users, err := env.Store.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 {
		t.Errorf("%d users, want 2", len(users))
	}
	ed, err := env.Store.UserByID(t.Context(), env.Editor.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ed.Disabled || ed.Role != "editor" {
		t.Errorf("editor changed: %+v", ed)
	}
}

// TestCSRFLoginForm: the login form needs its token too (login CSRF).
func TestCSRFLoginForm(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	c.Get("/login")
	resp := c.PostFormRaw("/login", url.Values{"username": {webtest.EditorName}, "password": {webtest.EditorPassword}})
	webtest.WantStatus(t, resp, http.StatusForbidden)
	req := c.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
		"username": {webtest.EditorName}, "password": {webtest.EditorPassword}, "_csrf": {c.CSRFToken()},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	webtest.WantStatus(t, c.Do(req), http.StatusForbidden)
}

// TestCSRFAccepted: the same POSTs succeed with the page's token, with
// and without the Sec-Fetch-Site header a browser would send, in the form
// or in the header htmx uses.
func TestCSRFAccepted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers map[string]string
		inForm  bool
	}{
		{"form field", nil, true},
		{"form field, same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"form field, same Origin", map[string]string{"Origin": "SELF"}, true},
		{"header", map[string]string{"HX-Request": "true"}, false},
		{"header, same-origin", map[string]string{"HX-Request": "true", "Sec-Fetch-Site": "same-origin"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := webtest.New(t)
			c := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			c.Doc(c.Get("/admin/users"))
			v := url.Values{"op": {"role"}, "role": {"admin"}}
			if tc.inForm {
				v.Set("_csrf", c.CSRFToken())
			}
			req := c.NewRequest(http.MethodPost, "/admin/users/2", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if !tc.inForm {
				req.Header.Set("X-CSRF-Token", c.CSRFToken())
			}
			for k, h := range tc.headers {
				if h == "SELF" {
					h = env.Server.URL
				}
				req.Header.Set(k, h)
			}
			webtest.WantRedirect(t, c.Do(req), "/admin/users")
			ed, err := env.Store.UserByID(t.Context(), env.Editor.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ed.Role != "admin" {
				t.Error("role not changed")
			}
		})
	}
}

// TestFormsCarryRealToken renders every page with forms, with and without
// Sec-Fetch-Site (in whose presence Echo's CSRF middleware would have put
// a placeholder in the context), and checks that every form and the htmx
// header carry one real token per session, the same on every page of the
// session, another in another session, and that it works.
func TestFormsCarryRealToken(t *testing.T) {
	for _, sfs := range []string{"", "same-origin", "none"} {
		t.Run("Sec-Fetch-Site="+sfs, func(t *testing.T) {
			env := webtest.New(t)
			anon := env.Client(t)
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			tokens := map[*webtest.Client]string{}
			for _, tc := range []struct {
				c    *webtest.Client
				path string
			}{
				{anon, "/login"},
				{admin, "/admin/users"},
				{admin, "/articles"},
				{admin, "/export"},
			} {
				if sfs != "" {
					tc.c.Header.Set("Sec-Fetch-Site", sfs)
				}
				resp := tc.c.Get(tc.path)
				webtest.WantStatus(t, resp, http.StatusOK)
				doc := tc.c.Doc(resp)
				h := doc.Find("body").AttrOr("hx-headers", "")
				var hx map[string]string
				if err := json.Unmarshal([]byte(h), &hx); err != nil {
					t.Fatalf("%s: hx-headers %q: %v", tc.path, h, err)
				}
				page := hx["X-CSRF-Token"]
				if len(page) < 16 || page == middleware.CSRFUsingSecFetchSite {
					t.Fatalf("%s: htmx token %q is not a real token", tc.path, page)
				}
				if want, seen := tokens[tc.c]; seen && page != want {
					t.Errorf("%s: token %q, another page of the session had %q", tc.path, page, want)
				}
				tokens[tc.c] = page
				forms := doc.Find(`form[method="post"]`)
				if tc.path != "/export" && forms.Length() == 0 {
					t.Fatalf("%s: no forms", tc.path)
				}
				forms.Each(func(i int, f *goquery.Selection) {
					if tok := f.Find(`input[name="_csrf"]`).AttrOr("value", ""); tok != page {
						t.Errorf("%s: form %d (%s) token %q, page %q", tc.path, i, f.AttrOr("action", ""), tok, page)
					}
				})
			}
			if tokens[anon] == tokens[admin] {
				t.Error("two sessions have the same token")
			}
			// The token works (here without the header, as an old browser).
			admin.Header.Del("Sec-Fetch-Site")
			webtest.WantRedirect(t, admin.PostForm("/logout", url.Values{}), "/login")
			anon.Header.Del("Sec-Fetch-Site")
			webtest.WantRedirect(t, anon.PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
		})
	}
}

// TestCSRFBoundToSession is the attack the old double-submit cookie let
// through, and its neighbours: whoever can set a cookie for this host (a
// sibling subdomain, a plain-HTTP page on the same name) plants a CSRF
// cookie and posts the matching token, with neither Origin nor
// Sec-Fetch-Site (an old browser, a non-browser client) or claiming
// same-origin. Only the token of the request's own session passes, in the
// form or in htmx's header; tokens of another session, of the session
// before login, or of a planted cookie get 403 and change nothing.
func TestCSRFBoundToSession(t *testing.T) {
	const planted = "PLANTEDPLANTEDPLANTEDPLANT" // shaped like a real token
	roleChange := url.Values{"op": {"role"}, "role": {"admin"}}
	sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}
	htmx := map[string]string{"HX-Request": "true"}
	for _, tc := range []struct {
		name    string
		as      string            // who the client is logged in as; "" = a visitor on the login page
		path    string            // /admin/users/2 (make the editor admin), /logout or /login
		token   string            // own, planted, other (another session's), prelogin (own, from before login), none
		header  bool              // token in X-CSRF-Token (htmx) instead of the _csrf field
		headers map[string]string // extra request headers
		status  int               // 303 when it works, else 403
	}{
		{"own token", "admin", "/admin/users/2", "own", false, nil, 303},
		{"own token, same-origin", "admin", "/admin/users/2", "own", false, sameOrigin, 303},
		{"own token, htmx header", "admin", "/admin/users/2", "own", true, htmx, 303},
		{"own token, htmx header, same-origin", "admin", "/admin/users/2", "own", true, map[string]string{"HX-Request": "true", "Sec-Fetch-Site": "same-origin"}, 303},
		{"planted cookie and token, no Origin or Sec-Fetch-Site", "admin", "/admin/users/2", "planted", false, nil, 403},
		{"planted cookie and token, same-origin", "admin", "/admin/users/2", "planted", false, sameOrigin, 403},
		{"planted cookie and token, htmx header", "admin", "/admin/users/2", "planted", true, htmx, 403},
		{"another session's token", "admin", "/admin/users/2", "other", false, nil, 403},
		{"another session's token, same-origin", "admin", "/admin/users/2", "other", false, sameOrigin, 403},
		{"another session's token, htmx header", "admin", "/admin/users/2", "other", true, htmx, 403},
		{"token from before login", "admin", "/admin/users/2", "prelogin", false, nil, 403},
		{"token from before login, same-origin", "admin", "/admin/users/2", "prelogin", false, sameOrigin, 403},
		{"no token, same-origin", "admin", "/admin/users/2", "none", false, sameOrigin, 403},
		{"logout, own token", "editor", "/logout", "own", false, nil, 303},
		{"logout, own token, htmx header", "editor", "/logout", "own", true, htmx, 303},
		{"logout, no token", "editor", "/logout", "none", false, nil, 403},
		{"logout, no token, same-origin", "editor", "/logout", "none", false, sameOrigin, 403},
		{"logout, planted", "editor", "/logout", "planted", false, nil, 403},
		{"logout, another session's token", "editor", "/logout", "other", false, nil, 403},
		{"login form, own token", "", "/login", "own", false, nil, 303},
		{"login form, own token, same-origin", "", "/login", "own", false, sameOrigin, 303},
		{"login form, planted", "", "/login", "planted", false, nil, 403},
		{"login form, planted, same-origin", "", "/login", "planted", false, sameOrigin, 403},
		{"login form, another visitor's token", "", "/login", "other", false, nil, 403},
		{"login form, no token", "", "/login", "none", false, nil, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := webtest.New(t)
			var c *webtest.Client
			var prelogin string
			switch tc.as {
			case "":
				c = env.Client(t)
				c.Doc(c.Get("/login"))
			case "admin":
				c = env.Client(t)
				c.Doc(c.Get("/login"))
				prelogin = c.CSRFToken()
				webtest.WantRedirect(t, c.PostLogin(webtest.AdminName, webtest.AdminPassword), "/articles")
				c.Doc(c.Get("/admin/users"))
			default:
				c = env.Login(t, webtest.EditorName, webtest.EditorPassword)
			}
			other := env.Client(t) // another browser, in its own session
			if tc.as != "" {
				other = env.Login(t, webtest.EditorName, webtest.EditorPassword)
			}
			token := map[string]string{
				"own": c.CSRFToken(), "planted": planted, "other": other.CSRFToken(), "prelogin": prelogin, "none": "",
			}[tc.token]
			if tc.token == "planted" {
				// What the attacker sets: the old CSRF cookie, and Echo's
				// default name for good measure.
				for _, name := range []string{"newsdesk_csrf", "_csrf"} {
					c.SetCookie(&http.Cookie{Name: name, Value: planted, Path: "/"})
				}
			}
			form := url.Values{}
			switch tc.path {
			case "/admin/users/2":
				form = roleChange
			case "/login":
				form = url.Values{"username": {webtest.EditorName}, "password": {webtest.EditorPassword}}
			}
			form = cloneForm(form)
			if token != "" && !tc.header {
				form.Set("_csrf", token)
			}
			req := c.NewRequest(http.MethodPost, tc.path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if token != "" && tc.header {
				req.Header.Set("X-CSRF-Token", token)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp := c.Do(req)
			webtest.WantStatus(t, resp, tc.status)
			if tc.status == http.StatusForbidden && !tc.header && webtest.ByTestID(c.Doc(resp), "error-code").Text() != "403" {
				t.Error("no 403 page")
			}
			// What the request did, or did not do.
			worked := tc.status == http.StatusSeeOther
			switch tc.path {
			case "/admin/users/2":
				ed, err := env.Store.UserByID(t.Context(), env.Editor.ID)
				if err != nil {
					t.Fatal(err)
				}
				if (ed.Role == "admin") != worked {
					t.Errorf("editor's role is %s", ed.Role)
				}
			case "/logout":
				if c.LoggedIn() == worked {
					t.Errorf("logged in after the logout: %v", !worked)
				}
			case "/login":
				if c.LoggedIn() != worked {
					t.Errorf("logged in after the login: %v", !worked)
				}
			}
		})
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func ptr(s string) *string { return &s }
