package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// topicsFixture imports articles whose topics the tests below rename and
// merge, decides some of them, and leaves the topic "Gone" on no article.
// Counts (all statuses / pending): AI 3/2, Health 3/1, ai ethics 2/1,
// Robotics 2/0.
func topicsFixture(t *testing.T, env *webtest.Env) map[string]int64 {
	t.Helper()
	ids := env.ImportSpecs(t,
		webtest.Spec{Key: "h1", Title: "One", Topics: []string{"Health", "AI"}},
		webtest.Spec{Key: "h2", Title: "Two", Topics: []string{"AI", "Health", "Robotics"}},
		webtest.Spec{Key: "h3", Title: "Three", Topics: []string{"Health"}},
		webtest.Spec{Key: "e1", Title: "Four", Topics: []string{"ai ethics", "AI"}},
		webtest.Spec{Key: "e2", Title: "Five", Topics: []string{"Robotics", "ai ethics"}},
		webtest.Spec{Key: "g", Title: "Six", Topics: []string{"Gone"}},
	)
	env.SetStatus(t, "h2", article.StatusApproved)
	env.SetStatus(t, "h3", article.StatusRejected)
	env.SetStatus(t, "e2", article.StatusApproved)
	r := env.Record(t, ids["g"])
	if _, err := env.Store.Update(t.Context(), r.ID, db.Edit{Version: r.Version, SetTopics: true, Actor: "setup"}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// topicRows reads the list as "name total pending" lines.
func topicRows(doc *goquery.Document) []string {
	var out []string
	webtest.ByTestID(doc, "topic-row").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("data-topic")
		out = append(out, fmt.Sprintf("%s %s %s", name,
			strings.TrimSpace(s.Find(`[data-testid="topic-total"]`).Text()),
			strings.TrimSpace(s.Find(`[data-testid="topic-pending"]`).Text())))
	})
	return out
}

func TestTopicsList(t *testing.T) {
	env := webtest.New(t)
	topicsFixture(t, env)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	doc := c.GetDoc("/topics")
	want := []string{"AI 3 2", "Health 3 1", "ai ethics 2 1", "Robotics 2 0"}
	if got := topicRows(doc); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q (Gone has no article: not listed)", got, want)
	}
	if got := webtest.TestIDText(doc, "topics-range"); got != "Showing 1–4 of 4 topics" {
		t.Errorf("range %q", got)
	}
	if cur, _ := doc.Find(`nav a[aria-current="page"]`).Attr("href"); cur != "/topics" {
		t.Errorf("current nav link %q, want /topics", cur)
	}

	// Each name opens the queue with the topic, every status; the pending
	// count opens the pending ones. The queue agrees with the counts.
	row := doc.Find(`[data-testid="topic-row"][data-topic="Health"]`)
	href, _ := row.Find(`[data-testid="topic-link"]`).Attr("href")
	if href != "/articles?status=all&topic=Health" {
		t.Errorf("topic link %q", href)
	}
	if got := webtest.TestIDText(c.GetDoc(href), "total"); got != "3 articles" {
		t.Errorf("queue of %s says %q, want 3 articles", href, got)
	}
	href, _ = row.Find(`[data-testid="topic-pending"]`).Attr("href")
	if got := webtest.TestIDText(c.GetDoc(href), "total"); got != "1 article" {
		t.Errorf("queue of %s says %q, want 1 article", href, got)
	}
	// The rename link fills the form in.
	href, _ = row.Find(`[data-testid="topic-rename"]`).Attr("href")
	if v, _ := webtest.ByTestID(c.GetDoc(href), "rename-from").Attr("value"); v != "Health" {
		t.Errorf("%s: rename form's topic %q, want Health", href, v)
	}

	for _, tc := range []struct {
		q     string
		want  []string
		empty bool
	}{
		{q: "ai", want: []string{"AI 3 2", "ai ethics 2 1"}},
		{q: "ETHICS", want: []string{"ai ethics 2 1"}},
		{q: "gone", empty: true}, // known, but on no article
		{q: "<b>nothing</b>", empty: true},
	} {
		doc := c.GetDoc("/topics?q=" + url.QueryEscape(tc.q))
		if got := topicRows(doc); !slices.Equal(got, tc.want) {
			t.Errorf("q=%q: rows %q, want %q", tc.q, got, tc.want)
		}
		if v, _ := webtest.ByTestID(doc, "topics-q").Attr("value"); v != tc.q {
			t.Errorf("q=%q: filter box shows %q", tc.q, v)
		}
		if got := webtest.ByTestID(doc, "topics-empty").Length() == 1; got != tc.empty {
			t.Errorf("q=%q: empty message shown %v, want %v", tc.q, got, tc.empty)
		}
	}
}

