package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// importFiles parses files (name → content) with article.Parse, as the
// import command does, stores them with Store.Import, and returns their ids
// by key (the name without extension).
func importFiles(t testing.TB, env *webtest.Env, files map[string]string) map[string]int64 {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	arts := make([]*article.Article, 0, len(files))
	for _, n := range names {
		a, err := article.Parse(n, []byte(files[n]))
		if err != nil {
			t.Fatalf("parse %s: %v", n, err)
		}
		arts = append(arts, a)
	}
	if _, err := env.Store.Import(t.Context(), arts); err != nil {
		t.Fatalf("import: %v", err)
	}
	ids := map[string]int64{}
	for _, a := range arts {
		rec, err := env.Store.GetByKey(t.Context(), a.Key)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.Key] = rec.ID
	}
	return ids
}

// plainArticle is a minimal valid article file.
func plainArticle(title string) string {
	return fmt.Sprintf("---\ntitle: %q\nquality: 50\nheat: 3\npublished: false\ntopics: [Health]\n"+
		"provider: {name: Daily, domain: daily.example}\nwebUrl: \"https://daily.example/a\"\n---\nBody.\n", title)
}

// snapshot is everything a forged request could change, as text: users
// (role, state, session epoch, password hash) and every article's editable
// values, version and audit trail length.
func snapshot(t testing.TB, env *webtest.Env) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	users, err := env.Store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		fmt.Fprintf(&b, "user %d %s %s disabled=%v epoch=%d hash=%s\n", u.ID, u.Username, u.Role, u.Disabled, u.SessionEpoch, u.PasswordHash)
	}
	page, err := env.Store.List(ctx, db.ListQuery{Limit: db.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range page.Items {
		r, err := env.Store.Get(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		h, err := env.Store.History(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "article %d v%d q=%d/%v topics=%q pub=%v status=%s note=%q audit=%d\n",
			r.ID, r.Version, r.Quality, r.HasQuality, r.Topics, r.Published, r.Status, r.Note, len(h))
	}
	return b.String()
}

// setsSession reports whether resp sets (not deletes) the session cookie.
func setsSession(resp *http.Response) bool {
	for _, ck := range resp.Cookies() {
		if strings.HasSuffix(ck.Name, sessionCookie) && ck.MaxAge >= 0 && ck.Value != "" {
			return true
		}
	}
	return false
}
