package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

const seedPath = "../testdata/seed/000_6ef551387f7f8ea7.txt"
const seedKey = "000_6ef551387f7f8ea7"

// The editors of these tests have names, since the history and the
// conflict page say who did what: alice is the one whose pages the tests
// read, bob saves in between.
func loginAlice(t *testing.T, env *webtest.Env) *webtest.Client {
	return env.LoginNewUser(t, "alice", db.RoleEditor)
}

func loginBob(t *testing.T, env *webtest.Env) *webtest.Client {
	return env.LoginNewUser(t, "bob", db.RoleEditor)
}

// seedEnv is a server holding the seed article (its id is returned) with
// alice logged in.
func seedEnv(t *testing.T) (*webtest.Env, *webtest.Client, int64) {
	t.Helper()
	env := webtest.New(t)
	ids := env.ImportFiles(t, seedPath)
	return env, loginAlice(t, env), ids[seedKey]
}

func TestReviewPageShowsTheArticle(t *testing.T) {
	_, alice, id := seedEnv(t)
	res := alice.Get(webtest.ArticlePath(id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	d := alice.Doc(res)
	checks := map[string]string{
		"title":    "NHS report calls for artificial intelligence training for all staff",
		"provider": "Digital Health (digitalhealth.net)",
		"quality":  "56",
		"heat":     "66",
		"category": "news",
		"type":     "article",
		"status":   "pending",
		"secured":  "A secured payload is present (not shown, never changed).",
	}
	for tid, want := range checks {
		if got := strings.Join(strings.Fields(webtest.TestIDText(d, tid)), " "); got != want {
			t.Errorf("%s = %q, want %q", tid, got, want)
		}
	}
	a := d.Find(`[data-testid="original-url"] a`)
	if href, _ := a.Attr("href"); !strings.HasPrefix(href, "https://www.digitalhealth.net/2022/11/") {
		t.Errorf("original link %q", href)
	}
	if tg, _ := a.Attr("target"); tg != "_blank" {
		t.Errorf("target %q", tg)
	}
	if rel, _ := a.Attr("rel"); rel != "noopener noreferrer" {
		t.Errorf("rel %q", rel)
	}
	img := d.Find(`[data-testid="image"] img`)
	if src, _ := img.Attr("src"); !strings.HasSuffix(src, "AI-for-NHS-staff-1.jpg") {
		t.Errorf("image src %q", src)
	}
	if alt, ok := img.Attr("alt"); !ok || alt == "" {
		t.Error("image without alt")
	}
	rel := webtest.TestIDTexts(d, "related")
	if len(rel) != 1 || !strings.Contains(rel[0], "All NHS staff should have basic AI training") || !strings.Contains(rel[0], "Computer Weekly") || !strings.Contains(rel[0], "41") {
		t.Errorf("related = %q", rel)
	}
	// The form holds the stored values.
	form := d.Find(`form[data-testid="review-form"]`)
	if m, _ := form.Attr("method"); m != "post" {
		t.Errorf("form method %q", m)
	}
	if act, _ := form.Attr("action"); act != webtest.ArticlePath(id) {
		t.Errorf("form action %q", act)
	}
	if v := inputValue(d, "quality"); v != "56" {
		t.Errorf("quality input %q", v)
	}
	if got := topicInputs(d); !slices.Equal(got, []string{"AI Ethics", "AI", "AI in Healthcare"}) {
		t.Errorf("topic inputs %q", got)
	}
	if d.Find(`#published`).Is(":checked") {
		t.Error("published is checked")
	}
	if v, _ := d.Find(`input[name=status]:checked`).Attr("value"); v != "pending" {
		t.Errorf("status radio %q", v)
	}
	if v := inputValue(d, "version"); v != "1" {
		t.Errorf("version %q", v)
	}
	if d.Find(`[data-testid="history-empty"]`).Length() != 1 {
		t.Error("history is not empty")
	}
	// The slider does not submit: only the number field carries a name.
	if d.Find(`input[name="quality"]`).Length() != 1 {
		t.Error("more than one field submits the quality")
	}
}

func inputValue(d *goquery.Document, name string) string {
	v, _ := d.Find(`form[data-testid="review-form"] [name="` + name + `"]`).First().Attr("value")
	return v
}

func topicInputs(d *goquery.Document) []string {
	var out []string
	d.Find(`[data-testid="topic-input"]`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		out = append(out, v)
	})
	return out
}

func TestReviewPageEscapesAndRefusesUnsafeLinks(t *testing.T) {
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{"evil.md": `---
title: "<script>alert('title')</script>"
excerpt: "<img src=x onerror=alert(1)>"
originalUrl: "javascript:alert(1)"
webUrl: "data:text/html,<script>alert(2)</script>"
provider: {name: "<b>Prov</b>", domain: "x.example"}
images:
  - url: "javascript:alert(3)"
related:
  - title: "<i>rel</i>"
    webUrl: "JavaScript:alert(4)"
---
Body <script>alert(5)</script>

second paragraph
`})
	alice := loginAlice(t, env)
	res := alice.Get(webtest.ArticlePath(ids["evil"]))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	body := alice.Text(res)
	for _, bad := range []string{"<script>alert", "<img src=x", "<b>Prov", "<i>rel", `href="javascript`, `href="data:`, `src="javascript`, `href="JavaScript`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	d := alice.Doc(res)
	if got := webtest.TestIDText(d, "title"); got != "<script>alert('title')</script>" {
		t.Errorf("title shown as %q", got)
	}
	for _, tid := range []string{"original-url", "web-url"} {
		sel := d.Find(`[data-testid="` + tid + `"]`)
		if sel.Find("a").Length() != 0 {
			t.Errorf("%s is a link", tid)
		}
		if !strings.Contains(sel.Text(), ":") {
			t.Errorf("%s not shown as text: %q", tid, sel.Text())
		}
	}
	if d.Find(`[data-testid="image"] img`).Length() != 0 {
		t.Error("javascript: image rendered")
	}
	if d.Find(`[data-testid="related"] a`).Length() != 0 {
		t.Error("javascript: related link rendered")
	}
	// The body is Markdown; HTML in it is shown as the text it is.
	if paras := d.Find(`[data-testid="body"] p`); paras.Length() != 2 || strings.TrimSpace(paras.First().Text()) != "Body <script>alert(5)</script>" {
		t.Errorf("body paragraphs: %d, %q", paras.Length(), paras.First().Text())
	}
	if d.Find(`[data-testid="body"] script`).Length() != 0 {
		t.Error("script in the body")
	}
}

func TestReviewPageNotFound(t *testing.T) {
	_, alice, _ := seedEnv(t)
	for _, p := range []string{"/articles/abc", "/articles/0", "/articles/-1", "/articles/999999", "/articles/1e3"} {
		if res := alice.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d", p, res.StatusCode)
		}
		if res := alice.PostForm(p, url.Values{"version": {"1"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: status %d", p, res.StatusCode)
		}
	}
}

// validForm is a save of the seed article that passes validation.
func validForm(version int64) url.Values {
	return url.Values{
		"version": {strconv.FormatInt(version, 10)},
		"quality": {"80"},
		"topics":  {"AI Ethics", "AI", "AI in Healthcare"},
		"status":  {"approved"},
		"note":    {""},
		"action":  {"save"},
	}
}

func TestSaveValidationErrorsStoreNothing(t *testing.T) {
	long := strings.Repeat("x", 65)
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("T%d", i)
	}
	tests := []struct {
		name   string
		change func(url.Values)
		errID  string // data-testid of the error message
	}{
		{"quality not a number", func(v url.Values) { v.Set("quality", "abc") }, "quality-error"},
		{"quality empty", func(v url.Values) { v.Set("quality", "") }, "quality-error"},
		{"quality too high", func(v url.Values) { v.Set("quality", "101") }, "quality-error"},
		{"quality negative", func(v url.Values) { v.Set("quality", "-1") }, "quality-error"},
		{"quality fraction", func(v url.Values) { v.Set("quality", "50.5") }, "quality-error"},
		{"empty topic", func(v url.Values) { v["topics"] = []string{"AI", "  "} }, "topic-1-error"},
		{"topic too long", func(v url.Values) { v["topics"] = []string{long} }, "topic-0-error"},
		{"new topic too long", func(v url.Values) { v.Set("new_topic", long) }, "new-topic-error"},
		{"too many topics", func(v url.Values) { v["topics"] = many }, "topics-error"},
		{"too many topics by lines", func(v url.Values) { v["topics"] = []string{strings.Join(many, "\n")} }, "topics-error"},
		{"unknown status", func(v url.Values) { v.Set("status", "published") }, "status-error"},
		{"no status", func(v url.Values) { v.Del("status") }, "status-error"},
		{"note too long", func(v url.Values) { v.Set("note", strings.Repeat("n", 2001)) }, "note-error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, alice, id := seedEnv(t)
			form := validForm(1)
			form.Set("note", "my note")
			tt.change(form)
			res := alice.PostForm(webtest.ArticlePath(id), form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			d := alice.Doc(res)
			if webtest.TestIDText(d, tt.errID) == "" {
				t.Errorf("no %s", tt.errID)
			}
			if d.Find(`[data-testid="form-errors"]`).Length() != 1 {
				t.Error("no error summary")
			}
			if title := d.Find("title").Text(); !strings.HasPrefix(title, "Error: ") {
				t.Errorf("page title %q does not say Error", title)
			}
			// The editor's values come back.
			if got, want := inputValue(d, "quality"), form.Get("quality"); got != want && tt.errID != "quality-error" {
				t.Errorf("quality input %q, want %q", got, want)
			}
			if got := d.Find(`#note`).Text(); got != form.Get("note") && tt.errID != "note-error" {
				t.Errorf("note %q", got)
			}
			// The error is tied to its field.
			if sel := d.Find(`[aria-describedby~="` + tt.errID + `"]`); sel.Length() == 0 {
				t.Errorf("no field is described by %s", tt.errID)
			}
			r := env.Record(t, id)
			if r.Version != 1 || r.Quality != 56 || r.Status != article.StatusPending || r.Note != "" {
				t.Errorf("stored: version %d quality %d status %s note %q", r.Version, r.Quality, r.Status, r.Note)
			}
		})
	}
}

// TestSaveRefusesFormsNoPageSends: a field of one value sent twice, an
// unknown action or no version is a 400 that says what, and stores
// nothing.
func TestSaveRefusesFormsNoPageSends(t *testing.T) {
	tests := []struct {
		name   string
		change func(url.Values)
		want   string // in the 400 page
	}{
		{"two qualities", func(v url.Values) { v["quality"] = []string{"50", "60"} }, "2 values for quality"},
		{"two statuses", func(v url.Values) { v["status"] = []string{"pending", "rejected"} }, "2 values for status"},
		{"two versions", func(v url.Values) { v["version"] = []string{"1", "1"} }, "2 values for version"},
		{"unknown action", func(v url.Values) { v.Set("action", "publish-all") }, `"publish-all", which is not an action`},
		{"no version", func(v url.Values) { v.Del("version") }, "no valid version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, alice, id := seedEnv(t)
			form := validForm(1)
			form.Set("quality", "70")
			tt.change(form)
			res := alice.PostForm(webtest.ArticlePath(id), form)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			if body := alice.Doc(res).Text(); !strings.Contains(body, tt.want) {
				t.Errorf("the 400 page does not say %q", tt.want)
			}
			if r := env.Record(t, id); r.Version != 1 || r.Quality != 56 {
				t.Errorf("stored: version %d quality %d; want the article untouched", r.Version, r.Quality)
			}
		})
	}
}