// TestTopicsPages: past a page of topics, the list says how many there are
// and pages through them.
func TestTopicsPages(t *testing.T) {
	env := webtest.New(t)
	var specs []webtest.Spec
	for i := range 11 { // 11 articles of 20 topics each: 220 topics
		s := webtest.Spec{Key: fmt.Sprintf("p%02d", i), Title: fmt.Sprintf("Page %d", i)}
		for j := range article.MaxTopics {
			s.Topics = append(s.Topics, fmt.Sprintf("Topic %03d", i*article.MaxTopics+j))
		}
		specs = append(specs, s)
	}
	env.ImportSpecs(t, specs...)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	doc := c.GetDoc("/topics")
	if got := webtest.TestIDText(doc, "topics-range"); got != "Showing 1–200 of 220 topics" {
		t.Errorf("first page: %q", got)
	}
	seen := topicRows(doc)
	next, ok := webtest.ByTestID(doc, "topics-next").Attr("href")
	if !ok || webtest.ByTestID(doc, "topics-prev").Length() != 0 {
		t.Fatalf("first page: next %q, prev shown %v", next, webtest.ByTestID(doc, "topics-prev").Length() != 0)
	}
	doc = c.GetDoc(next)
	if got := webtest.TestIDText(doc, "topics-range"); got != "Showing 201–220 of 220 topics" {
		t.Errorf("second page: %q", got)
	}
	if webtest.ByTestID(doc, "topics-next").Length() != 0 || webtest.ByTestID(doc, "topics-prev").Length() != 1 {
		t.Error("second page: want a previous link and no next")
	}
	seen = append(seen, topicRows(doc)...)
	// Past the end, or a bad offset: the last page, or the first.
	if got := webtest.TestIDText(c.GetDoc("/topics?offset=5000"), "topics-range"); got != "Showing 201–220 of 220 topics" {
		t.Errorf("offset past the end: %q", got)
	}
	if got := webtest.TestIDText(c.GetDoc("/topics?offset=-3"), "topics-range"); got != "Showing 1–200 of 220 topics" {
		t.Errorf("negative offset: %q", got)
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 220 {
		t.Errorf("the two pages show %d distinct topics, want 220", len(seen))
	}
}

// confirmForm reads the confirmation's form: the fields its button posts.
func confirmForm(t *testing.T, doc *goquery.Document) url.Values {
	t.Helper()
	form := webtest.ByTestID(doc, "rename-confirm-form")
	if form.Length() != 1 {
		t.Fatalf("no confirmation form; errors %q %q", webtest.TestIDText(doc, "rename-from-error"), webtest.TestIDText(doc, "rename-to-error"))
	}
	v := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Set(name, val)
	})
	return v
}

// batchUndo posts the Undo button of the page's flash.
func batchUndo(t *testing.T, c *webtest.Client, doc *goquery.Document) *http.Response {
	t.Helper()
	form := webtest.ByTestID(doc, "flash-box").Find("form")
	action, ok := form.Attr("action")
	if !ok || !strings.HasPrefix(action, "/bulk/") {
		t.Fatalf("the flash has no Undo of the batch (form action %q)", action)
	}
	v := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Set(name, val)
	})
	return c.PostForm(action, v)
}

func topicsOf(t *testing.T, env *webtest.Env, ids map[string]int64) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for key, id := range ids {
		out[key] = env.Record(t, id).Topics
	}
	return out
}

func wantTopics(t *testing.T, env *webtest.Env, ids map[string]int64, want map[string][]string) {
	t.Helper()
	for key, ts := range want {
		if got := env.Record(t, ids[key]).Topics; !slices.Equal(got, ts) {
			t.Errorf("%s: topics %q, want %q", key, got, ts)
		}
	}
}

