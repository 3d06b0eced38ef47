package handlers_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/web/webtest"
	_ "modernc.org/sqlite"
)

// backgroundAnswer is the JSON of a background save (handlers.saveAnswer).
type backgroundAnswer struct {
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	Reason  string `json:"reason"`
	Article string `json:"article"`
	// Flash is HTML (views.FlashBoxes): see flashOf.
	Flash    string `json:"flash"`
	Next     string `json:"next"`
	Progress string `json:"progress"`
}

// flashOf parses the answer's flash HTML as instant.js inserts it.
func flashOf(t *testing.T, ans backgroundAnswer) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(ans.Flash))
	if err != nil {
		t.Fatalf("flash %q: %v", ans.Flash, err)
	}
	return d
}

// flashUndo is the Undo form in the answer's flash: its action and fields
// (nil when there is none).
func flashUndo(t *testing.T, ans backgroundAnswer) (string, url.Values) {
	t.Helper()
	form := webtest.ByTestID(flashOf(t, ans), "flash-undo").Closest("form")
	if form.Length() == 0 {
		return "", nil
	}
	v := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		val, _ := in.Attr("value")
		v.Add(name, val)
	})
	action, _ := form.Attr("action")
	return action, v
}

// decideInBackground posts the review form of key as instant.js does:
// the form's fields (decide's), with X-Newsdesk-Background: 1.
func decideInBackground(t *testing.T, env *webtest.Env, c *webtest.Client, key, action string, change url.Values) (*http.Response, backgroundAnswer) {
	t.Helper()
	id := env.ID(t, key)
	r := env.Record(t, id)
	form := url.Values{
		"version": {strconv.FormatInt(r.Version, 10)}, "quality": {strconv.Itoa(r.Quality)},
		"topics": r.Topics, "status": {string(r.Status)}, "note": {r.Note},
		"from": {pendingQueue}, "action": {action}, "_csrf": {c.CSRFToken()},
	}
	for k, v := range change {
		form[k] = v
	}
	req := c.NewRequest(http.MethodPost, webtest.ArticlePath(id), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Newsdesk-Background", "1")
	res := c.Do(req)
	var ans backgroundAnswer
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(c.Bytes(res), &ans); err != nil {
			t.Fatalf("%s: answer %q: %v", key, c.Text(res), err)
		}
	}
	return res, ans
}

