package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/views"
)

// Session values. Times are unix seconds. The cookie holds only these few
// integers, the token and the flashes, far below the 4096-byte cookie
// limit.
const (
	keyUserID  = "uid"
	keyEpoch   = "epoch"   // the user's session_epoch when the session began
	keyCreated = "created" // for the absolute lifetime
	keySeen    = "seen"    // for the idle timeout
	keyFlash   = "flash"   // []string of "kind:text", "kind+uID.VERSION:text" or "kind+bBATCH:text" (see encodeFlash)
	keyCSRF    = "csrf"    // the session's CSRF token; every session has one, logged in or not
)

// seenResolution is how stale "seen" may get before it is rewritten, so an
// active user gets a new Set-Cookie at most once a minute, not per request.
const seenResolution = time.Minute

// Where the request's session sits in the Echo context: ctxOpened while
// the CSRF check and load share the decoded cookie, ctxSession once load
// has run (Start and End replace it).
const (
	ctxOpened  = "newsdesk.session.opened"
	ctxSession = "newsdesk.session"
)

// Where a request carries its CSRF token: the form field of every form
// the views render, and the header htmx sends (hx-headers on <body>).
const (
	formCSRF   = "_csrf"
	headerCSRF = "X-CSRF-Token"
)

// userSource is what sessions need of the database.
type userSource interface {
	UserByID(ctx context.Context, id int64) (*db.User, error)
}

// sessionManager keeps the login state in a signed and encrypted cookie
// (gorilla/sessions CookieStore) and implements handlers.Sessions. A cookie
// cannot be revoked, so every session carries the user's session epoch and
// is refused once the database has a newer one.
//
// Every visitor of a guarded route has a session, an anonymous one before
// login, and every session holds a random CSRF token that only this
// server can read or write (the cookie is encrypted and signed). A state
// change must echo that token, so a token and cookie pair planted by
// someone who can set cookies for this host (a sibling subdomain) is of no
// use: the token must match the session, not a second cookie. Start and End
// replace the session and its token, so a token seen before login is
// worthless after it.
type sessionManager struct {
	store    *sessions.CookieStore
	name     string
	lifetime time.Duration
	idle     time.Duration
	now      func() time.Time
	users    userSource
	device   *securecookie.SecureCookie // the device cookie's codec (see KnownDevice)
	devName  string                     // its name: __Host- prefixed like the session's
	secure   bool                       // cookies only over HTTPS
}

// The device cookie says "this browser has logged in as NAME before"
// (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a
// login from such a browser skips the per-account throttle, so someone
// guessing a password from elsewhere cannot lock its owner out. Signed and
// encrypted with the session keys; it grants nothing else.
const (
	deviceCookie   = "newsdesk_device"
	deviceLifetime = 365 * 24 * time.Hour
)

var _ handlers.Sessions = (*sessionManager)(nil)

func newSessionManager(cfg Config, hashKey, blockKey []byte, users userSource) *sessionManager {
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
	name, devName := "newsdesk_session", deviceCookie
	if cfg.SecureCookies {
		// No Domain, Path=/, Secure: a sibling host cannot set them.
		name, devName = "__Host-"+name, "__Host-"+devName
	}
	device := securecookie.New(hashKey, blockKey).MaxAge(int(deviceLifetime / time.Second))
	return &sessionManager{
		store: store, name: name, lifetime: cfg.SessionLifetime, idle: cfg.IdleTimeout,
		now: cfg.Now, users: users, device: device, devName: devName, secure: cfg.SecureCookies,
	}
}

// KnownDevice reports whether the request carries a device cookie for
// username (compared case-insensitively, as logins are).
func (m *sessionManager) KnownDevice(c echo.Context, username string) bool {
	ck, err := c.Cookie(m.devName)
	if err != nil {
		return false
	}
	var name string
	if m.device.Decode(deviceCookie, ck.Value, &name) != nil {
		return false
	}
	return strings.EqualFold(name, username)
}

