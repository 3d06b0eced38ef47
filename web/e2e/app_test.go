package e2e

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// The accounts of every app: two editors, so a conflict has two names.
const (
	editorName     = "editor"
	editorPassword = "editor-password-e2e"
	otherName      = "rita"
	otherPassword  = "rita-password-e2e"
)

// seedKey is the real pipeline article; the review flows edit it.
const (
	seedKey   = "000_6ef551387f7f8ea7"
	seedFile  = "../../testdata/seed/000_6ef551387f7f8ea7.txt"
	seedTitle = "NHS report calls for artificial intelligence training for all staff"
)

// app is one running newsdesk: the real server (web.New + Run) on a free
// port of 127.0.0.1, on a fresh SQLite file with the test articles and the
// two editors.
type app struct {
	URL   string
	Store *db.Store
	Files map[string][]byte // imported file bytes by article key
	logs  *webtest.SyncBuffer

	mu    sync.Mutex
	shots int // screenshots taken so far, to number them in order
}

// startApp starts a server for t; it stops when t ends, and its log is
// printed if t failed.
func startApp(t *testing.T) *app {
	t.Helper()
	browserContext(t) // skip (or fail) at once when there is no browser
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	a := &app{Store: store, Files: map[string][]byte{}, logs: &webtest.SyncBuffer{}}
	a.importArticles(t)
	for _, u := range []struct{ name, password string }{{editorName, editorPassword}, {otherName, otherPassword}} {
		if _, err := store.CreateUser(ctx, u.name, webtest.PasswordHash(t, u.password), db.RoleEditor); err != nil {
			t.Fatalf("create user %s: %v", u.name, err)
		}
	}
	cfg := web.Config{Log: slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	srv, err := web.New(ctx, cfg, store)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	a.URL = "http://" + ln.Addr().String()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx, ln) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("server did not shut down within 20 s")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", a.logs.String())
		}
	})
	return a
}

// importArticles imports the seed article and every valid test article,
// as `newsdesk import` would.
func (a *app) importArticles(t *testing.T) {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/articles/valid/*")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, seedFile)
	sort.Strings(paths)
	var arts []*article.Article
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		art, err := article.Parse(filepath.Base(p), raw)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		a.Files[art.Key] = raw
		arts = append(arts, art)
	}
	if _, err := a.Store.Import(context.Background(), arts); err != nil {
		t.Fatalf("import: %v", err)
	}
}

// articlePath is the review page of the article with key.
func (a *app) articlePath(t *testing.T, key string) string {
	t.Helper()
	rec, err := a.Store.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatalf("article %s: %v", key, err)
	}
	return "/articles/" + strconv.FormatInt(rec.ID, 10)
}

// record is the stored article with key, as the database has it now.
func (a *app) record(t *testing.T, key string) *db.Record {
	t.Helper()
	rec, err := a.Store.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatalf("article %s: %v", key, err)
	}
	return rec
}

// nextShot numbers the screenshots of one test across its browser tabs.
func (a *app) nextShot() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.shots++
	return a.shots
}