func TestSaveValidationForHTMXIs200(t *testing.T) {
	_, alice, id := seedEnv(t)
	form := validForm(1)
	form.Set("quality", "abc")
	form.Set("_csrf", alice.CSRFToken())
	req := alice.NewRequest(http.MethodPost, webtest.ArticlePath(id), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	res := alice.Do(req)
	if res.StatusCode != http.StatusOK || !strings.Contains(alice.Text(res), "quality-error") {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestSaveStoresAndRedirects(t *testing.T) {
	env, alice, id := seedEnv(t)
	form := validForm(1)
	form["topics"] = []string{"ai ethics", "AI", "AI in Healthcare", "New Topic\nSecond\n"}
	form["remove_topic"] = []string{"2"}
	form.Set("new_topic", "  extra  ")
	form.Set("published", "on")
	form.Set("note", "Checked the figures.\r\nFine.")
	form.Set("from", "status=pending&published=no&sort=newest&evil=http://x")
	res := alice.PostForm(webtest.ArticlePath(id), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %.300s", res.StatusCode, alice.Bytes(res))
	}
	loc := res.Header.Get("Location")
	if want := webtest.ArticlePath(id) + "?from=" + url.QueryEscape("published=no&sort=newest&status=pending"); loc != want {
		t.Errorf("Location %q, want %q", loc, want)
	}
	r := env.Record(t, id)
	wantTopics := []string{"AI Ethics", "AI", "New Topic", "Second", "extra"}
	if r.Quality != 80 || !r.Published || r.Status != article.StatusApproved || !slices.Equal(r.Topics, wantTopics) || r.Note != "Checked the figures.\nFine." || r.Version != 2 {
		t.Errorf("stored %+v", r)
	}
	// After reload the page shows the new values and the history.
	d := alice.GetDoc(loc)
	wantFlash := "Approved “NHS report calls for artificial intelligence training for…”: quality 56 → 80, " +
		"topics changed (new topics “New Topic”, “Second”, “extra”), published on the site, note changed."
	if flash := webtest.TestIDText(d, "flash"); flash != wantFlash {
		t.Errorf("flash %q\nwant  %q", flash, wantFlash)
	}
	if v := inputValue(d, "quality"); v != "80" {
		t.Errorf("quality %q", v)
	}
	if got := topicInputs(d); !slices.Equal(got, wantTopics) {
		t.Errorf("topics %q", got)
	}
	if !d.Find(`#published`).Is(":checked") {
		t.Error("published not checked")
	}
	if v, _ := d.Find(`input[name=status]:checked`).Attr("value"); v != "approved" {
		t.Errorf("status %q", v)
	}
	var hist []string
	bracketItems(d)
	for _, h := range webtest.TestIDTexts(d, "history-entry") {
		hist = append(hist, strings.Join(strings.Fields(h), " "))
	}
	all := strings.Join(hist, "\n")
	for _, want := range []string{
		"alice changed quality from 56 to 80",
		"alice changed topics from [AI Ethics] [AI] [AI in Healthcare] to [AI Ethics] [AI] [New Topic] [Second] [extra]",
		"alice changed published from no to yes",
		"alice changed status from pending to approved",
		"alice changed note from (empty) to Checked the figures. Fine.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("history lacks %q:\n%s", want, all)
		}
	}
	if href, _ := d.Find(`[data-testid="back-to-queue"]`).Attr("href"); href != "/articles?published=no&sort=newest&status=pending" {
		t.Errorf("back link %q", href)
	}
	// Saving the same values again changes nothing.
	form = validForm(2)
	form["topics"] = wantTopics
	form.Set("published", "on")
	form.Set("note", "Checked the figures.\nFine.")
	if res := alice.PostForm(webtest.ArticlePath(id), form); res.StatusCode != http.StatusSeeOther || env.Record(t, id).Version != 2 {
		t.Errorf("unchanged save: status %d, version %d", res.StatusCode, env.Record(t, id).Version)
	}
}

func TestSaveAndNextFollowsTheQueue(t *testing.T) {
	env := webtest.New(t)
	env.ImportSpecs(t,
		webtest.Spec{Key: "n1", Title: "First", Date: day(5)},
		webtest.Spec{Key: "n2", Title: "Second", Date: day(4)},
		webtest.Spec{Key: "n3", Title: "Third", Date: day(3)},
		webtest.Spec{Key: "n4", Title: "Fourth", Date: day(2)},
	)
	env.SetStatus(t, "n2", article.StatusApproved) // not pending: skipped in an all-status queue
	alice := loginAlice(t, env)
	from := "status=all&published=no&sort=newest"
	save := func(key string) string {
		t.Helper()
		id := env.ID(t, key)
		form := validForm(env.Record(t, id).Version)
		form["topics"] = nil
		form.Set("from", from)
		form.Set("action", "next")
		res := alice.PostForm(webtest.ArticlePath(id), form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %s: status %d", key, res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	loc := save("n1")
	if want := webtest.ArticlePath(env.ID(t, "n3")) + "?from="; !strings.HasPrefix(loc, want) {
		t.Errorf("after n1: %q, want %s…", loc, want)
	}
	if loc := save("n3"); !strings.HasPrefix(loc, webtest.ArticlePath(env.ID(t, "n4"))+"?from=") {
		t.Errorf("after n3: %q", loc)
	}
	if loc := save("n4"); loc != "/articles?published=no&sort=newest&status=all" {
		t.Errorf("after the last: %q", loc)
	}
	// In the default (pending) queue, the saved article drops out, and the
	// next is still the one after it.
	e2 := webtest.New(t)
	e2.ImportSpecs(t, webtest.Spec{Key: "m1", Title: "M1", Date: day(5)}, webtest.Spec{Key: "m2", Title: "M2", Date: day(4)}, webtest.Spec{Key: "m3", Title: "M3", Date: day(3)})
	alice2 := loginAlice(t, e2)
	id := e2.ID(t, "m2")
	form := validForm(1)
	form["topics"] = nil
	form.Set("from", "status=pending&published=no&sort=newest")
	form.Set("action", "next")
	res := alice2.PostForm(webtest.ArticlePath(id), form)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, webtest.ArticlePath(e2.ID(t, "m3"))+"?") {
		t.Errorf("next of m2: %q", loc)
	}
	// Without a queue, "next" falls back to the default queue's first.
	form.Set("version", "2")
	form.Del("from")
	res = alice2.PostForm(webtest.ArticlePath(id), form)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, webtest.ArticlePath(e2.ID(t, "m1"))+"?") {
		t.Errorf("next without a queue: %q", loc)
	}
}

func TestStaleSaveShowsTheConflict(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	// Bob saves first.
	bobForm := validForm(1)
	bobForm.Set("quality", "70")
	bobForm.Set("status", "rejected")
	if res := bob.PostForm(webtest.ArticlePath(id), bobForm); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob: status %d", res.StatusCode)
	}
	// Alice saves on the version she loaded.
	aliceForm := validForm(1)
	aliceForm.Set("quality", "80")
	aliceForm.Set("published", "on")
	aliceForm.Set("from", "status=pending&published=no&sort=newest")
	res := alice.PostForm(webtest.ArticlePath(id), aliceForm)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("status %d", res.StatusCode)
	}
	r := env.Record(t, id)
	if r.Quality != 70 || r.Status != article.StatusRejected || r.Published || r.Version != 2 {
		t.Fatalf("the stale save wrote: %+v", r)
	}
	d := alice.Doc(res)
	bracketItems(d)
	row := func(field string) (mine, theirs, by string, differs bool) {
		s := d.Find(`[data-testid="conflict-` + field + `"]`)
		v, _ := s.Attr("data-differs")
		return strings.TrimSpace(s.Find(`[data-testid="mine"]`).Text()), strings.TrimSpace(s.Find(`[data-testid="theirs"]`).Text()),
			strings.TrimSpace(s.Find(`[data-testid="changed-by"]`).Text()), v == "true"
	}
	tests := []struct {
		field, mine, theirs string
		differs             bool
		by                  string
	}{
		{"quality", "80", "70", true, "bob"},
		{"status", "approved", "rejected", true, "bob"},
		{"published", "yes", "no", true, ""},
		{"topics", "[AI Ethics] [AI] [AI in Healthcare]", "[AI Ethics] [AI] [AI in Healthcare]", false, ""},
		{"note", "(empty)", "(empty)", false, ""},
	}
	for _, tt := range tests {
		mine, theirs, by, differs := row(tt.field)
		if mine != tt.mine || theirs != tt.theirs || differs != tt.differs || !strings.Contains(by, tt.by) {
			t.Errorf("%s: mine %q theirs %q differs %v by %q", tt.field, mine, theirs, differs, by)
		}
	}
	if href, _ := d.Find(`[data-testid="take-theirs"]`).Attr("href"); !strings.HasPrefix(href, webtest.ArticlePath(id)) {
		t.Errorf("take theirs → %q", href)
	}
	// Keep mine: post the conflict form as it is.
	keep := keepMineForm(d)
	if keep.Get("version") != "2" {
		t.Errorf("keep mine posts version %q", keep.Get("version"))
	}
	res = alice.PostForm(webtest.ArticlePath(id), keep)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep mine: status %d", res.StatusCode)
	}
	r = env.Record(t, id)
	if r.Quality != 80 || r.Status != article.StatusApproved || !r.Published || r.Version != 3 {
		t.Errorf("after keep mine: %+v", r)
	}
}

