//go:build unix

package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// Bounds of the stalled-downloads test. A download stalls once the
// socket buffers between server and client are full; the test makes them
// small (the server's send buffer, the client's receive buffer), so that
// an export of a few MB is far larger than they are whatever the kernel's
// defaults (net.ipv4.tcp_wmem lets a send buffer grow to 4 MiB).
const (
	stallDownloads = 10               // more than the store's read pool (db readerConns, 4)
	stallArticles  = 500              // articles in the export
	stallBody      = 4 << 10          // bytes of hard-to-compress body per article: 2 MB in all
	stallSockBuf   = 16 << 10         // socket buffers of the downloads, bytes (each end; Linux doubles it)
	stallTarget    = time.Second      // the "in under a second"
	stallBound     = 10 * time.Second // a request not answered by then fails the test
	stallFirst     = 64               // bytes a stalled client reads before it stops
)

// stalled is a download whose client read the first bytes and stopped
// reading, keeping the connection open.
type stalled struct {
	format string
	resp   *http.Response
	tr     *http.Transport
	first  []byte
	err    error
}

// TestStalledDownloadsDoNotStarveTheApp starts ten export downloads (zip
// and YAML, as a logged-in editor) of an export far larger than the
// socket buffers, by clients that read a few bytes and then stop reading
// with the connection open. Once every export handler is blocked, it
// checks that /healthz, the queue, a review page, a save, the login page
// and a login answer (timed and printed against the one second;
// failed only past stallBound, as the machine is shared). Before the fix
// (the export read one query's rows while writing to the client) each
// stalled download held one of the store's four read connections, so
// healthz answered 503 and the queue, review page and login nothing at
// all until the clients went away: run against that logic, this test
// fails on each of them. Then two downloads are read on to the end (a
// whole zip and a whole stream, every article in them), the others are
// closed, every export handler ends and the server answers as before.
func TestStalledDownloadsDoNotStarveTheApp(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	began := time.Now()
	env := webtest.New(t)
	files := stallFiles(stallArticles)
	files["fresh.md"] = webtest.PlainArticle("Fresh") // the probes save this one
	ids := env.ImportText(t, files)
	imported := time.Since(began)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	// The same app and store, served where accepted connections get small
	// send buffers. The clients' cookies, set by env.Server, go to it too:
	// a cookie jar ignores the port.
	srv := httptest.NewUnstartedServer(env.Web.Handler())
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	base := srv.URL
	baseline := runtime.NumGoroutine()

	// The stalled downloads, all started at once.
	downloads := make([]*stalled, stallDownloads)
	var wg sync.WaitGroup
	for i := range downloads {
		format := "zip"
		if i%2 == 1 {
			format = "yaml"
		}
		wg.Go(func() { downloads[i] = startStalled(editor.HTTP.Jar, base, format) })
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, d := range downloads {
			d.close()
		}
	})
	for i, d := range downloads {
		if d.err != nil {
			t.Errorf("download %d (%s): %v", i, d.format, d.err)
		}
	}
	// Each export writes until the socket buffers are full; measure once
	// every export handler is parked (blocked on its socket, or on
	// anything else), not while they still compete for the CPU.
	settled := waitParked(t)
	if n, _ := exportHandlers(); n != stallDownloads {
		t.Errorf("%d export handlers running, want the %d stalled ones: a download did not start, or finished into the socket buffers", n, stallDownloads)
	}

	// The app answers beside them.
	var timings []string
	for round, failed := 0, false; round < 3 && !failed; round++ { // one failed round says enough
		for _, m := range stallProbes(env.Client(t).HTTP.Jar, editor.HTTP.Jar, base, ids["fresh"]) {
			verdict := "under"
			if m.took >= stallTarget {
				verdict = "NOT under"
			}
			line := fmt.Sprintf("round %d: %-22s %3d in %v (%s %v)", round+1, m.name, m.status, m.took.Round(time.Microsecond), verdict, stallTarget)
			if m.err != nil {
				line = fmt.Sprintf("round %d: %-22s no answer in %v: %v", round+1, m.name, m.took.Round(time.Millisecond), m.err)
			}
			timings = append(timings, line)
			if m.err != nil || m.status != m.want {
				failed = true
				t.Errorf("beside %d stalled downloads: %s", stallDownloads, line)
			}
		}
	}
	if n, _ := exportHandlers(); n != stallDownloads {
		t.Errorf("%d export handlers running after the probes, want the %d stalled ones", n, stallDownloads)
	}

	// A stalled download goes on when its client reads again, and is
	// whole; the rest are closed.
	drainStart := time.Now()
	for _, d := range downloads[:2] {
		if d.err == nil {
			checkWholeDownload(t, d, len(files))
		}
	}
	drained := time.Since(drainStart)
	for _, d := range downloads {
		d.close()
	}
	deadline := time.Now().Add(stallBound)
	for n, _ := exportHandlers(); n > 0 && time.Now().Before(deadline); n, _ = exportHandlers() {
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := exportHandlers(); n > 0 {
		t.Errorf("%d export handlers still running %v after their clients went away", n, stallBound)
	}
	// The probes' keep-alive connections are not the downloads': close
	// them, so that what remains is what the downloads left.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	for runtime.NumGoroutine() > baseline+5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	after := runtime.NumGoroutine()
	if after > baseline+5 {
		t.Errorf("%d goroutines after the downloads ended, %d before they began", after, baseline)
	}
	if m := runProbe("GET /healthz", http.StatusOK, nil, func(c *http.Client) (*http.Response, error) {
		return c.Get(base + "/healthz")
	}); m.err != nil || m.status != http.StatusOK {
		t.Errorf("after the downloads: GET /healthz: %d, %v", m.status, m.err)
	}

	lines := append([]string{fmt.Sprintf("%d articles imported in %v; %d downloads stalled after %d bytes each, all parked %v after they began",
		len(files), imported.Round(time.Millisecond), stallDownloads, stallFirst, settled.Round(time.Millisecond))}, timings...)
	lines = append(lines, fmt.Sprintf("two downloads read on to the end in %v; goroutines: %d before the downloads, %d after they ended; test took %v",
		drained.Round(time.Millisecond), baseline, after, time.Since(began).Round(time.Millisecond)))
	for _, l := range lines {
		t.Log(l)
		fmt.Printf("LOAD stalled-downloads: %s\n", l)
	}
}

