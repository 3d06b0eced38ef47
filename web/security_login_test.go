package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// Behind a trusted proxy the client address is the rightmost untrusted
// X-Forwarded-For entry: the one the proxy appended. These tests add to
// throttle_test.go what a client behind the proxy can try.

// TestThrottleBehindProxyIgnoresPrependedXFF: a client that writes its own
// X-Forwarded-For entries in front of the proxy's cannot pose as many
// addresses.
func TestThrottleBehindProxyIgnoresPrependedXFF(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	attacker := env.Client(t)
	for i := range 10 {
		// The first two entries are the client's invention, the last the
		// proxy's record of where the request came from.
		attacker.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d, 10.0.0.%d, 203.0.113.5", i, i))
		webtest.WantStatus(t, attacker.PostLogin(fmt.Sprintf("guess%d", i), "password-guess"), http.StatusUnprocessableEntity)
	}
	attacker.Header.Set("X-Forwarded-For", "198.51.100.250, 203.0.113.5")
	wantThrottled(t, attacker, attacker.PostLogin("guess-more", "password-guess"))
	attacker.Header.Set("X-Forwarded-For", "203.0.113.5")
	attacker.Header.Set("X-Real-IP", "198.51.100.251")
	wantThrottled(t, attacker, attacker.PostLogin(webtest.EditorName, webtest.EditorPassword))
	// Another client behind the same proxy is not affected.
	other := env.Client(t)
	other.Header.Set("X-Forwarded-For", "203.0.113.6")
	webtest.WantRedirect(t, other.PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
}

// TestThrottlePerAccountAcrossAddresses: guesses at one account from many
// addresses (a botnet behind the proxy) stop after the account's burst,
// and then even the right password from a fresh address waits.
func TestThrottlePerAccountAcrossAddresses(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	for i := range 5 {
		c := env.Client(t)
		c.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 10+i))
		webtest.WantStatus(t, c.PostLogin(webtest.EditorName, fmt.Sprintf("wrong-%d", i)), http.StatusUnprocessableEntity)
	}
	fresh := env.Client(t)
	fresh.Header.Set("X-Forwarded-For", "203.0.113.99")
	wantThrottled(t, fresh, fresh.PostLogin(webtest.EditorName, webtest.EditorPassword))
	// The other account is unaffected, from any address.
	webtest.WantRedirect(t, fresh.PostLogin(webtest.AdminName, webtest.AdminPassword), "/articles")
}

// TestThrottleSparesTheOwnersBrowser: guesses at an account from many
// addresses lock out fresh browsers, but not one that has logged in to it
// before (its device cookie), nor does a forged or another account's
// device cookie get past.
func TestThrottleSparesTheOwnersBrowser(t *testing.T) {
	env := webtest.New(t, func(c *web.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	owner := env.Client(t)
	owner.Header.Set("X-Forwarded-For", "192.0.2.10")
	webtest.WantRedirect(t, owner.PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
	device := owner.Cookie("newsdesk_device")
	if device == nil {
		t.Fatal("no device cookie after a login")
	}
	owner.Doc(owner.Get("/articles")) // for the CSRF token of the logout
	webtest.WantStatus(t, owner.PostForm("/logout", nil), http.StatusSeeOther)

	for i := range 5 {
		c := env.Client(t)
		c.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 10+i))
		webtest.WantStatus(t, c.PostLogin(webtest.EditorName, fmt.Sprintf("wrong-%d", i)), http.StatusUnprocessableEntity)
	}
	fresh := env.Client(t)
	fresh.Header.Set("X-Forwarded-For", "203.0.113.99")
	wantThrottled(t, fresh, fresh.PostLogin(webtest.EditorName, webtest.EditorPassword))

	// A forged device cookie, and the admin's own, count for nothing.
	forged := env.Client(t)
	forged.Header.Set("X-Forwarded-For", "203.0.113.98")
	forged.SetCookie(&http.Cookie{Name: "newsdesk_device", Value: "editor"})
	wantThrottled(t, forged, forged.PostLogin(webtest.EditorName, webtest.EditorPassword))
	adminBrowser := env.Client(t)
	adminBrowser.Header.Set("X-Forwarded-For", "203.0.113.97")
	webtest.WantRedirect(t, adminBrowser.PostLogin(webtest.AdminName, webtest.AdminPassword), "/articles")
	adminBrowser.Doc(adminBrowser.Get("/articles"))
	webtest.WantStatus(t, adminBrowser.PostForm("/logout", nil), http.StatusSeeOther)
	adminBrowser.Doc(adminBrowser.Get("/login")) // the token of the new session
	wantThrottled(t, adminBrowser, adminBrowser.PostLogin(webtest.EditorName, webtest.EditorPassword))

	// The owner's browser logs in.
	owner.Doc(owner.Get("/login"))
	webtest.WantRedirect(t, owner.PostLogin(webtest.EditorName, webtest.EditorPassword), "/articles")
}