// bracketItems writes each listed topic of d in brackets, so a test can
// read a list from the text: "[AI] [Smith, John]".
func bracketItems(d *goquery.Document) {
	d.Find(".topic-list li").Each(func(_ int, li *goquery.Selection) {
		li.SetText("[" + strings.TrimSpace(li.Text()) + "] ")
	})
}

// A topic may hold a comma: the history and the conflict page show
// topics as lists, so "Smith, John" is one topic, not two.
func TestTopicsAreShownAsLists(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	form := validForm(1)
	form["topics"] = []string{"Smith, John", "AI"}
	if res := bob.PostForm(webtest.ArticlePath(id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d", res.StatusCode)
	}
	d := alice.GetDoc(webtest.ArticlePath(id))
	var items []string
	d.Find(`[data-testid="history-entry"] .topic-list.new li`).Each(func(_ int, li *goquery.Selection) {
		items = append(items, li.Text())
	})
	if !slices.Equal(items, []string{"Smith, John", "AI"}) {
		t.Errorf("history shows the new topics as %q", items)
	}
	res := alice.PostForm(webtest.ArticlePath(id), validForm(1)) // stale
	items = nil
	alice.Doc(res).Find(`[data-testid="conflict-topics"] [data-testid="theirs"] li`).Each(func(_ int, li *goquery.Selection) {
		items = append(items, li.Text())
	})
	if !slices.Equal(items, []string{"Smith, John", "AI"}) {
		t.Errorf("the conflict page shows the stored topics as %q", items)
	}
}

// keepMineForm is what the conflict page's "Keep mine" button posts.
func keepMineForm(d *goquery.Document) url.Values {
	keep := url.Values{}
	d.Find(`form[data-testid="keep-mine-form"] input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		keep.Add(n, v)
	})
	btn := d.Find(`[data-testid="keep-mine"]`)
	n, _ := btn.Attr("name")
	v, _ := btn.Attr("value")
	keep.Set(n, v)
	return keep
}

// An editor who left an article's quality empty ("still none") meets a
// save that set one: keeping their other values must keep that quality,
// as the conflict page says, not fail on an empty field.
func TestKeepMineKeepsAQualitySetMeanwhile(t *testing.T) {
	env := webtest.New(t)
	id := env.ImportFiles(t, "../testdata/articles/valid/minimal.md")["minimal"]
	alice := loginAlice(t, env)
	bob := loginBob(t, env)
	bobForm := validForm(1)
	bobForm.Set("quality", "40")
	bobForm["topics"] = nil
	bobForm.Set("status", "pending")
	if res := bob.PostForm(webtest.ArticlePath(id), bobForm); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob: status %d", res.StatusCode)
	}
	aliceForm := validForm(1)
	aliceForm.Set("quality", "")
	aliceForm["topics"] = nil
	aliceForm.Set("status", "rejected")
	res := alice.PostForm(webtest.ArticlePath(id), aliceForm)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("alice: status %d", res.StatusCode)
	}
	d := alice.Doc(res)
	if got := strings.TrimSpace(d.Find(`[data-testid="conflict-quality"] [data-testid="mine"]`).Text()); got != "40 (unchanged)" {
		t.Errorf("mine quality shown as %q", got)
	}
	res = alice.PostForm(webtest.ArticlePath(id), keepMineForm(d))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep mine: status %d, want 303", res.StatusCode)
	}
	if r := env.Record(t, id); !r.HasQuality || r.Quality != 40 || r.Status != article.StatusRejected {
		t.Errorf("after keep mine: quality %d (%v), status %s", r.Quality, r.HasQuality, r.Status)
	}
}

func TestStaleSaveOfTheSameValuesIsNoConflict(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	form := validForm(1)
	if res := bob.PostForm(webtest.ArticlePath(id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob: status %d", res.StatusCode)
	}
	res := alice.PostForm(webtest.ArticlePath(id), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	if r := env.Record(t, id); r.Version != 2 {
		t.Errorf("version %d", r.Version)
	}
}

// The review form must carry a real CSRF token however the page was
// requested (labstack/echo#2874: same-origin requests skip the check and
// may leave a placeholder token in the context).
func TestReviewFormCarriesARealCSRFToken(t *testing.T) {
	for _, site := range []string{"", "same-origin"} {
		t.Run("Sec-Fetch-Site="+site, func(t *testing.T) {
			env := webtest.New(t)
			path := webtest.ArticlePath(env.ImportFiles(t, seedPath)[seedKey])
			c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
			if site != "" {
				c.Header.Set("Sec-Fetch-Site", site)
			}
			d := c.Doc(c.Get(path))
			form := url.Values{}
			d.Find(`form[data-testid="review-form"] input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
				n, _ := s.Attr("name")
				v, _ := s.Attr("value")
				form.Set(n, v)
			})
			if len(form.Get("_csrf")) < 16 {
				t.Fatalf("form token %q", form.Get("_csrf"))
			}
			// Posted without Sec-Fetch-Site, the token alone must pass.
			c.Header.Del("Sec-Fetch-Site")
			form.Set("quality", "60")
			form.Set("status", "pending")
			if res := c.PostForm(path, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: status %d", res.StatusCode)
			}
		})
	}
}

