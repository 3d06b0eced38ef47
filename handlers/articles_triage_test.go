package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// pendingQueue is the queue the triage tests come from.
const pendingQueue = "published=no&sort=newest&status=pending"

// triageEnv holds pending articles t1..tn, newest first, quality 50, with
// alice logged in.
func triageEnv(t *testing.T, n int) (*webtest.Env, *webtest.Client) {
	t.Helper()
	env := webtest.New(t)
	var specs []webtest.Spec
	for i := 1; i <= n; i++ {
		specs = append(specs, webtest.Spec{
			Key: "t" + strconv.Itoa(i), Title: "Triage article " + strconv.Itoa(i),
			Date: day(28 - i), Quality: 50, Topics: []string{"Health"},
		})
	}
	env.ImportSpecs(t, specs...)
	return env, loginAlice(t, env)
}

// decide posts the review form of key as the page shows it, with the
// given action and changes, from the pending queue.
func decide(t *testing.T, env *webtest.Env, c *webtest.Client, key, action string, change url.Values) *http.Response {
	t.Helper()
	id := env.ID(t, key)
	r := env.Record(t, id)
	form := url.Values{
		"version": {strconv.FormatInt(r.Version, 10)},
		"quality": {strconv.Itoa(r.Quality)},
		"topics":  r.Topics,
		"status":  {string(r.Status)},
		"note":    {r.Note},
		"from":    {pendingQueue},
		"action":  {action},
	}
	for k, v := range change {
		form[k] = v
	}
	return c.PostForm(webtest.ArticlePath(id), form)
}

func articleLoc(t *testing.T, env *webtest.Env, key string) string {
	t.Helper()
	return webtest.ArticlePath(env.ID(t, key)) + "?from=" + url.QueryEscape(pendingQueue)
}

// Approve and Reject save the form with that status and open the next
// article of the queue in one request; the last one goes back to the
// queue. The flash names the article and what was done.
func TestApproveAndRejectOpenTheNext(t *testing.T) {
	env, alice := triageEnv(t, 3)
	cases := []struct {
		key, action string
		change      url.Values
		status      article.Status
		quality     int
		location    string // "" = the queue
		flash       string
	}{
		{"t1", "approve", url.Values{"quality": {"60"}}, article.StatusApproved, 60, "t2",
			"Approved “Triage article 1”: quality 50 → 60."},
		// The status radio says pending: the button decides.
		{"t2", "reject", url.Values{"status": {"pending"}}, article.StatusRejected, 50, "t3",
			"Rejected “Triage article 2”."},
		{"t3", "approve", url.Values{"new_topic": {"Vaccines, health"}}, article.StatusApproved, 50, "",
			"Approved “Triage article 3”: topics changed (new topic “Vaccines”). That was the last article of this queue."},
	}
	for _, tc := range cases {
		res := decide(t, env, alice, tc.key, tc.action, tc.change)
		want := "/articles?" + pendingQueue
		if tc.location != "" {
			want = articleLoc(t, env, tc.location)
		}
		webtest.WantRedirect(t, res, want)
		r := env.Record(t, env.ID(t, tc.key))
		if r.Status != tc.status || r.Quality != tc.quality {
			t.Errorf("%s: stored status %s quality %d, want %s %d", tc.key, r.Status, r.Quality, tc.status, tc.quality)
		}
		d := alice.Doc(alice.Follow(res))
		if got := webtest.Flashes(d); !slices.Equal(got, []string{tc.flash}) {
			t.Errorf("%s: flash %q\nwant %q", tc.key, got, tc.flash)
		}
		if tc.location != "" {
			if got := webtest.TestIDText(d, "title"); got != "Triage article "+tc.location[1:] {
				t.Errorf("%s: next page shows %q", tc.key, got)
			}
			// The article decided left the pending queue: the next is first.
			if got := webtest.TestIDText(d, "progress"); got != "1 of "+strconv.Itoa(3-int(tc.key[1]-'0'))+" pending in this queue" {
				t.Errorf("%s: progress %q", tc.key, got)
			}
		}
	}
	if r := env.Record(t, env.ID(t, "t3")); !slices.Equal(r.Topics, []string{"Health", "Vaccines"}) {
		t.Errorf("t3 topics %q", r.Topics)
	}
	// Approving what is approved changes nothing and says so.
	res := decide(t, env, alice, "t1", "approve", nil)
	d := alice.Doc(alice.Follow(res))
	if got := webtest.Flashes(d); !slices.Equal(got, []string{"“Triage article 1” was already approved; nothing changed. That was the last article of this queue."}) {
		t.Errorf("flash %q", got)
	}
}