// TestTopicsRename renames a topic through the two steps, with an article
// getting the topic between the count and the confirmation (it keeps the
// old name: the snapshot), then undoes the rename from the flash.
func TestTopicsRename(t *testing.T) {
	env := webtest.New(t)
	ids := topicsFixture(t, env)
	before := topicsOf(t, env, ids)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	resp := c.PostForm("/topics/rename", url.Values{"from": {" health "}, "to": {" Wellbeing "}})
	webtest.WantStatus(t, resp, http.StatusOK)
	doc := c.Doc(resp)
	if got := webtest.TestIDText(doc, "rename-summary"); got != "Rename “Health” to “Wellbeing”: 3 articles" {
		t.Errorf("summary %q", got)
	}
	if got := webtest.TestIDText(doc, "rename-confirm-submit"); got != "Rename on 3 articles" {
		t.Errorf("button %q", got)
	}
	if !slices.Equal(topicsOf(t, env, ids)["h1"], before["h1"]) {
		t.Fatal("the count step changed an article")
	}
	late := env.ImportSpecs(t, webtest.Spec{Key: "late", Title: "Late", Topics: []string{"Health"}})

	resp = c.PostForm("/topics/rename", confirmForm(t, doc))
	webtest.WantRedirect(t, resp, "/topics")
	doc = c.Doc(c.Follow(resp))
	if got := webtest.Flashes(doc); !slices.Equal(got, []string{"Renamed “Health” to “Wellbeing” on 3 articles."}) {
		t.Errorf("flash %q", got)
	}
	wantTopics(t, env, ids, map[string][]string{
		"h1": {"Wellbeing", "AI"}, "h2": {"AI", "Wellbeing", "Robotics"}, "h3": {"Wellbeing"}, "e1": before["e1"],
	})
	if got := env.Record(t, late["late"]).Topics; !slices.Equal(got, []string{"Health"}) {
		t.Errorf("the article imported after the count: topics %q, want [Health]", got)
	}
	if got := topicRows(doc); !slices.Contains(got, "Wellbeing 3 1") || !slices.Contains(got, "Health 1 1") {
		t.Errorf("list after the rename: %q", got)
	}
	h, err := env.Store.History(t.Context(), ids["h3"])
	if err != nil {
		t.Fatal(err)
	}
	if last := h[0]; last.Field != "topics" || last.Actor != webtest.EditorName {
		t.Errorf("h3's last audit entry: %+v, want a topics change by %s", last, webtest.EditorName)
	}

	resp = batchUndo(t, c, doc)
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	wantTopics(t, env, ids, before)
	if got := env.Record(t, late["late"]).Topics; !slices.Equal(got, []string{"Health"}) {
		t.Errorf("undo touched the late article: %q", got)
	}
}

// TestTopicsMerge merges a topic into another that is in use: an article
// with both keeps one; a case-only change respells a topic in place.
func TestTopicsMerge(t *testing.T) {
	env := webtest.New(t)
	ids := topicsFixture(t, env)
	before := topicsOf(t, env, ids)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	doc := c.Doc(c.PostForm("/topics/rename", url.Values{"from": {"ai ethics"}, "to": {"ai"}}))
	if got := webtest.TestIDText(doc, "rename-summary"); got != "Merge “ai ethics” into “AI”: 2 articles" {
		t.Errorf("summary %q", got)
	}
	resp := c.PostForm("/topics/rename", confirmForm(t, doc))
	webtest.WantRedirect(t, resp, "/topics")
	doc = c.Doc(c.Follow(resp))
	if got := webtest.Flashes(doc); !slices.Equal(got, []string{"Merged “ai ethics” into “AI” on 2 articles."}) {
		t.Errorf("flash %q", got)
	}
	wantTopics(t, env, ids, map[string][]string{"e1": {"AI"}, "e2": {"Robotics", "AI"}, "h1": before["h1"]})
	if got := topicRows(doc); !slices.Equal(got, []string{"AI 4 2", "Health 3 1", "Robotics 2 0"}) {
		t.Errorf("list after the merge: %q", got)
	}
}

