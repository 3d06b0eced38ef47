package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// undoEnv is a server with article "a" (quality 50, topic Health) and
// alice and bob, each with a user row and a logged-in client.
type undoEnv struct {
	env          *webtest.Env
	id           int64
	alice, bob   *webtest.Client
	aliceU, bobU *db.User
}

func newUndoEnv(t *testing.T) *undoEnv {
	t.Helper()
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{"a.md": webtest.PlainArticle("Solar farms")})
	u := &undoEnv{env: env, id: ids["a"]}
	u.aliceU = env.CreateUser(t, "alice", webtest.UserPassword("alice"), db.RoleEditor)
	u.bobU = env.CreateUser(t, "bob", webtest.UserPassword("bob"), db.RoleEditor)
	u.alice = env.Login(t, "alice", webtest.UserPassword("alice"))
	u.bob = env.Login(t, "bob", webtest.UserPassword("bob"))
	return u
}

// save writes an edit as user through the store (the save form is not
// what these tests are about) and returns the version it made.
func (u *undoEnv) save(t *testing.T, user *db.User, e db.Edit) int64 {
	t.Helper()
	e.Version, e.ActorID, e.Actor = u.env.Record(t, u.id).Version, user.ID, user.Username
	r, err := u.env.Store.Update(context.Background(), u.id, e)
	if err != nil {
		t.Fatal(err)
	}
	return r.Version
}

func undoPath(id int64) string { return webtest.ArticlePath(id) + "/undo" }

func intPtr(n int) *int { return &n }

// The undo route, scenario by scenario: what the editor posts, what comes
// back, what the next page says and what is stored.
func TestUndoScenarios(t *testing.T) {
	const from = "status=pending&sort=newest&published=no"
	tests := []struct {
		name     string
		before   func(t *testing.T, u *undoEnv) url.Values // the state, and the form to post
		path     func(u *undoEnv) string                   // default undoPath(u.id)
		noCSRF   bool
		status   int
		location string         // for 303s; "" is the article without from
		flash    *regexp.Regexp // the next page's flash, for 303s
		body     string         // in the answer, for other statuses
		quality  int            // stored afterwards
	}{
		{
			name: "own latest change",
			before: func(t *testing.T, u *undoEnv) url.Values {
				v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70), Note: strPtr("too low")})
				return url.Values{"version": {strconv.FormatInt(v, 10)}, "latest": {"1"}, "from": {from}}
			},
			status: http.StatusSeeOther, location: "?from=" + url.QueryEscape("published=no&sort=newest&status=pending"),
			flash:   regexp.MustCompile(`^Undid your change to “Solar farms”: quality back to 50, note back to “\(empty\)”\.`),
			quality: 50,
		},
		{
			name: "older change from the history, after bob's note",
			before: func(t *testing.T, u *undoEnv) url.Values {
				v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
				u.save(t, u.bobU, db.Edit{Note: strPtr("seen")})
				return url.Values{"version": {strconv.FormatInt(v, 10)}}
			},
			status: http.StatusSeeOther, flash: regexp.MustCompile(`^Undid your change to “Solar farms”: quality back to 50\.`),
			quality: 50,
		},
		{
			name: "latest change after bob changed the article",
			before: func(t *testing.T, u *undoEnv) url.Values {
				v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
				u.save(t, u.bobU, db.Edit{Note: strPtr("seen")})
				return url.Values{"version": {strconv.FormatInt(v, 10)}, "latest": {"1"}}
			},
			status: http.StatusSeeOther, flash: regexp.MustCompile(`^Not undone: bob changed this article at \d\d:\d\d UTC\.$`),
			quality: 70,
		},
		{
			name: "older change whose quality bob changed",
			before: func(t *testing.T, u *undoEnv) url.Values {
				v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
				u.save(t, u.bobU, db.Edit{Quality: intPtr(75)})
				return url.Values{"version": {strconv.FormatInt(v, 10)}}
			},
			status: http.StatusSeeOther, flash: regexp.MustCompile(`^Not undone: bob changed this article at \d\d:\d\d UTC\.$`),
			quality: 75,
		},
		{
			name: "an import's change",
			before: func(t *testing.T, u *undoEnv) url.Values {
				u.env.ImportText(t, map[string]string{"a.md": strings.Replace(webtest.PlainArticle("Solar farms"), "quality: 50", "quality: 52", 1)})
				return url.Values{"version": {strconv.FormatInt(u.env.Record(t, u.id).Version, 10)}, "latest": {"1"}}
			},
			status: http.StatusSeeOther, flash: regexp.MustCompile(`^Not undone: changes made by an import cannot be undone\.$`),
			quality: 52,
		},
		{
			name:   "no version",
			before: func(t *testing.T, u *undoEnv) url.Values { return url.Values{"latest": {"1"}} },
			status: http.StatusBadRequest, body: "does not say which change to undo", quality: 50,
		},
		{
			name:   "a version no change made",
			before: func(t *testing.T, u *undoEnv) url.Values { return url.Values{"version": {"9"}} },
			status: http.StatusBadRequest, body: "No change of this article made its version 9", quality: 50,
		},
		{
			name:   "not a number",
			before: func(t *testing.T, u *undoEnv) url.Values { return url.Values{"version": {"2; drop"}} },
			status: http.StatusBadRequest, body: "does not say which change to undo", quality: 50,
		},
		{
			name:   "unknown article",
			before: func(t *testing.T, u *undoEnv) url.Values { return url.Values{"version": {"2"}} },
			path:   func(u *undoEnv) string { return undoPath(u.id + 100) },
			status: http.StatusNotFound, body: "No such article", quality: 50,
		},
		{
			name: "no CSRF token",
			before: func(t *testing.T, u *undoEnv) url.Values {
				v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
				return url.Values{"version": {strconv.FormatInt(v, 10)}, "latest": {"1"}}
			},
			noCSRF: true, status: http.StatusForbidden, quality: 70,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUndoEnv(t)
			form := tt.before(t, u)
			path := undoPath(u.id)
			if tt.path != nil {
				path = tt.path(u)
			}
			if tt.noCSRF {
				form.Set("_csrf", "")
			}
			res := u.alice.PostForm(path, form)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, tt.status, u.alice.Text(res))
			}
			if tt.status == http.StatusSeeOther {
				webtest.WantRedirect(t, res, webtest.ArticlePath(u.id)+tt.location)
				d := u.alice.Doc(u.alice.Follow(res))
				if got := webtest.TestIDTexts(d, "flash"); len(got) != 1 || !tt.flash.MatchString(got[0]) {
					t.Errorf("flash %q, want %v", got, tt.flash)
				}
			} else if tt.body != "" && !strings.Contains(u.alice.Text(res), tt.body) {
				t.Errorf("answer lacks %q: %.400s", tt.body, u.alice.Text(res))
			}
			if r := u.env.Record(t, u.id); r.Quality != tt.quality {
				t.Errorf("quality %d afterwards, want %d", r.Quality, tt.quality)
			}
		})
	}
}

