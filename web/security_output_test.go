package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/static"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// payloads are what an upstream feed or an editor could put in any text:
// script, attribute break-outs, HTML entities (which must stay text, not
// be decoded into markup), template syntax.
var payloads = []string{
	`<script>alert("p1")</script>`,
	`"><img src=x onerror=alert(2)>`,
	`' onmouseover='alert(3)' x='`,
	`&lt;script&gt;alert(4)&lt;/script&gt;`,
	`</textarea></title><svg onload=alert(5)>`,
	`{{ .Secret }} ${alert(6)} <!--`,
}

// hostileURLs are link targets an article file may carry; only the last
// two are http(s) and may become links.
var hostileURLs = []string{
	"javascript:alert(1)", " JavaScript:alert(1)", "jAvAsCrIpT:alert(1)", "java\tscript:alert(1)",
	"&#106;avascript:alert(1)", "javascript&colon;alert(1)", "data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)", "//evil.example/x", `/\evil.example`, "file:///etc/passwd", "about:blank",
	`https://ok.example/"onmouseover="alert(1)`, "HTTP://ok.example/<script>x",
}

// yq quotes s as a YAML double-quoted scalar.
func yq(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// evilFile is an article whose every text field carries payload p and
// whose links are u.
func evilFile(p, u string, related []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ncategory: %s\ntitle: %s\nexcerpt: %s\n", yq("news"+p), yq("T "+p), yq("E "+p))
	fmt.Fprintf(&b, "originalUrl: %s\nwebUrl: %s\nquality: 40\nheat: 2\npublished: false\n", yq(u), yq(u))
	fmt.Fprintf(&b, "provider: {name: %s, domain: %s}\n", yq("P "+p), yq("d.example"+p))
	fmt.Fprintf(&b, "topics: [%s, %s]\n", yq("Topic "+p), yq(p))
	fmt.Fprintf(&b, "images:\n  - url: %s\n    width: 10\n    height: 10\n", yq(u))
	b.WriteString("related:\n")
	for _, r := range related {
		fmt.Fprintf(&b, "  - title: %s\n    webUrl: %s\n    provider: {name: %s}\n    quality: 1\n", yq("R "+p), yq(r), yq("RP "+p))
	}
	fmt.Fprintf(&b, "---\nBody %s\n\n%s\n", p, u)
	return b.String()
}

// TestOutputIsInert imports articles whose fields carry script payloads,
// javascript: URLs and HTML entities, has an editor type payloads into the
// topics and the note, and checks every page that shows them: no script
// but our own, no event handler attributes, every link and image either a
// local path or http(s), and each payload shown as the text it was.
func TestOutputIsInert(t *testing.T) {
	env := webtest.New(t)
	files := map[string]string{}
	for i, p := range payloads {
		files[fmt.Sprintf("evil%d.md", i)] = evilFile(p, hostileURLs[i%len(hostileURLs)], hostileURLs)
	}
	ids := env.ImportText(t, files)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	id0 := ids["evil0"]

	// Typed into the form: topics and a note.
	editor.Doc(editor.Get(webtest.ArticlePath(id0)))
	rec, err := env.Store.Get(t.Context(), id0)
	if err != nil {
		t.Fatal(err)
	}
	typed := url.Values{
		"quality": {"41"}, "status": {"pending"}, "version": {strconv.FormatInt(rec.Version, 10)},
		"topics": payloads[:4], "new_topic": {payloads[4]}, "note": {strings.Join(payloads, "\n")},
	}
	webtest.WantRedirect(t, editor.PostForm(webtest.ArticlePath(id0), typed), webtest.ArticlePath(id0))

	check := func(name string, c *webtest.Client, resp *http.Response, status int) *goquery.Document {
		t.Helper()
		webtest.WantStatus(t, resp, status)
		doc := c.Doc(resp)
		assertInert(t, name, c.Text(resp), doc)
		return doc
	}
	// Each review page shows its payload as the text it was.
	for i, p := range payloads {
		id := ids[fmt.Sprintf("evil%d", i)]
		doc := check(fmt.Sprintf("article %d", id), editor, editor.Get(webtest.ArticlePath(id)), http.StatusOK)
		text := doc.Text()
		// Of the related links only the two http(s) ones are links.
		if n := doc.Find("[data-testid=related] a").Length(); n != 2 {
			t.Errorf("article %d: %d related links, want the 2 http(s) ones", id, n)
		}
		// The body is Markdown, where an entity reference is the character
		// it names: "&lt;" reads "<", as text all the same.
		for _, want := range []string{"T " + p, "E " + p, "P " + p, "R " + p, "Body " + html.UnescapeString(p)} {
			if !strings.Contains(text, want) {
				t.Errorf("article %d does not show %q as text", id, want)
			}
		}
	}
	doc := check("review page after the save", editor, editor.Get(webtest.ArticlePath(id0)), http.StatusOK)
	if got := doc.Find(`textarea[name="note"]`).Text(); got != strings.Join(payloads, "\n") {
		t.Errorf("note shown as %q", got)
	}
	var topics []string
	doc.Find(`[data-testid="topic-input"]`).Each(func(_ int, s *goquery.Selection) { topics = append(topics, s.AttrOr("value", "")) })
	if want := strings.Join(payloads[:5], "|"); strings.Join(topics, "|") != want {
		t.Errorf("topic inputs %q, want %q", topics, payloads[:5])
	}

	for i, p := range payloads {
		q := url.Values{"q": {p}, "topic": {p}, "provider": {"P " + p}, "category": {"news" + p}, "status": {"all"}, "published": {"any"}}
		check(fmt.Sprintf("queue %d", i), editor, editor.Get("/articles?"+q.Encode()), http.StatusOK)
		check(fmt.Sprintf("queue topic %d", i), editor, editor.Get("/articles?"+url.Values{"topic": {"Topic " + p}}.Encode()), http.StatusOK)
		check(fmt.Sprintf("export page %d", i), editor, editor.Get("/export?"+q.Encode()), http.StatusOK)
		check(fmt.Sprintf("review from %d", i), editor, editor.Get(webtest.ArticlePath(id0)+"?from="+url.QueryEscape(q.Encode())), http.StatusOK)
		check(fmt.Sprintf("login next %d", i), env.Client(t), env.Client(t).Get("/login?next="+url.QueryEscape("/"+p)), http.StatusOK)
	}
	check("queue", editor, editor.Get("/articles?status=all&published=any"), http.StatusOK)
	check("users", admin, admin.Get("/admin/users"), http.StatusOK)

	// A form sent back with errors shows what was typed, inertly.
	bad := url.Values{}
	for k, v := range typed {
		bad[k] = v
	}
	bad.Set("quality", payloads[0])
	bad["topics"] = append([]string{strings.Repeat("x", 70) + payloads[1]}, payloads...)
	check("422 form", editor, editor.PostForm(webtest.ArticlePath(id0), bad), http.StatusUnprocessableEntity)

	// A stale save with payloads gets the conflict page, inertly.
	stale := url.Values{}
	for k, v := range typed {
		stale[k] = v
	}
	stale["topics"] = []string{payloads[5]}
	stale.Set("note", payloads[1])
	stale.Set("new_topic", "")
	check("409 conflict", editor, editor.PostForm(webtest.ArticlePath(id0), stale), http.StatusConflict)

	// Error pages echo nothing of the path but stay inert anyway.
	check("404", editor, editor.Get("/articles/"+url.PathEscape(payloads[0])), http.StatusNotFound)
}

// assertInert checks one rendered page.
func assertInert(t *testing.T, name, raw string, doc *goquery.Document) {
	t.Helper()
	for _, bad := range []string{"<script>alert", "<img src=x", "<svg", `href="javascript`, `src="javascript`} {
		if strings.Contains(strings.ToLower(raw), strings.ToLower(bad)) {
			t.Errorf("%s: page source contains %q", name, bad)
		}
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, ok := s.Attr("src")
		if !ok || !strings.HasPrefix(src, static.Prefix) || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("%s: a script that is not ours: src=%q text=%q", name, src, s.Text())
		}
	})
	if n := doc.Find("iframe, object, embed, base, svg, math, style, [style], meta[http-equiv]").Length(); n > 0 {
		t.Errorf("%s: %d elements that data must never create", name, n)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"):
				t.Errorf("%s: <%s %s=%q>: event handler attribute", name, s.Nodes[0].Data, a.Key, a.Val)
			case key == "href" || key == "src" || key == "action" || key == "formaction" || key == "srcset" ||
				key == "poster" || strings.HasPrefix(key, "hx-get") || strings.HasPrefix(key, "hx-post"):
				if !safeURL(a.Val) {
					t.Errorf("%s: <%s %s=%q>: not a local path nor http(s)", name, s.Nodes[0].Data, a.Key, a.Val)
				}
			}
		}
	})
	// Links and images from article data are absolute http(s) URLs.
	doc.Find("a.ext, [data-testid=image] img").Each(func(_ int, s *goquery.Selection) {
		v := s.AttrOr("href", s.AttrOr("src", ""))
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Errorf("%s: article link %q is not http(s)", name, v)
		}
	})
}

// safeURL accepts a local path ("/x", "#x", "?x", not "//" or "/\"), or an
// absolute http or https URL.
func safeURL(v string) bool {
	if v == "" || strings.ContainsAny(v, "\\\t\r\n\x00") {
		return false
	}
	switch v[0] {
	case '#', '?':
		return true
	case '/':
		return !strings.HasPrefix(v, "//")
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
