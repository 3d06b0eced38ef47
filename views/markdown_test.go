package views_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/views"
)

// TestMarkdownIsSafe renders hostile bodies and checks the HTML: no raw
// HTML, no script, and every href and src an http or https URL.
func TestMarkdownIsSafe(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // in the HTML
		not        []string // not in the HTML (lower-cased match)
	}{
		{"paragraphs and emphasis", "One *two*\n\nThree", []string{"<p>One <em>two</em></p>", "<p>Three</p>"}, nil},
		{"http link kept", "[site](https://example.com/a?b=1&c=2)",
			[]string{`<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">site</a>`}, nil},
		{"upper-case scheme kept", "[s](HTTP://example.com/)", []string{`href="HTTP://example.com/"`}, nil},
		{"javascript link", "[click](javascript:alert(1))", []string{"<p>click</p>"}, []string{"javascript", "<a"}},
		{"mixed case", "[click](JaVaScRiPt:alert(1))", []string{"click"}, []string{"javascript", "<a"}},
		{"entity encoded", "[click](&#106;avascript:alert(1))", []string{"click"}, []string{"avascript", "<a"}},
		{"hex entity", "[click](&#x6A;avascript&#x3A;alert(1))", []string{"click"}, []string{"avascript", "<a"}},
		{"vbscript", "[v](vbscript:msgbox(1))", []string{"v"}, []string{"vbscript", "<a"}},
		{"data link", "[d](data:text/html;base64,PHNjcmlwdD4=)", []string{"d"}, []string{"data:", "<a"}},
		{"data image", "![pic](data:image/png;base64,AAAA)", []string{"<p>pic</p>"}, []string{"<img", "data:"}},
		{"javascript image", "![x *y*](javascript:alert(1))", []string{"<p>x y</p>"}, []string{"<img", "javascript"}},
		{"relative link", "[rel](/admin/users)", []string{"rel"}, []string{"<a", "/admin"}},
		{"protocol-relative", "[p](//evil.example/x)", []string{"p"}, []string{"<a", "evil"}},
		{"mailto autolink", "<mailto:a@b.example>", []string{"mailto:a@b.example"}, []string{"<a"}},
		{"email autolink", "<a@b.example>", []string{"a@b.example"}, []string{"<a"}},
		{"http autolink", "<https://example.com/x>", []string{`<a href="https://example.com/x" target="_blank" rel="noopener noreferrer nofollow">`}, nil},
		{"reference link", "[r][1]\n\n[1]: javascript:alert(1)", []string{"r"}, []string{"javascript", "<a"}},
		{"http image", "![alt](https://img.example/a.jpg)",
			[]string{`<img src="https://img.example/a.jpg" alt="alt" loading="lazy" referrerpolicy="no-referrer">`}, nil},
		{"image inside link", "[![i](https://img.example/a.jpg)](javascript:x)", []string{`<img src="https://img.example/a.jpg"`}, []string{"javascript", "<a"}},
		// HTML in a body is shown as the text it is, never run or dropped.
		{"raw html block", "<script>alert(1)</script>\n\ntext", []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "<p>text</p>"}, []string{"<script"}},
		{"raw inline html", "a <img src=x onerror=alert(1)> b", []string{"a &lt;img src=x onerror=alert(1)&gt; b"}, []string{"<img"}},
		{"attribute breakout", `[x](https://e.example/"onmouseover="alert(1))`, nil, []string{`" onmouseover`, `"onmouseover="`}},
		{"iframe", "<iframe src=https://e.example></iframe>", []string{"&lt;iframe"}, []string{"<iframe"}},
		{"escaped text", "1 < 2 & 3 > \"x\"", []string{"1 &lt; 2 &amp; 3 &gt; &quot;x&quot;"}, nil},
		{"newline in scheme", "[n](java\nscript:alert(1))", nil, []string{"<a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := views.Markdown(tc.body).String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML lacks %q:\n%s", w, got)
				}
			}
			low := strings.ToLower(got)
			for _, n := range tc.not {
				if strings.Contains(low, strings.ToLower(n)) {
					t.Errorf("HTML has %q:\n%s", n, got)
				}
			}
			checkURLs(t, got)
		})
	}
}

// checkURLs parses the HTML as a browser would and requires every href and
// src to be http(s), and no event handler attributes.
func checkURLs(t *testing.T, html string) {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	d.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("event attribute %s=%q", a.Key, a.Val)
			}
			if a.Key == "href" || a.Key == "src" {
				if _, ok := views.WebURL(a.Val); !ok {
					t.Errorf("%s=%q is not a web URL", a.Key, a.Val)
				}
			}
		}
		if n := goquery.NodeName(s); n == "script" || n == "iframe" || n == "object" || n == "style" {
			t.Errorf("element %s", n)
		}
	})
}

func TestWebURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://e.example/a": true, " http://e.example ": true, "HTTPS://E.EXAMPLE": true,
		"javascript:alert(1)": false, "//e.example": false, "/a": false, "ftp://e.example": false,
		"data:text/html,x": false, "": false, "http://": false, "mailto:a@b": false,
	} {
		if _, got := views.WebURL(s); got != want {
			t.Errorf("WebURL(%q) = %v", s, got)
		}
	}
}