// The flash after an undo has an Undo button of its own: it posts with
// the session's token and redoes the change; pressed again, it says the
// change is undone already.
func TestUndoFlashButtonRedoes(t *testing.T) {
	u := newUndoEnv(t)
	v := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
	res := u.alice.PostForm(undoPath(u.id), url.Values{"version": {strconv.FormatInt(v, 10)}, "latest": {"1"}, "from": {"status=approved"}})
	back := res.Header.Get("Location")
	if !strings.Contains(back, "?from=") {
		t.Fatalf("undo went to %q, not back to the article in its queue", back)
	}
	d := u.alice.Doc(u.alice.Follow(res))
	form := webtest.ByTestID(d, "flash-box").Find("form")
	if form.Length() != 1 {
		t.Fatalf("the undo's flash has %d forms, want its Undo", form.Length())
	}
	if act, _ := form.Attr("action"); act != undoPath(u.id) {
		t.Errorf("flash Undo posts to %q", act)
	}
	if key, _ := form.Find("button").Attr("data-key"); key != "u" {
		t.Errorf("flash Undo data-key %q, want u", key)
	}
	redo := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		redo.Set(name, value)
	})
	if redo.Get("_csrf") != u.alice.CSRFToken() || redo.Get("version") != strconv.FormatInt(v+1, 10) || redo.Get("latest") != "1" ||
		webtest.ArticlePath(u.id)+"?from="+url.QueryEscape(redo.Get("from")) != back {
		t.Fatalf("flash Undo form %v (the undo went to %s)", redo, back)
	}
	res = u.alice.PostForm(undoPath(u.id), redo)
	webtest.WantRedirect(t, res, back) // the queue travelled through the flash cookie
	d = u.alice.Doc(u.alice.Follow(res))
	if got := webtest.TestIDText(d, "flash"); !strings.HasPrefix(got, "Undid your change to “Solar farms”: quality back to 70.") {
		t.Errorf("redo flash %q", got)
	}
	if r := u.env.Record(t, u.id); r.Quality != 70 || r.Version != v+2 {
		t.Errorf("after redo: quality %d version %d", r.Quality, r.Version)
	}
	d = u.alice.Doc(u.alice.Follow(u.alice.PostForm(undoPath(u.id), redo)))
	if got := webtest.TestIDText(d, "flash"); !regexp.MustCompile(`^Not undone: you undid this change already, at \d\d:\d\d UTC\.$`).MatchString(got) {
		t.Errorf("second press: %q", got)
	}
}

