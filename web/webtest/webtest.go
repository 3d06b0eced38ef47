// Package webtest is the one harness of the HTTP tests: it starts a real
// newsdesk server (web.New, the real routes and middleware) over
// httptest on a fresh SQLite file in t.TempDir() with the real
// migrations, an admin and an editor, and browser-like clients that log
// in for real and send the CSRF token of their own session. Articles go
// in through the real import (review), and the server can be restarted
// on the same database.
//
//	env := webtest.New(t)
//	ids := env.ImportText(t, map[string]string{"a.md": webtest.PlainArticle("A")})
//	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
//	doc := c.Doc(c.Get("/articles"))
//	webtest.TestIDText(doc, "current-user")                                  // "editor"
//	resp := c.PostForm(webtest.ArticlePath(ids["a"]), url.Values{"quality": {"70"}}) // _csrf added
//	webtest.WantStatus(t, resp, http.StatusSeeOther)
package webtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/web"
)

// The accounts every Env has.
const (
	AdminName      = "admin"
	AdminPassword  = "admin-password-1"
	EditorName     = "editor"
	EditorPassword = "editor-password-1"
)

// Env is one running server on its own database.
type Env struct {
	Server *httptest.Server
	Store  *db.Store
	Web    *web.Server
	DBPath string      // the SQLite file, for Restart and for commands run on it
	Clock  *Clock      // the server's clock; Advance it to age sessions
	Config web.Config  // as given to web.New (after options)
	Admin  *db.User    // AdminName, role admin
	Editor *db.User    // EditorName, role editor
	logs   *SyncBuffer // the server's log output
}

// New starts a server on a fresh database in t.TempDir(); options may
// change the configuration before the server is built. Everything is
// closed when the test ends; the server's log is printed if it failed.
func New(t testing.TB, options ...func(*web.Config)) *Env {
	t.Helper()
	env := &Env{DBPath: filepath.Join(t.TempDir(), "newsdesk.db"), Clock: NewClock(), logs: &SyncBuffer{}}
	store, err := db.Open(context.Background(), env.DBPath)
	if err != nil {
		t.Fatalf("webtest: open database: %v", err)
	}
	env.Store = store
	env.Config = web.Config{
		Log: slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: env.Clock.Now,
	}
	for _, o := range options {
		o(&env.Config)
	}
	t.Cleanup(func() {
		if env.Server != nil {
			env.Server.Close()
		}
		env.Store.Close() // a test may have closed it already
		if t.Failed() {
			t.Logf("server log:\n%s", env.logs.String())
		}
	})
	env.Admin = env.CreateUser(t, AdminName, AdminPassword, db.RoleAdmin)
	env.Editor = env.CreateUser(t, EditorName, EditorPassword, db.RoleEditor)
	env.start(t)
	return env
}

// start builds the web server on e.Store and serves it.
func (e *Env) start(t testing.TB) {
	t.Helper()
	s, err := web.New(context.Background(), e.Config, e.Store)
	if err != nil {
		t.Fatalf("webtest: web.New: %v", err)
	}
	e.Web = s
	e.Server = httptest.NewServer(s.Handler())
}

// Restart is `newsdesk serve` stopped and started again: the server and
// the store are closed, the same database file is opened again (as serve
// opens it, db.OpenExisting) and a new server with the same Config runs
// on it, at a new URL. Clients made before keep working against it: they
// address e.Server, and their cookie jars ignore the port, so they still
// send their cookies. Session keys live in the database (unless
// Config.SessionKey is set), so sessions survive a restart unless the
// keys were rotated meanwhile.
func (e *Env) Restart(t testing.TB) {
	t.Helper()
	e.Server.Close()
	if err := e.Store.Close(); err != nil {
		t.Fatalf("webtest: restart: close database: %v", err)
	}
	store, err := db.OpenExisting(context.Background(), e.DBPath)
	if err != nil {
		t.Fatalf("webtest: restart: open %s: %v", e.DBPath, err)
	}
	e.Store = store
	e.start(t)
}

// Logs is what the server logged so far.
func (e *Env) Logs() string { return e.logs.String() }

// URL is the absolute URL of path on the test server.
func (e *Env) URL(path string) string { return e.Server.URL + path }

// CreateUser adds an account. Hashes are cached per password, so many
// tests with the same accounts pay for argon2id once.
func (e *Env) CreateUser(t testing.TB, name, password string, role db.Role) *db.User {
	t.Helper()
	u, err := e.Store.CreateUser(context.Background(), name, PasswordHash(t, password), role)
	if err != nil {
		t.Fatalf("webtest: create user %s: %v", name, err)
	}
	return u
}

// UserPassword is the password LoginNewUser gives the account name.
func UserPassword(name string) string { return name + "-password-1" }

// LoginNewUser creates the account name with role and the password
// UserPassword(name), and returns a new client logged in as it: for
// tests whose pages name who did what ("alice changed quality…").
func (e *Env) LoginNewUser(t testing.TB, name string, role db.Role) *Client {
	t.Helper()
	e.CreateUser(t, name, UserPassword(name), role)
	return e.Login(t, name, UserPassword(name))
}

var (
	hashMu    sync.Mutex
	hashCache = map[string]string{}
)

// PasswordHash hashes password with the real argon2id parameters, once per
// test binary: each hash costs tens of milliseconds.
func PasswordHash(t testing.TB, password string) string {
	hashMu.Lock()
	defer hashMu.Unlock()
	if h, ok := hashCache[password]; ok {
		return h
	}
	h, err := account.HashPassword(password)
	if err != nil {
		t.Fatalf("webtest: hash: %v", err)
	}
	hashCache[password] = h
	return h
}

// Clock is a settable clock for the server.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at the real time, so cookies the server signs with the
// real clock agree with it.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// SyncBuffer is a bytes.Buffer safe to write from several goroutines: a
// server's log, a child process's output.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
