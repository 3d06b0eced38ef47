package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

const instancesPassword = "instances-password-1"

// TestInstancesShareOnePostgres is issue 12's test of several app
// instances: two `newsdesk serve` processes (the real binary) on one
// PostgreSQL database, set up with `newsdesk user add` and `newsdesk
// import`, used through real HTTP by browsers that log in with the login
// form. Each subtest is one of the claims:
//   - a save through one instance is what the other serves, and a
//     browser logged in through one is logged in on the other (no sticky
//     sessions needed);
//   - a save of a stale version through the other instance answers 409;
//   - an editor with an article open on one instance is named on its
//     review page on the other;
//   - failed logins spread over both instances reach the limit of one
//     account (the throttle is in the database);
//   - a user an admin disables through one instance, or `newsdesk user
//     disable` disables, is logged out of both.
//
// It needs NEWSDESK_TEST_POSTGRES (see package pgtest): it skips without
// it, and fails without it under CI=true.
func TestInstancesShareOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two servers")
	}
	dbURL := pgtest.URL(t)
	dir := t.TempDir()
	bin := buildBinary(t, dir)

	for _, u := range []struct{ name, role string }{
		{"chief", "admin"}, {"ann", "editor"}, {"bob", "editor"}, {"carl", "editor"},
	} {
		runProgram(t, bin, instancesPassword+"\n", "user", "add", "--db", dbURL, "--role", u.role, u.name)
	}
	runProgram(t, bin, "", "import", "--db", dbURL, validDir)
	saved, presence := articleIDs(t, dbURL, "comments", "crlf")

	one := startProgram(t, bin, "serve", "--db", dbURL, "--addr", "127.0.0.1:0")
	two := startProgram(t, bin, "serve", "--db", dbURL, "--addr", "127.0.0.1:0")
	if one.url == two.url {
		t.Fatalf("both servers on %s", one.url)
	}
	ann1 := login(t, one.url, "ann", instancesPassword)
	bob2 := login(t, two.url, "bob", instancesPassword)

	t.Run("SaveSeenOnOther", func(t *testing.T) {
		before := reviewPage(t, bob2, two.url, saved)
		page := reviewPage(t, ann1, one.url, saved)
		form := reviewFormValues(page)
		q, err := strconv.Atoi(form.Get("quality"))
		if err != nil {
			t.Fatalf("quality field %q", form.Get("quality"))
		}
		want := (q + 17) % 101
		form.Set("quality", strconv.Itoa(want))
		if code, body := post(t, ann1, one.url, articlePath(saved), form); code != http.StatusSeeOther {
			t.Fatalf("save on instance 1: status %d, want 303: %s", code, pageMessages(body))
		}

		after := reviewFormValues(reviewPage(t, bob2, two.url, saved))
		if got := after.Get("quality"); got != strconv.Itoa(want) {
			t.Errorf("instance 2 shows quality %s after instance 1 saved %d", got, want)
		}
		if after.Get("version") == form.Get("version") {
			t.Errorf("instance 2 shows version %s, the one before the save", after.Get("version"))
		}
		// One cookie, both instances: a proxy needs no sticky sessions.
		mine := reviewFormValues(reviewPage(t, ann1, two.url, saved))
		if got := mine.Get("quality"); got != strconv.Itoa(want) {
			t.Errorf("ann's session read through instance 2 shows quality %s, want %d", got, want)
		}

		t.Run("StaleSaveOnOtherIs409", func(t *testing.T) {
			stale := reviewFormValues(before) // bob's form from before ann's save
			stale.Set("quality", strconv.Itoa((want+30)%101))
			code, body := post(t, bob2, two.url, articlePath(saved), stale)
			if code != http.StatusConflict {
				t.Errorf("stale save on instance 2: status %d, want 409: %s", code, pageMessages(body))
			}
			now := reviewFormValues(reviewPage(t, bob2, two.url, saved))
			if got := now.Get("quality"); got != strconv.Itoa(want) {
				t.Errorf("after the refused stale save the quality is %s, want ann's %d", got, want)
			}
		})
	})

	t.Run("PresenceAcrossInstances", func(t *testing.T) {
		reviewPage(t, ann1, one.url, presence) // ann opens it on instance 1
		doc := reviewPage(t, bob2, two.url, presence)
		if got := doc.Find(`[data-testid="presence-names"]`).Text(); got != "ann" {
			t.Errorf("bob's review page on instance 2 names %q as also open by, want ann", got)
		}
		// ann's heartbeat through instance 1 names bob, who is on 2.
		code, body := post(t, ann1, one.url, articlePath(presence)+"/presence", url.Values{})
		if code != http.StatusOK || !strings.Contains(string(body), "bob") {
			t.Errorf("ann's heartbeat on instance 1: status %d, %.300q; want 200 naming bob", code, body)
		}
	})

	t.Run("LoginThrottleCountsBothInstances", func(t *testing.T) {
		// carl's account allows 5 failed logins (handlers' accountBurst):
		// 3 through instance 1 and 2 through instance 2 spend them all,
		// so even the right password is then refused, on either.
		servers := []string{one.url, two.url, one.url, two.url, one.url}
		for i, base := range servers {
			if code := tryLogin(t, base, "carl", "wrong-password-"+strconv.Itoa(i)); code != http.StatusUnprocessableEntity {
				t.Fatalf("failed login %d on %s: status %d, want 422", i+1, base, code)
			}
		}
		for _, base := range []string{two.url, one.url} {
			if code := tryLogin(t, base, "carl", instancesPassword); code != http.StatusTooManyRequests {
				t.Errorf("login on %s after 5 failures spread over both instances: status %d, want 429", base, code)
			}
		}

		t.Run("Parallel", func(t *testing.T) {
			// 20 wrong passwords for one account at once, alternating
			// between the instances, each from its own loopback address
			// (so that only the account's bucket can stop them, and
			// 127.0.0.1's stays for the other subtests): exactly the
			// account's 5 get past the throttle, the others get its 429.
			const n, burst = 20, 5
			codes := make([]int, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					base := []string{one.url, two.url}[i%2]
					src := net.IPv4(127, 0, 0, byte(10+i))
					codes[i], errs[i] = loginAttempt(base, src, "dora", "wrong-password-"+strconv.Itoa(i))
				}()
			}
			wg.Wait()
			checked := 0
			for i, code := range codes {
				switch {
				case errs[i] != nil:
					t.Fatalf("attempt %d: %v", i+1, errs[i])
				case code == http.StatusUnprocessableEntity:
					checked++
				case code != http.StatusTooManyRequests:
					t.Errorf("attempt %d: status %d, want 422 or 429", i+1, code)
				}
			}
			if checked != burst {
				t.Errorf("%d of %d wrong passwords sent at once over both instances were checked (422), want the account's burst, %d; statuses %v", checked, n, burst, codes)
			}
		})
	})

	t.Run("DisabledUserLoggedOutOfBoth", func(t *testing.T) {
		ann2 := login(t, two.url, "ann", instancesPassword)
		chief := login(t, one.url, "chief", instancesPassword)
		for _, b := range []struct {
			b    *browser
			base string
		}{{ann1, one.url}, {ann2, two.url}} {
			if code, _ := get(t, b.b, b.base+"/articles"); code != http.StatusOK {
				t.Fatalf("ann on %s before being disabled: status %d", b.base, code)
			}
		}
		adminDisables(t, chief, one.url, "ann")
		for _, b := range []struct {
			b    *browser
			base string
		}{{ann1, one.url}, {ann2, two.url}, {ann1, two.url}} {
			code, loc := get(t, b.b, b.base+"/articles")
			if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("ann on %s after the admin disabled her on instance 1: status %d to %q, want 303 to /login", b.base, code, loc)
			}
		}
	})

	t.Run("DisabledByCommandLoggedOutOfBoth", func(t *testing.T) {
		bob1 := login(t, one.url, "bob", instancesPassword)
		runProgram(t, bin, "", "user", "disable", "--db", dbURL, "bob")
		for _, b := range []struct {
			b    *browser
			base string
		}{{bob1, one.url}, {bob2, two.url}} {
			code, loc := get(t, b.b, b.base+"/articles")
			if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("bob on %s after `newsdesk user disable`: status %d to %q, want 303 to /login", b.base, code, loc)
			}
		}
	})
}