func strPtr(s string) *string { return &s }

// The review page's history groups the entries by change, offers Undo on
// each change that can be undone now (not an import's, not one whose
// fields changed since), marks an undo, and gives the viewer's own last
// change the `u` button. Needs the review page to pass a views.HistoryView
// (see articles_undo.go, historyView).
func TestUndoButtonsInHistory(t *testing.T) {
	u := newUndoEnv(t)
	u.env.ImportText(t, map[string]string{"a.md": strings.Replace(webtest.PlainArticle("Solar farms"), "heat: 3", "heat: 4", 1)})
	v1 := u.save(t, u.aliceU, db.Edit{Quality: intPtr(70), Note: strPtr("first")})
	u.save(t, u.bobU, db.Edit{Quality: intPtr(75)})
	v3 := u.save(t, u.bobU, db.Edit{Note: strPtr("bob's")})

	d := u.alice.GetDoc(webtest.ArticlePath(u.id) + "?from=" + url.QueryEscape("status=pending"))
	changes := webtest.ByTestID(d, "history-change")
	if changes.Length() != 4 {
		t.Fatalf("%d changes in the history, want 4 (bob, bob, alice, import): %q", changes.Length(), webtest.TestIDTexts(d, "history-change"))
	}
	// Newest first: bob's note (undoable), bob's quality (undoable),
	// alice's quality+note (both fields changed since), the import.
	wantUndo := []bool{true, true, false, false}
	changes.Each(func(i int, c *goquery.Selection) {
		if got := c.Find(`[data-testid="history-undo"]`).Length() == 1; got != wantUndo[i] {
			t.Errorf("change %d (%q): Undo shown %v, want %v", i, strings.Join(strings.Fields(c.Text()), " "), got, wantUndo[i])
		}
	})
	if got := strings.Join(strings.Fields(changes.Eq(2).Find(`[data-testid="history-entry"]`).First().Text()), " "); got != "alice changed quality from 50 to 70" {
		t.Errorf("alice's change reads %q", got)
	}
	mine := webtest.ByTestID(d, "undo-mine")
	if mine.Length() != 1 {
		t.Fatalf("alice has no \"Undo my last change\" button")
	}
	if key, _ := mine.Attr("data-key"); key != "u" {
		t.Errorf("undo-mine data-key %q", key)
	}
	if sc, _ := mine.Attr("aria-keyshortcuts"); sc != "u" {
		t.Errorf("undo-mine aria-keyshortcuts %q", sc)
	}
	form := mine.Closest("form")
	if v, _ := form.Find(`input[name=version]`).Attr("value"); v != strconv.FormatInt(v1, 10) {
		t.Errorf("undo-mine targets version %q, want alice's %d", v, v1)
	}
	if v, _ := form.Find(`input[name=from]`).Attr("value"); v == "" {
		t.Error("undo-mine does not keep the queue")
	}

	// Bob undoes his note from the history; the page marks the undo.
	res := u.bob.PostForm(undoPath(u.id), url.Values{"version": {strconv.FormatInt(v3, 10)}})
	d = u.bob.Doc(u.bob.Follow(res))
	if got := webtest.TestIDTexts(d, "history-reverts"); len(got) != 1 || !strings.Contains(got[0], "undid bob’s change of") {
		t.Errorf("undo marks %q", got)
	}
	if webtest.ByTestID(d, "undo-mine").Length() != 1 {
		t.Error("bob's undo is his last change: no `u` button")
	}
	if r := u.env.Record(t, u.id); r.Note != "first" {
		t.Errorf("note after bob's undo %q, want alice's", r.Note)
	}
}