// TestTopicsRespell: a name that differs from the topic's only in case
// respells the topic, on every article of the count, and is undone as a
// whole.
func TestTopicsRespell(t *testing.T) {
	env := webtest.New(t)
	ids := topicsFixture(t, env)
	before := topicsOf(t, env, ids)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	doc := c.Doc(c.PostForm("/topics/rename", url.Values{"from": {"Robotics"}, "to": {"ROBOTICS"}}))
	if got := webtest.TestIDText(doc, "rename-summary"); got != "Rename “Robotics” to “ROBOTICS”: 2 articles" {
		t.Errorf("summary %q", got)
	}
	doc = c.Doc(c.Follow(c.PostForm("/topics/rename", confirmForm(t, doc))))
	if got := webtest.Flashes(doc); !slices.Equal(got, []string{"Renamed “Robotics” to “ROBOTICS” on 2 articles."}) {
		t.Errorf("flash %q", got)
	}
	if got := topicRows(doc); !slices.Contains(got, "ROBOTICS 2 0") || slices.Contains(got, "Robotics 2 0") {
		t.Errorf("list after the respelling: %q", got)
	}
	wantTopics(t, env, ids, map[string][]string{"h2": {"AI", "Health", "ROBOTICS"}, "e2": {"ROBOTICS", "ai ethics"}})
	webtest.WantStatus(t, batchUndo(t, c, doc), http.StatusSeeOther)
	wantTopics(t, env, ids, before)
	if got := topicRows(c.GetDoc("/topics")); !slices.Contains(got, "Robotics 2 0") {
		t.Errorf("list after the undo: %q", got)
	}
}

// TestTopicsRenameRefused: every form that cannot be done is shown again
// with its message and a 4xx, and writes nothing.
func TestTopicsRenameRefused(t *testing.T) {
	env := webtest.New(t)
	topicsFixture(t, env)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	// A count the admin took: the editor cannot confirm it.
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	others := confirmForm(t, admin.Doc(admin.PostForm("/topics/rename", url.Values{"from": {"AI"}, "to": {"KI"}})))["snapshot"][0]

	for _, tc := range []struct {
		name    string
		form    url.Values
		status  int
		errorID string // the field message shown; "" for an error page
		want    string
	}{
		{"no topic", url.Values{"from": {""}, "to": {"X"}}, 422, "rename-from-error", "Choose the topic to rename."},
		{"unknown topic", url.Values{"from": {"Nope"}, "to": {"X"}}, 404, "rename-from-error", "There is no topic “Nope”"},
		{"topic on no article", url.Values{"from": {"gone"}, "to": {"X"}}, 422, "rename-from-error", "No article has “Gone” any more"},
		{"no new name", url.Values{"from": {"Health"}, "to": {"  "}}, 422, "rename-to-error", "The new name is empty."},
		{"new name too long", url.Values{"from": {"Health"}, "to": {strings.Repeat("é", 65)}}, 422, "rename-to-error", "is 65 characters long; the limit is 64"},
		{"control character", url.Values{"from": {"Health"}, "to": {"A\tB"}}, 422, "rename-to-error", "control character (U+0009)"},
		{"invisible character", url.Values{"from": {"Health"}, "to": {"A\u200bI"}}, 422, "rename-to-error", "invisible formatting character (U+200B)"},
		{"its own name", url.Values{"from": {"health"}, "to": {"Health"}}, 422, "rename-to-error", "“Health” is its name already"},
		{"bad count", url.Values{"from": {"Health"}, "to": {"X"}, "snapshot": {"abc"}}, 400, "", ""},
		{"unknown count", url.Values{"from": {"Health"}, "to": {"X"}, "snapshot": {"99999"}}, 404, "rename-from-error", "There is no such count"},
		{"another editor's count", url.Values{"from": {"AI"}, "to": {"KI"}, "snapshot": {others}}, 403, "rename-from-error", "taken by someone else"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := env.Snapshot(t)
			resp := c.PostForm("/topics/rename", tc.form)
			webtest.WantStatus(t, resp, tc.status)
			doc := c.Doc(resp)
			if tc.errorID != "" {
				if got := webtest.TestIDText(doc, tc.errorID); !strings.Contains(got, tc.want) {
					t.Errorf("%s: %q, want %q in it", tc.errorID, got, tc.want)
				}
				// The form comes back with what was typed, and the list.
				if v, _ := webtest.ByTestID(doc, "rename-to").Attr("value"); v != strings.TrimSpace(tc.form.Get("to")) {
					t.Errorf("new name shown again as %q", v)
				}
				if webtest.ByTestID(doc, "topic-row").Length() == 0 {
					t.Error("the list is missing")
				}
			}
			if env.Snapshot(t) != before {
				t.Error("a refused rename changed the store")
			}
		})
	}
}