// stallProbe is one timed request.
type stallProbe struct {
	name   string
	want   int
	status int
	took   time.Duration
	err    error
}

// stallProbes are the requests that must answer beside stalled downloads, to
// the server at base: the health check, the queue, a review page and a
// save of article id as the editor whose cookies are in editor, and the
// login page and a login by a new browser whose cookies go in fresh.
func stallProbes(fresh, editor http.CookieJar, base string, id int64) []stallProbe {
	var out []stallProbe
	out = append(out, runProbe("GET /healthz", http.StatusOK, nil, func(c *http.Client) (*http.Response, error) {
		return c.Get(base + "/healthz")
	}))
	out = append(out, runProbe("GET /articles", http.StatusOK, editor, func(c *http.Client) (*http.Response, error) {
		return c.Get(base + "/articles")
	}))
	var form url.Values
	out = append(out, runProbe("GET /articles/{id}", http.StatusOK, editor, func(c *http.Client) (*http.Response, error) {
		resp, err := c.Get(base + webtest.ArticlePath(id))
		form = browserForm(resp, `form[data-testid="review-form"]`)
		return resp, err
	}))
	if form != nil {
		q, _ := strconv.Atoi(form.Get("quality"))
		form.Set("quality", strconv.Itoa((q+1)%101))
		out = append(out, runProbe("POST /articles/{id}", http.StatusSeeOther, editor, func(c *http.Client) (*http.Response, error) {
			return c.PostForm(base+webtest.ArticlePath(id), form)
		}))
	}
	var login url.Values
	out = append(out, runProbe("GET /login", http.StatusOK, fresh, func(c *http.Client) (*http.Response, error) {
		resp, err := c.Get(base + "/login")
		login = browserForm(resp, `form[method="post"]`)
		return resp, err
	}))
	if login != nil {
		login.Set("username", webtest.EditorName)
		login.Set("password", webtest.EditorPassword)
		out = append(out, runProbe("POST /login", http.StatusSeeOther, fresh, func(c *http.Client) (*http.Response, error) {
			return c.PostForm(base+"/login", login)
		}))
	}
	return out
}

// runProbe times do with a client that keeps its cookies in jar (nil: no
// cookies), does not follow redirects and gives up after stallBound. The
// body is read in full within the time.
func runProbe(name string, want int, jar http.CookieJar, do func(*http.Client) (*http.Response, error)) stallProbe {
	c := &http.Client{
		Jar: jar, Timeout: stallBound,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	m := stallProbe{name: name, want: want}
	start := time.Now()
	resp, err := do(c)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		m.status = resp.StatusCode
		resp.Body.Close()
	}
	m.took, m.err = time.Since(start), err
	return m
}

// browserForm reads the first form matching sel in resp's HTML as a browser
// would submit it (hidden and text inputs, checked boxes and radios,
// textareas), leaving resp's body readable again; nil when there is none.
func browserForm(resp *http.Response, sel string) url.Values {
	if resp == nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	form := doc.Find(sel).First()
	if form.Length() == 0 {
		return nil
	}
	v := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		switch s.AttrOr("type", "text") {
		case "checkbox", "radio":
			if _, on := s.Attr("checked"); !on {
				return
			}
		case "submit", "button":
			return
		}
		v.Add(s.AttrOr("name", ""), s.AttrOr("value", "on"))
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Text())
	})
	return v
}

