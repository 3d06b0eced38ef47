package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// backgroundAnswer is the JSON of a background save (handlers.saveAnswer).
type backgroundAnswer struct {
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	Reason  string `json:"reason"`
	Article string `json:"article"`
	Undo    *struct {
		Action  string `json:"action"`
		Version int64  `json:"version"`
		Latest  bool   `json:"latest"`
		From    string `json:"from"`
	} `json:"undo"`
	Next     string `json:"next"`
	Progress string `json:"progress"`
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
			gotUndo := ans.Undo
			ans.Undo = nil
			if ans != tc.want {
				t.Errorf("answer %+v\nwant   %+v", ans, tc.want)
			}
			r := env.Record(t, env.ID(t, tc.key))
			if tc.undo {
				want := "/articles/" + strconv.FormatInt(r.ID, 10) + "/undo"
				if gotUndo == nil || gotUndo.Action != want || gotUndo.Version != r.Version || !gotUndo.Latest || gotUndo.From != pendingQueue {
					t.Errorf("undo %+v, want %s version %d latest from %q", gotUndo, want, r.Version, pendingQueue)
				}
			} else if gotUndo != nil {
				t.Errorf("undo %+v on a save that was refused", gotUndo)
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
	if ans.Undo == nil {
		t.Fatalf("no undo in %+v", ans)
	}
	res := alice.PostForm(ans.Undo.Action, url.Values{"version": {strconv.FormatInt(ans.Undo.Version, 10)}, "latest": {"1"}, "from": {ans.Undo.From}})
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