// TestTopicsRenameCSRF: without the session's token, or from another
// site, the rename is refused at either step.
func TestTopicsRenameCSRF(t *testing.T) {
	env := webtest.New(t)
	topicsFixture(t, env)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	confirm := confirmForm(t, c.Doc(c.PostForm("/topics/rename", url.Values{"from": {"Health"}, "to": {"Wellbeing"}})))
	good := c.CSRFToken()
	before := env.Snapshot(t)
	for _, tc := range []struct {
		name    string
		token   string
		headers map[string]string
	}{
		{name: "no token"},
		{name: "no token, Sec-Fetch-Site same-origin", headers: map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{name: "wrong token", token: "AAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{name: "good token, cross-site", token: good, headers: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		for _, form := range []url.Values{{"from": {"Health"}, "to": {"Wellbeing"}}, confirm} {
			v := url.Values{}
			for k, vs := range form {
				v[k] = vs
			}
			v.Del("_csrf")
			if tc.token != "" {
				v.Set("_csrf", tc.token)
			}
			req := c.NewRequest(http.MethodPost, "/topics/rename", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, h := range tc.headers {
				req.Header.Set(k, h)
			}
			if resp := c.Do(req); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", tc.name, resp.StatusCode)
			}
		}
	}
	if env.Snapshot(t) != before {
		t.Error("a refused POST changed the store")
	}
}

// A rename of more articles than a request changes (a queue page's worth)
// runs as a job, with the context of its own that the request's deadline
// cannot end: 303 to its progress page, which only its starter sees and
// which refreshes itself, then the list with the flash and its Undo.
func TestTopicsRenameLargeRunsAsJob(t *testing.T) {
	env := webtest.New(t)
	var specs []webtest.Spec
	for i := range db.MaxLimit + 2 {
		specs = append(specs, webtest.Spec{Key: fmt.Sprintf("t%03d", i), Title: fmt.Sprintf("Number %d", i), Topics: []string{"Health"}})
	}
	ids := env.ImportSpecs(t, specs...)
	env.CreateUser(t, "bob", webtest.UserPassword("bob"), db.RoleEditor)
	bob := env.Login(t, "bob", webtest.UserPassword("bob"))
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	resp := c.PostForm("/topics/rename?q=heal", url.Values{"from": {"Health"}, "to": {"Wellbeing"}, "q": {"heal"}})
	webtest.WantStatus(t, resp, http.StatusOK)
	resp = c.PostForm("/topics/rename", confirmForm(t, c.Doc(resp)))
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	job := resp.Header.Get("Location")
	if !strings.HasPrefix(job, "/topics/jobs/") {
		t.Fatalf("a large rename redirects to %q, want its progress page", job)
	}
	webtest.WantStatus(t, bob.Get(job), http.StatusNotFound)
	var doc *goquery.Document
	for range 400 {
		resp := c.Get(job)
		if resp.StatusCode == http.StatusOK {
			if resp.Header.Get("Refresh") == "" || webtest.ByTestID(c.Doc(resp), "bulk-progress").Length() != 1 {
				t.Fatal("a progress page that does not refresh itself")
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		webtest.WantRedirect(t, resp, "/topics?q=heal")
		doc = c.Doc(c.Follow(resp))
		break
	}
	if doc == nil {
		t.Fatal("the job did not finish")
	}
	want := fmt.Sprintf("Renamed “Health” to “Wellbeing” on %d articles.", db.MaxLimit+2)
	if got := webtest.Flashes(doc); !slices.Equal(got, []string{want}) {
		t.Errorf("flash %q, want %q", got, want)
	}
	if got := env.Record(t, ids["t000"]).Topics; !slices.Equal(got, []string{"Wellbeing"}) {
		t.Errorf("t000 topics %q", got)
	}
	webtest.WantStatus(t, batchUndo(t, c, doc), http.StatusSeeOther)
	if got := env.Record(t, ids["t000"]).Topics; !slices.Equal(got, []string{"Health"}) {
		t.Errorf("after the undo, t000 topics %q", got)
	}
}
