package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
	"github.com/newsdesk/newsdesk/db/storetest"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// claimForm is the review form of r as its page shows it, approved,
// from the pending queue; shown, when not "", is the page instant.js
// shows already (shown_next).
func claimForm(c *webtest.Client, r *db.Record, shown string) url.Values {
	form := url.Values{
		"version": {strconv.FormatInt(r.Version, 10)}, "quality": {strconv.Itoa(r.Quality)},
		"topics": r.Topics, "status": {string(r.Status)}, "note": {r.Note},
		"from": {pendingQueue}, "action": {"approve"}, "_csrf": {c.CSRFToken()},
	}
	if shown != "" {
		form.Set("shown_next", shown)
	}
	return form
}

// claimSave posts form for article id, in the background (as instant.js)
// or not, and returns the article the answer moves the editor to (0 for
// none) and the answer's status.
func claimSave(c *webtest.Client, id int64, form url.Values, background bool) (next int64, status int, raw string) {
	req := c.NewRequest(http.MethodPost, webtest.ArticlePath(id), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	to := ""
	if background {
		req.Header.Set("X-Newsdesk-Background", "1")
	}
	res := c.Do(req)
	if background {
		var ans backgroundAnswer
		if err := json.Unmarshal(c.Bytes(res), &ans); err != nil {
			return 0, res.StatusCode, c.Text(res)
		}
		to = ans.Next
	} else {
		to = res.Header.Get("Location")
	}
	rest, ok := strings.CutPrefix(to, "/articles/")
	if !ok {
		return 0, res.StatusCode, to
	}
	next, _ = strconv.ParseInt(strings.SplitN(rest, "?", 2)[0], 10, 64)
	return next, res.StatusCode, to
}

// claimRounds has alice and bob, on the first two of ids (the pending
// queue, in order), approve their articles at the same moment, rounds
// times, each time moving on to where the answers send them, and fails
// when both are sent to the same article. get reads an article from the
// store. In the background rounds both pages show the same next article
// (shown_next), the first pending one after theirs.
func claimRounds(t *testing.T, alice, bob *webtest.Client, ids []int64, get func(int64) *db.Record, rounds int, background bool) {
	t.Helper()
	onA, onB := ids[0], ids[1]
	webtest.WantStatus(t, alice.Get(webtest.ArticlePath(onA)), http.StatusOK)
	webtest.WantStatus(t, bob.Get(webtest.ArticlePath(onB)), http.StatusOK)
	done := map[int64]bool{}
	for round := range rounds {
		shown := ""
		if background {
			for _, id := range ids {
				if !done[id] && id != onA && id != onB {
					shown = webtest.ArticlePath(id) + "?from=" + url.QueryEscape(pendingQueue)
					break
				}
			}
		}
		forms := []url.Values{claimForm(alice, get(onA), shown), claimForm(bob, get(onB), shown)}
		clients, on := []*webtest.Client{alice, bob}, []int64{onA, onB}
		next, status, raw := make([]int64, 2), make([]int, 2), make([]string, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				<-start
				next[i], status[i], raw[i] = claimSave(clients[i], on[i], forms[i], background)
			})
		}
		close(start)
		wg.Wait()
		want := http.StatusSeeOther
		if background {
			want = http.StatusOK
		}
		if status[0] != want || status[1] != want || next[0] == 0 || next[1] == 0 {
			t.Fatalf("round %d: statuses %v, answers %q: want %d and a next article each", round, status, raw, want)
		}
		if next[0] == next[1] {
			t.Fatalf("round %d: alice (on %d) and bob (on %d) were both sent to article %d", round, onA, onB, next[0])
		}
		done[onA], done[onB] = true, true
		onA, onB = next[0], next[1]
		// The browsers open the pages they were sent to.
		webtest.WantStatus(t, alice.Get(webtest.ArticlePath(onA)), http.StatusOK)
		webtest.WantStatus(t, bob.Get(webtest.ArticlePath(onB)), http.StatusOK)
	}
}

// claimModes are claimRounds' two ways of saving.
var claimModes = []struct {
	name       string
	background bool
	rounds     int
}{
	{"redirect", false, 20},
	{"background, same article shown", true, 15},
}

// Two editors approving neighbouring articles at the same moment are
// sent to two different next articles, round after round: the claim of
// the next article is one atomic store operation, not a look at who has
// it open followed by a write.
func TestConcurrentSavesClaimDifferentArticles(t *testing.T) {
	for _, tt := range claimModes {
		t.Run(tt.name, func(t *testing.T) {
			n := 2*tt.rounds + 6
			env, alice := triageEnv(t, n)
			bob := loginBob(t, env)
			ids := make([]int64, n)
			for i := range ids {
				ids[i] = env.ID(t, "t"+strconv.Itoa(i+1))
			}
			claimRounds(t, alice, bob, ids, func(id int64) *db.Record { return env.Record(t, id) }, tt.rounds, tt.background)
		})
	}
}

// The same with alice and bob on two servers, each with its own
// connection pool, on one PostgreSQL database: the claims serialize in
// the database, not in a server. It needs NEWSDESK_TEST_POSTGRES (see
// package pgtest).
func TestConcurrentSavesClaimDifferentArticlesAcrossInstances(t *testing.T) {
	ctx := context.Background()
	for _, tt := range claimModes {
		t.Run(tt.name, func(t *testing.T) {
			dbURL := pgtest.URL(t)
			n := 2*tt.rounds + 6
			var clients []*webtest.Client
			var stores []*postgres.Store
			for _, name := range []string{"alice", "bob"} {
				store, err := postgres.Open(ctx, dbURL)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { store.Close() })
				stores = append(stores, store)
				if _, err := store.CreateUser(ctx, name, webtest.PasswordHash(t, webtest.UserPassword(name)), db.RoleEditor); err != nil {
					t.Fatal(err)
				}
				srv, err := web.New(ctx, web.Config{Log: slog.New(slog.DiscardHandler)}, store)
				if err != nil {
					t.Fatal(err)
				}
				env := &webtest.Env{Server: httptest.NewServer(srv.Handler())}
				t.Cleanup(env.Server.Close)
				clients = append(clients, env.Login(t, name, webtest.UserPassword(name)))
			}
			ids := claimSeed(t, stores[0], n)
			get := func(id int64) *db.Record {
				r, err := stores[0].Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			claimRounds(t, clients[0], clients[1], ids, get, tt.rounds, tt.background)
		})
	}
}

// claimSeed stores n pending articles c1..cn, newest first, as
// triageEnv's, and returns their ids in that order.
func claimSeed(t *testing.T, s db.Database, n int) []int64 {
	t.Helper()
	var arts []*article.Article
	for i := 1; i <= n; i++ {
		spec := webtest.Spec{Key: "c" + strconv.Itoa(i), Title: "Claim article " + strconv.Itoa(i),
			Date: day(28 - i), Quality: 50, Topics: []string{"Health"}}
		a, err := article.Parse(spec.Key+".md", []byte(spec.File()))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	return storetest.ImportIDs(t, s, arts)
}
