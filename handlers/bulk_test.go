package handlers_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
	"github.com/newsdesk/newsdesk/web/webtest"
	_ "modernc.org/sqlite"
)

// bulkEnv is a server with articles a, b, c (pending, topic Health) and
// alice and bob logged in.
type bulkEnv struct {
	env        *webtest.Env
	ids        map[string]int64
	alice, bob *webtest.Client
}

func newBulkEnv(t *testing.T) *bulkEnv {
	t.Helper()
	env := webtest.New(t)
	ids := env.ImportText(t, map[string]string{
		"a.md": webtest.PlainArticle("Alpha"), "b.md": webtest.PlainArticle("Beta"), "c.md": webtest.PlainArticle("Gamma"),
	})
	env.CreateUser(t, "alice", webtest.UserPassword("alice"), db.RoleEditor)
	env.CreateUser(t, "bob", webtest.UserPassword("bob"), db.RoleEditor)
	return &bulkEnv{env: env, ids: ids,
		alice: env.Login(t, "alice", webtest.UserPassword("alice")), bob: env.Login(t, "bob", webtest.UserPassword("bob"))}
}

func (b *bulkEnv) idValues(keys ...string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, strconv.FormatInt(b.ids[k], 10))
	}
	return out
}

// seen adds to v the queue form's selection of keys: scope=selected,
// their ids, and the version each row showed (the articles' current ones).
func (b *bulkEnv) seen(t *testing.T, v url.Values, keys ...string) url.Values {
	t.Helper()
	v.Set("scope", "selected")
	for _, k := range keys {
		v.Add("ids", strconv.FormatInt(b.ids[k], 10))
		v.Set(views.VersionField(b.ids[k]), strconv.FormatInt(b.env.Record(t, b.ids[k]).Version, 10))
	}
	return v
}

func (b *bulkEnv) status(t *testing.T, key string) article.Status {
	return b.env.Record(t, b.ids[key]).Status
}

// snapshotPath posts the queue's bulk form as c and returns the
// confirmation page's path, failing unless the answer is a 303 to it.
func snapshotPath(t *testing.T, c *webtest.Client, v url.Values) string {
	t.Helper()
	resp := c.PostForm("/bulk/snapshots", v)
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/bulk/snapshots/") {
		t.Fatalf("snapshot redirects to %q", loc)
	}
	return loc
}