// A decision on a stale version is a conflict like any save: 409, nothing
// written; and it needs the CSRF token like any save.
func TestDecisionConflictAndCSRF(t *testing.T) {
	env, alice := triageEnv(t, 2)
	bob := loginBob(t, env)
	id := env.ID(t, "t1")
	stale := env.Record(t, id).Version
	webtest.WantStatus(t, decide(t, env, bob, "t1", "reject", nil), http.StatusSeeOther)
	form := url.Values{
		"version": {strconv.FormatInt(stale, 10)}, "quality": {"70"}, "topics": {"Health"},
		"status": {"pending"}, "from": {pendingQueue}, "action": {"approve"},
	}
	res := alice.PostForm(webtest.ArticlePath(id), form)
	webtest.WantStatus(t, res, http.StatusConflict)
	if r := env.Record(t, id); r.Status != article.StatusRejected || r.Quality != 50 {
		t.Errorf("after the conflict: %s %d", r.Status, r.Quality)
	}
	// Keep mine carries the decision and moves on.
	d := alice.Doc(res)
	keep := d.Find(`form[data-testid="keep-mine-form"]`)
	if v, _ := keep.Find(`[name="status"]`).Attr("value"); v != "approved" {
		t.Errorf("keep mine status %q", v)
	}
	if v, _ := keep.Find(`button[data-testid="keep-mine"]`).Attr("value"); v != "next" {
		t.Errorf("keep mine action %q", v)
	}

	id2 := env.ID(t, "t2")
	for name, token := range map[string][]string{"no token": nil, "wrong token": {"not-the-token"}} {
		form := url.Values{"version": {"1"}, "quality": {"50"}, "topics": {"Health"}, "status": {"pending"}, "action": {"approve"}}
		if token != nil {
			form["_csrf"] = token
		}
		webtest.WantStatus(t, alice.PostFormRaw(webtest.ArticlePath(id2), form), http.StatusForbidden)
		if r := env.Record(t, id2); r.Status != article.StatusPending || r.Version != 1 {
			t.Errorf("%s: stored %s v%d", name, r.Status, r.Version)
		}
	}
}

// The add-topic field takes several topics, separated by commas or line
// breaks; a bad one is named.
func TestAddSeveralTopics(t *testing.T) {
	env, alice := triageEnv(t, 1)
	id := env.ID(t, "t1")
	res := decide(t, env, alice, "t1", "save", url.Values{"new_topic": {"vaccines, Health ,\nNHS staff,, "}})
	webtest.WantRedirect(t, res, articleLoc(t, env, "t1"))
	if r := env.Record(t, id); !slices.Equal(r.Topics, []string{"Health", "vaccines", "NHS staff"}) {
		t.Errorf("topics %q", r.Topics)
	}
	flash := webtest.Flashes(alice.Doc(alice.Follow(res)))
	if want := "Saved “Triage article 1”: topics changed (new topics “vaccines”, “NHS staff”)."; !slices.Equal(flash, []string{want}) {
		t.Errorf("flash %q", flash)
	}
	long := strings.Repeat("x", 65)
	res = decide(t, env, alice, "t1", "approve", url.Values{"new_topic": {"fine, " + long}})
	webtest.WantStatus(t, res, http.StatusUnprocessableEntity)
	msg := webtest.TestIDText(alice.Doc(res), "new-topic-error")
	if !strings.HasPrefix(msg, "The new topic “xxxx") || !strings.Contains(msg, "65 characters long") {
		t.Errorf("error %q", msg)
	}
	if r := env.Record(t, id); r.Status != article.StatusPending || len(r.Topics) != 3 {
		t.Errorf("refused save stored %s %q", r.Status, r.Topics)
	}
}

