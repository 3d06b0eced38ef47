package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// articleLink is a link to a review page: /articles/{id}, perhaps with
// a query (the queue adds where the editor came from).
var articleLink = regexp.MustCompile(`^/articles/(\d+)(?:[?#].*)?$`)

// articleIDs are the ids of the review pages doc links to, in page order,
// each once: the rows of a queue page.
func articleIDs(doc *goquery.Document) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		m := articleLink.FindStringSubmatch(a.AttrOr("href", ""))
		if m == nil {
			return
		}
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	})
	return ids
}

// runSave is cfg.editors editors, each logged in on its own and each on
// its own articles (so no save conflicts with another), looping: open the
// review page, save it with the quality changed, expect 303. The latency
// measured is the save's (the POST); the page before it is not counted.
func runSave(ctx context.Context, cfg config) (result, error) {
	editors := make([]*client, cfg.editors)
	for i := range editors {
		var err error
		base := cfg.bases()[i%len(cfg.bases())] // editors spread over the instances
		if editors[i], err = login(ctx, base, cfg.editorPrefix+strconv.Itoa(i+1), cfg.editorPassword, 1); err != nil {
			return result{}, err
		}
	}
	if len(editors) == 0 {
		return result{}, fmt.Errorf("save: no editors (-editors %d)", cfg.editors)
	}
	doc, err := editors[0].getDoc(ctx, cfg.saveFrom)
	if err != nil {
		return result{}, err
	}
	ids := articleIDs(doc)
	if len(ids) < len(editors) {
		return result{}, fmt.Errorf("save: %s links %d articles, fewer than %d editors", cfg.saveFrom, len(ids), len(editors))
	}
	workers := make([]attempt, len(editors))
	for i, ed := range editors {
		var mine []int64 // every len(editors)-th article, starting at i
		for j := i; j < len(ids); j += len(editors) {
			mine = append(mine, ids[j])
		}
		n := 0
		workers[i] = func(ctx context.Context) (time.Duration, int, bool, error) {
			n++
			return saveOnce(ctx, ed, mine[n%len(mine)])
		}
	}
	if cfg.warmup > 0 {
		closedLoop(ctx, "save", cfg.warmup, workers)
	}
	return closedLoop(ctx, "save", cfg.duration, workers), nil
}

// saveOnce opens article id's review page and saves its form back with
// the quality changed. Only the POST is timed; ok means it answered 303.
func saveOnce(ctx context.Context, c *client, id int64) (time.Duration, int, bool, error) {
	path := "/articles/" + strconv.FormatInt(id, 10)
	doc, err := c.getDoc(ctx, path)
	if err != nil {
		return 0, 0, false, err
	}
	form, err := reviewForm(doc, path)
	if err != nil {
		return 0, 0, false, err
	}
	t0 := time.Now()
	status, _, err := c.post(ctx, path, form)
	if err != nil {
		return 0, 0, false, err
	}
	return time.Since(t0), status, status == http.StatusSeeOther, nil
}

// reviewForm reads the edit form of a review page (the form posting to
// path) as a browser would submit it, with the quality moved by one.
func reviewForm(doc *goquery.Document, path string) (url.Values, error) {
	f := doc.Find(`form[action="` + path + `"]`).First()
	if f.Length() == 0 {
		return nil, fmt.Errorf("GET %s: no form posting to %s", path, path)
	}
	field := func(name string) string { return f.Find(`[name="`+name+`"]`).First().AttrOr("value", "") }
	v := url.Values{
		"_csrf":   {field("_csrf")},
		"version": {field("version")},
		"status":  {f.Find(`input[name="status"][checked]`).First().AttrOr("value", "pending")},
		"note":    {strings.TrimSpace(f.Find(`textarea[name="note"]`).Text())},
	}
	if v.Get("_csrf") == "" || v.Get("version") == "" {
		return nil, fmt.Errorf("GET %s: the form has no _csrf or version", path)
	}
	q, err := strconv.Atoi(field("quality"))
	if err != nil {
		q = 50 // an article without a quality: give it one
	}
	v.Set("quality", strconv.Itoa((q+1)%101))
	f.Find(`input[name="topics"]`).Each(func(_ int, s *goquery.Selection) {
		v.Add("topics", s.AttrOr("value", ""))
	})
	if _, on := f.Find(`input[name="published"]`).Attr("checked"); on {
		v.Set("published", "on")
	}
	return v, nil
}
