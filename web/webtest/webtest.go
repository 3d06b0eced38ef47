// Package webtest starts a real newsdesk server for tests: a fresh SQLite
// file with the real migrations, an admin and an editor, and HTTP clients
// with cookie jars that log in and send CSRF tokens the way a browser does.
//
//	env := webtest.New(t)
//	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
//	resp := c.Get("/articles")
//	doc := c.Doc(resp)
//	doc.Find(`[data-testid="current-user"]`).Text()
//	resp = c.PostForm("/articles/1", url.Values{"quality": {"70"}}) // _csrf added
package webtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/web"
)

// The accounts every Env has.
const (
	AdminName      = "admin"
	AdminPassword  = "admin-password-1"
	EditorName     = "editor"
	EditorPassword = "editor-password-1"
)

// Env is one running server on its own database.
type Env struct {
	Server *httptest.Server
	Store  *db.Store
	Web    *web.Server
	Clock  *Clock      // the server's clock; Advance it to age sessions
	Config web.Config  // as given to web.New (after options)
	Admin  *db.User    // AdminName, role admin
	Editor *db.User    // EditorName, role editor
	logs   *SyncBuffer // the server's log output
}

// New starts a server on a fresh database in t.TempDir(); options may
// change the configuration before the server is built. Everything is
// closed when the test ends; the server's log is printed if it failed.
func New(t testing.TB, options ...func(*web.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatalf("webtest: open database: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	env := &Env{Store: store, Clock: NewClock(), logs: &SyncBuffer{}}
	env.Config = web.Config{
		Log: slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: env.Clock.Now,
	}
	for _, o := range options {
		o(&env.Config)
	}
	env.Admin = env.CreateUser(t, AdminName, AdminPassword, db.RoleAdmin)
	env.Editor = env.CreateUser(t, EditorName, EditorPassword, db.RoleEditor)
	env.Web, err = web.New(ctx, env.Config, store)
	if err != nil {
		t.Fatalf("webtest: web.New: %v", err)
	}
	env.Server = httptest.NewServer(env.Web.Handler())
	t.Cleanup(func() {
		env.Server.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", env.logs.String())
		}
	})
	return env
}

// Logs is what the server logged so far.
func (e *Env) Logs() string { return e.logs.String() }

// URL is the absolute URL of path on the test server.
func (e *Env) URL(path string) string { return e.Server.URL + path }

// CreateUser adds an account. Hashes are cached per password, so many
// tests with the same accounts pay for argon2id once.
func (e *Env) CreateUser(t testing.TB, name, password string, role db.Role) *db.User {
	t.Helper()
	u, err := e.Store.CreateUser(context.Background(), name, PasswordHash(t, password), role)
	if err != nil {
		t.Fatalf("webtest: create user %s: %v", name, err)
	}
	return u
}

var (
	hashMu    sync.Mutex
	hashCache = map[string]string{}
)

// PasswordHash hashes password with the real argon2id parameters, once per
// test binary: each hash costs tens of milliseconds.
func PasswordHash(t testing.TB, password string) string {
	hashMu.Lock()
	defer hashMu.Unlock()
	if h, ok := hashCache[password]; ok {
		return h
	}
	h, err := account.HashPassword(password)
	if err != nil {
		t.Fatalf("webtest: hash: %v", err)
	}
	hashCache[password] = h
	return h
}

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
	resp := c.PostForm("/login", url.Values{"username": {user}, "password": {password}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(loc, "/login") {
		msg := c.Doc(resp).Find(`[data-testid="login-error"]`).Text()
		t.Fatalf("webtest: login as %s: status %d, location %q, error %q", user, resp.StatusCode, loc, msg)
	}
	if landing := c.Follow(resp); landing.StatusCode != http.StatusOK {
		t.Fatalf("webtest: login as %s: landing page %s: status %d", user, landing.Request.URL.Path, landing.StatusCode)
	}
	return c
}

// Get requests path (relative to the server, or absolute).
func (c *Client) Get(path string) *http.Response {
	c.t.Helper()
	return c.Do(c.NewRequest(http.MethodGet, path, nil))
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
	if b, ok := resp.Body.(*Body); ok {
		return string(b.data)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("webtest: reading body: %v", err)
	}
	return string(b)
}

// Doc parses the response as HTML.
func (c *Client) Doc(resp *http.Response) *goquery.Document {
	c.t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(c.Text(resp)))
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

// Clock is a settable clock for the server.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at the real time, so cookies the server signs with the
// real clock agree with it.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// SyncBuffer is a bytes.Buffer safe to write from several goroutines: a
// server's log, a child process's output.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
