package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// client is one logged-in session: its own cookie jar and a pool of up to
// conns connections. It does not follow redirects: a save's 303 is the
// answer being measured.
type client struct {
	base string
	http *http.Client
}

// newClient is a client without a session.
func newClient(base string, conns int) *client {
	jar, _ := cookiejar.New(nil) // New never fails without options
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{
		Jar:           jar,
		Transport:     tr,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login logs in as user the way a browser does: GET /login for the form's
// _csrf token, POST /login, and a 303 anywhere but back to /login.
func login(ctx context.Context, base, user, password string, conns int) (*client, error) {
	c := newClient(base, conns)
	_, page, err := c.get(ctx, "/login")
	if err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("login page: %w", err)
	}
	token := doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "")
	if token == "" {
		return nil, fmt.Errorf("GET %s/login: no _csrf field in the form", base)
	}
	form := url.Values{"username": {user}, "password": {password}, "_csrf": {token}}
	status, resp, err := c.post(ctx, "/login", form)
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther || strings.HasPrefix(resp.Get("Location"), "/login") {
		return nil, fmt.Errorf("login as %q at %s: status %d, Location %q: wrong password, or throttled?", user, base, status, resp.Get("Location"))
	}
	return c, nil
}

// get fetches path (relative to the base) and returns the status and the
// whole body.
func (c *client) get(ctx context.Context, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("GET %s: reading the body: %w", path, err)
	}
	return resp.StatusCode, body, nil
}

// getDoc fetches path, wants a 200, and parses the HTML.
func (c *client) getDoc(ctx context.Context, path string) (*goquery.Document, error) {
	status, body, err := c.get(ctx, path)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", path, status)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return doc, nil
}

// post sends form to path and returns the status and headers; the body is
// read and dropped, so the connection can be reused.
func (c *client) post(ctx context.Context, path string, form url.Values) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header, err
}