// The queue's bulk form: what the editor posts and what comes back.
func TestBulkSnapshotScenarios(t *testing.T) {
	tooMany := make([]string, db.MaxSnapshotIDs+1)
	for i := range tooMany {
		tooMany[i] = strconv.Itoa(i + 1)
	}
	tests := []struct {
		name   string
		form   func(t *testing.T, b *bulkEnv) url.Values
		noCSRF bool
		status int
		body   string // in the answer for non-303
		count  string // on the confirmation page, for 303
	}{
		{"selected", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"approve"}}, "a", "c")
		}, false, http.StatusSeeOther, "", "Approve 2 articles?"},
		{"all matching the queue's filters", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"add-topic"}, "topic": {"Climate"}, "scope": {"all"}, "from": {"status=pending&q=alpha"}}
		}, false, http.StatusSeeOther, "", "Add topic “Climate” to 1 article?"},
		{"set quality", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"set-quality"}, "quality": {"80"}, "scope": {"all"}}
		}, false, http.StatusSeeOther, "", "Set quality to 80 on 3 articles?"},
		{"unknown action", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"delete"}}, "a")
		}, false, http.StatusUnprocessableEntity, "Unknown bulk action &#34;delete&#34;", ""},
		{"quality missing", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"set-quality"}}, "a")
		}, false, http.StatusUnprocessableEntity, "whole number from 0 to 100", ""},
		{"quality out of range", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"set-quality"}, "quality": {"150"}}, "a")
		}, false, http.StatusUnprocessableEntity, "quality must be from 0 to 100, got 150", ""},
		{"topic missing", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"add-topic"}}, "a")
		}, false, http.StatusUnprocessableEntity, "is empty", ""},
		{"topic with a control character", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"remove-topic"}, "topic": {"a\x00b"}}, "a")
		}, false, http.StatusUnprocessableEntity, "control character", ""},
		{"nothing selected", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"selected"}}
		}, false, http.StatusUnprocessableEntity, "No article is selected", ""},
		{"too many ids", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"selected"}, "ids": tooMany}
		}, false, http.StatusRequestEntityTooLarge, "at most 1000", ""},
		{"a tick without its version (a page older than versions)", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"selected"}, "ids": b.idValues("a")}
		}, false, http.StatusConflict, "reload the queue and tick again", ""},
		{"a bad version", func(t *testing.T, b *bulkEnv) url.Values {
			v := b.seen(t, url.Values{"action": {"approve"}}, "a")
			v.Set(views.VersionField(b.ids["a"]), "x")
			return v
		}, false, http.StatusConflict, "reload the queue and tick again", ""},
		{"a bad id", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"selected"}, "ids": {"1", "x"}}
		}, false, http.StatusBadRequest, "is not an article id", ""},
		{"ids of no article", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"selected"}, "ids": {"9999"}, views.VersionField(9999): {"1"}}
		}, false, http.StatusUnprocessableEntity, "No article matches", ""},
		{"no match", func(t *testing.T, b *bulkEnv) url.Values {
			return url.Values{"action": {"approve"}, "scope": {"all"}, "from": {"status=approved"}}
		}, false, http.StatusUnprocessableEntity, "No article matches", ""},
		{"no CSRF token", func(t *testing.T, b *bulkEnv) url.Values {
			return b.seen(t, url.Values{"action": {"approve"}, "_csrf": {""}}, "a")
		}, true, http.StatusForbidden, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBulkEnv(t)
			before := b.env.Snapshot(t)
			resp := b.alice.PostForm("/bulk/snapshots", tt.form(t, b))
			webtest.WantStatus(t, resp, tt.status)
			if b.env.Snapshot(t) != before {
				t.Error("a snapshot changed articles")
			}
			if tt.status != http.StatusSeeOther {
				body := b.alice.Text(resp)
				if !strings.Contains(body, tt.body) {
					t.Errorf("answer lacks %q:\n%s", tt.body, body)
				}
				if n := countSnapshots(t, b); n != 0 {
					t.Errorf("a refused form left %d snapshots", n)
				}
				return
			}
			doc := b.alice.Doc(b.alice.Follow(resp))
			if got := strings.Join(strings.Fields(webtest.TestIDText(doc, "bulk-confirm-text")), " "); got != tt.count {
				t.Errorf("confirmation says %q, want %q", got, tt.count)
			}
		})
	}
}

