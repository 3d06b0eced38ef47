package webtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Client is a browser-like client: it keeps cookies, does not follow
// redirects (tests look at them; see Follow), buffers every body, and
// remembers the CSRF token of the last HTML page it read.
type Client struct {
	t      testing.TB
	env    *Env
	HTTP   *http.Client
	Header http.Header // sent with every request, e.g. Sec-Fetch-Site
	token  string
}

// Client is a new client with no cookies.
func (e *Env) Client(t testing.TB) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatalf("webtest: cookie jar: %v", err)
	}
	return &Client{
		t: t, env: e, Header: http.Header{},
		HTTP: &http.Client{
			Jar:           jar,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Login is a new client logged in as user; the test fails if the login
// does not end in a redirect away from the login page. Like a browser, it
// then loads the page it was sent to, which carries the new session's
// CSRF token (login replaces the token).
func (e *Env) Login(t testing.TB, user, password string) *Client {
	t.Helper()
	c := e.Client(t)
	c.Doc(c.Get("/login"))
	resp := c.PostLogin(user, password)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(loc, "/login") {
		msg := c.Doc(resp).Find(`[data-testid="login-error"]`).Text()
		t.Fatalf("webtest: login as %s: status %d, location %q, error %q", user, resp.StatusCode, loc, msg)
	}
	if landing := c.Follow(resp); landing.StatusCode != http.StatusOK {
		t.Fatalf("webtest: login as %s: landing page %s: status %d", user, landing.Request.URL.Path, landing.StatusCode)
	}
	return c
}

// PostLogin posts the login form (with the session's CSRF token) and
// returns the answer as it is, for tests of the login itself; Login is
// the one that must succeed.
func (c *Client) PostLogin(user, password string) *http.Response {
	c.t.Helper()
	return c.PostForm("/login", url.Values{"username": {user}, "password": {password}})
}

// LoggedIn reports whether the client's session is accepted: /articles is
// served, not redirected to the login page. Any other answer fails the
// test.
func (c *Client) LoggedIn() bool {
	c.t.Helper()
	resp := c.Get("/articles")
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return false
	}
	c.t.Fatalf("webtest: GET /articles: unexpected status %d", resp.StatusCode)
	return false
}

// Get requests path (relative to the server, or absolute).
func (c *Client) Get(path string) *http.Response {
	c.t.Helper()
	return c.Do(c.NewRequest(http.MethodGet, path, nil))
}

// GetDoc requests path and parses the answer as HTML, whatever its status.
func (c *Client) GetDoc(path string) *goquery.Document {
	c.t.Helper()
	return c.Doc(c.Get(path))
}

// PostForm posts v as a form, adding _csrf with the client's current token
// unless v already has a _csrf entry (tests of refusals set it, even to
// "").
func (c *Client) PostForm(path string, v url.Values) *http.Response {
	c.t.Helper()
	if _, ok := v["_csrf"]; !ok {
		v = cloneValues(v)
		v.Set("_csrf", c.CSRFToken())
	}
	return c.PostFormRaw(path, v)
}

// PostFormRaw posts exactly v.
func (c *Client) PostFormRaw(path string, v url.Values) *http.Response {
	c.t.Helper()
	req := c.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// NewRequest builds a request to path with the client's extra headers.
func (c *Client) NewRequest(method, path string, body io.Reader) *http.Request {
	c.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.env.Server.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		c.t.Fatalf("webtest: request %s %s: %v", method, path, err)
	}
	for k, vs := range c.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req
}

// Do sends req and returns the response with its body read into memory
// (so it can be read more than once and never leaks a connection). HTML
// pages update the client's CSRF token.
func (c *Client) Do(req *http.Request) *http.Response {
	c.t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("webtest: %s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("webtest: %s %s: reading body: %v", req.Method, req.URL, err)
	}
	resp.Body = &Body{Reader: bytes.NewReader(b), data: b}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if tok := tokenIn(b); tok != "" {
			c.token = tok
		}
	}
	return resp
}

// Body is a buffered response body.
type Body struct {
	*bytes.Reader
	data []byte
}

// Close does nothing: the body is in memory.
func (*Body) Close() error { return nil }

// Bytes is the whole body.
func (b *Body) Bytes() []byte { return b.data }

// Text is the whole body of a response from this client.
func (c *Client) Text(resp *http.Response) string {
	c.t.Helper()
	return string(c.Bytes(resp))
}

// Bytes is the whole body of a response from this client.
func (c *Client) Bytes(resp *http.Response) []byte {
	c.t.Helper()
	if b, ok := resp.Body.(*Body); ok {
		return b.data
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("webtest: reading body: %v", err)
	}
	return b
}

// Doc parses the response as HTML.
func (c *Client) Doc(resp *http.Response) *goquery.Document {
	c.t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(c.Bytes(resp)))
	if err != nil {
		c.t.Fatalf("webtest: parsing HTML of %s: %v", resp.Request.URL, err)
	}
	return doc
}

// Follow requests the Location of a redirect; other responses come back
// unchanged.
func (c *Client) Follow(resp *http.Response) *http.Response {
	c.t.Helper()
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return resp
	}
	loc, err := resp.Location()
	if err != nil {
		c.t.Fatalf("webtest: redirect without Location: %v", err)
	}
	return c.Get(loc.String())
}

// CSRFToken is the token the next POST should carry: the one in the last
// page the client read, or, before any, the one from a fresh GET /login.
// The token belongs to the session: after a login or logout the client
// must read a page (as a browser does after the redirect) to learn the
// new one; Login does.
func (c *Client) CSRFToken() string {
	c.t.Helper()
	if c.token == "" {
		c.Get("/login")
		if c.token == "" {
			c.t.Fatal("webtest: no CSRF token in GET /login")
		}
	}
	return c.token
}

// Cookie is the client's cookie called name, or nil.
func (c *Client) Cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.env.Server.URL) // httptest URLs always parse
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// SetCookie puts a cookie in the client's jar, as if the server had set
// it: for replaying a cookie another client had.
func (c *Client) SetCookie(ck *http.Cookie) {
	u, _ := url.Parse(c.env.Server.URL)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{ck})
}

// tokenIn finds the CSRF token of a page: a _csrf form field, or the
// X-CSRF-Token of the body's hx-headers.
func tokenIn(page []byte) string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	if v, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && v != "" {
		return v
	}
	if h, ok := doc.Find("body").Attr("hx-headers"); ok {
		const key = `"X-CSRF-Token":"`
		if i := strings.Index(h, key); i >= 0 {
			rest := h[i+len(key):]
			if j := strings.IndexByte(rest, '"'); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