// runProgram runs the built binary to its end with stdin, failing the
// test on a non-zero exit.
func runProgram(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("newsdesk %s: %v\n%s%s", args[0], err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// articleIDs are the ids of the articles with keys, read from the store.
func articleIDs(t *testing.T, dbURL string, keys ...string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	store, err := postgres.OpenReadOnly(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ids := make([]int64, len(keys))
	for i, k := range keys {
		rec, err := store.GetByKey(ctx, k)
		if err != nil {
			t.Fatalf("article %q: %v", k, err)
		}
		ids[i] = rec.ID
	}
	return ids[0], ids[1]
}

func articlePath(id int64) string { return "/articles/" + strconv.FormatInt(id, 10) }

// reviewPage is the review page of article id through the server at base.
func reviewPage(t *testing.T, b *browser, base string, id int64) *goquery.Document {
	t.Helper()
	resp, err := b.http.Get(base + articlePath(id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s%s: status %d: %s", base, articlePath(id), resp.StatusCode, pageMessages(body))
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// post sends form (with b's CSRF token) to base+path and returns the
// status and body.
func post(t *testing.T, b *browser, base, path string, form url.Values) (int, []byte) {
	t.Helper()
	form.Set("_csrf", b.token)
	resp, err := b.http.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// get returns the status of a GET and where it redirects.
func get(t *testing.T, b *browser, u string) (int, string) {
	t.Helper()
	resp, err := b.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// tryLogin posts the login form of base once from a new browser (no
// device cookie, so the account's throttle applies) and returns the
// status: 303 logged in, 422 refused, 429 throttled.
func tryLogin(t *testing.T, base, user, password string) int {
	t.Helper()
	code, err := loginAttempt(base, nil, user, password)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// loginAttempt is tryLogin from the local address src (nil: any), which
// the server sees as the client's address, and safe to call from any
// goroutine.
func loginAttempt(base string, src net.IP, user, password string) (int, error) {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if src != nil {
		dialer.LocalAddr = &net.TCPAddr{IP: src}
	}
	b := &browser{http: &http.Client{
		Jar: jar, Timeout: 20 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	defer b.http.CloseIdleConnections()
	resp, err := b.http.Get(base + "/login")
	if err != nil {
		return 0, err
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	form := url.Values{"username": {user}, "password": {password}}
	form.Set("_csrf", doc.Find(`input[name="_csrf"]`).AttrOr("value", ""))
	resp, err = b.http.PostForm(base+"/login", form)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// adminDisables disables name through the admin page of base, as an admin
// does: the Disable form of the user's row.
func adminDisables(t *testing.T, admin *browser, base, name string) {
	t.Helper()
	resp, err := admin.http.Get(base + "/admin/users")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/users: status %d, %v", resp.StatusCode, err)
	}
	form := doc.Find(fmt.Sprintf(`tr[data-user=%q] form[data-testid="disable-form"]`, name))
	action := form.AttrOr("action", "")
	if action == "" || form.Find(`input[name="op"]`).AttrOr("value", "") != "disable" {
		t.Fatalf("no Disable form for %s on the admin page", name)
	}
	code, body := post(t, admin, base, action, url.Values{"op": {"disable"}})
	if code != http.StatusSeeOther {
		t.Fatalf("disable %s: status %d: %s", name, code, pageMessages(body))
	}
}