// The review page says where the article is in the queue it came from,
// counted from the counter tables and the queue page's offset.
func TestReviewProgress(t *testing.T) {
	env, alice := triageEnv(t, 5)
	env.SetStatus(t, "t5", article.StatusApproved)
	cases := []struct{ key, from, want string }{
		{"t3", pendingQueue, "3 of 4 pending in this queue"},
		{"t1", "", "1 of 4 pending in this queue"}, // no queue: the default one
		{"t5", pendingQueue, "4 pending in this queue"},
		{"t5", "published=no&sort=newest&status=all", "5 of 5 in this queue"},
		{"t2", "published=no&sort=newest&status=approved", "1 approved in this queue"},
	}
	for _, tc := range cases {
		path := webtest.ArticlePath(env.ID(t, tc.key))
		if tc.from != "" {
			path += "?from=" + url.QueryEscape(tc.from)
		}
		if got := webtest.TestIDText(alice.GetDoc(path), "progress"); got != tc.want {
			t.Errorf("%s from %q: progress %q, want %q", tc.key, tc.from, got, tc.want)
		}
	}
}

// The buttons and fields keys.js acts on: data-key and aria-keyshortcuts
// on the buttons, each printing its key; the field ids. Enter in a field
// presses the hidden Save, never Approve.
func TestReviewPageKeyContract(t *testing.T) {
	env, alice := triageEnv(t, 2)
	d := alice.GetDoc(articleLoc(t, env, "t1"))
	for key, action := range map[string]string{"a": "approve", "r": "reject", "s": "save", "n": "next"} {
		b := d.Find(`form[data-testid="review-form"] button[data-key="` + key + `"]`)
		if b.Length() != 1 {
			t.Errorf("%d buttons for %s", b.Length(), key)
			continue
		}
		if v, _ := b.Attr("value"); v != action {
			t.Errorf("%s: action %q", key, v)
		}
		if v, _ := b.Attr("aria-keyshortcuts"); v != key {
			t.Errorf("%s: aria-keyshortcuts %q", key, v)
		}
		if b.Find("kbd").Text() != key {
			t.Errorf("%s: prints %q", key, b.Find("kbd").Text())
		}
		if b.Closest(`[data-testid="decision-bar"]`).Length() != 1 {
			t.Errorf("%s: not in the decision bar", key)
		}
	}
	if v, _ := d.Find(`form[data-testid="review-form"] button[type=submit]`).First().Attr("value"); v != "save" {
		t.Errorf("the default button is %q", v)
	}
	if k, _ := d.Find(`[data-testid="back-to-queue"]`).Attr("data-key"); k != "g q" {
		t.Errorf("back link data-key %q", k)
	}
	for _, id := range []string{"quality", "published", "new-topic"} {
		if d.Find("#"+id).Length() != 1 {
			t.Errorf("no #%s", id)
		}
	}
	if v, _ := d.Find(`[data-testid="article"]`).Attr("tabindex"); v != "-1" {
		t.Errorf("article tabindex %q", v)
	}
	// Every topic in use is suggested, and the field says so.
	if v, _ := d.Find("#new-topic").Attr("data-all-topics"); v != "true" {
		t.Errorf("data-all-topics %q", v)
	}
	if got := d.Find("#topic-suggestions option").Length(); got != 1 {
		t.Errorf("%d suggestions", got)
	}
}

// Dates are labelled apart from the Published flag; the body is Markdown
// rendered; the next article's image is named for review.js to load.
func TestReviewPageReading(t *testing.T) {
	env := webtest.New(t)
	env.ImportText(t, map[string]string{
		"a.md": "---\ntitle: A\npublishedDateTime: 2022-11-02T08:30:00Z\npublished: true\n---\n# Head\n\nSome *text* and [a link](https://example.com/x) and [bad](javascript:alert(1)).\n",
		"b.md": "---\ntitle: B\npublishedDateTime: 2022-11-01T08:30:00Z\nimages:\n  - url: https://img.example/b.jpg\n---\nB body\n",
	})
	alice := loginAlice(t, env)
	d := alice.GetDoc(webtest.ArticlePath(env.ID(t, "a")) + "?from=" + url.QueryEscape("status=pending&published=any"))
	facts := map[string]string{}
	d.Find(".facts dt").Each(func(_ int, dt *goquery.Selection) {
		facts[dt.Text()] = strings.Join(strings.Fields(dt.Next().Text()), " ")
	})
	if facts["Article date"] != "2 Nov 2022 08:30 UTC" || facts["Published on site"] != "yes" {
		t.Errorf("facts %q", facts)
	}
	body := d.Find(`[data-testid="body"]`)
	if body.Find("h1").Text() != "Head" || body.Find("em").Text() != "text" {
		t.Errorf("body %q", body.Text())
	}
	links := body.Find("a")
	if href, _ := links.Attr("href"); links.Length() != 1 || href != "https://example.com/x" {
		t.Errorf("body links: %d, %q", links.Length(), href)
	}
	if v, _ := d.Find(`[data-testid="decision-bar"]`).Attr("data-next-image"); v != "https://img.example/b.jpg" {
		t.Errorf("next image %q", v)
	}
}

