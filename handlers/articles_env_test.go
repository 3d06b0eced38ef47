package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/views"
)

// fakeSessions keeps flashes in memory; the tests here exercise the
// article handlers, not web's cookie sessions.
type fakeSessions struct {
	mu      sync.Mutex
	flashes []views.Flash
}

func (f *fakeSessions) AddFlash(_ echo.Context, fl views.Flash) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flashes = append(f.flashes, fl)
	return nil
}

func (f *fakeSessions) Flashes(echo.Context) ([]views.Flash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.flashes
	f.flashes = nil
	return out, nil
}

func (f *fakeSessions) Start(echo.Context, *db.User) error { return nil }
func (f *fakeSessions) End(echo.Context) error             { return nil }

// env is a real store in a temp file behind a real HTTP server that routes
// to the article handlers. The X-Test-User header picks who is logged in.
type env struct {
	t     *testing.T
	store *db.Store
	srv   *httptest.Server
	users map[string]*db.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &env{t: t, store: store, users: map[string]*db.User{}}
	for _, name := range []string{"alice", "bob"} {
		u, err := store.CreateUser(ctx, name, "not-a-real-hash", db.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = u
	}
	e.srv = httptest.NewServer(e.echo())
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) echo() *echo.Echo {
	ec := echo.New()
	ec.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			name := c.Request().Header.Get("X-Test-User")
			if name == "" {
				name = "alice"
			}
			handlers.SetUser(c, e.users[name])
			return next(c)
		}
	})
	a := handlers.NewArticles(e.store, &fakeSessions{})
	ec.GET("/articles", a.Queue)
	ec.GET("/articles/:id", a.Show)
	ec.POST("/articles/:id", a.Save)
	ec.GET("/export", a.Export)
	return ec
}

// importFiles imports article files from disk.
func (e *env) importFiles(paths ...string) {
	e.t.Helper()
	var arts []*article.Article
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			e.t.Fatal(err)
		}
		a, err := article.Parse(filepath.Base(p), raw)
		if err != nil {
			e.t.Fatalf("parse %s: %v", p, err)
		}
		arts = append(arts, a)
	}
	e.importArticles(arts)
}

// importText imports articles given as file name → content.
func (e *env) importText(files map[string]string) {
	e.t.Helper()
	var arts []*article.Article
	for name, text := range files {
		a, err := article.Parse(name, []byte(text))
		if err != nil {
			e.t.Fatalf("parse %s: %v", name, err)
		}
		arts = append(arts, a)
	}
	e.importArticles(arts)
}

func (e *env) importArticles(arts []*article.Article) {
	e.t.Helper()
	if _, err := e.store.Import(context.Background(), arts); err != nil {
		e.t.Fatal(err)
	}
}

// id is the id of the article with the given key.
func (e *env) id(key string) int64 {
	e.t.Helper()
	r, err := e.store.GetByKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

func (e *env) get(id int64) *db.Record {
	e.t.Helper()
	r, err := e.store.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// client does not follow redirects, so tests see the 303s.
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) do(req *http.Request, user string) response {
	e.t.Helper()
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	res, err := e.client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// GET path (with its query, already escaped).
func (e *env) GET(path string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req, "")
}

// POST a form as user ("" = alice).
func (e *env) POST(path string, form url.Values, user string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req, user)
}

// spec describes a generated article file.
type spec struct {
	key, title, category, provider, url string
	date                                time.Time
	quality, heat                       int
	published                           bool
	topics                              []string
	body                                string
}

// file renders a spec in the item format.
func (s spec) file() string {
	if s.category == "" {
		s.category = "news"
	}
	if s.provider == "" {
		s.provider = "Daily Example"
	}
	if s.url == "" {
		s.url = "https://example.com/" + s.key
	}
	if s.date.IsZero() {
		s.date = time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ncategory: %s\ntitle: %q\nexcerpt: \"Excerpt of %s\"\n", s.category, s.title, s.key)
	fmt.Fprintf(&b, "publishedDateTime: %s\noriginalUrl: %q\nwebUrl: %q\ntype: article\n",
		s.date.Format(time.RFC3339), s.url, s.url)
	fmt.Fprintf(&b, "quality: %d\nheat: %d\npublished: %t\n", s.quality, s.heat, s.published)
	fmt.Fprintf(&b, "provider:\n  name: %s\n  domain: example.com\n", s.provider)
	if len(s.topics) == 0 {
		b.WriteString("topics: []\n")
	} else {
		b.WriteString("topics:\n")
	}
	for _, t := range s.topics {
		fmt.Fprintf(&b, "  - %s\n", t)
	}
	fmt.Fprintf(&b, "---\n%s", s.body)
	return b.String()
}

func (e *env) importSpecs(specs ...spec) {
	e.t.Helper()
	files := map[string]string{}
	for _, s := range specs {
		files[s.key+".md"] = s.file()
	}
	e.importText(files)
}

// testIDs collects the text of every element with the data-testid.
func testIDs(d *goquery.Document, id string) []string {
	var out []string
	d.Find(`[data-testid="` + id + `"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func testID(d *goquery.Document, id string) string {
	return strings.TrimSpace(d.Find(`[data-testid="` + id + `"]`).First().Text())
}

// rowTitles are the titles of the queue rows, in order.
func rowTitles(d *goquery.Document) []string {
	var out []string
	d.Find(`[data-testid="queue-row"] [data-testid="row-title"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}
