package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// discover prints scenario lines (NAME=PATH, for `load run`) that need
// the data to be known: a category from the queue's category filter, a
// topic from its topic suggestions, the review page of the queue's first
// article, and a page cfg.deep rows into cfg.deepFrom, reached by
// following its next links as an editor would. The deep walk stops at
// cfg.deepBudget; its line is then named after the depth it reached.
func discover(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	c, err := login(ctx, cfg.base, cfg.user, cfg.password, 1)
	if err != nil {
		return err
	}
	doc, err := c.getDoc(ctx, "/articles")
	if err != nil {
		return err
	}
	category := doc.Find(`select[name="category"] option`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("value", "") != ""
	}).First().AttrOr("value", "")
	topic := ""
	if list, ok := doc.Find(`input[name="topic"]`).Attr("list"); ok {
		topic = doc.Find(`datalist[id="`+list+`"] option`).First().AttrOr("value", "")
	}
	if topic == "" { // a select instead of a free field
		topic = doc.Find(`select[name="topic"] option[value!=""]`).First().AttrOr("value", "")
	}
	ids := articleIDs(doc)
	switch {
	case category == "":
		return fmt.Errorf("discover: /articles has no category filter option")
	case topic == "":
		return fmt.Errorf("discover: /articles has no topic suggestion")
	case len(ids) == 0:
		return fmt.Errorf("discover: /articles links no article")
	}
	fmt.Fprintf(stdout, "category=/articles?category=%s\n", url.QueryEscape(category))
	fmt.Fprintf(stdout, "topic=/articles?topic=%s\n", url.QueryEscape(topic))
	fmt.Fprintf(stdout, "review=/articles/%d\n", ids[0])
	if cfg.deep <= 0 {
		return nil
	}
	path, rows, err := walk(ctx, c, cfg.deepFrom, cfg.deep, cfg.deepBudget, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deep-%d=%s\n", rows, path)
	return nil
}

// walk follows the next links (a[rel=next]) from path until want rows
// are behind it, or budget is spent, or there is no next page. It returns
// the page reached and the number of rows before it.
func walk(ctx context.Context, c *client, path string, want int, budget time.Duration, stderr io.Writer) (string, int, error) {
	start := time.Now()
	rows, pages := 0, 0
	for rows < want {
		if time.Since(start) > budget {
			fmt.Fprintf(stderr, "discover: deep walk stopped at its budget of %s, %d rows deep\n", budget, rows)
			break
		}
		doc, err := c.getDoc(ctx, path)
		if err != nil {
			return "", 0, fmt.Errorf("discover: deep walk, page %d: %w", pages+1, err)
		}
		n := len(articleIDs(doc))
		next, ok := doc.Find(`a[rel="next"]`).First().Attr("href")
		if n == 0 || !ok {
			fmt.Fprintf(stderr, "discover: deep walk: no next page after %d rows\n", rows)
			break
		}
		rows += n
		pages++
		path = next
	}
	fmt.Fprintf(stderr, "discover: %d pages walked in %.1f s, the deep page starts after row %d\n", pages, time.Since(start).Seconds(), rows)
	return path, rows, nil
}

// weight prints what a first visit to path costs over the wire: the
// bytes of the page and of every stylesheet and script it links, as sent
// to a browser that accepts gzip (compressed when the server compresses).
func weight(ctx context.Context, cfg config, path string, stdout io.Writer) error {
	c, err := login(ctx, cfg.base, cfg.user, cfg.password, 1)
	if err != nil {
		return err
	}
	html, wire, err := fetchGzip(ctx, c, path)
	if err != nil {
		return err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		return fmt.Errorf("weight: %s: %w", path, err)
	}
	sizes := map[string]int{"html": wire}
	files := 1
	for _, kind := range []struct{ name, sel, attr string }{
		{"css", `link[rel="stylesheet"][href]`, "href"},
		{"js", `script[src]`, "src"},
	} {
		for _, s := range doc.Find(kind.sel).EachIter() {
			_, n, err := fetchGzip(ctx, c, s.AttrOr(kind.attr, ""))
			if err != nil {
				return err
			}
			sizes[kind.name] += n
			files++
		}
	}
	total := sizes["html"] + sizes["css"] + sizes["js"]
	fmt.Fprintf(stdout, "weight %s: html %d, css %d, js %d, total %d bytes compressed, %d files\n",
		path, sizes["html"], sizes["css"], sizes["js"], total, files)
	return nil
}

// fetchGzip GETs path asking for gzip and returns the decoded body and the
// number of bytes that came over the wire (the body as sent).
func fetchGzip(ctx context.Context, c *client, path string) (body []byte, wire int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so not decoded by the transport
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return raw, len(raw), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: gzip: %w", path, err)
	}
	body, err = io.ReadAll(zr)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: gzip: %w", path, err)
	}
	return body, len(raw), nil
}

// profile saves a CPU profile of the server taken over seconds to file:
// the server must run with --pprof and c's user must be an admin. It uses
// a connection of its own beside c's pool, with c's session.
func profile(ctx context.Context, c *client, seconds int, file string) error {
	side := &client{base: c.base, http: &http.Client{Jar: c.http.Jar, Timeout: time.Duration(seconds)*time.Second + time.Minute}}
	path := "/debug/pprof/profile?seconds=" + strconv.Itoa(seconds)
	status, body, err := side.get(ctx, path)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: status %d (is the server run with --pprof, and -user an admin?)", path, status)
	}
	return os.WriteFile(file, body, 0o644)
}