// markDevice gives the browser the device cookie of u.
func (m *sessionManager) markDevice(c echo.Context, u *db.User) error {
	v, err := m.device.Encode(deviceCookie, u.Username)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: m.devName, Value: v, Path: "/", MaxAge: int(deviceLifetime / time.Second),
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// fresh is an empty session with the store's options.
func (m *sessionManager) fresh() *sessions.Session {
	s := sessions.NewSession(m.store, m.name)
	opts := *m.store.Options
	s.Options = &opts
	s.IsNew = true
	return s
}

// opened is the session a request came with, decoded once per request.
type opened struct {
	sess    *sessions.Session
	user    *db.User // the authenticated user, or nil
	refresh bool     // "seen" is due to be rewritten
	dirty   bool     // the cookie must be written: the session is new or got its token here
}

// open decodes the request's session, once per request: the CSRF check
// and load both call it. A session without a CSRF token gets one.
//
// A browser may send several cookies with the session's name: one set for
// a parent domain, or for another path, come first or last by path length
// and age (RFC 6265, section 5.4), not by validity. gorilla/sessions reads
// only the first (http.Request.Cookie), so a stale or foreign one in front
// would log the user out. open tries each in order and takes the first
// that decodes and holds a login that still authenticates; failing that,
// the first that decodes (an anonymous or expired session); failing that,
// a new session. Cookies it skips are left alone: a deletion would name
// the host and path of ours and so delete the good cookie, not the bad one.
// How many cookies there can be is bounded by the server's header limit.
func (m *sessionManager) open(c echo.Context) (*opened, error) {
	if o, ok := c.Get(ctxOpened).(*opened); ok {
		return o, nil
	}
	o := &opened{}
	for _, ck := range c.Request().CookiesNamed(m.name) {
		s := m.fresh()
		if err := securecookie.DecodeMulti(m.name, ck.Value, &s.Values, m.store.Codecs...); err != nil {
			continue // tampered, another key, too old: not ours to use
		}
		s.IsNew = false
		u, refresh, err := m.authenticate(c.Request().Context(), s)
		if err != nil {
			return nil, err
		}
		if u != nil {
			o.sess, o.user, o.refresh = s, u, refresh
			break
		}
		if o.sess == nil {
			o.sess = s
		}
	}
	if o.sess == nil {
		o.sess, o.dirty = m.fresh(), true
	}
	if tok, _ := o.sess.Values[keyCSRF].(string); tok == "" {
		o.sess.Values[keyCSRF] = newToken()
		o.dirty = true
	}
	c.Set(ctxOpened, o)
	return o, nil
}

// ctxBackground marks a request a page sent by itself (see background).
const ctxBackground = "newsdesk.background"

// markBackground marks the request as sent by a page by itself.
func markBackground(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxBackground, true)
		return next(c)
	}
}

func isBackground(c echo.Context) bool {
	b, _ := c.Get(ctxBackground).(bool)
	return b
}

// load is the middleware that reads the session cookie and, when it holds
// a valid login, records the user for the handlers. A cookie that does not
// decode (tampered, other key, too old) or no longer authenticates is
// treated as no login and replaced by an anonymous session (which keeps or
// gets a CSRF token). Routes run checkCSRF before it.
func (m *sessionManager) load(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, err := m.open(c)
		if err != nil {
			return err
		}
		sess, dirty := o.sess, o.dirty
		c.Set(ctxSession, sess)
		setCSRFToken(c, sess)
		switch {
		case o.user != nil:
			handlers.SetUser(c, o.user)
			// A page's own requests (heartbeats, prefetches of the next
			// article) are not the user's activity: an open tab must not
			// keep its session alive for ever.
			if o.refresh && !isBackground(c) && !handlers.IsPrefetch(c.Request()) {
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

// checkCSRF is the middleware that refuses a state-changing request
// (anything but GET, HEAD, OPTIONS, TRACE) unless its _csrf form field or
// X-CSRF-Token header equals the session's token, compared in constant
// time (crypto/subtle). It runs before load and refuses with 403 before a
// handler runs and before any cookie is written. The token is in the
// context for the views either way (handlers.CSRFToken), also on the
// error page.
//
// It does not trust Sec-Fetch-Site or Origin to skip the token, as Echo's
// CSRF middleware does for same-origin requests (labstack/echo#2874):
// crossOriginGuard uses them only to refuse more.
func (m *sessionManager) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, err := m.open(c)
		if err != nil {
			return err
		}
		want := setCSRFToken(c, o.sess)
		if !isSafeMethod(c.Request().Method) && !carriesToken(c.Request(), want) {
			return echo.NewHTTPError(http.StatusForbidden, msgCSRF).
				SetInternal(errors.New("CSRF token missing or not this session's"))
		}
		return next(c)
	}
}

// carriesToken reports whether r's form body (not its query string, which
// ends up in logs and Referer headers) or its X-CSRF-Token header holds
// want. parseForm has read the body already.
func carriesToken(r *http.Request, want string) bool {
	if want == "" {
		return false
	}
	for _, got := range []string{r.PostFormValue(formCSRF), r.Header.Get(headerCSRF)} {
		if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
			return true
		}
	}
	return false
}

