package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// TestReplayedCookieRefused: a session cookie copied before an event that
// ends sessions is refused afterwards.
func TestReplayedCookieRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event func(t *testing.T, env *webtest.Env, editor *webtest.Client)
	}{
		{"logout", func(t *testing.T, env *webtest.Env, editor *webtest.Client) {
			webtest.WantRedirect(t, editor.PostForm("/logout", url.Values{}), "/login")
		}},
		{"password reset by admin", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"password"}, "password": {"brand-new-password"}}), "/admin/users")
		}},
		{"disabled by admin", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"disable"}}), "/admin/users")
		}},
		{"disabled and enabled again", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"disable"}}), "/admin/users")
			webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"enable"}}), "/admin/users")
		}},
		{"password changed in the store (CLI)", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			h, err := account.HashPassword("set-by-the-cli")
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Store.SetPassword(t.Context(), env.Editor.ID, h); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := webtest.New(t)
			editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
			old := editor.Cookie(webtest.SessionCookie)
			tc.event(t, env, editor)
			replay := env.Client(t)
			replay.SetCookie(old)
			resp := replay.Get("/articles")
			webtest.WantRedirect(t, resp, "/login?next=%2Farticles")
			// The refused cookie is replaced by one without the login.
			if !replacesCookie(resp, webtest.SessionCookie, old.Value) {
				t.Error("refused session cookie not replaced")
			}
			// And a POST with it is refused too.
			resp = replay.PostForm("/articles/1", url.Values{"quality": {"5"}})
			webtest.WantStatus(t, resp, http.StatusUnauthorized)
		})
	}
}

// clearsCookie reports whether resp deletes cookie name.
func clearsCookie(resp *http.Response, name string) bool {
	for _, ck := range resp.Cookies() {
		if ck.Name == name && ck.MaxAge < 0 {
			return true
		}
	}
	return false
}

// replacesCookie reports whether resp sets cookie name to a value other
// than old: a refused session gives way to an anonymous one (no login,
// its own CSRF token), which the callers check logs nobody in.
func replacesCookie(resp *http.Response, name, old string) bool {
	for _, ck := range resp.Cookies() {
		if ck.Name == name && ck.MaxAge > 0 && ck.Value != "" && ck.Value != old {
			return true
		}
	}
	return false
}

// TestBadCookies: cookies the server did not make, or made too long ago,
// are a login page, never an error.
func TestBadCookies(t *testing.T) {
	env := webtest.New(t)
	good := env.Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(webtest.SessionCookie)
	foreign := webtest.New(t).Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(webtest.SessionCookie)
	otherSecret := webtest.New(t, func(c *web.Config) {
		c.SessionKey = strings.Repeat("ab", 32)
	}).Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(webtest.SessionCookie)

	flip := []byte(good.Value)
	flip[len(flip)/2] ^= 1
	for _, tc := range []struct{ name, value string }{
		{"tampered", string(flip)},
		{"truncated", good.Value[:len(good.Value)-4]},
		{"garbage", "not-a-session"},
		{"empty", ""},
		{"other server's key", foreign.Value},
		{"other configured secret", otherSecret.Value},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := env.Client(t)
			c.SetCookie(&http.Cookie{Name: webtest.SessionCookie, Value: tc.value})
			resp := c.Get("/articles")
			webtest.WantRedirect(t, resp, "/login?next=%2Farticles")
			if !replacesCookie(resp, webtest.SessionCookie, tc.value) {
				t.Error("bad cookie not replaced")
			}
			webtest.WantStatus(t, c.Get("/login"), http.StatusOK)
			if c.LoggedIn() {
				t.Error("the replacement logs in")
			}
		})
	}
}

