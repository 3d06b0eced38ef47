package web_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/web/webtest"
)

// queryParams are every query parameter a page reads (handlers' filters,
// the queue cursor, the review page's from, the export format, the login
// page's next), and a name no page knows.
var queryParams = []string{
	"q", "status", "category", "topic", "provider", "published", "sort", "qmin", "qmax",
	"cursor", "from", "format", "next", "unknown",
}

// hostileValues are query values that have broken web apps: very long,
// invalid UTF-8, control characters, FTS5 query syntax, SQL, numbers out
// of range, forged cursors, header injection.
func hostileValues() []string {
	cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return []string{
		strings.Repeat("a", 8000), strings.Repeat("é", 3000), strings.Repeat("word ", 1500),
		"\xff\xfe\xfd", "caf\xe9", "\x00", "a\x00b", "\u202e\u200b", "\r\nSet-Cookie: injected=1",
		`"`, `"unbalanced`, `a AND OR NOT (`, `title:x*`, `NEAR(a b, 2)`, `*`, `^x`, `{title excerpt}: x`, `-x`,
		`' OR 1=1 --`, `1; DROP TABLE articles; --`, `%' UNION SELECT password_hash FROM users --`, `\`, `%`, `_`,
		"-1", "0", "101", "999999999999999999999", "-9223372036854775808", "1e309", "NaN", "0x10", " 5 ",
		cursor("newest|999999999999999999999|1"), cursor("quality|-9223372036854775808|9223372036854775807"),
		cursor("heat|1|0"), cursor("newest|1"), cursor("||||"), "not-base64!",
		"q=%ff&cursor=" + strings.Repeat("A", 300), "status=all&status=pending&sort=heat&qmin=5&qmax=1",
		"//evil.example", "javascript:alert(1)", "../../../etc/passwd", "<script>alert(1)</script>",
	}
}

// coreHostileValues are tried in each parameter alone.
var coreHostileValues = []string{
	strings.Repeat("é", 3000), "\xff\xfe", "a\x00b", "\r\nSet-Cookie: injected=1", `"unbalanced`, `a AND OR NOT (`,
	`' OR 1=1 --`, "999999999999999999999", "-1", base64.RawURLEncoding.EncodeToString([]byte("quality|-9223372036854775808|9223372036854775807")),
	"//evil.example", "<script>alert(1)</script>",
}

// rawQueries are query strings url.Values would never produce: bad
// percent escapes, semicolons, repeated parameters.
var rawQueries = []string{
	"q=%zz", "q=%ff%fe", "q=%00", "q=%", "q;status=all", "status=all;q=x", "=x", "&&&", "q",
	"from=%zz", "cursor=%ff", "next=%0d%0aLocation:%20//evil.example",
	strings.Repeat("status=pending&", 2000), strings.Repeat("q=a&", 2000),
}

// TestHostileQueryStringsNeverFail sends every hostile value in every
// known parameter to every GET and HEAD route of the real route list, as
// an admin (who may see every page) and as a visitor without a session:
// no answer is a 5xx. Export is also tried with each download format.
func TestHostileQueryStringsNeverFail(t *testing.T) {
	f := newRouteFixture(t)
	admin := f.env.Login(t, webtest.AdminName, webtest.AdminPassword)
	anon := f.env.Client(t)
	start, requests := time.Now(), 0
	get := func(c *webtest.Client, method, target string) {
		t.Helper()
		requests++
		resp := c.Do(c.NewRequest(method, target, nil))
		if resp.StatusCode >= 500 {
			t.Errorf("%s %.200s: status %d", method, target, resp.StatusCode)
		}
		if strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), ";"), "injected") {
			t.Errorf("%s %.200s: header injection", method, target)
		}
	}
	for _, r := range f.routes(t) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			continue
		}
		path := f.path(r.Path)
		bases := []url.Values{{}}
		if r.Path == "/export" {
			bases = append(bases, url.Values{"format": {"yaml"}}, url.Values{"format": {"zip"}})
		}
		with := func(base url.Values, params []string, v string) string {
			q := url.Values{}
			for k, vs := range base {
				q[k] = vs
			}
			for _, p := range params {
				q.Set(p, v)
			}
			return path + "?" + q.Encode()
		}
		for _, base := range bases {
			// Every value in every parameter at once, then a core of
			// them in each parameter alone, so that one parameter's
			// refusal cannot hide another's failure.
			for _, v := range hostileValues() {
				get(admin, r.Method, with(base, queryParams, v))
			}
			for _, p := range queryParams {
				for _, v := range coreHostileValues {
					get(admin, r.Method, with(base, []string{p}, v))
				}
			}
			for _, raw := range rawQueries {
				get(admin, r.Method, path+"?"+base.Encode()+"&"+raw)
				get(anon, r.Method, path+"?"+raw)
			}
		}
		for _, v := range hostileValues()[:12] {
			get(anon, r.Method, path+"?"+url.Values{"q": {v}, "next": {v}, "from": {v}}.Encode())
		}
	}
	t.Logf("%d hostile GET/HEAD requests in %v", requests, time.Since(start).Round(time.Millisecond))
}

