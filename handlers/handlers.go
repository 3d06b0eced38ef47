// Package handlers holds the Echo handlers, one file per area. Each file
// declares the small store interface it needs; handlers know nothing of SQL.
package handlers

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// Context keys set by web's middleware and read here.
const (
	userKey = "newsdesk.user"
)

// SetUser records the authenticated user for the rest of the request; web's
// session middleware calls it.
func SetUser(c echo.Context, u *db.User) { c.Set(userKey, u) }

// CurrentUser is the authenticated user, or nil.
func CurrentUser(c echo.Context) *db.User {
	u, _ := c.Get(userKey).(*db.User)
	return u
}

// CSRFToken is the session's CSRF token, put in the context by web's CSRF check.
func CSRFToken(c echo.Context) string {
	t, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	return t
}

// Flasher keeps one-time messages across a redirect; web's session manager
// implements it.
type Flasher interface {
	AddFlash(c echo.Context, f views.Flash) error
	Flashes(c echo.Context) ([]views.Flash, error)
}

// render writes a component through a buffer, so a rendering error becomes a
// clean 500 instead of half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// redirect answers a successful POST with 303 See Other.
func redirect(c echo.Context, url string) error {
	return c.Redirect(http.StatusSeeOther, url)
}

// Sessions is what handlers need of web's cookie sessions.
type Sessions interface {
	Flasher
	// Start replaces any session with a fresh one for u (at login), and
	// marks the browser as one u logs in from (see KnownDevice).
	Start(c echo.Context, u *db.User) error
	// KnownDevice reports whether this browser has logged in as username
	// before: such logins skip the per-account throttle.
	KnownDevice(c echo.Context, username string) bool
	// End clears the session cookie (at logout).
	End(c echo.Context) error
}

// pageFor fills the layout's model for this request: who is logged in, the
// CSRF token and any flashes waiting from the previous request.
func pageFor(c echo.Context, fl Flasher, title, nav string) (views.Page, error) {
	p := views.Page{Title: title, Nav: nav, CSRF: CSRFToken(c)}
	if u := CurrentUser(c); u != nil {
		p.User = &views.Viewer{Name: u.Username, Admin: u.Role == db.RoleAdmin}
	}
	if fl != nil {
		flashes, err := fl.Flashes(c)
		if err != nil {
			return p, err
		}
		p.Flashes = flashes
	}
	return p, nil
}