// TestSessionLifetime moves the server's clock: the idle timeout ends an
// unused session, activity keeps it alive, and the absolute lifetime ends
// it anyway.
func TestSessionLifetime(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		env := webtest.New(t)
		c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
		env.Clock.Advance(web.DefaultIdleTimeout - time.Minute)
		if !c.LoggedIn() {
			t.Fatal("logged out before the idle timeout")
		}
		env.Clock.Advance(web.DefaultIdleTimeout + time.Second)
		if c.LoggedIn() {
			t.Fatal("still logged in after the idle timeout")
		}
	})
	t.Run("heartbeats are not activity", func(t *testing.T) {
		env := webtest.New(t)
		ids := env.ImportText(t, map[string]string{"one.md": webtest.PlainArticle("One")})
		c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
		beat := webtest.ArticlePath(ids["one"]) + "/presence"
		c.Get(webtest.ArticlePath(ids["one"])) // the review page, left open
		for elapsed := time.Duration(0); elapsed <= web.DefaultIdleTimeout; elapsed += 10 * time.Minute {
			env.Clock.Advance(10 * time.Minute)
			resp := c.PostForm(beat, url.Values{})
			resp.Body.Close()
			if elapsed+10*time.Minute < web.DefaultIdleTimeout && resp.StatusCode/100 != 2 {
				t.Fatalf("heartbeat after %v: status %d", elapsed, resp.StatusCode)
			}
		}
		if c.LoggedIn() {
			t.Fatal("a page's heartbeats kept the session from going idle")
		}
	})
	t.Run("prefetches are not activity", func(t *testing.T) {
		// instant.js fetches the next article's page ahead, again and
		// again while the tab is shown: that is the page, not the editor.
		for _, h := range []string{"Purpose", "Sec-Purpose"} {
			t.Run(h, func(t *testing.T) {
				env := webtest.New(t)
				ids := env.ImportText(t, map[string]string{"one.md": webtest.PlainArticle("One")})
				c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
				for elapsed := time.Duration(0); elapsed <= web.DefaultIdleTimeout; elapsed += 10 * time.Minute {
					env.Clock.Advance(10 * time.Minute)
					req := c.NewRequest(http.MethodGet, webtest.ArticlePath(ids["one"]), nil)
					req.Header.Set(h, "prefetch")
					resp := c.Do(req)
					if elapsed+10*time.Minute < web.DefaultIdleTimeout && resp.StatusCode != http.StatusOK {
						t.Fatalf("prefetch after %v: status %d", elapsed, resp.StatusCode)
					}
				}
				if c.LoggedIn() {
					t.Fatal("prefetches kept the session from going idle")
				}
			})
		}
	})
	t.Run("absolute", func(t *testing.T) {
		env := webtest.New(t)
		c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
		step := web.DefaultIdleTimeout - 10*time.Minute
		var elapsed time.Duration
		for elapsed+step <= web.DefaultSessionLifetime {
			env.Clock.Advance(step)
			elapsed += step
			if !c.LoggedIn() {
				t.Fatalf("logged out after %v of activity", elapsed)
			}
		}
		env.Clock.Advance(web.DefaultSessionLifetime - elapsed + time.Second)
		if c.LoggedIn() {
			t.Fatal("still logged in past the absolute lifetime")
		}
	})
	t.Run("configured", func(t *testing.T) {
		env := webtest.New(t, func(c *web.Config) { c.SessionLifetime = time.Hour; c.IdleTimeout = 10 * time.Minute })
		c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
		env.Clock.Advance(11 * time.Minute)
		if c.LoggedIn() {
			t.Fatal("configured idle timeout ignored")
		}
	})
}

// TestSeenRefresh: an active session is rewritten at most once a minute.
func TestSeenRefresh(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	setsSession := func() bool {
		resp := c.Get("/articles")
		webtest.WantStatus(t, resp, http.StatusOK)
		for _, ck := range resp.Cookies() {
			if ck.Name == webtest.SessionCookie {
				return true
			}
		}
		return false
	}
	if setsSession() {
		t.Error("session rewritten right after login")
	}
	env.Clock.Advance(30 * time.Second)
	if setsSession() {
		t.Error("session rewritten within the minute")
	}
	env.Clock.Advance(31 * time.Second)
	if !setsSession() {
		t.Error("session not refreshed after a minute")
	}
}

// TestKeysSurviveRestart: without NEWSDESK_SESSION_KEY the keys live in
// the database, so a new server on the same database accepts old cookies.
func TestKeysSurviveRestart(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	env.Restart(t)
	if resp := c.Get("/articles"); resp.StatusCode != http.StatusOK {
		t.Fatalf("restarted server: status %d, want 200", resp.StatusCode)
	}
}