// TestHostilePathParameters: ids that are not ids are 404s, never 5xx.
func TestHostilePathParameters(t *testing.T) {
	f := newRouteFixture(t)
	admin := f.env.Login(t, webtest.AdminName, webtest.AdminPassword)
	for _, r := range f.routes(t) {
		if !strings.Contains(r.Path, ":") {
			continue
		}
		for _, id := range []string{"0", "-1", "99999999999999999999", "9223372036854775807", "1.5", "1e3", "0x1",
			"%00", "%ff", "abc", "1%20OR%201=1", strings.Repeat("9", 5000), "%2e%2e", "1;2"} {
			target := strings.Replace(r.Path, ":id", id, 1)
			body := url.Values{"_csrf": {admin.CSRFToken()}, "version": {"1"}, "op": {"disable"}, "status": {"approved"}, "quality": {"1"}}
			resp := send(admin, r.Method, target, body, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %.80s: status %d, want 404", r.Method, target, resp.StatusCode)
			}
		}
	}
}

// TestBodyOverLimitIs413: every route that takes a body refuses one over
// the configured limit with 413, urlencoded or multipart, with a known or
// an unknown length, and changes nothing.
func TestBodyOverLimitIs413(t *testing.T) {
	f := newRouteFixture(t)
	admin := f.env.Login(t, webtest.AdminName, webtest.AdminPassword)
	admin.Doc(admin.Get("/articles"))
	before := f.env.Snapshot(t)
	over := 2<<20 + 64<<10 // the default limit is 2M
	for _, r := range f.routes(t) {
		if isSafe(r.Method) {
			continue
		}
		path := f.path(r.Path)
		form := url.Values{"_csrf": {admin.CSRFToken()}, "note": {strings.Repeat("n", over)}, "version": {"1"}}
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		for k, vs := range form {
			for _, v := range vs {
				if err := mw.WriteField(k, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		mw.Close()
		for _, tc := range []struct {
			name, ctype string
			body        func() *http.Request
		}{
			{"urlencoded", "application/x-www-form-urlencoded", func() *http.Request {
				return admin.NewRequest(r.Method, path, strings.NewReader(form.Encode()))
			}},
			{"urlencoded, chunked", "application/x-www-form-urlencoded", func() *http.Request {
				return admin.NewRequest(r.Method, path, struct{ *strings.Reader }{strings.NewReader(form.Encode())})
			}},
			{"multipart", mw.FormDataContentType(), func() *http.Request {
				return admin.NewRequest(r.Method, path, bytes.NewReader(mp.Bytes()))
			}},
		} {
			req := tc.body()
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("X-CSRF-Token", admin.CSRFToken())
			if resp := admin.Do(req); resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s, %s: status %d, want 413", r.Method, path, tc.name, resp.StatusCode)
			}
		}
	}
	if after := f.env.Snapshot(t); after != before {
		t.Fatalf("an oversized body changed the database:\n%s\n%s", before, after)
	}
	if !admin.LoggedIn() {
		t.Error("an oversized logout went through")
	}
}

// TestHostileSaveForms: save forms within the size limit but with absurd
// contents (thousands of topics, huge indexes, bad versions, invalid
// UTF-8) are answered 4xx or saved, never 5xx.
func TestHostileSaveForms(t *testing.T) {
	f := newRouteFixture(t)
	editor := f.env.Login(t, webtest.EditorName, webtest.EditorPassword)
	path := webtest.ArticlePath(f.articleID)
	many := make([]string, 20000)
	for i := range many {
		many[i] = fmt.Sprint("t", i)
	}
	for name, form := range map[string]url.Values{
		"many topics":          {"topics": many, "version": {"1"}, "status": {"pending"}, "quality": {"5"}},
		"many lines in one":    {"new_topic": {strings.Repeat("x\n", 50000)}, "version": {"1"}, "status": {"pending"}, "quality": {"5"}},
		"huge remove indexes":  {"topics": {"a"}, "remove_topic": {"99999999999999999999", "-1", "0"}, "version": {"1"}, "status": {"pending"}, "quality": {"5"}},
		"version overflow":     {"version": {"99999999999999999999"}},
		"version negative":     {"version": {"-5"}},
		"version far ahead":    {"version": {"9223372036854775807"}, "status": {"pending"}, "quality": {"5"}},
		"invalid UTF-8":        {"topics": {"\xff\xfe"}, "note": {"\xff"}, "version": {"1"}, "status": {"pending\xff"}, "quality": {"\xff"}},
		"NUL everywhere":       {"topics": {"a\x00b"}, "note": {"\x00"}, "version": {"1\x00"}, "status": {"\x00"}},
		"note at the limit":    {"note": {strings.Repeat("é", 2001)}, "version": {"1"}, "status": {"pending"}, "quality": {"5"}},
		"quality out of range": {"quality": {"-9223372036854775808"}, "version": {"1"}, "status": {"pending"}},
		"from hostile":         {"from": {"q=%ff&cursor=" + strings.Repeat("Z", 5000)}, "version": {"1"}, "status": {"pending"}, "quality": {"5"}, "action": {"next"}},
	} {
		resp := editor.PostForm(path, form)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
	}
}
