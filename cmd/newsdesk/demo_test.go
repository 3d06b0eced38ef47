package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// TestDemoServesSampleDataAndItsLoginWorks runs the real demo command,
// reads the URL and the editor's login from its output, logs in and
// finds the sample articles in the queue.
func TestDemoServesSampleDataAndItsLoginWorks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo ended with %v", err)
		}
	}()

	base, user, pass := readDemoBanner(t, pr)
	go io.Copy(io.Discard, pr)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	doc := getDoc(t, client, base+"/login")
	token, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	resp, err := client.PostForm(base+"/login", url.Values{"username": {user}, "password": {pass}, "_csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	queue := getDoc(t, client, base+"/articles?status=all&published=any")
	if n := queue.Find(`[data-testid="queue-row"]`).Length(); n < 50 {
		t.Errorf("queue shows %d sample articles, want at least 50", n)
	}
	if got := queue.Find(`[data-testid="current-user"]`).Text(); got != user {
		t.Errorf("logged in as %q, want %q", got, user)
	}
}

var (
	urlLine   = regexp.MustCompile(`open\s+(http://\S+)/login`)
	loginLine = regexp.MustCompile(`editor\s+(\S+) / (\S+)`)
)

func readDemoBanner(t *testing.T, r io.Reader) (base, user, pass string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() && (base == "" || user == "") {
		if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if m := loginLine.FindStringSubmatch(sc.Text()); m != nil {
			user, pass = m[1], m[2]
		}
	}
	if base == "" || user == "" {
		t.Fatal("demo did not print its URL and editor login")
	}
	return base, user, pass
}

func getDoc(t *testing.T, c *http.Client, u string) *goquery.Document {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