func TestSessionKeyConfig(t *testing.T) {
	env := webtest.New(t)
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{strings.Repeat("0f", 32), true},
		{"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0=", true}, // 35 bytes, base64
		{"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0", true},  // unpadded
		{strings.Repeat("0f", 31), false},                          // 31 bytes
		{"c2hvcnQ=", false},
		{"not base64 at all!", false},
	} {
		_, err := web.New(context.Background(), web.Config{SessionKey: tc.key}, env.Store)
		if (err == nil) != tc.ok {
			t.Errorf("SessionKey %q: err %v, want ok=%v", tc.key, err, tc.ok)
		}
	}
	// The same secret gives the same keys: cookies survive a restart.
	cfg := func(c *web.Config) { c.SessionKey = strings.Repeat("0f", 32) }
	a := webtest.New(t, cfg)
	ck := a.Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(webtest.SessionCookie)
	b := webtest.New(t, cfg)
	c := b.Client(t)
	c.SetCookie(ck)
	if !c.LoggedIn() {
		t.Error("cookie from a server with the same secret refused")
	}
}

// TestDuplicateSessionCookies: a browser can hold several cookies with the
// session's name (one set for a parent domain, one for an old path, one
// from before a key rotation) and sends them all, in an order that says
// nothing about which is good. Whichever comes first, the one that holds
// a valid login is used; the response writes no cookie of that name, since
// a deletion or a new value would hit the good cookie, not the bad one.
// The requests go over real HTTP with the Cookie header written by hand,
// as a cookie jar keeps one cookie per name, domain and path.
func TestDuplicateSessionCookies(t *testing.T) {
	env := webtest.New(t)
	stale := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	staleValue := stale.Cookie(webtest.SessionCookie).Value
	webtest.WantRedirect(t, stale.PostForm("/logout", url.Values{}), "/login") // a signed cookie that no longer logs in
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	good, token := editor.Cookie(webtest.SessionCookie).Value, editor.CSRFToken()
	anon := env.Client(t)
	anon.Doc(anon.Get("/login"))
	var anonValue string // a visitor's session: it decodes, and holds no login
	if ck := anon.Cookie(webtest.SessionCookie); ck != nil {
		anonValue = ck.Value
	}
	foreign := webtest.New(t).Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(webtest.SessionCookie).Value

	for _, tc := range []struct {
		name    string
		cookies []string // values of the cookies named newsdesk_session, in header order
		in      bool     // logged in
	}{
		{"junk before the good one", []string{"junk", good}, true},
		{"empty before the good one", []string{"", good}, true},
		{"other server's before the good one", []string{foreign, good}, true},
		{"logged out since, before the good one", []string{staleValue, good}, true},
		{"anonymous before the good one", []string{anonValue, good}, true},
		{"good before junk", []string{good, "junk"}, true},
		{"three, good last", []string{"junk", staleValue, good}, true},
		{"good alone", []string{good}, true},
		{"junk alone", []string{"junk"}, false},
		{"junk and logged out", []string{"junk", staleValue}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send := func(method, path string, body url.Values) *http.Response {
				t.Helper()
				var req *http.Request
				if body == nil {
					req, _ = http.NewRequest(method, env.URL(path), nil)
				} else {
					req, _ = http.NewRequest(method, env.URL(path), strings.NewReader(body.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				var parts []string
				for _, v := range tc.cookies {
					parts = append(parts, webtest.SessionCookie+"="+v)
				}
				req.Header.Set("Cookie", strings.Join(parts, "; "))
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp
			}
			resp := send(http.MethodGet, "/articles", nil)
			if !tc.in {
				webtest.WantRedirect(t, resp, "/login?next=%2Farticles")
				if !replacesCookie(resp, webtest.SessionCookie, "") {
					t.Error("no usable session, and none given")
				}
				return
			}
			webtest.WantStatus(t, resp, http.StatusOK)
			for _, ck := range resp.Cookies() {
				if ck.Name == webtest.SessionCookie {
					t.Errorf("response writes the session cookie (%+v): it would replace the good one", ck)
				}
			}
			// A POST with the good session's token is that session's.
			resp = send(http.MethodPost, "/articles/999", url.Values{"_csrf": {token}})
			webtest.WantStatus(t, resp, http.StatusNotFound)
		})
	}
}
