package web

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/views"
)

// Session values. Times are unix seconds. The cookie holds only these few
// integers and the flashes, far below the 4096-byte cookie limit.
const (
	keyUserID  = "uid"
	keyEpoch   = "epoch"   // the user's session_epoch when the session began
	keyCreated = "created" // for the absolute lifetime
	keySeen    = "seen"    // for the idle timeout
	keyFlash   = "flash"   // []string of "kind:text"
)

// seenResolution is how stale "seen" may get before it is rewritten, so an
// active user gets a new Set-Cookie at most once a minute, not per request.
const seenResolution = time.Minute

// ctxSession is where the loaded session sits in the Echo context.
const ctxSession = "newsdesk.session"

// userSource is what sessions need of the database.
type userSource interface {
	UserByID(ctx context.Context, id int64) (*db.User, error)
}

// sessionManager keeps the login state in a signed and encrypted cookie
// (gorilla/sessions CookieStore) and implements handlers.Sessions. A cookie
// cannot be revoked, so every session carries the user's session epoch and
// is refused once the database has a newer one.
type sessionManager struct {
	store    *sessions.CookieStore
	name     string
	lifetime time.Duration
	idle     time.Duration
	now      func() time.Time
	users    userSource
	// rotateCSRF gives the browser a new CSRF token; called when the
	// session starts or ends, so a token planted before login is useless.
	rotateCSRF func(c echo.Context)
}

var _ handlers.Sessions = (*sessionManager)(nil)