// startStalled starts a download of every article in format (zip or
// yaml) from the server at base, with the cookies in jar, on a connection
// of its own with a small receive buffer, and reads its first stallFirst
// bytes. The connection stays open until close.
func startStalled(jar http.CookieJar, base, format string) *stalled {
	d := &stalled{format: format}
	// The receive buffer is set before connecting: the window scale
	// offered in the SYN depends on it.
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, stallSockBuf)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	d.tr = &http.Transport{DialContext: dialer.DialContext, ResponseHeaderTimeout: stallBound}
	client := &http.Client{Jar: jar, Transport: d.tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/export?status=all&format=" + format)
	if err != nil {
		d.err = err
		return d
	}
	d.resp = resp
	if resp.StatusCode != http.StatusOK {
		d.err = fmt.Errorf("status %d, want 200", resp.StatusCode)
		return d
	}
	d.first = make([]byte, stallFirst)
	if _, err := io.ReadFull(resp.Body, d.first); err != nil {
		d.err = fmt.Errorf("reading the first %d bytes: %w", stallFirst, err)
	}
	return d
}

// smallBuffers gives every accepted connection a send buffer of
// stallSockBuf bytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetWriteBuffer(stallSockBuf); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, err
}

// close drops the download: its connection closes without reading on.
func (d *stalled) close() {
	if d.resp != nil {
		d.resp.Body.Close()
	}
	d.tr.CloseIdleConnections()
}

// checkWholeDownload reads the rest of d and checks it holds n articles:
// zip entries, or "# file:" documents of the YAML stream.
func checkWholeDownload(t *testing.T, d *stalled, n int) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		rest, err := io.ReadAll(d.resp.Body)
		done <- result{append(d.first, rest...), err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		d.close()
		t.Errorf("%s download not finished 60 s after its client read on", d.format)
		return
	}
	if r.err != nil {
		t.Errorf("%s download: reading on: %v", d.format, r.err)
		return
	}
	got := 0
	switch d.format {
	case "zip":
		zr, err := zip.NewReader(bytes.NewReader(r.data), int64(len(r.data)))
		if err != nil {
			t.Errorf("zip download of %d bytes: %v", len(r.data), err)
			return
		}
		got = len(zr.File)
	default:
		got = bytes.Count(r.data, []byte("\n# file: "))
		if bytes.HasPrefix(r.data, []byte("# file: ")) {
			got++
		}
	}
	if got != n {
		t.Errorf("%s download (%d bytes) holds %d articles, want %d", d.format, len(r.data), got, n)
	}
}

// exportHandlers counts the goroutines serving an export download, and
// those of them that are parked: not running, not waiting to run.
func exportHandlers() (all, parked int) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "handlers.(*Articles).streamExport(") {
			continue
		}
		all++
		head, _, _ := strings.Cut(g, "\n") // "goroutine 42 [IO wait]:"
		if !strings.Contains(head, "[running]") && !strings.Contains(head, "[runnable]") && !strings.Contains(head, "[syscall") {
			parked++
		}
	}
	return all, parked
}

// waitParked waits until every export handler has been parked for a few
// samples in a row, and returns how long that took; it gives up after
// 60 s, when the measurements go ahead anyway.
func waitParked(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	for still := 0; still < 5; {
		if time.Since(start) > 60*time.Second {
			t.Log("export handlers still busy after 60 s; measuring anyway")
			break
		}
		time.Sleep(50 * time.Millisecond)
		if all, parked := exportHandlers(); all > 0 && parked == all {
			still++
		} else {
			still = 0
		}
	}
	return time.Since(start)
}

// stallFiles are n valid articles, each with a body of stallBody bytes of
// base64 text from a fixed seed: random bytes, so that neither the zip's
// deflate nor the stream's gzip shrinks the export much.
func stallFiles(n int) map[string]string {
	rng := rand.New(rand.NewPCG(10, 4))
	raw := make([]byte, stallBody*3/4)
	files := make(map[string]string, n)
	for i := range n {
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		b64 := base64.StdEncoding.EncodeToString(raw)
		var body strings.Builder
		for len(b64) > 76 {
			body.WriteString(b64[:76])
			body.WriteByte('\n')
			b64 = b64[76:]
		}
		body.WriteString(b64 + "\n")
		files[fmt.Sprintf("bulk_%05d.md", i)] = webtest.Spec{
			Key: fmt.Sprintf("bulk_%05d", i), Title: fmt.Sprintf("Bulk article %d", i),
			Quality: i % 101, Heat: i % 500, Topics: []string{"Bulk"}, Body: body.String(),
		}.File()
	}
	return files
}