// A prefetch of a review page does not take the flash meant for the page
// the editor sees next.
func TestPrefetchKeepsTheFlash(t *testing.T) {
	env, alice := triageEnv(t, 2)
	webtest.WantStatus(t, decide(t, env, alice, "t1", "save", url.Values{"quality": {"55"}}), http.StatusSeeOther)
	req := alice.NewRequest(http.MethodGet, articleLoc(t, env, "t2"), nil)
	req.Header.Set("Sec-Purpose", "prefetch")
	if got := webtest.Flashes(alice.Doc(alice.Do(req))); len(got) != 0 {
		t.Errorf("prefetch took the flash %q", got)
	}
	if got := webtest.Flashes(alice.GetDoc(articleLoc(t, env, "t1"))); len(got) != 1 {
		t.Errorf("flashes after the prefetch: %q", got)
	}
}

// BenchmarkReviewPage measures the review page at 100,000 generated
// articles (NEWSDESK_BENCH_ARTICLES), opened from the default queue, from
// the "all" queue 90% of the way down, and without a queue: what the
// queue walk for the progress and the next article costs on top of the
// page. Allocations are per request.
//
//	go test -run '^$' -bench ReviewPage -benchmem ./handlers/
func BenchmarkReviewPage(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a database of 100,000 articles; not in -short")
	}
	n := 100_000
	if v := os.Getenv("NEWSDESK_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("NEWSDESK_BENCH_ARTICLES=%q: want a whole number of at least 1000", v)
		}
	}
	env := webtest.New(b)
	ctx := context.Background()
	g := gen.New(gen.Options{Seed: 1, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	batch := make([]*article.Article, 0, 500)
	for i := range n {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data))
		if err != nil {
			b.Fatal(err)
		}
		if batch = append(batch, a); len(batch) == cap(batch) || i == n-1 {
			if _, err := env.Store.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	queue := func(q db.ListQuery, from string, skip int) string {
		for skip > 0 { // page down as the queue's next link does
			q.Limit = min(db.MaxLimit, skip)
			page, err := env.Store.List(ctx, q)
			if err != nil || page.Next == "" {
				b.Fatalf("paging: %v", err)
			}
			skip -= len(page.Items)
			q.Cursor = page.Next
		}
		q.Limit = db.DefaultLimit
		page, err := env.Store.List(ctx, q)
		if err != nil || len(page.Items) == 0 {
			b.Fatalf("queue page: %v", err)
		}
		if q.Cursor != "" {
			from += "&cursor=" + url.QueryEscape(q.Cursor)
		}
		return webtest.ArticlePath(page.Items[len(page.Items)/2].ID) + "?from=" + url.QueryEscape(from)
	}
	no := false
	cases := []struct{ name, path string }{
		{"from-default-queue", queue(db.ListQuery{Status: article.StatusPending, Published: &no}, pendingQueue, 0)},
		{"from-all-deep", queue(db.ListQuery{}, "published=any&sort=newest&status=all", n*9/10)},
		{"no-queue", webtest.ArticlePath(1)},
	}
	editor := env.LoginNewUser(b, "alice", db.RoleEditor)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := editor.Get(bc.path)
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", bc.path, res.StatusCode)
				}
			}
			b.StopTimer()
			b.Logf("%s: %s", bc.name, webtest.TestIDText(editor.GetDoc(bc.path), "progress"))
			b.StartTimer()
		})
	}
}
