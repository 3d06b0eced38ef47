package e2e

import (
	"strings"
	"testing"
)

// TestLoginLogout: a wrong password is refused with a message, the right
// one opens the queue; after logging out, the back button shows no
// private page.
func TestLoginLogout(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")

	tb.open("/articles")
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("the queue without a session shows %s, want the login page", p)
	}
	tb.step("login-page")

	tb.login(editorName, "not-the-password", 422)
	if got := tb.text(`[data-testid="login-error"]`); got != "Wrong username or password." {
		t.Errorf("login error = %q, want %q", got, "Wrong username or password.")
	}
	if got := tb.value(`[data-testid="username"]`); got != editorName {
		t.Errorf("after a failed login the username field holds %q, want %q", got, editorName)
	}
	if got := tb.value(`[data-testid="password"]`); got != "" {
		t.Errorf("after a failed login the password field holds %q, want it empty", got)
	}
	if n := tb.count(`[data-testid="current-user"]`); n != 0 {
		t.Errorf("a failed login shows a logged-in user")
	}
	tb.step("login-wrong-password")

	tb.login(editorName, editorPassword, 200)
	if p := tb.path(); !strings.HasPrefix(p, "/articles") {
		t.Errorf("after login the page is %s, want the queue", p)
	}
	if got := tb.text(`[data-testid="current-user"]`); got != editorName {
		t.Errorf("current user = %q, want %q", got, editorName)
	}
	tb.step("queue-after-login")

	// A private page with article data, then log out.
	tb.open(a.articlePath(t, seedKey))
	if got := tb.text(`[data-testid="title"]`); got != seedTitle {
		t.Fatalf("article title = %q, want %q", got, seedTitle)
	}
	tb.step("article")
	tb.click(`[data-testid="logout"]`, 200)
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after logout the page is %s, want the login page", p)
	}
	if got := tb.texts(`[data-testid="flash"]`); !contains(got, "You have been logged out.") {
		t.Errorf("flash after logout = %q, want %q", got, "You have been logged out.")
	}
	tb.step("logged-out")

	// Back: the browser must not show the article from its cache.
	tb.back()
	tb.screenshot("back-after-logout")
	if n := tb.count(`[data-testid="current-user"]`); n != 0 {
		t.Errorf("after logout, the back button shows a page with the user (at %s)", tb.path())
	}
	if n := tb.count(`[data-testid="article"]`); n != 0 {
		t.Errorf("after logout, the back button shows the article (at %s)", tb.path())
	}
	if p := tb.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after logout, the back button shows %s, want the login page", p)
	}
	if tb.count(`[data-testid="login-form"]`) != 1 {
		t.Errorf("after logout, the back button does not show the login form")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
