package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/handlers"
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
			wantRedirect(t, editor.PostForm("/logout", url.Values{}), "/login")
		}},
		{"password reset by admin", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			wantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"password"}, "password": {"brand-new-password"}}), "/admin/users")
		}},
		{"disabled by admin", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			wantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"disable"}}), "/admin/users")
		}},
		{"disabled and enabled again", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
			wantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"disable"}}), "/admin/users")
			wantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"enable"}}), "/admin/users")
		}},
		{"password changed in the store (CLI)", func(t *testing.T, env *webtest.Env, _ *webtest.Client) {
			h, err := handlers.HashPassword("set-by-the-cli")
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
			old := editor.Cookie(sessionCookie)
			tc.event(t, env, editor)
			replay := env.Client(t)
			replay.SetCookie(old)
			resp := replay.Get("/articles")
			wantRedirect(t, resp, "/login?next=%2Farticles")
			// The refused cookie is cleared.
			if !clearsCookie(resp, sessionCookie) {
				t.Error("refused session cookie not cleared")
			}
			// And a POST with it is refused too.
			resp = replay.PostForm("/articles/1", url.Values{"quality": {"5"}})
			wantStatus(t, resp, http.StatusUnauthorized)
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

// TestBadCookies: cookies the server did not make, or made too long ago,
// are a login page, never an error.
func TestBadCookies(t *testing.T) {
	env := webtest.New(t)
	good := env.Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(sessionCookie)
	foreign := webtest.New(t).Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(sessionCookie)
	otherSecret := webtest.New(t, func(c *web.Config) {
		c.SessionKey = strings.Repeat("ab", 32)
	}).Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(sessionCookie)

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
			c.SetCookie(&http.Cookie{Name: sessionCookie, Value: tc.value})
			resp := c.Get("/articles")
			wantRedirect(t, resp, "/login?next=%2Farticles")
			if tc.value != "" && !clearsCookie(resp, sessionCookie) {
				t.Error("bad cookie not cleared")
			}
			wantStatus(t, c.Get("/login"), http.StatusOK)
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
		if !loggedIn(t, c) {
			t.Fatal("logged out before the idle timeout")
		}
		env.Clock.Advance(web.DefaultIdleTimeout + time.Second)
		if loggedIn(t, c) {
			t.Fatal("still logged in after the idle timeout")
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
			if !loggedIn(t, c) {
				t.Fatalf("logged out after %v of activity", elapsed)
			}
		}
		env.Clock.Advance(web.DefaultSessionLifetime - elapsed + time.Second)
		if loggedIn(t, c) {
			t.Fatal("still logged in past the absolute lifetime")
		}
	})
	t.Run("configured", func(t *testing.T) {
		env := webtest.New(t, func(c *web.Config) { c.SessionLifetime = time.Hour; c.IdleTimeout = 10 * time.Minute })
		c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
		env.Clock.Advance(11 * time.Minute)
		if loggedIn(t, c) {
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
		wantStatus(t, resp, http.StatusOK)
		for _, ck := range resp.Cookies() {
			if ck.Name == sessionCookie {
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
	ck := env.Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(sessionCookie)
	again, err := web.New(context.Background(), env.Config, env.Store)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "/articles", nil)
	req.AddCookie(ck)
	rec := newRecorder()
	again.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("restarted server: status %d, want 200", rec.Code)
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
	ck := a.Login(t, webtest.EditorName, webtest.EditorPassword).Cookie(sessionCookie)
	b := webtest.New(t, cfg)
	c := b.Client(t)
	c.SetCookie(ck)
	if !loggedIn(t, c) {
		t.Error("cookie from a server with the same secret refused")
	}
}