// Confirm applies the action to the snapshot's articles only: one
// changed since is left alone and said so; the flash offers the batch's
// Undo, which restores the rest.
func TestBulkConfirmUndoFromFlash(t *testing.T) {
	b := newBulkEnv(t)
	const from = "status=pending&sort=newest"
	confirm := snapshotPath(t, b.alice, url.Values{"action": {"approve"}, "scope": {"all"}, "from": {from}})
	doc := b.alice.GetDoc(confirm)
	if webtest.TestIDText(doc, "bulk-confirm-count") != "3" {
		t.Fatalf("count %q", webtest.TestIDText(doc, "bulk-confirm-count"))
	}
	// bob rejects b, and a new article arrives, before alice confirms.
	b.env.SetStatus(t, "b", article.StatusRejected)
	ids := b.env.ImportText(t, map[string]string{"d.md": webtest.PlainArticle("Delta")})
	form := url.Values{"action": {"approve"}, "from": {from}}
	path := strings.SplitN(confirm, "?", 2)[0]
	resp := b.alice.PostForm(path, form)
	webtest.WantRedirect(t, resp, "/articles?published=any&sort=newest&status=pending")
	doc = b.alice.Doc(b.alice.Follow(resp))
	want := "Approved 2 articles. 1 article left alone: changed by someone since the count."
	if got := webtest.Flashes(doc); len(got) != 1 || got[0] != want {
		t.Errorf("flashes %q, want %q", got, want)
	}
	if b.status(t, "a") != article.StatusApproved || b.status(t, "b") != article.StatusRejected ||
		b.env.Record(t, ids["d"]).Status != article.StatusPending {
		t.Fatalf("statuses a=%s b=%s d=%s", b.status(t, "a"), b.status(t, "b"), b.env.Record(t, ids["d"]).Status)
	}
	// Confirming again: the snapshot is used up.
	webtest.WantStatus(t, b.alice.PostForm(path, form), http.StatusNotFound)

	undo := webtest.ByTestID(doc, "flash-undo").Closest("form")
	action, _ := undo.Attr("action")
	v := url.Values{}
	undo.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Set(n, val)
	})
	resp = b.alice.PostFormRaw(action, v)
	webtest.WantRedirect(t, resp, "/articles?published=any&sort=newest&status=pending")
	doc = b.alice.Doc(b.alice.Follow(resp))
	if got := webtest.Flashes(doc); len(got) != 1 || !strings.HasPrefix(got[0], "Undid bulk action #") || !strings.Contains(got[0], "2 articles restored") {
		t.Errorf("flashes after undo %q", got)
	}
	if b.status(t, "a") != article.StatusPending || b.status(t, "c") != article.StatusPending || b.status(t, "b") != article.StatusRejected {
		t.Errorf("after undo a=%s b=%s c=%s", b.status(t, "a"), b.status(t, "b"), b.status(t, "c"))
	}
	// Undone once: again is a 409 that says so.
	resp = b.alice.PostFormRaw(action, v)
	webtest.WantStatus(t, resp, http.StatusConflict)
	if body := b.alice.Text(resp); !strings.Contains(body, "undone already") {
		t.Errorf("second undo says %s", body)
	}
}

