package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/static"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// The route-table tests below walk Echo's real route list, so a route
// added without the guard its access level needs fails them. The only
// routes a visitor without a session may use are listed here.
var publicRoutes = map[string]bool{
	"GET /static/*":    true,
	"HEAD /static/*":   true,
	"GET /healthz":     true,
	"HEAD /healthz":    true,
	"GET /login":       true,
	"POST /login":      true,
	"GET /favicon.ico": true,
}

// adminPrefix is where every admin route lives; editors get 403 there.
const adminPrefix = "/admin"

// stateChanges are bodies that, with a valid token, do change something
// on the known state-changing routes: the positive control showing that
// the refusals below are refusals and not just harmless requests. A new
// route without an entry gets hostileForm and no control.
var stateChanges = map[string]url.Values{
	"POST /login":           {"username": {webtest.EditorName}, "password": {webtest.EditorPassword}},
	"POST /logout":          {},
	"POST /admin/users":     {"username": {"mallory"}, "role": {"admin"}, "password": {"mallory-password-1"}},
	"POST /admin/users/:id": {"op": {"disable"}},
	"POST /articles/:id":    {"quality": {"1"}, "status": {"approved"}, "version": {"1"}, "note": {"forged"}},
}

// hostileForm is the union of the fields the forms know, for routes the
// test has no specific body for.
var hostileForm = url.Values{
	"username": {"mallory"}, "password": {"mallory-password-1"}, "role": {"admin"}, "op": {"disable"},
	"quality": {"1"}, "status": {"approved"}, "version": {"1"}, "note": {"forged"}, "topics": {"Forged"},
}

// routeFixture is a server with one article, and how to turn a route
// pattern into a real URL on it.
type routeFixture struct {
	env       *webtest.Env
	articleID int64
}

func newRouteFixture(t *testing.T) *routeFixture {
	t.Helper()
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{"one.md": webtest.PlainArticle("One")})
	return &routeFixture{env: env, articleID: ids["one"]}
}

func routeKey(r *echo.Route) string { return r.Method + " " + r.Path }

// routes is the server's route list in a stable order.
func (f *routeFixture) routes(t *testing.T) []*echo.Route {
	t.Helper()
	rs := f.env.Web.Routes()
	if len(rs) < 10 {
		t.Fatalf("only %d routes: is Routes() the real list?", len(rs))
	}
	slices.SortFunc(rs, func(a, b *echo.Route) int { return strings.Compare(routeKey(a), routeKey(b)) })
	return rs
}

