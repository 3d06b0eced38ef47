package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// sessionCookie is the name of the session cookie without SecureCookies.
const sessionCookie = "newsdesk_session"

// byTestID finds elements by data-testid.
func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// wantStatus fails the test unless resp has status want.
func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want)
	}
}

// wantRedirect fails the test unless resp is a 303 to location.
func wantRedirect(t *testing.T, resp *http.Response, location string) {
	t.Helper()
	wantStatus(t, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: Location %q, want %q", resp.Request.Method, resp.Request.URL.Path, got, location)
	}
}

// loggedIn reports whether c's session is accepted: /articles is served,
// not redirected to the login page.
func loggedIn(t *testing.T, c *webtest.Client) bool {
	t.Helper()
	resp := c.Get("/articles")
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return false
	}
	t.Fatalf("GET /articles: unexpected status %d", resp.StatusCode)
	return false
}

// login posts the login form from a fresh client and returns the response.
func login(t *testing.T, env *webtest.Env, c *webtest.Client, user, pass string, extra ...string) *http.Response {
	t.Helper()
	if c == nil {
		c = env.Client(t)
	}
	v := url.Values{"username": {user}, "password": {pass}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return c.PostForm("/login", v)
}

// flashes are the flash messages of a page.
func flashes(doc *goquery.Document) []string {
	var out []string
	byTestID(doc, "flash").Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

func strconvItoa(n int) string { return strconv.Itoa(n) }
