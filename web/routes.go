package web

import (
	"net/http"
	"net/http/pprof" // its init also registers on http.DefaultServeMux, which newsdesk never serves

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/static"
)

// access is who may reach a route, and so which middleware guards it.
type access int

const (
	public  access = iota // no session, no CSRF: static files, health
	visitor               // session and CSRF, no login needed: login, logout
	member                // logged-in users
	admin                 // logged-in admins
	// background is member for the requests a page sends by itself, such
	// as the presence heartbeat: they do not keep a session from going
	// idle, so a forgotten tab still logs its editor out.
	background
)

// route is one line of the routing table.
type route struct {
	method  string
	path    string
	handler echo.HandlerFunc
	access  access
}

// table is every route of the application, in one place.
func (s *Server) table() []route {
	auth := handlers.NewAuth(s.store, s.sessions, handlers.NewThrottle(handlers.ThrottleConfig{Store: s.store, Now: s.cfg.Now}), s.log)
	users := handlers.NewUsers(s.store, s.sessions)
	articles := handlers.NewArticles(s.store, s.sessions, s.log)
	topics := handlers.NewTopics(s.store, s.sessions)
	health := handlers.Health(s.store, s.log)
	bulk := handlers.NewBulk(s.store, s.sessions, s.log)
	home := func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, handlers.DefaultLanding) }
	rs := []route{
		{http.MethodGet, "/static/*", serveStatic, public},
		{http.MethodHead, "/static/*", serveStatic, public},
		{http.MethodGet, "/healthz", health, public},
		{http.MethodHead, "/healthz", health, public},
		{http.MethodGet, "/", home, public},
		{http.MethodGet, "/favicon.ico", serveFavicon, public},

		{http.MethodGet, "/login", auth.Form, visitor},
		{http.MethodPost, "/login", auth.Login, visitor},
		{http.MethodPost, "/logout", auth.Logout, visitor},

		{http.MethodGet, "/articles", articles.Queue, member},
		{http.MethodGet, "/articles/:id", articles.Show, member},
		{http.MethodPost, "/articles/:id", articles.Save, member},
		{http.MethodPost, "/articles/:id/undo", articles.Undo, member},
		{http.MethodPost, "/articles/:id/presence", articles.Heartbeat, background},
		{http.MethodGet, "/export", articles.Export, member},

		{http.MethodGet, "/bulk", bulk.History, member},
		{http.MethodPost, "/bulk/snapshots", bulk.Snapshot, member},
		{http.MethodGet, "/bulk/snapshots/:id", bulk.Confirm, member},
		{http.MethodPost, "/bulk/snapshots/:id", bulk.Run, member},
		{http.MethodGet, "/bulk/jobs/:job", bulk.Progress, member},
		{http.MethodPost, "/bulk/:id/undo", bulk.Undo, member},
		{http.MethodGet, "/topics", topics.List, member},
		{http.MethodPost, "/topics/rename", topics.Rename, member},
		{http.MethodGet, "/topics/jobs/:job", topics.Progress, member},
		{http.MethodGet, "/dashboard", handlers.NewDashboard(s.store, s.sessions).Show, member},

		{http.MethodGet, "/admin/users", users.List, admin},
		{http.MethodPost, "/admin/users", users.Create, admin},
		{http.MethodPost, "/admin/users/:id", users.Update, admin},
	}
	if s.cfg.Pprof {
		rs = append(rs, pprofRoutes()...)
	}
	return rs
}

// serveFavicon answers GET /favicon.ico, which browsers and feed readers
// ask for whatever the page links. Its address does not change with the
// file (unlike the hashed /static/ URLs), so it is cached for a week, not
// a year: a new icon reaches everyone within days.
func serveFavicon(c echo.Context) error {
	a, ok := static.Get("favicon.ico")
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=604800")
	return c.Blob(http.StatusOK, a.ContentType, a.Data)
}

// PprofPrefix is where Config.Pprof mounts Go's profiler. net/http/pprof's
// Index serves the named profiles (heap, goroutine, allocs...) from below
// this exact prefix, so it cannot move.
const PprofPrefix = "/debug/pprof/"

// pprofRoutes are net/http/pprof's handlers, GET only, for admins: a
// profile shows internals and costs CPU while it runs.
func pprofRoutes() []route {
	wrap := func(f http.HandlerFunc) echo.HandlerFunc { return echo.WrapHandler(f) }
	return []route{
		{http.MethodGet, PprofPrefix + "*", wrap(pprof.Index), admin},
		{http.MethodGet, PprofPrefix + "cmdline", wrap(pprof.Cmdline), admin},
		{http.MethodGet, PprofPrefix + "profile", wrap(pprof.Profile), admin},
		{http.MethodGet, PprofPrefix + "symbol", wrap(pprof.Symbol), admin},
		{http.MethodGet, PprofPrefix + "trace", wrap(pprof.Trace), admin},
	}
}

// routes registers the table with the middleware each access level needs:
// the cross-origin guard, form parsing and CSRF before the session, so a
// forged request is refused before it can touch anything.
func (s *Server) routes() {
	guard := []echo.MiddlewareFunc{crossOriginGuard(), parseForm, s.csrf(), s.sessions.load, longResponse}
	chains := map[access][]echo.MiddlewareFunc{
		public:  nil,
		visitor: guard,
		member:  append(append([]echo.MiddlewareFunc{}, guard...), requireLogin),
		admin:   append(append([]echo.MiddlewareFunc{}, guard...), requireAdmin),
	}
	chains[background] = append([]echo.MiddlewareFunc{markBackground}, chains[member]...)
	for _, r := range s.table() {
		s.e.Add(r.method, r.path, r.handler, chains[r.access]...)
	}
}

// Routes is every route registered with Echo, for tests that check each
// one is guarded as its access level requires.
func (s *Server) Routes() []*echo.Route { return s.e.Routes() }