// A background save answers JSON, not a redirect: on success the flash
// the redirect would have carried, its Undo, where the redirect would have
// gone and that article's place in the queue counted after the save; on a
// stale version or an invalid field the reason, naming the article and
// who changed it, with nothing written. It leaves no flash in the session
// (the page it belongs to is on screen already), and needs the CSRF token
// like any save.
func TestBackgroundSave(t *testing.T) {
	env, alice := triageEnv(t, 4)
	bob := loginBob(t, env)
	loc := func(key string) string { return articleLoc(t, env, key) }
	// bob saves t3 behind alice's back: her form of t3 is stale.
	staleT3 := env.Record(t, env.ID(t, "t3")).Version
	webtest.WantStatus(t, decide(t, env, bob, "t3", "save", url.Values{"quality": {"40"}}), http.StatusSeeOther)

	cases := []struct {
		name, key, action string
		change            url.Values
		status            int
		want              backgroundAnswer
		undo              bool
		stored            article.Status
		quality           int
	}{
		{name: "approve", key: "t1", action: "approve", change: url.Values{"quality": {"60"}},
			status: http.StatusOK, undo: true, stored: article.StatusApproved, quality: 60,
			want: backgroundAnswer{Kind: "ok", Text: "Approved “Triage article 1”: quality 50 → 60.",
				Article: loc("t1"), Next: loc("t2"), Progress: "1 of 3 pending in this queue"}},
		{name: "save and next", key: "t2", action: "next", change: url.Values{"note": {"checked the source"}},
			status: http.StatusOK, undo: true, stored: article.StatusPending, quality: 50,
			want: backgroundAnswer{Kind: "ok", Text: "Saved “Triage article 2”: note changed.",
				Article: loc("t2"), Next: loc("t3"), Progress: "2 of 3 pending in this queue"}},
		{name: "conflict", key: "t3", action: "reject", change: url.Values{"version": {strconv.FormatInt(staleT3, 10)}, "quality": {"50"}},
			status: http.StatusConflict, stored: article.StatusPending, quality: 40,
			want: backgroundAnswer{Kind: "error", Reason: "conflict", Article: loc("t3"),
				Text: "Not saved: “Triage article 3” was changed by bob since."}},
		{name: "invalid", key: "t4", action: "approve", change: url.Values{"quality": {"150"}},
			status: http.StatusUnprocessableEntity, stored: article.StatusPending, quality: 50,
			want: backgroundAnswer{Kind: "error", Reason: "invalid", Article: loc("t4"),
				Text: "Not saved: “Triage article 4”: Enter the quality as a whole number from 0 to 100."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, ans := decideInBackground(t, env, alice, tc.key, tc.action, tc.change)
			webtest.WantStatus(t, res, tc.status)
			if res.Header.Get("Location") != "" {
				t.Errorf("a background save redirects to %q", res.Header.Get("Location"))
			}
			undoURL, undo := flashUndo(t, ans)
			flash := flashOf(t, ans)
			ans.Flash = ""
			if ans != tc.want {
				t.Errorf("answer %+v\nwant   %+v", ans, tc.want)
			}
			r := env.Record(t, env.ID(t, tc.key))
			if tc.undo {
				// The flash as a page shows it: the text, and the Undo
				// form with this session's token and the `u` key.
				if got := webtest.TestIDText(flash, "flash"); got != tc.want.Text {
					t.Errorf("flash HTML says %q, want %q", got, tc.want.Text)
				}
				if key, _ := webtest.ByTestID(flash, "flash-undo").Attr("data-key"); key != "u" {
					t.Errorf("flash Undo data-key %q, want u", key)
				}
				want := "/articles/" + strconv.FormatInt(r.ID, 10) + "/undo"
				if undoURL != want || undo.Get("version") != strconv.FormatInt(r.Version, 10) || undo.Get("latest") != "1" ||
					undo.Get("from") != pendingQueue || undo.Get("_csrf") != alice.CSRFToken() {
					t.Errorf("undo %s %v, want %s version %d latest from %q and the token", undoURL, undo, want, r.Version, pendingQueue)
				}
			} else if undo != nil {
				t.Errorf("undo %v on a save that was refused", undo)
			}
			if r.Status != tc.stored || r.Quality != tc.quality {
				t.Errorf("stored %s quality %d, want %s %d", r.Status, r.Quality, tc.stored, tc.quality)
			}
			// No flash waits in the session for the next page.
			if got := webtest.Flashes(alice.GetDoc(loc("t4"))); len(got) != 0 {
				t.Errorf("a flash waited in the session: %q", got)
			}
		})
	}

	// The Undo the answer names works as the flash's does.
	_, ans := decideInBackground(t, env, alice, "t4", "reject", nil)
	undoURL, undo := flashUndo(t, ans)
	if undo == nil {
		t.Fatalf("no undo in %+v", ans)
	}
	res := alice.PostFormRaw(undoURL, undo)
	webtest.WantRedirect(t, res, loc("t4"))
	if r := env.Record(t, env.ID(t, "t4")); r.Status != article.StatusPending {
		t.Errorf("after the answer's Undo t4 is %s, want pending", r.Status)
	}

	// CSRF: without the token, or with another, the save is refused
	// before the handler: 403, not JSON, nothing written.
	for name, token := range map[string]string{"no token": "", "wrong token": "not-the-token"} {
		res, ans := decideInBackground(t, env, alice, "t4", "approve", url.Values{"_csrf": {token}})
		webtest.WantStatus(t, res, http.StatusForbidden)
		if ans.Kind != "" {
			t.Errorf("%s: answered %+v", name, ans)
		}
		if r := env.Record(t, env.ID(t, "t4")); r.Status != article.StatusPending {
			t.Errorf("%s: t4 stored %s", name, r.Status)
		}
	}
}