// setCSRFToken puts the session's token where handlers.CSRFToken reads
// it (the context key Echo's CSRF middleware used, which views still
// expect) and returns it.
func setCSRFToken(c echo.Context, s *sessions.Session) string {
	tok, _ := s.Values[keyCSRF].(string)
	c.Set(middleware.DefaultCSRFConfig.ContextKey, tok)
	return tok
}

// authenticate returns the session's user when the session is still good:
// within its lifetime and idle timeout, and the user exists, is enabled and
// has not raised their epoch since. refresh says "seen" should be rewritten.
// The user is read from the store on every request, never cached here, so
// a user disabled or logged out through any server sharing the database
// is logged out of every server at their next request.
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
// in this response, so one response never carries two. The cookie's
// Max-Age is what is left of the absolute lifetime, or the whole lifetime
// for an anonymous session. Sessions are never empty (each has its
// token), so save never deletes the cookie.
func (m *sessionManager) save(c echo.Context, s *sessions.Session) error {
	dropSetCookie(c.Response().Header(), s.Name())
	s.Options.MaxAge = int(m.lifetime / time.Second)
	if created, ok := s.Values[keyCreated].(int64); ok {
		left := time.Unix(created, 0).Add(m.lifetime).Sub(m.now())
		s.Options.MaxAge = max(int(left/time.Second), 1)
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
// new values, a new cookie, a new CSRF token, so a token from before the
// login (the login form's, or one planted) is refused afterwards.
func (m *sessionManager) Start(c echo.Context, u *db.User) error {
	s := m.renew(c)
	now := m.now().Unix()
	s.Values[keyUserID] = u.ID
	s.Values[keyEpoch] = u.SessionEpoch
	s.Values[keyCreated] = now
	s.Values[keySeen] = now
	handlers.SetUser(c, u)
	if err := m.markDevice(c, u); err != nil {
		return err
	}
	return m.save(c, s)
}

// End drops the login from this browser: an anonymous session with a new
// CSRF token replaces it. Flashes added after End still reach the next
// page.
func (m *sessionManager) End(c echo.Context) error {
	s := m.renew(c)
	handlers.SetUser(c, nil)
	return m.save(c, s)
}

// renew makes a new session with a new CSRF token the request's session,
// and the token the one pages rendered from here on carry.
func (m *sessionManager) renew(c echo.Context) *sessions.Session {
	s := m.fresh()
	s.Values[keyCSRF] = newToken()
	c.Set(ctxSession, s)
	setCSRFToken(c, s)
	return s
}

// maxFlashes bounds the messages waiting in the cookie. A client that
// posts again and again without loading a page (a script, a form sent
// twice) would otherwise grow the cookie past its 4096-byte limit, and
// every later POST would end in a 500 after its change was made.
const maxFlashes = 5

// maxFlashFrom bounds, in bytes, the queue an Undo button in a flash
// keeps (escaped), so that maxFlashes of them fit the cookie.
const maxFlashFrom = 300

// AddFlash keeps a message for the next page: the newest maxFlashes, and
// a message the same as the one before it only once (with the newer one's
// Undo button).
func (m *sessionManager) AddFlash(c echo.Context, f views.Flash) error {
	s, err := m.current(c)
	if err != nil {
		return err
	}
	flashes, _ := s.Values[keyFlash].([]string)
	msg := encodeFlash(f)
	if n := len(flashes); n > 0 && sameMessage(decodeFlash(flashes[n-1]), f) {
		flashes[n-1] = msg // the newest Undo, if any, is the one that works
	} else {
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
		out = append(out, decodeFlash(r))
	}
	return out, m.save(c, s)
}

// sameMessage reports whether two flashes say the same, whatever their
// Undo buttons.
func sameMessage(a, b views.Flash) bool { return a.Kind == b.Kind && a.Text == b.Text }

// encodeFlash writes a flash as the cookie keeps it: "kind:text", with
// "+uID.VERSION" after the kind when it has an Undo button, and
// ".FROM" (query-escaped, so it holds no ':') when the Undo keeps a queue:
// a few bytes to a few hundred, far below the cookie's limit with
// maxFlashes of them. An Undo from a flash always undoes the latest
// change (UndoTarget.Latest).
func encodeFlash(f views.Flash) string {
	kind := f.Kind
	if b := f.BatchUndo; b != nil {
		// A bulk action's Undo: "kind+bBATCH" and ".FROM" as for an article's.
		kind += "+b" + strconv.FormatInt(b.BatchID, 10)
		if from := url.QueryEscape(b.From); b.From != "" && len(from) <= maxFlashFrom {
			kind += "." + from
		}
		return kind + ":" + f.Text
	}
	if u := f.Undo; u != nil {
		kind += "+u" + strconv.FormatInt(u.ArticleID, 10) + "." + strconv.FormatInt(u.Version, 10)
		// A long queue (a search of 500 characters, escaped) would take the
		// cookie past its 4096 bytes: such an Undo returns to the article
		// without its queue.
		if from := url.QueryEscape(u.From); u.From != "" && len(from) <= maxFlashFrom {
			kind += "." + from
		}
	}
	return kind + ":" + f.Text
}

// decodeFlash reads what encodeFlash wrote, and the plain "kind:text" of
// cookies written before flashes had Undo buttons. An undo part that does
// not parse is dropped: the message still shows.
func decodeFlash(r string) views.Flash {
	kind, text, _ := strings.Cut(r, ":")
	if k, batch, ok := strings.Cut(kind, "+b"); ok {
		return decodeBatchFlash(k, batch, text)
	}
	kind, undo, hasUndo := strings.Cut(kind, "+u")
	f := views.Flash{Kind: kind, Text: text}
	if !hasUndo {
		return f
	}
	parts := strings.SplitN(undo, ".", 3)
	if len(parts) < 2 {
		return f
	}
	a, errA := strconv.ParseInt(parts[0], 10, 64)
	v, errV := strconv.ParseInt(parts[1], 10, 64)
	if errA != nil || errV != nil || a <= 0 || v <= 0 {
		return f
	}
	f.Undo = &views.UndoTarget{ArticleID: a, Version: v, Latest: true}
	if len(parts) == 3 {
		f.Undo.From, _ = url.QueryUnescape(parts[2]) // the handler cleans it again
	}
	return f
}

// decodeBatchFlash reads the "BATCH[.FROM]" of a bulk action's Undo; a
// part that does not parse is dropped, and the message still shows.
func decodeBatchFlash(kind, batch, text string) views.Flash {
	f := views.Flash{Kind: kind, Text: text}
	id, from, hasFrom := strings.Cut(batch, ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return f
	}
	f.BatchUndo = &views.BatchUndoTarget{BatchID: n}
	if hasFrom {
		f.BatchUndo.From, _ = url.QueryUnescape(from) // the handler cleans it again
	}
	return f
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
		if u.Role != account.RoleAdmin {
			return echo.ErrForbidden
		}
		return next(c)
	}
}

// newToken is a fresh CSRF token: 26 base32 characters, 128 bits.
func newToken() string { return rand.Text() }
