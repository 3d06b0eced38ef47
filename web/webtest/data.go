package webtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// ImportFiles imports files and folders the way `newsdesk import` does:
// review.CollectFiles, then the review workflow's Import into the
// server's store. Any file that fails fails the test, with the report's
// line for it. It returns the id of every imported article by key (the
// file name without extension, in NFC).
func (e *Env) ImportFiles(t testing.TB, paths ...string) map[string]int64 {
	t.Helper()
	sources, failures := review.CollectFiles(paths)
	rep, err := review.New(e.Store).Import(context.Background(), sources, review.ImportOptions{})
	if err != nil {
		t.Fatalf("webtest: import: %v", err)
	}
	failures = append(failures, rep.Failures...)
	for _, f := range failures {
		t.Errorf("webtest: import failed: %s", f)
	}
	if len(failures) > 0 {
		t.FailNow()
	}
	ids := map[string]int64{}
	for _, s := range sources {
		key := article.KeyOf(s.Path)
		ids[key] = e.ID(t, key)
	}
	return ids
}

// ImportText writes files (name → content) into a new folder in
// t.TempDir() and imports them with ImportFiles, in name order. It
// returns the ids by key.
func (e *Env) ImportText(t testing.TB, files map[string]string) map[string]int64 {
	t.Helper()
	dir := t.TempDir()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	paths := make([]string, 0, len(names))
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(files[n]), 0o600); err != nil {
			t.Fatalf("webtest: write %s: %v", n, err)
		}
		paths = append(paths, p)
	}
	return e.ImportFiles(t, paths...)
}

// ImportSpecs imports one file KEY.md per spec (see Spec.File) and
// returns the ids by key.
func (e *Env) ImportSpecs(t testing.TB, specs ...Spec) map[string]int64 {
	t.Helper()
	files := map[string]string{}
	for _, s := range specs {
		files[s.Key+".md"] = s.File()
	}
	return e.ImportText(t, files)
}

// StoreArticles puts articles into the store directly (db.Store.Import),
// past the workflow's file reading and batching: for tests that need an
// article exactly as they built it. It returns the ids by key.
func (e *Env) StoreArticles(t testing.TB, arts ...*article.Article) map[string]int64 {
	t.Helper()
	if _, err := e.Store.Import(context.Background(), arts); err != nil {
		t.Fatalf("webtest: store articles: %v", err)
	}
	ids := map[string]int64{}
	for _, a := range arts {
		ids[a.Key] = e.ID(t, a.Key)
	}
	return ids
}

// ID is the id of the article with key; the test fails if there is none.
func (e *Env) ID(t testing.TB, key string) int64 {
	t.Helper()
	r, err := e.Store.GetByKey(context.Background(), key)
	if err != nil {
		t.Fatalf("webtest: article %q: %v", key, err)
	}
	return r.ID
}

// Record is the stored article id; the test fails if there is none.
func (e *Env) Record(t testing.TB, id int64) *db.Record {
	t.Helper()
	r, err := e.Store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("webtest: article %d: %v", id, err)
	}
	return r
}

// SetStatus sets the review status of the article key in the store, as
// the user "setup": fixtures with approved and rejected articles.
func (e *Env) SetStatus(t testing.TB, key string, st article.Status) {
	t.Helper()
	r := e.Record(t, e.ID(t, key))
	if _, err := e.Store.Update(context.Background(), r.ID, db.Edit{Version: r.Version, Status: &st, Actor: "setup"}); err != nil {
		t.Fatalf("webtest: set status of %s: %v", key, err)
	}
}

// ArticlePath is the review page of article id.
func ArticlePath(id int64) string { return "/articles/" + strconv.FormatInt(id, 10) }

// Snapshot is everything a request could change, as text: users (role,
// state, session epoch, password hash) and every article's editable
// values, version and audit trail length. Tests compare it before and
// after requests that must change nothing.
func (e *Env) Snapshot(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	users, err := e.Store.Users(ctx)
	if err != nil {
		t.Fatalf("webtest: snapshot: %v", err)
	}
	for _, u := range users {
		fmt.Fprintf(&b, "user %d %s %s disabled=%v epoch=%d hash=%s\n", u.ID, u.Username, u.Role, u.Disabled, u.SessionEpoch, u.PasswordHash)
	}
	page, err := e.Store.List(ctx, db.ListQuery{Limit: db.MaxLimit})
	if err != nil {
		t.Fatalf("webtest: snapshot: %v", err)
	}
	for _, s := range page.Items {
		r := e.Record(t, s.ID)
		h, err := e.Store.History(ctx, s.ID)
		if err != nil {
			t.Fatalf("webtest: snapshot: %v", err)
		}
		fmt.Fprintf(&b, "article %d v%d q=%d/%v topics=%q pub=%v status=%s note=%q audit=%d\n",
			r.ID, r.Version, r.Quality, r.HasQuality, r.Topics, r.Published, r.Status, r.Note, len(h))
	}
	return b.String()
}

// Spec describes an article file in the item format; zero fields get
// plain defaults (see File).
type Spec struct {
	Key, Title, Category, Provider, URL string
	Date                                time.Time
	Quality, Heat                       int
	Published                           bool
	Topics                              []string // written as a block list, unquoted
	Body                                string
}

// File renders the spec in the item format. Defaults: category news,
// provider "Daily Example", URL https://example.com/KEY, date
// 2022-11-02T08:30:00Z.
func (s Spec) File() string {
	if s.Category == "" {
		s.Category = "news"
	}
	if s.Provider == "" {
		s.Provider = "Daily Example"
	}
	if s.URL == "" {
		s.URL = "https://example.com/" + s.Key
	}
	if s.Date.IsZero() {
		s.Date = time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ncategory: %s\ntitle: %q\nexcerpt: \"Excerpt of %s\"\n", s.Category, s.Title, s.Key)
	fmt.Fprintf(&b, "publishedDateTime: %s\noriginalUrl: %q\nwebUrl: %q\ntype: article\n",
		s.Date.Format(time.RFC3339), s.URL, s.URL)
	fmt.Fprintf(&b, "quality: %d\nheat: %d\npublished: %t\n", s.Quality, s.Heat, s.Published)
	fmt.Fprintf(&b, "provider:\n  name: %s\n  domain: example.com\n", s.Provider)
	if len(s.Topics) == 0 {
		b.WriteString("topics: []\n")
	} else {
		b.WriteString("topics:\n")
	}
	for _, t := range s.Topics {
		fmt.Fprintf(&b, "  - %s\n", t)
	}
	fmt.Fprintf(&b, "---\n%s", s.Body)
	return b.String()
}

// PlainArticle is a minimal valid article file titled title: quality 50,
// topic Health, pending and unpublished.
func PlainArticle(title string) string {
	return fmt.Sprintf("---\ntitle: %q\nquality: 50\nheat: 3\npublished: false\ntopics: [Health]\n"+
		"provider: {name: Daily, domain: daily.example}\nwebUrl: \"https://daily.example/a\"\n---\nBody.\n", title)
}
