package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/web/webtest"
)

func presenceText(d *goquery.Document) string {
	return strings.Join(strings.Fields(webtest.TestIDText(d, "presence")), " ")
}

// The review page says who else has the article open, and its heartbeat
// answers with the same line, without the asking editor.
func TestReviewPagePresence(t *testing.T) {
	env, alice := triageEnv(t, 2)
	bob := loginBob(t, env)
	carol := env.LoginNewUser(t, "carol", "editor")
	path := webtest.ArticlePath(env.ID(t, "t1"))

	d := alice.GetDoc(path)
	if got := presenceText(d); got != "" {
		t.Errorf("alone on the article, alice reads %q", got)
	}
	box := webtest.ByTestID(d, "presence")
	if u, _ := box.Attr("hx-post"); u != path+"/presence" {
		t.Errorf("heartbeat URL %q", u)
	}
	if tr, _ := box.Attr("hx-trigger"); tr != "load, every 5s" {
		t.Errorf("heartbeat trigger %q", tr)
	}
	if got := presenceText(bob.GetDoc(path)); got != "Also open by alice" {
		t.Errorf("bob reads %q", got)
	}
	if got := presenceText(carol.GetDoc(path)); got != "Also open by alice and bob" {
		t.Errorf("carol reads %q", got)
	}

	tests := []struct {
		name   string
		client *webtest.Client
		want   string
	}{
		{"alice", alice, "Also open by bob and carol"},
		{"bob", bob, "Also open by alice and carol"},
	}
	for _, tt := range tests {
		res := tt.client.PostForm(path+"/presence", url.Values{})
		webtest.WantStatus(t, res, http.StatusOK)
		if got := strings.Join(strings.Fields(tt.client.Doc(res).Text()), " "); got != tt.want {
			t.Errorf("%s's heartbeat: %q, want %q", tt.name, got, tt.want)
		}
	}

	// A page that names the same editors already gets no new line.
	for shown, want := range map[string]int{"bob,carol": http.StatusNoContent, "bob": http.StatusOK, "": http.StatusOK} {
		res := alice.PostForm(path+"/presence", url.Values{"shown": {shown}})
		webtest.WantStatus(t, res, want)
	}

	// Carol moves on to t2: she is no longer on t1.
	carol.Get(webtest.ArticlePath(env.ID(t, "t2")))
	res := alice.PostForm(path+"/presence", url.Values{})
	if got := strings.Join(strings.Fields(alice.Doc(res).Text()), " "); got != "Also open by bob" {
		t.Errorf("after carol left: %q", got)
	}

	// The heartbeat is a POST like any other: without the token it is
	// refused; a missing article is a 404.
	webtest.WantStatus(t, alice.PostFormRaw(path+"/presence", url.Values{}), http.StatusForbidden)
	webtest.WantStatus(t, alice.PostForm("/articles/9999/presence", url.Values{}), http.StatusNotFound)
}

// A prefetch of a review page (a browser fetching it ahead of a visit)
// records nobody.
func TestPrefetchRecordsNoPresence(t *testing.T) {
	env, alice := triageEnv(t, 1)
	bob := loginBob(t, env)
	path := webtest.ArticlePath(env.ID(t, "t1"))
	req := alice.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Sec-Purpose", "prefetch")
	webtest.WantStatus(t, alice.Do(req), http.StatusOK)
	if got := presenceText(bob.GetDoc(path)); got != "" {
		t.Errorf("bob reads %q after alice's prefetch", got)
	}
}

// The queue marks the rows other editors have open, never the viewer's own.
func TestQueueMarksRowsOthersHaveOpen(t *testing.T) {
	env, alice := triageEnv(t, 3)
	bob := loginBob(t, env)
	bob.Get(webtest.ArticlePath(env.ID(t, "t2")))
	alice.Get(webtest.ArticlePath(env.ID(t, "t3")))

	marks := func(c *webtest.Client) map[string]string {
		out := map[string]string{}
		c.GetDoc("/articles?" + pendingQueue).Find(`[data-testid="row-open-by"]`).Each(func(_ int, s *goquery.Selection) {
			title := strings.TrimSpace(s.Closest("tr").Find(`a`).First().Text())
			out[title] = strings.Join(strings.Fields(s.Text()), " ")
		})
		return out
	}
	if got := marks(alice); len(got) != 1 || got["Triage article 2"] != "open by bob" {
		t.Errorf("alice's queue marks %v, want t2 open by bob", got)
	}
	if got := marks(bob); len(got) != 1 || got["Triage article 3"] != "open by alice" {
		t.Errorf("bob's queue marks %v, want t3 open by alice", got)
	}
	// Bob opens t1: t2 is free again.
	bob.Get(webtest.ArticlePath(env.ID(t, "t1")))
	if got := marks(alice); len(got) != 1 || got["Triage article 1"] != "open by bob" {
		t.Errorf("after bob moved: alice's queue marks %v", got)
	}
}

