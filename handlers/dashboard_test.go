package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/web/webtest"
)

var _ handlers.DashboardStore = (*db.Store)(nil)

// numberIn reads a number the page shows ("1,234") in sel.
func numberIn(t *testing.T, sel *goquery.Selection) int {
	t.Helper()
	text := strings.ReplaceAll(strings.TrimSpace(sel.First().Text()), ",", "")
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatalf("%q is not a number", text)
	}
	return n
}

// chartRows reads a chart's table: row label -> its numbers.
func chartRows(t *testing.T, doc *goquery.Document, id string) map[string][]int {
	t.Helper()
	table := webtest.ByTestID(doc, id+"-table")
	if table.Length() != 1 {
		t.Fatalf("no table %s", id+"-table")
	}
	rows := map[string][]int{}
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var ns []int
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { ns = append(ns, numberIn(t, td)) })
		rows[strings.TrimSpace(tr.Find("th").Text())] = ns
	})
	return rows
}

func TestDashboardAccess(t *testing.T) {
	env := webtest.New(t)
	tests := []struct {
		name   string
		client func() *webtest.Client
		status int
		to     string
	}{
		{"anonymous goes to the login", func() *webtest.Client { return env.Client(t) }, http.StatusSeeOther, "/login"},
		{"editor", func() *webtest.Client { return env.Login(t, webtest.EditorName, webtest.EditorPassword) }, http.StatusOK, ""},
		{"admin", func() *webtest.Client { return env.Login(t, webtest.AdminName, webtest.AdminPassword) }, http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.client().Get("/dashboard")
			webtest.WantStatus(t, res, tc.status)
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, tc.to) {
				t.Errorf("Location %q, want %q...", loc, tc.to)
			}
		})
	}
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	doc := editor.GetDoc("/dashboard")
	if cur := doc.Find(`nav a[aria-current="page"]`).Text(); cur != "Dashboard" {
		t.Errorf("current nav link %q, want Dashboard", cur)
	}
	webtest.WantStatus(t, editor.PostForm("/dashboard", url.Values{}), http.StatusMethodNotAllowed)
}

// An empty newsroom: zeros everywhere, and words instead of empty tables.
func TestDashboardEmpty(t *testing.T) {
	env := webtest.New(t)
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	doc := c.GetDoc("/dashboard")
	doc.Find(`[data-testid="dash-status-n"], [data-testid="dash-total-n"]`).Each(func(_ int, s *goquery.Selection) {
		if n := numberIn(t, s); n != 0 {
			t.Errorf("a status shows %d in an empty database", n)
		}
	})
	for id, want := range map[string]string{
		"dash-oldest":  "Nothing is pending",
		"dash-editors": "Nobody has approved or rejected",
		"dash-topics":  "No article has a topic yet",
	} {
		if got := webtest.TestIDText(doc, id); !strings.Contains(got, want) {
			t.Errorf("%s says %q, want %q", id, got, want)
		}
	}
	days := chartRows(t, doc, "chart-reviews")
	if len(days) != handlers.DashboardDays {
		t.Errorf("%d days in the reviews table, want %d", len(days), handlers.DashboardDays)
	}
	if n := doc.Find(`svg rect.bar`).Length(); n != 0 {
		t.Errorf("%d bars drawn for no data", n)
	}
}