func TestSaveWithoutQualityKeepsNone(t *testing.T) {
	env := webtest.New(t)
	id := env.ImportFiles(t, "../testdata/articles/valid/minimal.md")["minimal"]
	alice := loginAlice(t, env)
	d := alice.GetDoc(webtest.ArticlePath(id))
	if v := inputValue(d, "quality"); v != "" {
		t.Fatalf("quality input %q", v)
	}
	form := validForm(1)
	form.Set("quality", "")
	form["topics"] = nil
	if res := alice.PostForm(webtest.ArticlePath(id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	if r := env.Record(t, id); r.HasQuality || r.Status != article.StatusApproved {
		t.Errorf("stored %+v", r)
	}
	form.Set("version", "2")
	form.Set("quality", "42")
	if res := alice.PostForm(webtest.ArticlePath(id), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	if r := env.Record(t, id); !r.HasQuality || r.Quality != 42 {
		t.Errorf("stored quality %d (%v)", r.Quality, r.HasQuality)
	}
}

// TestReviewPageShowsTheStartOfALongBody: a body past 256 KB is shown up
// to a line break before it, with a note; a short one whole, without.
func TestReviewPageShowsTheStartOfALongBody(t *testing.T) {
	env := webtest.New(t)
	line := strings.Repeat("word ", 19) + "end\n" // 100 bytes
	long := strings.Repeat(line, 4000)            // 400 KB
	ids := env.ImportText(t, map[string]string{
		"long.md":  "---\ntitle: Long\n---\n" + long + "LAST LINE\n",
		"short.md": "---\ntitle: Short\n---\nOnly this.\n",
	})
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	resp := c.Get(webtest.ArticlePath(ids["long"]))
	page := c.Text(resp)
	if len(page) > 300_000 {
		t.Errorf("the page is %d bytes for a 400 KB body", len(page))
	}
	d := c.Doc(resp)
	if note := webtest.TestIDText(d, "body-cut"); !strings.Contains(note, "0.4 MB") {
		t.Errorf("body-cut note %q, want the body's size", note)
	}
	if strings.Contains(page, "LAST LINE") {
		t.Error("the end of the long body is on the page")
	}
	d = c.GetDoc(webtest.ArticlePath(ids["short"]))
	if d.Find(`[data-testid="body-cut"]`).Length() != 0 || !strings.Contains(webtest.TestIDText(d, "body"), "Only this.") {
		t.Error("a short body is not shown whole, or has the note")
	}
}
