package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// withoutPresence is the store with presence that records and finds
// nobody, so the same database serves the pages as they were before
// presence: the "before" of BenchmarkPresence.
type withoutPresence struct{ *db.Store }

func (withoutPresence) OpenArticle(context.Context, int64, int64, time.Time) error   { return nil }
func (withoutPresence) RenewPresence(context.Context, int64, int64, time.Time) error { return nil }
func (withoutPresence) ClaimArticle(context.Context, int64, int64, time.Time) (bool, error) {
	return true, nil
}
func (withoutPresence) OpenBy(context.Context, []int64, int64, time.Time) (map[int64][]string, error) {
	return nil, nil
}

// BenchmarkPresence measures what presence costs the review page, the
// queue and "next": each page with presence (two other editors on the
// article, so the line and the markers are drawn) against the same page
// on the same database with the store's presence hidden; and the
// heartbeat; and the editor's loop, Approve and the next article's page.
// NEWSDESK_BENCH_ARTICLES generated articles (default 10,000).
// Allocations are per request.
//
//	go test -run '^$' -bench Presence -benchmem -benchtime 300x ./handlers/
func BenchmarkPresence(b *testing.B) {
	n := 10_000
	if v := os.Getenv("NEWSDESK_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 200 {
			b.Fatalf("NEWSDESK_BENCH_ARTICLES=%q: want a whole number of at least 200", v)
		}
	}
	env := webtest.New(b)
	ctx := context.Background()
	g := gen.New(gen.Options{Seed: 1, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	batch := make([]*article.Article, 0, 500)
	for i := range n {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data))
		if err != nil {
			b.Fatal(err)
		}
		if batch = append(batch, a); len(batch) == cap(batch) || i == n-1 {
			if _, err := env.Store.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	no := false
	page, err := env.Store.List(ctx, db.ListQuery{Status: article.StatusPending, Published: &no, Limit: db.DefaultLimit})
	if err != nil || len(page.Items) < 3 {
		b.Fatalf("queue: %v", err)
	}
	first := page.Items[0].ID
	review := webtest.ArticlePath(first) + "?from=" + url.QueryEscape(pendingQueue)

	// Two other editors: one on the article, one on the next.
	for i, name := range []string{"bob", "carol"} {
		env.LoginNewUser(b, name, db.RoleEditor).Get(webtest.ArticlePath(page.Items[i].ID))
	}
	alice := env.LoginNewUser(b, "alice", db.RoleEditor)
	u, _ := url.Parse(env.Server.URL)
	cookies := alice.HTTP.Jar.Cookies(u)
	token := alice.CSRFToken()

	before, err := web.New(ctx, env.Config, withoutPresence{env.Store})
	if err != nil {
		b.Fatal(err)
	}
	servers := []struct {
		name string
		h    http.Handler
	}{{"before", before.Handler()}, {"presence", env.Web.Handler()}}
	next := url.Values{
		"version": {"1"}, "quality": {"50"}, "status": {"pending"}, "note": {""}, "action": {"next"},
		"from": {pendingQueue}, "_csrf": {token},
	}
	// The editor's usual walk: a different article each time.
	var walk []string
	for _, s := range page.Items[3:] {
		walk = append(walk, webtest.ArticlePath(s.ID)+"?from="+url.QueryEscape(pendingQueue))
	}
	cases := []struct {
		name, method, path string
		body               url.Values
		want               int
	}{
		{"review-reload", http.MethodGet, review, nil, http.StatusOK},
		{"review-walk", http.MethodGet, "", nil, http.StatusOK},
		{"queue", http.MethodGet, "/articles", nil, http.StatusOK},
		// A stale save: the walk for "next", then the conflict page, and
		// nothing written, so every round is the same.
		{"save-next-stale", http.MethodPost, webtest.ArticlePath(page.Items[2].ID), next, http.StatusConflict},
		{"heartbeat", http.MethodPost, webtest.ArticlePath(first) + "/presence", url.Values{"_csrf": {token}}, http.StatusOK},
	}
	// Alice's quality of 50 on a version that is not current any more.
	if _, err := env.Store.Update(ctx, page.Items[2].ID, db.Edit{Version: 1, Note: ptrTo("bench"), Actor: "bench"}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range cases {
		for _, s := range servers {
			if bc.name == "heartbeat" && s.name == "before" {
				continue // no such route before
			}
			b.Run(bc.name+"/"+s.name, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					path := bc.path
					if path == "" {
						path, i = walk[i%len(walk)], i+1
					}
					var body *strings.Reader
					if bc.body != nil {
						body = strings.NewReader(bc.body.Encode())
					} else {
						body = strings.NewReader("")
					}
					req := httptest.NewRequest(bc.method, path, body)
					req.Header.Set("Accept-Encoding", "gzip")
					if bc.body != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					for _, ck := range cookies {
						req.AddCookie(ck)
					}
					rec := httptest.NewRecorder()
					s.h.ServeHTTP(rec, req)
					if rec.Code != bc.want {
						b.Fatalf("%s %s: status %d, want %d", bc.method, path, rec.Code, bc.want)
					}
				}
			})
		}
	}

	// The editor's real loop: Approve (a save, then 303 to the next
	// article) and the next article's page, one round per article.
	// Articles from the end of the pending queue, each approved once.
	var pending []int64
	for cursor := ""; len(pending) < 5000; {
		p, err := env.Store.List(ctx, db.ListQuery{Status: article.StatusPending, Published: &no, Limit: db.MaxLimit, Cursor: cursor})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range p.Items[min(3, len(p.Items)):] {
			pending = append(pending, s.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	used := 0
	for _, s := range servers {
		b.Run("approve-next/"+s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if used == len(pending) {
					b.Fatal("out of pending articles; run with a smaller -benchtime")
				}
				id := pending[used]
				used++
				rec, err := env.Store.Get(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				form := url.Values{
					"version": {strconv.FormatInt(rec.Version, 10)}, "quality": {strconv.Itoa(rec.Quality)},
					"topics": rec.Topics, "status": {"pending"}, "note": {""}, "action": {"approve"},
					"from": {pendingQueue}, "_csrf": {token},
				}
				if !rec.HasQuality {
					form.Set("quality", "")
				}
				req := httptest.NewRequest(http.MethodPost, webtest.ArticlePath(id), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				rec1 := httptest.NewRecorder()
				s.h.ServeHTTP(rec1, req)
				if rec1.Code != http.StatusSeeOther {
					b.Fatalf("approve %d: status %d", id, rec1.Code)
				}
				req = httptest.NewRequest(http.MethodGet, rec1.Header().Get("Location"), nil)
				req.Header.Set("Accept-Encoding", "gzip")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				rec2 := httptest.NewRecorder()
				s.h.ServeHTTP(rec2, req)
				if rec2.Code != http.StatusOK {
					b.Fatalf("next of %d: status %d", id, rec2.Code)
				}
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
