package web_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/static"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

func TestSecurityHeaders(t *testing.T) {
	env := webtest.New(t)
	anon := env.Client(t)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	asset := static.URL("css/base.css")
	for _, tc := range []struct {
		name   string
		c      *webtest.Client
		method string
		path   string
		status int
		cache  string
	}{
		{"login page", anon, http.MethodGet, "/login", 200, "no-store"},
		{"private page", editor, http.MethodGet, "/articles", 200, "no-store"},
		{"admin 403", editor, http.MethodGet, "/admin/users", 403, "no-store"},
		{"redirect", anon, http.MethodGet, "/articles", 303, "no-store"},
		{"not found", anon, http.MethodGet, "/no/such/page", 404, "no-store"},
		{"method not allowed", anon, http.MethodPut, "/login", 405, "no-store"},
		{"csrf refusal", anon, http.MethodPost, "/login", 403, "no-store"},
		{"static", anon, http.MethodGet, asset, 200, "public, max-age=31536000, immutable"},
		{"static HEAD", anon, http.MethodHead, asset, 200, "public, max-age=31536000, immutable"},
		{"static unknown", anon, http.MethodGet, "/static/css/base.000000000000.css", 404, "no-store"},
		{"health", anon, http.MethodGet, "/healthz", 200, "no-store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.c.Do(tc.c.NewRequest(tc.method, tc.path, nil))
			webtest.WantStatus(t, resp, tc.status)
			h := resp.Header
			for k, want := range map[string]string{
				"Content-Security-Policy": wantCSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"X-Frame-Options":         "DENY",
				"Cache-Control":           tc.cache,
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if h.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

// TestNoInlineCode: the CSP allows no inline script or style, so pages
// must not have any.
func TestNoInlineCode(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	for _, path := range []string{"/login", "/admin/users", "/no/such/page"} {
		c := admin
		if path == "/login" {
			c = env.Client(t)
		}
		doc := c.Doc(c.Get(path))
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if _, ok := s.Attr("src"); !ok {
				t.Errorf("%s: inline script", path)
			}
		})
		if doc.Find("style, [style]").Length() > 0 {
			t.Errorf("%s: inline style", path)
		}
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline handler %s", path, a.Key)
				}
			}
		})
	}
}