// A snapshot is its maker's, for an hour.
func TestBulkSnapshotOwnerAndAge(t *testing.T) {
	b := newBulkEnv(t)
	confirm := snapshotPath(t, b.alice, b.seen(t, url.Values{"action": {"reject"}}, "a"))
	path := strings.SplitN(confirm, "?", 2)[0]
	form := url.Values{"action": {"reject"}}
	resp := b.bob.Get(confirm)
	webtest.WantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(b.bob.Text(resp), "made by another editor") {
		t.Error("no word on whose selection it is")
	}
	webtest.WantStatus(t, b.bob.PostForm(path, form), http.StatusForbidden)
	webtest.WantStatus(t, b.alice.Get("/bulk/snapshots/999999?action=reject"), http.StatusNotFound)

	// Two hours later (the store's own clock: age the row).
	raw, err := sql.Open("sqlite", b.env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE bulk_snapshots SET created_at = created_at - ?`, (2 * time.Hour).Milliseconds()); err != nil {
		t.Fatal(err)
	}
	resp = b.alice.PostForm(path, form)
	webtest.WantStatus(t, resp, http.StatusGone)
	if !strings.Contains(b.alice.Text(resp), "more than an hour old") {
		t.Error("no word on the age")
	}
	if b.status(t, "a") != article.StatusPending {
		t.Error("an expired snapshot changed an article")
	}
}

// A large action runs as a job with a progress page that only its
// starter sees, then lands on the queue with the flash; the history
// lists it with an Undo, and after the undo as undone.
func TestBulkJobProgressAndHistory(t *testing.T) {
	b := newBulkEnv(t)
	files := map[string]string{}
	for i := range db.MaxLimit {
		files[fmt.Sprintf("n%03d.md", i)] = webtest.PlainArticle(fmt.Sprintf("Number %d", i))
	}
	b.env.ImportText(t, files)
	confirm := snapshotPath(t, b.alice, url.Values{"action": {"publish"}, "scope": {"all"}, "from": {"status=pending"}})
	resp := b.alice.PostForm(strings.SplitN(confirm, "?", 2)[0], url.Values{"action": {"publish"}, "from": {"status=pending"}})
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	job := resp.Header.Get("Location")
	if !strings.HasPrefix(job, "/bulk/jobs/") {
		t.Fatalf("a large action redirects to %q", job)
	}
	// Another editor (or another server) does not run it: a 404 that
	// leads to the bulk history, where its result will be.
	resp = b.bob.Get(job)
	webtest.WantStatus(t, resp, http.StatusNotFound)
	if href, _ := webtest.ByTestID(b.bob.Doc(resp), "bulk-history-link").Attr("href"); href != "/bulk" {
		t.Errorf("the 404 of a job not running here links to %q, want /bulk", href)
	}
	var flashes []string
	for range 200 {
		resp := b.alice.Get(job)
		if resp.StatusCode == http.StatusOK {
			if resp.Header.Get("Refresh") == "" || webtest.ByTestID(b.alice.Doc(resp), "bulk-progress").Length() != 1 {
				t.Fatal("a progress page that does not refresh itself")
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		webtest.WantRedirect(t, resp, "/articles?published=any&sort=newest&status=pending")
		flashes = webtest.Flashes(b.alice.Doc(b.alice.Follow(resp)))
		break
	}
	want := fmt.Sprintf("Published %d articles.", db.MaxLimit+3)
	if len(flashes) != 1 || flashes[0] != want {
		t.Fatalf("flashes %q, want %q", flashes, want)
	}
	// A reload of the finished job's page (or another tab) goes to the
	// history, not to a 404.
	webtest.WantRedirect(t, b.alice.Get(job), "/bulk")
	if !b.env.Record(t, b.ids["a"]).Published {
		t.Error("a not published")
	}

	doc := b.bob.GetDoc("/bulk")
	rows := webtest.ByTestID(doc, "bulk-history-row")
	if rows.Length() != 1 || webtest.TestIDText(doc, "bulk-history-action") != "publish" ||
		webtest.TestIDText(doc, "bulk-history-changed") != strconv.Itoa(db.MaxLimit+3) {
		t.Fatalf("history: %d rows, %q", rows.Length(), webtest.TestIDText(doc, "bulk-history-action"))
	}
	action, _ := webtest.ByTestID(doc, "bulk-history-undo").Closest("form").Attr("action")
	resp = b.bob.PostForm(action, url.Values{})
	webtest.WantRedirect(t, resp, "/bulk")
	doc = b.bob.Doc(b.bob.Follow(resp))
	if b.env.Record(t, b.ids["a"]).Published {
		t.Error("a still published after the undo")
	}
	if got := webtest.TestIDTexts(doc, "bulk-history-action"); len(got) != 2 || !strings.HasPrefix(got[0], "undo of #") {
		t.Errorf("history after undo: %q", got)
	}
	if webtest.ByTestID(doc, "bulk-history-undone").Length() != 1 || webtest.ByTestID(doc, "bulk-history-undo").Length() != 0 {
		t.Error("the undone action still offers an Undo")
	}
}

// The queue's bulk form: every row's checkbox belongs to it, its menu
// offers exactly the review's bulk actions, and "all matching" carries
// the queue and its count.
func TestQueueBulkForm(t *testing.T) {
	b := newBulkEnv(t)
	doc := b.alice.GetDoc("/articles?q=alpha")
	form := webtest.ByTestID(doc, "bulk-form")
	if id, _ := form.Attr("id"); id != "bulk-form" {
		t.Fatal("no bulk form")
	}
	boxes := webtest.ByTestID(doc, "row-select")
	if boxes.Length() != 1 || boxes.AttrOr("form", "") != "bulk-form" {
		t.Errorf("%d row checkboxes, form=%q", boxes.Length(), boxes.AttrOr("form", ""))
	}
	if got := strings.Join(strings.Fields(webtest.TestIDText(doc, "bulk-apply-all")), " "); got != "Apply to the 1 matching" {
		t.Errorf("all button %q", got)
	}
	if from := form.Find("input[name=from]").AttrOr("value", ""); !strings.Contains(from, "q=alpha") {
		t.Errorf("from %q", from)
	}
	var menu []string
	webtest.ByTestID(doc, "bulk-action").Find("option").Each(func(_ int, s *goquery.Selection) {
		menu = append(menu, s.AttrOr("value", ""))
	})
	var kinds []string
	for _, k := range review.BulkKinds {
		kinds = append(kinds, string(k))
	}
	if strings.Join(menu, ",") != strings.Join(kinds, ",") || len(views.BulkActions) != len(kinds) {
		t.Errorf("menu %q, kinds %q", menu, kinds)
	}
}

// "Apply to selected" acts on the articles as the editor's page showed
// them: one changed after the page was drawn (bob rejects it) is left
// alone and said so, never overwritten by the confirm. The form is the
// queue page's own, read from its HTML.
func TestBulkSelectedKeepsChangesMadeAfterThePage(t *testing.T) {
	b := newBulkEnv(t)
	doc := b.alice.GetDoc("/articles?status=pending")
	v := url.Values{"action": {"approve"}, "scope": {"selected"}}
	for _, k := range []string{"a", "b"} {
		row := doc.Find(fmt.Sprintf(`tr[data-id="%d"]`, b.ids[k]))
		box, version := row.Find(`[data-testid="row-select"]`), row.Find(`[data-testid="row-version"]`)
		if box.AttrOr("form", "") != "bulk-form" || version.AttrOr("form", "") != "bulk-form" {
			t.Fatalf("row %s: checkbox or version outside the bulk form", k)
		}
		v.Add(box.AttrOr("name", ""), box.AttrOr("value", ""))
		v.Set(version.AttrOr("name", ""), version.AttrOr("value", ""))
	}
	b.env.SetStatus(t, "a", article.StatusRejected) // bob, after alice's page was drawn
	confirm := snapshotPath(t, b.alice, v)
	resp := b.alice.PostForm(strings.SplitN(confirm, "?", 2)[0], url.Values{"action": {"approve"}})
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	want := "Approved 1 article. 1 article left alone: changed by someone since the count."
	if got := webtest.Flashes(b.alice.Doc(b.alice.Follow(resp))); len(got) != 1 || got[0] != want {
		t.Errorf("flashes %q, want %q", got, want)
	}
	if b.status(t, "a") != article.StatusRejected {
		t.Errorf("a is %s: bob's reject was overwritten", b.status(t, "a"))
	}
	if b.status(t, "b") != article.StatusApproved {
		t.Errorf("b is %s, want approved", b.status(t, "b"))
	}
}

func countSnapshots(t *testing.T, b *bulkEnv) int {
	t.Helper()
	raw, err := sql.Open("sqlite", b.env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM bulk_snapshots`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// bulkConfirmForm reads the confirmation page at path: its Confirm form's
// action and fields, as the browser would post them.
func bulkConfirmForm(t *testing.T, c *webtest.Client, path string) (string, url.Values, string) {
	t.Helper()
	doc := c.GetDoc(path)
	form := webtest.ByTestID(doc, "bulk-confirm").Closest("form")
	v := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		v.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	return form.AttrOr("action", ""), v, strings.Join(strings.Fields(webtest.TestIDText(doc, "bulk-confirm-text")), " ")
}

// The tester's replay: a Confirm form of a used snapshot, posted again
// after a new selection for another action, changes nothing (the new
// snapshot has another id, and a posted action other than the
// snapshot's is a 409); the confirmation page shows the snapshot's own
// action whatever the URL says; and the snapshot runs its own action.
func TestBulkReplayedConfirmRunsOnlyTheSnapshotsAction(t *testing.T) {
	b := newBulkEnv(t)
	const from = "status=pending"
	first := snapshotPath(t, b.alice, b.seen(t, url.Values{"action": {"publish"}, "from": {from}}, "a"))
	action, oldForm, text := bulkConfirmForm(t, b.alice, first)
	if text != "Publish 1 article?" {
		t.Fatalf("first confirmation says %q", text)
	}
	webtest.WantStatus(t, b.alice.PostForm(action, oldForm), http.StatusSeeOther)
	if !b.env.Record(t, b.ids["a"]).Published {
		t.Fatal("a not published")
	}

	second := snapshotPath(t, b.alice, url.Values{"action": {"reject"}, "scope": {"all"}, "from": {from}})
	path := strings.SplitN(second, "?", 2)[0]
	if path == action {
		t.Errorf("the new selection reuses the used one's id: %s", path)
	}
	before := b.env.Snapshot(t)
	for _, target := range []string{action, path} { // the old form, at its own URL and at the new one
		resp := b.alice.PostForm(target, oldForm)
		if resp.StatusCode == http.StatusSeeOther {
			t.Fatalf("the old Publish form ran at %s", target)
		}
		if b.env.Snapshot(t) != before {
			t.Fatalf("the old Publish form changed articles at %s", target)
		}
	}
	resp := b.alice.PostForm(path, oldForm)
	webtest.WantStatus(t, resp, http.StatusConflict)
	if !strings.Contains(b.alice.Text(resp), "another action than the selection was made for") {
		t.Errorf("409 says %s", b.alice.Text(resp))
	}
	// The page shows the stored action, whatever the URL asks.
	for _, q := range []string{"", "&action=approve", "&action=set-quality&quality=5"} {
		if _, _, text := bulkConfirmForm(t, b.alice, second+q); text != "Reject 3 articles?" {
			t.Errorf("confirmation with %q says %q", q, text)
		}
	}
	_, v, _ := bulkConfirmForm(t, b.alice, second+"&action=approve")
	webtest.WantRedirect(t, b.alice.PostForm(path, v), "/articles?published=any&sort=newest&status=pending")
	for _, k := range []string{"a", "b", "c"} {
		if b.status(t, k) != article.StatusRejected {
			t.Errorf("%s is %s, want rejected", k, b.status(t, k))
		}
	}
}

// A topic rename's snapshot runs from the topics page only, and a queue
// selection's is no rename.
func TestBulkSnapshotsOfRenamesAndQueueDoNotMix(t *testing.T) {
	b := newBulkEnv(t)
	resp := b.alice.PostForm("/topics/rename", url.Values{"from": {"Health"}, "to": {"Wellness"}})
	webtest.WantStatus(t, resp, http.StatusOK)
	snap := b.alice.Doc(resp).Find(`input[name="snapshot"]`).AttrOr("value", "")
	if snap == "" {
		t.Fatal("no snapshot on the rename confirmation")
	}
	before := b.env.Snapshot(t)
	webtest.WantStatus(t, b.alice.Get("/bulk/snapshots/"+snap+"?action=reject"), http.StatusConflict)
	webtest.WantStatus(t, b.alice.PostForm("/bulk/snapshots/"+snap, url.Values{"action": {"reject"}}), http.StatusConflict)
	webtest.WantStatus(t, b.alice.PostForm("/bulk/snapshots/"+snap, url.Values{}), http.StatusConflict)
	// The rename with other names than it was counted for.
	webtest.WantStatus(t, b.alice.PostForm("/topics/rename", url.Values{"from": {"Health"}, "to": {"Sport"}, "snapshot": {snap}}), http.StatusConflict)

	queue := snapshotPath(t, b.alice, url.Values{"action": {"approve"}, "scope": {"all"}})
	id := strings.TrimPrefix(strings.SplitN(queue, "?", 2)[0], "/bulk/snapshots/")
	webtest.WantStatus(t, b.alice.PostForm("/topics/rename", url.Values{"from": {"Health"}, "to": {"Wellness"}, "snapshot": {id}}), http.StatusConflict)
	if b.env.Snapshot(t) != before {
		t.Fatal("a mixed-up snapshot changed articles")
	}
	webtest.WantStatus(t, b.alice.PostForm("/topics/rename", url.Values{"from": {"Health"}, "to": {"Wellness"}, "snapshot": {snap}}), http.StatusSeeOther)
	if got := b.env.Record(t, b.ids["a"]).Topics; len(got) != 1 || got[0] != "Wellness" {
		t.Errorf("topics after the rename %q", got)
	}
}

// A refused bulk form keeps the way back to the queue as it was.
func TestBulkFormErrorKeepsTheQueue(t *testing.T) {
	b := newBulkEnv(t)
	resp := b.alice.PostForm("/bulk/snapshots", b.seen(t, url.Values{"action": {"set-quality"}, "from": {"status=pending&q=alpha"}}, "a"))
	webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := b.alice.Doc(resp)
	back := webtest.ByTestID(doc, "bulk-back").AttrOr("href", "")
	if u, err := url.Parse(back); err != nil || u.Path != "/articles" || u.Query().Get("q") != "alpha" || u.Query().Get("status") != "pending" {
		t.Errorf("back link %q", back)
	}
	if !strings.Contains(webtest.TestIDText(doc, "error-message"), "whole number from 0 to 100") {
		t.Errorf("message %q", webtest.TestIDText(doc, "error-message"))
	}
}

// The flash says what a topic removal did to articles without the
// topic, and names an article left alone.
func TestBulkOutcomeWording(t *testing.T) {
	b := newBulkEnv(t)
	b.env.ImportText(t, map[string]string{"d.md": strings.Replace(webtest.PlainArticle("Delta"), "[Health]", "[Health, Alpha]", 1)})
	confirm := snapshotPath(t, b.alice, url.Values{"action": {"remove-topic"}, "topic": {"alpha"}, "scope": {"all"}})
	resp := b.alice.PostForm(strings.SplitN(confirm, "?", 2)[0], url.Values{})
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	want := "Remove topic “alpha”: 1 article changed. 3 articles did not have it."
	if got := webtest.Flashes(b.alice.Doc(b.alice.Follow(resp))); len(got) != 1 || got[0] != want {
		t.Errorf("flashes %q, want %q", got, want)
	}

	// An article that cannot take one more topic is named, with why.
	topics := make([]string, article.MaxTopics)
	for i := range topics {
		topics[i] = fmt.Sprintf("T%02d", i)
	}
	b.env.ImportText(t, map[string]string{"full.md": strings.Replace(webtest.PlainArticle("Full up"), "[Health]", "["+strings.Join(topics, ", ")+"]", 1)})
	confirm = snapshotPath(t, b.alice, url.Values{"action": {"add-topic"}, "topic": {"Extra"}, "scope": {"all"}})
	resp = b.alice.PostForm(strings.SplitN(confirm, "?", 2)[0], url.Values{})
	webtest.WantStatus(t, resp, http.StatusSeeOther)
	want = fmt.Sprintf("Add topic “Extra”: 4 articles changed. 1 article left alone: “Full up” (it would break a topic rule: too many topics: %d, at most %d).",
		article.MaxTopics+1, article.MaxTopics)
	if got := webtest.Flashes(b.alice.Doc(b.alice.Follow(resp))); len(got) != 1 || got[0] != want {
		t.Errorf("flashes %q, want %q", got, want)
	}
}
