package handlers

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext checks the login's next parameter, the one open-redirect
// risk: whatever next is, where SafeNext sends the browser stays on this
// site, also after the rewriting browsers do to a URL (dropping tabs and
// newlines, trimming control characters and spaces, reading a backslash as
// a slash in http(s) URLs).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{
		"/articles/3?from=q%3Dx", "//evil.example", `/\evil.example`, "/\t/evil.example", "https://evil.example",
		"javascript:alert(1)", "/.//evil.example", "/%2F%2Fevil.example", " //evil.example", "\x00//evil.example",
		"/\u3000/evil.example", "http:evil.example", "/a#//evil.example", "/a?next=//evil.example", "",
	} {
		f.Add(s)
	}
	site, _ := url.Parse("https://newsdesk.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := SafeNext(next)
		if got != next && got != DefaultLanding {
			t.Fatalf("SafeNext(%q) = %q: neither next nor the default", next, got)
		}
		if safeNextOrEmpty(next) != "" && safeNextOrEmpty(next) != got {
			t.Fatalf("the form and the redirect disagree on %q", next)
		}
		browser := strings.Map(func(r rune) rune {
			switch r {
			case '\t', '\n', '\r':
				return -1
			case '\\':
				return '/'
			}
			return r
		}, got)
		browser = strings.TrimFunc(browser, func(r rune) bool { return r <= ' ' })
		ref, err := url.Parse(browser)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q, which does not parse: %v", next, got, err)
		}
		if u := site.ResolveReference(ref); u.Host != site.Host || u.Scheme != site.Scheme {
			t.Fatalf("SafeNext(%q) = %q leads to %s", next, got, u)
		}
	})
}
