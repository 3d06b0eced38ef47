package webtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// SessionCookie is the name of the session cookie; with SecureCookies it
// is "__Host-" + SessionCookie.
const SessionCookie = "newsdesk_session"

// ByTestID finds the elements with data-testid id (the templ guide's
// convention for what tests look at).
func ByTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// TestIDText is the trimmed text of the first element with data-testid
// id, "" when there is none.
func TestIDText(doc *goquery.Document, id string) string {
	return strings.TrimSpace(ByTestID(doc, id).First().Text())
}

// TestIDTexts is the trimmed text of every element with data-testid id,
// in document order.
func TestIDTexts(doc *goquery.Document, id string) []string {
	var out []string
	ByTestID(doc, id).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

// Flashes are the flash messages of a page.
func Flashes(doc *goquery.Document) []string { return TestIDTexts(doc, "flash") }

// WantStatus fails the test now unless resp has status want.
func WantStatus(t testing.TB, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want)
	}
}

// WantRedirect fails the test now unless resp is a 303 to location.
func WantRedirect(t testing.TB, resp *http.Response, location string) {
	t.Helper()
	WantStatus(t, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: Location %q, want %q", resp.Request.Method, resp.Request.URL.Path, got, location)
	}
}

// SetsSession reports whether resp sets (not deletes) the session cookie,
// under either of its names.
func SetsSession(resp *http.Response) bool {
	for _, ck := range resp.Cookies() {
		if strings.HasSuffix(ck.Name, SessionCookie) && ck.MaxAge >= 0 && ck.Value != "" {
			return true
		}
	}
	return false
}
