package web_test

import (
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
				if byTestID(c.Doc(resp), "error-code").Text() != "403" {
					t.Errorf("POST %s: no 403 page", p.path)
				}
			}
		})
	}
	// Nothing happened: still logged in, no new user, editor untouched.
	if !loggedIn(t, c) {
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
	wantStatus(t, resp, http.StatusForbidden)
	req := c.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
		"username": {webtest.EditorName}, "password": {webtest.EditorPassword}, "_csrf": {c.CSRFToken()},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, c.Do(req), http.StatusForbidden)
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
			wantRedirect(t, c.Do(req), "/admin/users")
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
// Sec-Fetch-Site (in whose presence Echo would put a placeholder in the
// context), and checks each form's token is the cookie's, and works.
func TestFormsCarryRealToken(t *testing.T) {
	for _, sfs := range []string{"", "same-origin", "none"} {
		t.Run("Sec-Fetch-Site="+sfs, func(t *testing.T) {
			env := webtest.New(t)
			anon := env.Client(t)
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
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
				wantStatus(t, resp, http.StatusOK)
				doc := tc.c.Doc(resp)
				cookie := tc.c.Cookie("newsdesk_csrf")
				if cookie == nil || len(cookie.Value) < 16 {
					t.Fatalf("%s: no CSRF cookie", tc.path)
				}
				forms := doc.Find(`form[method="post"]`)
				if tc.path != "/export" && forms.Length() == 0 {
					t.Fatalf("%s: no forms", tc.path)
				}
				forms.Each(func(i int, f *goquery.Selection) {
					tok := f.Find(`input[name="_csrf"]`).AttrOr("value", "")
					if tok != cookie.Value {
						t.Errorf("%s: form %d (%s) token %q, cookie %q", tc.path, i, f.AttrOr("action", ""), tok, cookie.Value)
					}
				})
				if h := doc.Find("body").AttrOr("hx-headers", ""); !strings.Contains(h, cookie.Value) {
					t.Errorf("%s: hx-headers %q lack the token", tc.path, h)
				}
			}
			// The token works (here without the header, as an old browser).
			admin.Header.Del("Sec-Fetch-Site")
			wantRedirect(t, admin.PostForm("/logout", url.Values{}), "/login")
			anon.Header.Del("Sec-Fetch-Site")
			wantRedirect(t, login(t, env, anon, webtest.EditorName, webtest.EditorPassword), "/articles")
		})
	}
}

func ptr(s string) *string { return &s }
