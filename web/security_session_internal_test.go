package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/newsdesk/newsdesk/db"
)

// TestSignedCookieWithStaleContent mints cookies with the server's own
// keys, so each passes the signature and decryption checks, and varies
// what they say: a session that is too old, idle too long, from the
// future, from before the user's last logout, for a user who is gone or
// disabled, or with values of the wrong type. Each lands on the login page
// and is replaced by an anonymous session (no login, a CSRF token); only
// the well-formed current one gets in.
func TestSignedCookieWithStaleContent(t *testing.T) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	editor, err := store.CreateUser(ctx, "editor", "$argon2id$unused", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := store.CreateUser(ctx, "gone", "$argon2id$unused", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetDisabled(ctx, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, err := New(ctx, Config{Now: func() time.Time { return now }}, store)
	if err != nil {
		t.Fatal(err)
	}
	life, idle := s.cfg.SessionLifetime, s.cfg.IdleTimeout
	good := func() map[any]any {
		return map[any]any{keyUserID: editor.ID, keyEpoch: editor.SessionEpoch,
			keyCreated: now.Add(-time.Hour).Unix(), keySeen: now.Add(-time.Minute).Unix()}
	}
	with := func(k string, v any) map[any]any {
		m := good()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		values map[any]any
		ok     bool
	}{
		{"current", good(), true},
		{"past the absolute lifetime", with(keyCreated, now.Add(-life-time.Minute).Unix()), false},
		{"idle too long", with(keySeen, now.Add(-idle-time.Minute).Unix()), false},
		{"created in the future", with(keyCreated, now.Add(time.Hour).Unix()), false},
		{"older epoch (logged out since)", with(keyEpoch, editor.SessionEpoch-1), false},
		{"newer epoch", with(keyEpoch, editor.SessionEpoch+1), false},
		{"unknown user", with(keyUserID, int64(9999)), false},
		{"disabled user", func() map[any]any { m := good(); m[keyUserID] = gone.ID; return m }(), false},
		{"user id as text", with(keyUserID, "1"), false},
		{"user id as int", with(keyUserID, int(editor.ID)), false},
		{"no epoch", with(keyEpoch, nil), false},
		{"no created", with(keyCreated, nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ck := mintSession(t, s, tc.values)
			req := httptest.NewRequest(http.MethodGet, "/articles", nil)
			req.AddCookie(ck)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if tc.ok {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d, want 200", rec.Code)
				}
				return
			}
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2Farticles" {
				t.Fatalf("status %d, Location %q: want the login page", rec.Code, rec.Header().Get("Location"))
			}
			var replaced *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Name == s.sessions.name {
					replaced = c
				}
			}
			if replaced == nil {
				t.Fatal("the refused session cookie was not replaced")
			}
			v := decodeSession(t, s, replaced)
			if _, has := v[keyUserID]; has {
				t.Errorf("the replacement still holds a login: %v", v)
			}
			if tok, _ := v[keyCSRF].(string); len(tok) < 16 {
				t.Errorf("the replacement has no CSRF token: %v", v)
			}
		})
	}
}

// mintSession encodes values into a session cookie with s's own keys.
func mintSession(t *testing.T, s *Server, values map[any]any) *http.Cookie {
	t.Helper()
	sess := sessions.NewSession(s.sessions.store, s.sessions.name)
	opts := *s.sessions.store.Options
	sess.Options = &opts
	sess.Values = values
	rec := httptest.NewRecorder()
	if err := s.sessions.store.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec, sess); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == s.sessions.name {
			return c
		}
	}
	t.Fatal("no cookie minted")
	return nil
}

// decodeSession reads a session cookie with s's own keys.
func decodeSession(t *testing.T, s *Server, ck *http.Cookie) map[any]any {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(ck)
	sess, err := s.sessions.store.New(req, s.sessions.name)
	if err != nil {
		t.Fatalf("decode %s: %v", ck.Name, err)
	}
	return sess.Values
}