func newSessionManager(cfg Config, hashKey, blockKey []byte, users userSource, rotateCSRF func(echo.Context)) *sessionManager {
	store := sessions.NewCookieStore(hashKey, blockKey)
	// NewCookieStore's defaults are 30 days, SameSite=None, Secure, no
	// HttpOnly: set every option.
	store.Options = &sessions.Options{
		Path:     "/",
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	// MaxAge also bounds the timestamp securecookie signs into the value.
	store.MaxAge(int(cfg.SessionLifetime / time.Second))
	name := "newsdesk_session"
	if cfg.SecureCookies {
		name = "__Host-" + name // no Domain, Path=/, Secure: a sibling host cannot set it
	}
	return &sessionManager{
		store: store, name: name, lifetime: cfg.SessionLifetime, idle: cfg.IdleTimeout,
		now: cfg.Now, users: users, rotateCSRF: rotateCSRF,
	}
}

// fresh is an empty session with the store's options.
func (m *sessionManager) fresh() *sessions.Session {
	s := sessions.NewSession(m.store, m.name)
	opts := *m.store.Options
	s.Options = &opts
	s.IsNew = true
	return s
}

// load is the middleware that reads the session cookie and, when it holds
// a valid login, records the user for the handlers. A cookie that does not
// decode (tampered, other key, too old) or no longer authenticates is
// treated as no login and cleared.
func (m *sessionManager) load(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := m.store.New(c.Request(), m.name)
		dirty := err != nil
		if err != nil {
			sess = m.fresh()
		}
		c.Set(ctxSession, sess)
		u, refresh, err := m.authenticate(c.Request().Context(), sess)
		if err != nil {
			return err
		}
		switch {
		case u != nil:
			handlers.SetUser(c, u)
			if refresh {
				sess.Values[keySeen] = m.now().Unix()
				dirty = true
			}
		case hasLogin(sess):
			clearLogin(sess)
			dirty = true
		}
		if dirty {
			if err := m.save(c, sess); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// authenticate returns the session's user when the session is still good:
// within its lifetime and idle timeout, and the user exists, is enabled and
// has not raised their epoch since. refresh says "seen" should be rewritten.
func (m *sessionManager) authenticate(ctx context.Context, sess *sessions.Session) (u *db.User, refresh bool, err error) {
	uid, ok1 := sess.Values[keyUserID].(int64)
	epoch, ok2 := sess.Values[keyEpoch].(int64)
	created, ok3 := sess.Values[keyCreated].(int64)
	seen, ok4 := sess.Values[keySeen].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false, nil
	}
	now := m.now()
	age, idle := now.Sub(time.Unix(created, 0)), now.Sub(time.Unix(seen, 0))
	if age > m.lifetime || idle > m.idle || age < -time.Minute {
		return nil, false, nil
	}
	u, err = m.users.UserByID(ctx, uid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if u.Disabled || u.SessionEpoch != epoch {
		return nil, false, nil
	}
	return u, idle >= seenResolution, nil
}

func hasLogin(s *sessions.Session) bool {
	_, ok := s.Values[keyUserID]
	return ok
}

func clearLogin(s *sessions.Session) {
	for _, k := range []string{keyUserID, keyEpoch, keyCreated, keySeen} {
		delete(s.Values, k)
	}
}

// current is the request's session; load must have run.
func (m *sessionManager) current(c echo.Context) (*sessions.Session, error) {
	s, ok := c.Get(ctxSession).(*sessions.Session)
	if !ok {
		return nil, errors.New("web: session middleware did not run for " + c.Path())
	}
	return s, nil
}

// save writes the session cookie, replacing any Set-Cookie for it already
// in this response, so one response never carries two. An empty session
// deletes the cookie instead of storing nothing. The cookie's Max-Age is
// what is left of the absolute lifetime.
func (m *sessionManager) save(c echo.Context, s *sessions.Session) error {
	dropSetCookie(c.Response().Header(), s.Name())
	if len(s.Values) == 0 {
		if _, err := c.Request().Cookie(s.Name()); err != nil {
			return nil // nothing to delete
		}
		s.Options.MaxAge = -1
	} else {
		s.Options.MaxAge = int(m.lifetime / time.Second)
		if created, ok := s.Values[keyCreated].(int64); ok {
			left := time.Unix(created, 0).Add(m.lifetime).Sub(m.now())
			s.Options.MaxAge = max(int(left/time.Second), 1)
		}
	}
	return s.Save(c.Request(), c.Response())
}

// dropSetCookie removes the Set-Cookie headers for cookie name.
func dropSetCookie(h http.Header, name string) {
	var kept []string
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, name+"=") {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
}

// Start replaces whatever session the browser had with a new one for u:
// new values, a new cookie, a new CSRF token.
func (m *sessionManager) Start(c echo.Context, u *db.User) error {
	s := m.fresh()
	now := m.now().Unix()
	s.Values[keyUserID] = u.ID
	s.Values[keyEpoch] = u.SessionEpoch
	s.Values[keyCreated] = now
	s.Values[keySeen] = now
	c.Set(ctxSession, s)
	handlers.SetUser(c, u)
	m.rotateCSRF(c)
	return m.save(c, s)
}

// End drops the login from this browser. Flashes added after End still
// reach the next page.
func (m *sessionManager) End(c echo.Context) error {
	s := m.fresh()
	c.Set(ctxSession, s)
	handlers.SetUser(c, nil)
	m.rotateCSRF(c)
	return m.save(c, s)
}

// maxFlashes bounds the messages waiting in the cookie. A client that
// posts again and again without loading a page (a script, a form sent
// twice) would otherwise grow the cookie past its 4096-byte limit, and
// every later POST would end in a 500 after its change was made.
const maxFlashes = 5

// AddFlash keeps a message for the next page: the newest maxFlashes, and
// a message the same as the one before it only once.
func (m *sessionManager) AddFlash(c echo.Context, f views.Flash) error {
	s, err := m.current(c)
	if err != nil {
		return err
	}
	flashes, _ := s.Values[keyFlash].([]string)
	msg := f.Kind + ":" + f.Text
	if n := len(flashes); n == 0 || flashes[n-1] != msg {
		flashes = append(flashes, msg)
	}
	if len(flashes) > maxFlashes {
		flashes = flashes[len(flashes)-maxFlashes:]
	}
	s.Values[keyFlash] = flashes
	return m.save(c, s)
}

// Flashes returns and forgets the waiting messages. It writes the cookie
// only when there were some.
func (m *sessionManager) Flashes(c echo.Context) ([]views.Flash, error) {
	s, err := m.current(c)
	if err != nil {
		return nil, err
	}
	raw, _ := s.Values[keyFlash].([]string)
	if len(raw) == 0 {
		return nil, nil
	}
	delete(s.Values, keyFlash)
	out := make([]views.Flash, 0, len(raw))
	for _, r := range raw {
		kind, text, _ := strings.Cut(r, ":")
		out = append(out, views.Flash{Kind: kind, Text: text})
	}
	return out, m.save(c, s)
}

// requireLogin refuses requests without a valid session; the error
// handler turns the 401 into a redirect to the login page where it can.
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if handlers.CurrentUser(c) == nil {
			return echo.ErrUnauthorized
		}
		return next(c)
	}
}

// requireAdmin refuses editors (and anyone not logged in).
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := handlers.CurrentUser(c)
		if u == nil {
			return echo.ErrUnauthorized
		}
		if u.Role != db.RoleAdmin {
			return echo.ErrForbidden
		}
		return next(c)
	}
}

// newToken is a fresh CSRF token: 26 base32 characters, 128 bits.
func newToken() string { return rand.Text() }