// Instant.js shows the next article it fetched before the save, and says
// which (shown_next): the save claims that one when no other editor has
// it open, even where the server's own "next" would skip it; when someone
// has, it answers with its own next and a notice naming who, so that the
// editor is not left on an article another is reviewing. Ids are
// compared, not URLs: the shown page's query may differ.
func TestBackgroundSaveClaimsTheArticleShown(t *testing.T) {
	tests := []struct {
		name      string
		opens     []string // "user:key" opened before the save
		shown     string   // the article instant.js shows
		wantNext  string   // the answer's next ("" for the queue)
		wantWarn  string   // the notice after the flash
		alicesOwn string   // the article alice's presence is on afterwards
	}{
		{name: "shown is the server's next", shown: "t2", wantNext: "t2", alicesOwn: "t2"},
		{name: "shown is free", opens: []string{"bob:t2"}, shown: "t3", wantNext: "t3", alicesOwn: "t3"},
		// Bob opened t2 after alice's page fetched it: the server's
		// next skips t2, and alice goes there.
		{name: "shown is taken", opens: []string{"bob:t2"}, shown: "t2", wantNext: "t3", alicesOwn: "t3",
			wantWarn: "“Triage article 2” is open by bob: here is the next article instead."},
		{name: "shown is taken, none free", opens: []string{"bob:t2", "carol:t3"}, shown: "t2", wantNext: "",
			wantWarn: "“Triage article 2” is open by bob, and no other article of this queue is free.", alicesOwn: "t1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, alice := triageEnv(t, 3)
			alice.Get(webtest.ArticlePath(env.ID(t, "t1")))
			for _, o := range tt.opens {
				user, key, _ := strings.Cut(o, ":")
				env.LoginNewUser(t, user, "editor").Get(webtest.ArticlePath(env.ID(t, key)))
			}
			// The page instant.js fetched: its query is its own.
			shown := webtest.ArticlePath(env.ID(t, tt.shown)) + "?from=" + url.QueryEscape("status=pending&sort=newest")
			res, ans := decideInBackground(t, env, alice, "t1", "approve", url.Values{"shown_next": {shown}})
			webtest.WantStatus(t, res, http.StatusOK)
			gotNext := ""
			if strings.HasPrefix(ans.Next, "/articles/") {
				gotNext = strings.SplitN(strings.TrimPrefix(ans.Next, "/articles/"), "?", 2)[0]
			}
			wantNext := ""
			if tt.wantNext != "" {
				wantNext = strconv.FormatInt(env.ID(t, tt.wantNext), 10)
			}
			if gotNext != wantNext {
				t.Errorf("next %q, want article %s (%q)", ans.Next, tt.wantNext, wantNext)
			}
			flash := flashOf(t, ans)
			texts := webtest.TestIDTexts(flash, "flash")
			var warn string
			flash.Find(`[data-testid="flash"].warn`).Each(func(_ int, s *goquery.Selection) { warn = s.Text() })
			wantN := 1
			if tt.wantWarn != "" {
				wantN = 2
			}
			if warn != tt.wantWarn || len(texts) != wantN {
				t.Errorf("flashes %q (warning %q), want the save's and %q", texts, warn, tt.wantWarn)
			}
			// Where alice's presence is now, as bob's queue shows it.
			marks := map[string]bool{}
			env.LoginNewUser(t, "dave", "editor").GetDoc("/articles?status=all").Find(`[data-testid="row-open-by"]`).Each(func(_ int, s *goquery.Selection) {
				if strings.Contains(s.Text(), "alice") {
					marks[strings.TrimSpace(s.Closest("tr").Find("a").First().Text())] = true
				}
			})
			want := map[string]bool{}
			if tt.alicesOwn != "" {
				want["Triage article "+strings.TrimPrefix(tt.alicesOwn, "t")] = true
			}
			if len(marks) != len(want) || (tt.alicesOwn != "" && !marks["Triage article "+strings.TrimPrefix(tt.alicesOwn, "t")]) {
				t.Errorf("alice is on %v, want %v", marks, want)
			}
		})
	}
}

// A refused save (a stale version, an invalid field) claims nothing: the
// editor is still on the article, and their presence stays there.
func TestRefusedSaveKeepsThePresence(t *testing.T) {
	for _, background := range []bool{false, true} {
		for name, change := range map[string]url.Values{
			"invalid":  {"quality": {"150"}},
			"conflict": {"version": {"1"}, "quality": {"51"}},
		} {
			t.Run(fmt.Sprintf("%s background=%v", name, background), func(t *testing.T) {
				env, alice := triageEnv(t, 3)
				bob := loginBob(t, env)
				if name == "conflict" { // bob saves t1 behind alice's back
					webtest.WantStatus(t, decide(t, env, bob, "t1", "save", url.Values{"quality": {"40"}}), http.StatusSeeOther)
				}
				alice.Get(webtest.ArticlePath(env.ID(t, "t1")))
				var res *http.Response
				if background {
					res, _ = decideInBackground(t, env, alice, "t1", "approve", change)
				} else {
					res = decide(t, env, alice, "t1", "approve", change)
				}
				if res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want a refusal", res.StatusCode)
				}
				if got := presenceText(bob.GetDoc(webtest.ArticlePath(env.ID(t, "t1")))); got != "Also open by alice" {
					t.Errorf("on t1 bob reads %q: alice's presence left the article she is still on", got)
				}
				if got := presenceText(bob.GetDoc(webtest.ArticlePath(env.ID(t, "t2")))); got != "" {
					t.Errorf("on t2 bob reads %q: the refused save claimed it", got)
				}
			})
		}
	}
}

// Once a background save is stored, its answer is 200 JSON whatever fails
// after it (here: recording the editor on the next article): a 500 would
// make instant.js say "Not saved" of a stored save, and "Try again" would
// then conflict with it.
func TestStoredBackgroundSaveAlwaysAnswersJSON(t *testing.T) {
	env, alice := triageEnv(t, 3)
	alice.Get(webtest.ArticlePath(env.ID(t, "t1")))
	raw, err := sql.Open("sqlite", "file:"+env.DBPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER no_presence BEFORE INSERT ON presence BEGIN SELECT RAISE(ABORT, 'presence broken'); END`); err != nil {
		t.Fatal(err)
	}
	res, ans := decideInBackground(t, env, alice, "t1", "approve", nil)
	webtest.WantStatus(t, res, http.StatusOK)
	if ans.Kind != "ok" || !strings.HasPrefix(ans.Text, "Approved") {
		t.Errorf("answer %+v, want the save's flash", ans)
	}
	if r := env.Record(t, env.ID(t, "t1")); r.Status != article.StatusApproved {
		t.Errorf("t1 is %s, want approved", r.Status)
	}
}