func TestStatic(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	for _, name := range []string{"css/base.css", "css/auth.css", "js/app.js", "vendor/htmx-2.0.11.min.js"} {
		a, ok := static.Lookup(strings.TrimPrefix(static.URL(name), static.Prefix))
		if !ok {
			t.Fatalf("%s: not found by its hashed name", name)
		}
		resp := c.Get(static.URL(name))
		webtest.WantStatus(t, resp, http.StatusOK)
		if got := resp.Header.Get("Content-Type"); got != a.ContentType {
			t.Errorf("%s: Content-Type %q", name, got)
		}
		if !bytes.Equal(resp.Body.(*webtest.Body).Bytes(), a.Data) {
			t.Errorf("%s: body differs", name)
		}
	}
	for _, path := range []string{"/static/css/base.css", "/static/css/base.000000000000.css", "/static/", "/static/../go.mod", "/static/nope"} {
		if resp := c.Get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
	// Static files carry no cookies.
	if resp := c.Get(static.URL("css/base.css")); len(resp.Cookies()) != 0 {
		t.Error("static response sets cookies")
	}
}

func TestGzip(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	req := c.NewRequest(http.MethodGet, static.URL("vendor/htmx-2.0.11.min.js"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp := c.Do(req)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("JS not compressed: %q", resp.Header.Get("Content-Encoding"))
	}
}

func TestBodyLimit(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.BodyLimit = "64K" })
	c := env.Client(t)
	big := url.Values{"username": {strings.Repeat("a", 70<<10)}, "password": {"x"}, "_csrf": {c.CSRFToken()}}.Encode()
	t.Run("known length", func(t *testing.T) {
		req := c.NewRequest(http.MethodPost, "/login", strings.NewReader(big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp := c.Do(req)
		webtest.WantStatus(t, resp, http.StatusRequestEntityTooLarge)
		if webtest.ByTestID(c.Doc(resp), "error-code").Text() != "413" {
			t.Error("no 413 page")
		}
	})
	t.Run("chunked", func(t *testing.T) {
		req := c.NewRequest(http.MethodPost, "/login", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if req.ContentLength != 0 {
			t.Fatal("test needs a body of unknown length")
		}
		webtest.WantStatus(t, c.Do(req), http.StatusRequestEntityTooLarge)
	})
	t.Run("default limit accepts a normal form", func(t *testing.T) {
		webtest.WantRedirect(t, env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
	})
}

func TestHealthz(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	resp := c.Get("/healthz")
	webtest.WantStatus(t, resp, http.StatusOK)
	if got := c.Text(resp); got != "ok" {
		t.Errorf("body %q", got)
	}
	if err := env.Store.Close(); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, c.Get("/healthz"), http.StatusServiceUnavailable)
}

func TestErrorPages(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	for _, tc := range []struct {
		name    string
		c       *webtest.Client
		method  string
		path    string
		code    string
		message string
	}{
		{"404 route", editor, http.MethodGet, "/nowhere", "404", "There is nothing at this address."},
		{"404 from handler", admin, http.MethodPost, "/admin/users/999", "404", "No such user."},
		{"404 bad id", admin, http.MethodPost, "/admin/users/abc", "404", "No such user."},
		{"405", editor, http.MethodDelete, "/articles", "405", ""},
		{"403", editor, http.MethodGet, "/admin/users", "403", "You do not have permission to do that."},
		{"400 from handler", admin, http.MethodPost, "/admin/users/2", "400", "Unknown action."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			if tc.method == http.MethodPost {
				resp = tc.c.PostForm(tc.path, url.Values{"op": {"explode"}})
			} else {
				resp = tc.c.Do(tc.c.NewRequest(tc.method, tc.path, nil))
			}
			doc := tc.c.Doc(resp)
			if got := webtest.ByTestID(doc, "error-code").Text(); got != tc.code || strconv.Itoa(resp.StatusCode) != tc.code {
				t.Fatalf("code %q, status %d, want %s", got, resp.StatusCode, tc.code)
			}
			if msg := webtest.ByTestID(doc, "error-message").Text(); tc.message != "" && msg != tc.message {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
			if tc.c == editor && webtest.ByTestID(doc, "current-user").Text() != webtest.EditorName && tc.code == "403" {
				t.Error("error page lost the layout's user")
			}
		})
	}
	t.Run("htmx fragment", func(t *testing.T) {
		req := editor.NewRequest(http.MethodGet, "/nowhere", nil)
		req.Header.Set("HX-Request", "true")
		resp := editor.Do(req)
		webtest.WantStatus(t, resp, http.StatusNotFound)
		body := editor.Text(resp)
		if strings.Contains(body, "<html") || !strings.Contains(body, `data-testid="error-fragment"`) {
			t.Errorf("htmx error body: %s", body)
		}
	})
}

// TestServerErrorHidesInternals breaks the database under a logged-in
// user: the page says something went wrong, the log says what.
func TestServerErrorHidesInternals(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	if err := env.Store.Close(); err != nil {
		t.Fatal(err)
	}
	resp := c.Get("/articles")
	webtest.WantStatus(t, resp, http.StatusInternalServerError)
	body := c.Text(resp)
	for _, leak := range []string{"sql", "db:", "closed", "goroutine", ".go:"} {
		if strings.Contains(strings.ToLower(body), leak) {
			t.Errorf("500 page mentions %q", leak)
		}
	}
	if webtest.ByTestID(c.Doc(resp), "error-code").Text() != "500" {
		t.Error("no 500 page")
	}
	id := resp.Header.Get("X-Request-Id")
	logs := env.Logs()
	if !strings.Contains(logs, "request failed") || !strings.Contains(logs, "request_id="+id) || !strings.Contains(logs, "closed") {
		t.Errorf("500 not logged with its request id and cause:\n%s", logs)
	}
}

func TestRunGracefulShutdown(t *testing.T) {
	env := webtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- env.Web.Run(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestRunListenerError(t *testing.T) {
	env := webtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = env.Web.Run(context.Background(), ln)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Run on a closed listener: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"NEWSDESK_SESSION_KEY":     "abc",
		"NEWSDESK_SECURE_COOKIES":  "1",
		"NEWSDESK_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1 ,",
	}
	cfg, err := web.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SessionKey != "abc" || !cfg.SecureCookies || len(cfg.TrustedProxies) != 2 {
		t.Errorf("config %+v", cfg)
	}
	for k, v := range map[string]string{"NEWSDESK_SECURE_COOKIES": "yes", "NEWSDESK_TRUSTED_PROXIES": "10.0.0.0/99"} {
		bad := map[string]string{k: v}
		if _, err := web.ConfigFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	env := webtest.New(t)
	for name, cfg := range map[string]web.Config{
		"body limit": {BodyLimit: "lots"},
		"proxy":      {TrustedProxies: []string{"proxy.example"}},
	} {
		if _, err := web.New(context.Background(), cfg, env.Store); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRequestIDNotFromClient(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	req := c.NewRequest(http.MethodGet, "/login", nil)
	req.Header.Set("X-Request-Id", "forged-id")
	if got := c.Do(req).Header.Get("X-Request-Id"); got == "" || got == "forged-id" {
		t.Errorf("X-Request-Id %q", got)
	}
}