// "Next" (save and next, approve and next, reject and next) skips the
// articles another editor has open; the editor's own presence never
// counts.
func TestNextSkipsArticlesOthersHaveOpen(t *testing.T) {
	tests := []struct {
		name     string
		action   string
		opens    []string // "user:key", in order: an editor's last one counts
		wantNext string   // "" for the end of the queue
	}{
		{"nobody else", "approve", nil, "t2"},
		{"bob on t2", "approve", []string{"bob:t2"}, "t3"},
		{"save and next", "next", []string{"bob:t2"}, "t3"},
		{"reject and next", "reject", []string{"bob:t2"}, "t3"},
		{"bob and carol", "approve", []string{"bob:t2", "carol:t3"}, "t4"},
		{"bob moved on", "approve", []string{"bob:t2", "carol:t3", "bob:t4"}, "t2"},
		{"all taken", "approve", []string{"bob:t2", "carol:t3", "dave:t4"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, alice := triageEnv(t, 4)
			clients := map[string]*webtest.Client{}
			for _, o := range tt.opens {
				user, key, _ := strings.Cut(o, ":")
				if clients[user] == nil {
					clients[user] = env.LoginNewUser(t, user, "editor")
				}
				clients[user].Get(webtest.ArticlePath(env.ID(t, key)))
			}
			alice.Get(webtest.ArticlePath(env.ID(t, "t1")))
			res := decide(t, env, alice, "t1", tt.action, nil)
			webtest.WantStatus(t, res, http.StatusSeeOther)
			want := "/articles?"
			if tt.wantNext != "" {
				want = webtest.ArticlePath(env.ID(t, tt.wantNext)) + "?"
			}
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, want) {
				t.Errorf("next is %q, want %s…", loc, want)
			}
		})
	}
}

// Alice's own presence on the next article does not make her skip it.
func TestNextKeepsTheEditorsOwnArticle(t *testing.T) {
	env, alice := triageEnv(t, 3)
	alice.Get(webtest.ArticlePath(env.ID(t, "t2"))) // another tab
	res := decide(t, env, alice, "t1", "approve", nil)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, webtest.ArticlePath(env.ID(t, "t2"))+"?") {
		t.Errorf("next is %q, want t2", loc)
	}
}

// "Next" claims the article it opens as the save answers, before the
// browser asks for it: another editor's "next" a moment later skips it,
// and the editor's presence has left the article just decided.
func TestNextClaimsTheNextArticle(t *testing.T) {
	env, alice := triageEnv(t, 3)
	bob := loginBob(t, env)
	alice.Get(webtest.ArticlePath(env.ID(t, "t1")))
	res := decide(t, env, alice, "t1", "approve", nil) // not followed
	webtest.WantStatus(t, res, http.StatusSeeOther)
	got := map[string]string{}
	bob.GetDoc("/articles?status=all").Find(`[data-testid="row-open-by"]`).Each(func(_ int, s *goquery.Selection) {
		got[strings.TrimSpace(s.Closest("tr").Find(`a`).First().Text())] = strings.Join(strings.Fields(s.Text()), " ")
	})
	if len(got) != 1 || got["Triage article 2"] != "open by alice" {
		t.Errorf("bob's queue marks %v, want only t2, open by alice", got)
	}
	// Bob's "next" from t1, which left the pending queue: its first
	// article would be t2.
	res = decide(t, env, bob, "t1", "next", nil)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, webtest.ArticlePath(env.ID(t, "t3"))+"?") {
		t.Errorf("bob's next is %q, want t3: t2 is alice's", loc)
	}
}
