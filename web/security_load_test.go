package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// Load test bounds: every worker stops after loadDuration or loadSaves
// saves, whichever comes first.
const (
	loadWorkers  = 50
	loadShared   = 4 // articles every worker saves
	loadDuration = 3 * time.Second
	loadSaves    = 60
)

// saveResult is one POST of the review form.
type saveResult struct {
	article int64
	base    int64 // the version the form was based on
	note    string
	status  int
	latency time.Duration
	err     error
}

// TestConcurrentSaves has 50 workers, each with its own browser session,
// save their own article and a few shared ones through HTTP for a few
// seconds. Every save is either applied (303) or refused as stale (409,
// shared articles only); the database is never "locked"; the audit log
// has one note change per applied save and nothing else; and each
// article ends with the values of its last applied save.
func TestConcurrentSaves(t *testing.T) {
	env := webtest.New(t)
	files := map[string]string{}
	for i := range loadShared {
		files[fmt.Sprintf("shared%d.md", i)] = webtest.PlainArticle(fmt.Sprintf("Shared %d", i))
	}
	for w := range loadWorkers {
		files[fmt.Sprintf("own%02d.md", w)] = webtest.PlainArticle(fmt.Sprintf("Own %d", w))
	}
	ids := env.ImportText(t, files)
	initial := map[int64]int64{}
	for _, id := range ids {
		rec, err := env.Store.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		initial[id] = rec.Version
	}

	// One login, its cookies copied into a browser per worker (50
	// argon2id logins would only measure argon2id).
	login := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	cookies := []*http.Cookie{login.Cookie(webtest.SessionCookie)}
	token := login.CSRFToken() // bound to that session, so good in every copy

	results := make(chan saveResult, loadWorkers*loadSaves)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(loadDuration)
	for w := range loadWorkers {
		c := env.Client(t)
		for _, ck := range cookies {
			c.SetCookie(ck)
		}
		own := ids[fmt.Sprintf("own%02d", w)]
		wg.Go(func() {
			ownVersion := initial[own]
			for i := 0; i < loadSaves && time.Now().Before(deadline); i++ {
				id, base := own, ownVersion
				if i%2 == 1 { // every other save goes to a shared article
					id = ids[fmt.Sprintf("shared%d", (w+i)%loadShared)]
					v, err := pageVersion(c.HTTP, env.URL(webtest.ArticlePath(id)))
					if err != nil {
						results <- saveResult{article: id, err: err}
						return
					}
					base = v
				}
				r := postSave(c.HTTP, env.URL(webtest.ArticlePath(id)), token, id, base,
					fmt.Sprintf("w%02d-s%03d", w, i), (w+i)%101)
				results <- r
				if r.err != nil {
					return
				}
				if id == own && r.status == http.StatusSeeOther {
					ownVersion++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(results)

	applied := map[int64][]saveResult{}
	var all []saveResult
	var conflicts int
	for r := range results {
		all = append(all, r)
		switch {
		case r.err != nil:
			t.Errorf("article %d: %v", r.article, r.err)
		case r.status == http.StatusSeeOther:
			applied[r.article] = append(applied[r.article], r)
		case r.status == http.StatusConflict && !strings.HasPrefix(keyOf(ids, r.article), "own"):
			conflicts++
		default:
			t.Errorf("article %d (%s) save %q based on v%d: status %d", r.article, keyOf(ids, r.article), r.note, r.base, r.status)
		}
	}
	if logs := env.Logs(); strings.Contains(logs, "database is locked") || strings.Contains(logs, "SQLITE_BUSY") || strings.Contains(logs, "status=5") {
		t.Errorf("server errors under load:\n%s", grepLines(logs, "locked", "BUSY", "status=5", "level=ERROR"))
	}

	// The audit log and the final values account for every applied save.
	for key, id := range ids {
		saves := applied[id]
		hist, err := env.Store.History(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var audited []string
		for _, h := range hist {
			if h.Field == "note" {
				audited = append(audited, h.New)
			}
		}
		var want []string
		for _, s := range saves {
			want = append(want, s.note)
		}
		slices.Sort(audited)
		slices.Sort(want)
		if !slices.Equal(audited, want) {
			t.Errorf("%s: audit has %d note changes, %d saves applied", key, len(audited), len(want))
		}
		rec, err := env.Store.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Version != initial[id]+int64(len(saves)) {
			t.Errorf("%s: version %d after %d applied saves from v%d", key, rec.Version, len(saves), initial[id])
		}
		if len(saves) == 0 {
			t.Errorf("%s: no save applied", key)
			continue
		}
		// Saves are version-checked, so the applied ones form a chain and
		// the last is the one based on the highest version.
		last := slices.MaxFunc(saves, func(a, b saveResult) int { return int(a.base - b.base) })
		if rec.Note != last.note {
			t.Errorf("%s: note %q, want the last applied save's %q", key, rec.Note, last.note)
		}
	}

	lat := make([]time.Duration, 0, len(all))
	for _, r := range all {
		lat = append(lat, r.latency)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	n := 0
	for _, s := range applied {
		n += len(s)
	}
	t.Logf("%d workers, %v: %d saves (%.0f/s), %d applied, %d conflicts; latency p50 %v p95 %v max %v",
		loadWorkers, elapsed.Round(time.Millisecond), len(all), float64(len(all))/elapsed.Seconds(), n, conflicts,
		pct(0.5).Round(time.Microsecond), pct(0.95).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}

// pageVersion reads the version the review form carries, as a browser
// that opens the page would.
func pageVersion(c *http.Client, target string) (int64, error) {
	resp, err := c.Get(target)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(doc.Find(`form[data-testid="review-form"] input[name="version"]`).AttrOr("value", ""), 10, 64)
}

// postSave sends the review form and reports what came back.
func postSave(c *http.Client, target, token string, id, base int64, note string, quality int) saveResult {
	form := url.Values{
		"_csrf": {token}, "version": {strconv.FormatInt(base, 10)}, "status": {"pending"},
		"quality": {strconv.Itoa(quality)}, "topics": {"Health"}, "note": {note},
	}
	start := time.Now()
	resp, err := c.PostForm(target, form)
	r := saveResult{article: id, base: base, note: note, latency: time.Since(start), err: err}
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.status = resp.StatusCode
	}
	return r
}

func keyOf(ids map[string]int64, id int64) string {
	for k, v := range ids {
		if v == id {
			return k
		}
	}
	return "?"
}

// grepLines returns the lines of s that contain any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
