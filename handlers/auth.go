package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/views"
)

// AuthStore is what logging in and out needs of the database, the login
// throttle's buckets included.
type AuthStore interface {
	ThrottleStore
	UserByName(ctx context.Context, name string) (*db.User, error)
	BumpSessionEpoch(ctx context.Context, id int64) error
	// RecordLogin notes a successful login of user id (the users page's
	// "last login").
	RecordLogin(ctx context.Context, id int64) error
}

// Auth serves the login form, login and logout.
type Auth struct {
	store    AuthStore
	sessions Sessions
	throttle *Throttle
	log      *slog.Logger
	// verify checks a password against a stored hash:
	// account.VerifyPassword, or a counting wrapper in tests of the
	// unknown-user path.
	verify func(hash, password string) (bool, error)
}

// NewAuth returns the login handlers. A nil logger discards.
func NewAuth(store AuthStore, s Sessions, th *Throttle, log *slog.Logger) *Auth {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Auth{store: store, sessions: s, throttle: th, log: log,
		verify: boundedVerify(account.VerifyPassword, runtime.NumCPU())}
}

// boundedVerify lets at most n password verifications run at once. Each
// argon2id verification takes 19 MiB and a core for tens of milliseconds
// (review/account): a burst of logins, or of guesses from many addresses,
// queues for a core instead of taking memory without bound (nine logins
// at once raised the server's peak RSS past 150 MB in bench/run).
func boundedVerify(verify func(hash, password string) (bool, error), n int) func(hash, password string) (bool, error) {
	slots := make(chan struct{}, max(n, 1))
	return func(hash, password string) (bool, error) {
		slots <- struct{}{}
		defer func() { <-slots }()
		return verify(hash, password)
	}
}

// DefaultLanding is where a login goes when it has no safe next page.
const DefaultLanding = "/articles"

// msgLoginFailed is the one answer to every failed login: it never says
// whether the user exists, the password was wrong or the account disabled.
const msgLoginFailed = "Wrong username or password."

// loginForm is the POST /login form.
type loginForm struct {
	Username string
	Password string
	Next     string
}

func bindLogin(c echo.Context) loginForm {
	return loginForm{
		Username: account.NormalizeUsername(c.FormValue("username")),
		Password: c.FormValue("password"),
		Next:     c.FormValue("next"),
	}
}

// Validate reports missing fields; it says nothing about whether they are
// right.
func (f loginForm) Validate() views.LoginErrors {
	var e views.LoginErrors
	if f.Username == "" {
		e.Username = "Enter your username."
	}
	if f.Password == "" {
		e.Password = "Enter your password."
	}
	return e
}

// Form is GET /login. Someone already logged in goes on to the page they
// asked for.
func (a *Auth) Form(c echo.Context) error {
	next := c.QueryParam("next")
	if CurrentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, SafeNext(next))
	}
	return a.render(c, http.StatusOK, views.LoginView{Next: safeNextOrEmpty(next)})
}

// Login is POST /login.
func (a *Auth) Login(c echo.Context) error {
	f := bindLogin(c)
	v := views.LoginView{Username: f.Username, Next: safeNextOrEmpty(f.Next)}
	if v.Errors = f.Validate(); v.Errors.Any() {
		return a.render(c, http.StatusUnprocessableEntity, v)
	}
	ctx := c.Request().Context()
	attempt, wait, err := a.throttle.Begin(ctx, strings.ToLower(f.Username), c.RealIP(), a.sessions.KnownDevice(c, f.Username))
	if err != nil {
		return err
	}
	if attempt == nil {
		a.log.WarnContext(ctx, "login throttled", "username", f.Username, "ip", c.RealIP(), "wait", wait)
		secs := int(math.Ceil(wait.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		v.Errors.Form = fmt.Sprintf("Too many login attempts. Wait %s and try again.", seconds(secs))
		return a.render(c, http.StatusTooManyRequests, v)
	}
	// A success, or an error that is not the user's fault, gives the
	// attempt's tokens back; a failure (attempt.Fail below) keeps them.
	defer func() {
		if err := attempt.Release(ctx); err != nil {
			// Logged only: the tokens stay spent and refill with time.
			a.log.ErrorContext(ctx, "giving back a login's throttle tokens failed", "username", f.Username, "error", err)
		}
	}()
	u, err := a.check(ctx, f.Username, f.Password)
	if err != nil {
		return err
	}
	if u == nil {
		a.log.InfoContext(ctx, "login failed", "username", f.Username, "ip", c.RealIP())
		attempt.Fail()
		v.Errors.Form = msgLoginFailed
		return a.render(c, http.StatusUnprocessableEntity, v)
	}
	if err := a.sessions.Start(c, u); err != nil {
		return err
	}
	// A failure is logged, not shown: the login itself succeeded, and
	// refusing it over a bookkeeping write would lock editors out.
	if err := a.store.RecordLogin(c.Request().Context(), u.ID); err != nil {
		a.log.ErrorContext(c.Request().Context(), "recording the login time failed", "user_id", u.ID, "error", err)
	}
	return redirect(c, SafeNext(f.Next))
}

// check returns the user when name and password match an enabled account,
// nil when they do not. It always runs one argon2id verification, so the
// time taken does not tell unknown names from wrong passwords.
func (a *Auth) check(ctx context.Context, name, password string) (*db.User, error) {
	u, err := a.store.UserByName(ctx, name)
	switch {
	case errors.Is(err, db.ErrNotFound):
		_, _ = a.verify(account.DummyHash(), password) // for the time it takes only
		return nil, nil
	case err != nil:
		return nil, err
	}
	ok, err := a.verify(u.PasswordHash, password)
	if err != nil {
		// A damaged hash locks that account out; say so in the log, not
		// to the visitor, and spend the time any other failure takes.
		a.log.ErrorContext(ctx, "stored password hash unusable", "user_id", u.ID, "error", err)
		_, _ = a.verify(account.DummyHash(), password)
		return nil, nil
	}
	if !ok || u.Disabled {
		return nil, nil
	}
	return u, nil
}

// Logout is POST /logout: it ends every session of the user (the cookie
// store cannot revoke just this one) and clears this browser's cookie.
func (a *Auth) Logout(c echo.Context) error {
	if u := CurrentUser(c); u != nil {
		if err := a.store.BumpSessionEpoch(c.Request().Context(), u.ID); err != nil {
			return err
		}
	}
	if err := a.sessions.End(c); err != nil {
		return err
	}
	if err := a.sessions.AddFlash(c, views.Flash{Kind: "ok", Text: "You have been logged out."}); err != nil {
		return err
	}
	return redirect(c, "/login")
}

func (a *Auth) render(c echo.Context, status int, v views.LoginView) error {
	p, err := pageFor(c, a.sessions, "Log in", "")
	if err != nil {
		return err
	}
	return render(c, status, views.Login(p, v))
}

// SafeNext returns next when it is a path on this site, and DefaultLanding
// otherwise, so the login form cannot be used to send people elsewhere.
func SafeNext(next string) string {
	if isLocalPath(next) {
		return next
	}
	return DefaultLanding
}

func safeNextOrEmpty(next string) string {
	if isLocalPath(next) {
		return next
	}
	return ""
}

// isLocalPath accepts "/..." paths only. It refuses "//host" and "/\host"
// (browsers read both as another host), any backslash, control characters
// (browsers drop tabs and newlines, turning "/\t/host" into "//host"), and
// anything url.Parse sees a scheme or host in.
func isLocalPath(p string) bool {
	if len(p) == 0 || len(p) > 2048 || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// seconds is "1 second" or "n seconds".
func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}