// path fills a route pattern: article and user ids that exist, a real
// static asset for the wildcard, 1 for any other parameter.
func (f *routeFixture) path(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		switch {
		case s == "*":
			segs[i] = strings.TrimPrefix(static.URL("css/base.css"), static.Prefix)
		case strings.HasPrefix(s, ":") && strings.HasPrefix(pattern, "/articles/"):
			segs[i] = strconv.FormatInt(f.articleID, 10)
		case strings.HasPrefix(s, ":") && strings.HasPrefix(pattern, adminPrefix+"/users/"):
			segs[i] = strconv.FormatInt(f.env.Editor.ID, 10)
		case strings.HasPrefix(s, ":"):
			segs[i] = "1"
		}
	}
	return strings.Join(segs, "/")
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// send makes one request with a form body (for unsafe methods) and extra
// headers.
func send(c *webtest.Client, method, path string, form url.Values, headers map[string]string) *http.Response {
	var body *strings.Reader
	if !isSafe(method) {
		body = strings.NewReader(form.Encode())
	}
	var req *http.Request
	if body != nil {
		req = c.NewRequest(method, path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = c.NewRequest(method, path, nil)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return c.Do(req)
}

func formFor(key string) (url.Values, bool) {
	if v, ok := stateChanges[key]; ok {
		return v, true
	}
	return hostileForm, false
}

// TestRoutesRefuseForgedRequests: every route with an unsafe method
// refuses, with 400 or 403 and no change at all, a request without a
// token, with a wrong one, and with a valid one sent from another site;
// and the same request with the token from this site does go through.
func TestRoutesRefuseForgedRequests(t *testing.T) {
	variants := []struct {
		name    string
		token   string // "valid", "none" or a literal wrong token
		headers map[string]string
	}{
		{"no token", "none", nil},
		{"no token, Sec-Fetch-Site same-origin", "none", map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{"wrong token", "AAAAAAAAAAAAAAAAAAAAAAAAAA", nil},
		{"valid token, foreign Origin", "valid", map[string]string{"Origin": "https://evil.example"}},
		{"valid token, Sec-Fetch-Site cross-site", "valid", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	probe := newRouteFixture(t)
	var unsafe []*echo.Route
	for _, r := range probe.routes(t) {
		if !isSafe(r.Method) {
			unsafe = append(unsafe, r)
		}
	}
	if len(unsafe) < 4 {
		t.Fatalf("only %d state-changing routes found", len(unsafe))
	}
	for _, r := range unsafe {
		key := routeKey(r)
		t.Run(key, func(t *testing.T) {
			f := newRouteFixture(t)
			path := f.path(r.Path)
			form, known := formFor(key)
			admin := f.env.Login(t, webtest.AdminName, webtest.AdminPassword)
			admin.Doc(admin.Get("/articles")) // a page, so the client holds the page's token
			before := f.env.Snapshot(t)
			for _, v := range variants {
				body := url.Values{}
				for k, vs := range form {
					body[k] = vs
				}
				switch v.token {
				case "valid":
					body.Set("_csrf", admin.CSRFToken())
				case "none":
				default:
					body.Set("_csrf", v.token)
				}
				resp := send(admin, r.Method, path, body, v.headers)
				if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 403 or 400", v.name, resp.StatusCode)
				}
				if webtest.SetsSession(resp) || clearsCookie(resp, webtest.SessionCookie) {
					t.Errorf("%s: the refused request touched the session cookie", v.name)
				}
				if after := f.env.Snapshot(t); after != before {
					t.Fatalf("%s: refused request changed the database:\nbefore:\n%s\nafter:\n%s", v.name, before, after)
				}
			}
			if !admin.LoggedIn() {
				t.Fatal("a refused request logged the admin out")
			}
			// Positive control: with this site's token the same request
			// changes something.
			body := url.Values{}
			for k, vs := range form {
				body[k] = vs
			}
			body.Set("_csrf", admin.CSRFToken())
			resp := send(admin, r.Method, path, body, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": f.env.Server.URL})
			changed := f.env.Snapshot(t) != before || webtest.SetsSession(resp)
			switch {
			case known && !changed:
				t.Errorf("control: the accepted request (status %d) changed nothing, so the refusals prove nothing", resp.StatusCode)
			case !known:
				t.Logf("no control body for %s (status %d with the union form); add one to stateChanges", key, resp.StatusCode)
			}
		})
	}
}

// TestRoutesNeedLogin: every route but the allowlisted public ones sends
// a visitor without a session to the login page: GET and HEAD by
// redirect (possibly after a local redirect, as / does), other methods,
// sent with a valid CSRF token, by a 401 page that links to it. Nothing
// changes.
func TestRoutesNeedLogin(t *testing.T) {
	f := newRouteFixture(t)
	anon := f.env.Client(t)
	anon.Doc(anon.Get("/login")) // a CSRF token, as any visitor has
	before := f.env.Snapshot(t)
	for _, r := range f.routes(t) {
		key := routeKey(r)
		if publicRoutes[key] {
			continue
		}
		t.Run(key, func(t *testing.T) {
			path := f.path(r.Path)
			if isSafe(r.Method) {
				resp := send(anon, r.Method, path, nil, nil)
				for hops := 0; hops < 3 && resp.StatusCode == http.StatusSeeOther; hops++ {
					loc := resp.Header.Get("Location")
					if strings.HasPrefix(loc, "/login") {
						if want := "/login?next=" + url.QueryEscape(path); hops == 0 && loc != want {
							t.Errorf("Location %q, want %q", loc, want)
						}
						return
					}
					if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
						t.Fatalf("redirect off the site: %q", loc)
					}
					resp = send(anon, r.Method, loc, nil, nil)
				}
				t.Fatalf("status %d, Location %q: not sent to the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			// A fresh token: POST /logout, run before, replaces the visitor's.
			anon.Doc(anon.Get("/login"))
			form, _ := formFor(key)
			body := url.Values{"_csrf": {anon.CSRFToken()}}
			for k, vs := range form {
				body[k] = vs
			}
			resp := send(anon, r.Method, path, body, nil)
			switch resp.StatusCode {
			case http.StatusSeeOther:
				if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
					t.Errorf("redirect to %q, want the login page", loc)
				}
			case http.StatusUnauthorized:
				if href := webtest.ByTestID(anon.Doc(resp), "error-login").AttrOr("href", ""); !strings.HasPrefix(href, "/login") {
					t.Errorf("401 page links to %q, want the login page", href)
				}
			default:
				t.Errorf("status %d, want 401 or a redirect to the login page", resp.StatusCode)
			}
			if after := f.env.Snapshot(t); after != before {
				t.Fatalf("a visitor without a session changed the database:\n%s\n%s", before, after)
			}
		})
	}
	// The allowlist holds only routes that exist: a stale entry would hide
	// a renamed route.
	have := map[string]bool{}
	for _, r := range f.routes(t) {
		have[routeKey(r)] = true
	}
	for k := range publicRoutes {
		if !have[k] {
			t.Errorf("public allowlist names %s, which is not a route", k)
		}
	}
}

// TestAdminRoutesForbidEditors: every route under /admin answers 403 to a
// logged-in editor, whatever the method, and changes nothing.
func TestAdminRoutesForbidEditors(t *testing.T) {
	f := newRouteFixture(t)
	editor := f.env.Login(t, webtest.EditorName, webtest.EditorPassword)
	editor.Doc(editor.Get("/articles"))
	before := f.env.Snapshot(t)
	n := 0
	for _, r := range f.routes(t) {
		if !strings.HasPrefix(r.Path, adminPrefix) {
			continue
		}
		n++
		key := routeKey(r)
		form, _ := formFor(key)
		body := url.Values{"_csrf": {editor.CSRFToken()}}
		for k, vs := range form {
			body[k] = vs
		}
		if strings.HasPrefix(key, "POST /admin/users/") {
			body.Set("op", "role") // an editor making themselves admin
		}
		resp := send(editor, r.Method, f.path(r.Path), body, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", key, resp.StatusCode)
		}
	}
	if n < 3 {
		t.Fatalf("only %d admin routes found", n)
	}
	if after := f.env.Snapshot(t); after != before {
		t.Fatalf("an editor changed the database through admin routes:\n%s\n%s", before, after)
	}
	if !editor.LoggedIn() {
		t.Error("editor logged out")
	}
}
