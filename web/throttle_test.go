package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// wantThrottled checks a 429 that re-renders the login form with a
// message and a Retry-After.
func wantThrottled(t *testing.T, c *webtest.Client, resp *http.Response) {
	t.Helper()
	webtest.WantStatus(t, resp, http.StatusTooManyRequests)
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	doc := c.Doc(resp)
	if webtest.ByTestID(doc, "login-error").Length() != 1 || webtest.ByTestID(doc, "login-form").Length() != 1 {
		t.Error("429 is not the login form with a message")
	}
}

func TestThrottlePerAccount(t *testing.T) {
	env := webtest.New(t)
	// Each attempt from a different browser: cookies do not matter.
	for i := range 5 {
		resp := env.Client(t).PostLogin(webtest.EditorName, fmt.Sprintf("wrong-%d", i))
		webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
	}
	c := env.Client(t)
	// Now even the right password waits, and the name's case does not help.
	wantThrottled(t, c, c.PostLogin(webtest.EditorName, webtest.EditorPassword))
	wantThrottled(t, c, c.PostLogin("Editor", webtest.EditorPassword))
	// Other accounts from the same address are not affected.
	webtest.WantRedirect(t, env.Client(t).PostLogin(webtest.AdminName, webtest.AdminPassword), "/articles")
	// A real user waits seconds, not hours.
	env.Clock.Advance(12 * time.Second)
	webtest.WantRedirect(t, env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
}

func TestThrottlePerIP(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	for i := range 10 {
		// A different account each time, and a spoofed X-Forwarded-For,
		// which is ignored without trusted proxies.
		c.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		resp := c.PostLogin(fmt.Sprintf("guess%d", i), "password-guess")
		webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
	}
	c.Header.Set("X-Forwarded-For", "198.51.100.200")
	wantThrottled(t, c, c.PostLogin(webtest.EditorName, webtest.EditorPassword))
	c.Header.Set("X-Real-IP", "198.51.100.201")
	wantThrottled(t, c, c.PostLogin(webtest.AdminName, webtest.AdminPassword))
	env.Clock.Advance(6 * time.Second)
	webtest.WantRedirect(t, env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
}

func TestThrottleTrustedProxy(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	attacker := env.Client(t)
	attacker.Header.Set("X-Forwarded-For", "203.0.113.5")
	for i := range 10 {
		webtest.WantStatus(t, attacker.PostLogin(fmt.Sprintf("guess%d", i), "password-guess"), http.StatusUnprocessableEntity)
	}
	wantThrottled(t, attacker, attacker.PostLogin("guess-more", "password-guess"))
	// Behind the proxy, another client has its own allowance.
	other := env.Client(t)
	other.Header.Set("X-Forwarded-For", "203.0.113.6")
	webtest.WantRedirect(t, other.PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
}

func TestThrottleSuccessDoesNotCount(t *testing.T) {
	env := webtest.New(t)
	for range 12 { // more than both bursts
		webtest.WantRedirect(t, env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
	}
	// Failures still have their full allowance.
	for range 5 {
		webtest.WantStatus(t, env.Client(t).PostLogin(webtest.EditorName, "wrong-password"), http.StatusUnprocessableEntity)
	}
}