// The dashboard shows the numbers of what editors did through the app:
// statuses, today's decisions, the editors, quality, topics, the oldest
// pending article; and every chart is an image with a name and a table.
func TestDashboardNumbers(t *testing.T) {
	env := webtest.New(t)
	var specs []webtest.Spec
	for i := range 12 {
		specs = append(specs, webtest.Spec{Key: fmt.Sprintf("d%02d", i), Title: fmt.Sprintf("Story %d", i),
			Quality: i * 9, Topics: [][]string{{"AI"}, {"AI", "Climate"}, {"Space"}}[i%3]})
	}
	env.ImportSpecs(t, specs...)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	save := func(c *webtest.Client, key, status string) {
		t.Helper()
		rec := env.Record(t, env.ID(t, key))
		res := c.PostForm(webtest.ArticlePath(rec.ID), saveForm(rec, func(v url.Values) { v.Set("status", status) }))
		webtest.WantStatus(t, res, http.StatusSeeOther)
	}
	save(editor, "d00", "approved")
	save(editor, "d01", "rejected")
	save(editor, "d02", "approved")
	save(editor, "d02", "pending") // reopened
	save(admin, "d03", "approved")

	doc := editor.GetDoc("/dashboard")
	statuses := map[string]int{}
	webtest.ByTestID(doc, "dash-status").Each(func(_ int, s *goquery.Selection) {
		st, _ := s.Attr("data-status")
		statuses[st] = numberIn(t, s.Find(`[data-testid="dash-status-n"]`))
	})
	if want := map[string]int{"pending": 9, "approved": 2, "rejected": 1}; fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if n := numberIn(t, webtest.ByTestID(doc, "dash-total-n")); n != 12 {
		t.Errorf("total %d, want 12", n)
	}
	today := time.Now().UTC().Format("Mon 2 Jan 2006")
	if got := chartRows(t, doc, "chart-reviews")[today]; fmt.Sprint(got) != "[3 1 4]" {
		t.Errorf("today (%s) in the table: %v, want [3 1 4] (approved, rejected, total)", today, got)
	}
	if got := webtest.TestIDText(doc, "dash-reviews-sum"); !strings.Contains(got, "4 decisions in the last 30 days: 3 approved, 1 rejected; 1 reopened") {
		t.Errorf("reviews summary %q", got)
	}
	editors := map[string]string{}
	webtest.ByTestID(doc, "dash-editor").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("data-editor")
		var ns []string
		for _, id := range []string{"decisions", "approved", "rejected", "reopened", "all"} {
			ns = append(ns, strings.TrimSpace(s.Find(`[data-testid="dash-editor-`+id+`"]`).Text()))
		}
		editors[name] = strings.Join(ns, " ")
	})
	if want := map[string]string{"editor": "3 2 1 1 3", "admin": "1 1 0 0 1"}; fmt.Sprint(editors) != fmt.Sprint(want) {
		t.Errorf("editors %v, want %v", editors, want)
	}
	if first := webtest.ByTestID(doc, "dash-editor").First().AttrOr("data-editor", ""); first != "editor" {
		t.Errorf("first editor %q, want the one with most decisions", first)
	}
	// Quality i*9 for i in 0..11: 0, 9 | 18 | 27 | 36 | 45 | 54 | 63 | 72 | 81, 90, 99.
	quality := chartRows(t, doc, "chart-quality")
	for label, want := range map[string]int{"quality 0–9": 2, "quality 10–19": 1, "quality 80–89": 1, "quality 90–100": 2, "no quality": 0} {
		if got := quality[label]; len(got) != 1 || got[0] != want {
			t.Errorf("quality %s: %v, want %d", label, got, want)
		}
	}
	topics := map[string]int{}
	webtest.ByTestID(doc, "dash-topic").Each(func(_ int, s *goquery.Selection) {
		topics[s.AttrOr("data-topic", "")] = numberIn(t, s.Find(`[data-testid="dash-topic-n"]`))
	})
	if want := map[string]int{"AI": 8, "Climate": 4, "Space": 4}; fmt.Sprint(topics) != fmt.Sprint(want) {
		t.Errorf("topics %v, want %v", topics, want)
	}
	if href := webtest.ByTestID(doc, "dash-topic").First().Find("a").AttrOr("href", ""); !strings.Contains(href, "topic=AI") {
		t.Errorf("top topic links to %q", href)
	}
	oldest := webtest.ByTestID(doc, "dash-oldest-link")
	if href, want := oldest.AttrOr("href", ""), webtest.ArticlePath(env.ID(t, "d02")); href != want {
		t.Errorf("oldest pending links to %q, want %q (d00, d01 decided; d02 reopened)", href, want)
	}
	if age := webtest.TestIDText(doc, "dash-oldest-age"); age != "just now" {
		t.Errorf("oldest pending age %q", age)
	}
	// Each chart: an image named by its title and description, drawn
	// bars, and its numbers in a table.
	doc.Find("svg.chart").Each(func(_ int, svg *goquery.Selection) {
		if role := svg.AttrOr("role", ""); role != "img" {
			t.Errorf("chart role %q", role)
		}
		for _, id := range strings.Fields(svg.AttrOr("aria-labelledby", "")) {
			if el := svg.Find("#" + id); el.Length() != 1 || strings.TrimSpace(el.Text()) == "" {
				t.Errorf("chart label %s missing or empty", id)
			}
		}
		if svg.Find("rect.bar").Length() == 0 {
			t.Errorf("chart %s draws no bars", svg.AttrOr("aria-labelledby", ""))
		}
		if _, ok := svg.Attr("style"); ok || svg.Find("[style]").Length() > 0 {
			t.Error("a chart has a style attribute, which the CSP refuses")
		}
	})
	if n := doc.Find("svg.chart").Length(); n != 2 {
		t.Errorf("%d charts, want 2", n)
	}
}

// The users page shows when each user last logged in and how many
// articles they decided.
func TestUsersLastLoginAndReviews(t *testing.T) {
	env := webtest.New(t)
	env.ImportSpecs(t, webtest.Spec{Key: "u1", Title: "One"}, webtest.Spec{Key: "u2", Title: "Two"})
	env.CreateUser(t, "carol", "carol-password-1", db.RoleEditor)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	for key, status := range map[string]string{"u1": "approved", "u2": "rejected"} {
		rec := env.Record(t, env.ID(t, key))
		webtest.WantStatus(t, editor.PostForm(webtest.ArticlePath(rec.ID),
			saveForm(rec, func(v url.Values) { v.Set("status", status) })), http.StatusSeeOther)
	}
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	doc := admin.GetDoc("/admin/users")
	row := func(name string) *goquery.Selection {
		return doc.Find(`[data-testid="user-row"][data-user="` + name + `"]`)
	}
	today := time.Now().UTC().Format("2 Jan 2006")
	for name, want := range map[string]string{"editor": today, "admin": today, "carol": "never"} {
		if got := strings.TrimSpace(row(name).Find(`[data-testid="user-last-login"]`).Text()); !strings.HasPrefix(got, want) {
			t.Errorf("%s last login %q, want %q...", name, got, want)
		}
	}
	if dt := row("editor").Find(`[data-testid="user-last-login"] time`).AttrOr("datetime", ""); !strings.HasPrefix(dt, time.Now().UTC().Format("2006-01-02T")) {
		t.Errorf("editor's last login datetime %q", dt)
	}
	for name, want := range map[string]string{"editor": "2 (1 approved, 1 rejected)", "admin": "0", "carol": "0"} {
		got := strings.Join(strings.Fields(row(name).Find(`[data-testid="user-reviews"]`).Text()), " ")
		if got != want {
			t.Errorf("%s reviews %q, want %q", name, got, want)
		}
	}
	// A failed login records nothing.
	anon := env.Client(t)
	anon.GetDoc("/login")
	webtest.WantStatus(t, anon.PostLogin("carol", "wrong-password-here"), http.StatusUnprocessableEntity)
	u, err := env.Store.UserByName(t.Context(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if !u.LastLoginAt.IsZero() {
		t.Errorf("after a failed login carol's last login is %v", u.LastLoginAt)
	}
}
