package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// Bounds of the import load test. The case is 250 files of
// 4 MiB; that is 1 GB of files and takes minutes on a small machine, so
// it runs only with NEWSDESK_LOAD=1, and the default (CI) run imports
// loadFilesShort of them, which still makes the import many batches long.
const (
	loadEditors    = 8
	loadFilesFull  = 250
	loadFilesShort = 40
	loadSeedFiles  = 200              // small articles already in the database
	loadFileSize   = 4<<20 - 4<<10    // bytes per big file: just under the default 4 MiB limit
	loadRSSTarget  = 300_000_000      // bytes: the target for the import's peak RSS (300 MB)
	loadRSSBound   = 600_000_000      // bytes: the test fails above this, see TestImportWhileEditorsSave
	loadMinSaves   = 3                // saves per editor even when the import is quicker
	loadDeadline   = 10 * time.Minute // only to end a test that hangs
	loadPassword   = "load-password-1"
)

// saveTiming is one editor's save: the POST of the review form.
type saveTiming struct {
	editor  int
	quality int
	latency time.Duration
	during  bool // the import was still running when the POST was sent
	err     error
}

// TestImportWhileEditorsSave is the load test: `newsdesk import`
// of big article files (about 4 MiB each: valid front matter and a long
// Markdown body) runs as its own process next to `newsdesk serve`, while
// 8 editors, each logged in with their own account and browser, save
// quality changes on their own article in a loop through HTTP (GET the
// review page, POST its form back). Every save must answer 303 (no
// "database is locked", no 409: nobody else edits the article), the
// import must exit 0 with every file new, and the database must hold
// each editor's last save. It prints the save latency (p50, p99, max)
// and the import's peak RSS against the target of 300 MB.
//
// Both processes are the real binary, built here without the race
// detector: under `go test -race` this test binary is instrumented, and
// its memory would say nothing about the import's.
//
// Files: loadFilesShort by default, loadFilesFull (the 250) with
// NEWSDESK_LOAD=1; skipped with -short.
func TestImportWhileEditorsSave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports hundreds of MB")
	}
	files := loadFilesShort
	if os.Getenv("NEWSDESK_LOAD") == "1" {
		files = loadFilesFull
	}
	began := time.Now()
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	built := time.Since(began)

	// A database with articles and the editors' accounts.
	dbPath := filepath.Join(dir, "n.db")
	seed := filepath.Join(dir, "seed")
	writeGenerated(t, seed, loadSeedFiles)
	if out, errOut, code := runCmd(t, "import", "--db", dbPath, seed); code != 0 {
		t.Fatalf("seed import exit %d: %s%s", code, out, errOut)
	}
	ids := makeEditors(t, dbPath)

	genStart := time.Now()
	big := filepath.Join(dir, "big")
	total := writeBigArticles(t, big, files, loadFileSize)
	generated := time.Since(genStart)

	srv := startProgram(t, bin, "serve", "--db", dbPath, "--addr", "127.0.0.1:0")
	editors := make([]*browser, loadEditors)
	for e := range editors {
		editors[e] = login(t, srv.url, editorName(e), loadPassword)
	}

	// The import, as its own process.
	var impOut, impErr bytes.Buffer
	imp := exec.Command(bin, "import", "--db", dbPath, big)
	imp.Env = childEnv()
	imp.Stdout, imp.Stderr = &impOut, &impErr
	impStart := time.Now()
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	stopRSS := peakRSS(imp.Process.Pid)
	importDone := make(chan struct{})
	var impWaitErr error
	var impTook time.Duration
	var rss int64
	var rssOK bool
	go func() {
		impWaitErr = imp.Wait()
		impTook = time.Since(impStart)
		rss, rssOK = stopRSS()
		close(importDone)
	}()
	t.Cleanup(func() {
		_ = imp.Process.Kill() // gone already unless the test failed early
		<-importDone
	})
	running := func() bool {
		select {
		case <-importDone:
			return false
		default:
			return true
		}
	}

	// The editors, until the import ends.
	deadline := time.Now().Add(loadDeadline)
	results := make([][]saveTiming, loadEditors)
	var wg sync.WaitGroup
	for e, b := range editors {
		wg.Go(func() {
			page := srv.url + "/articles/" + strconv.FormatInt(ids[e], 10)
			for i := 0; (i < loadMinSaves || running()) && time.Now().Before(deadline); i++ {
				r := saveQuality(b, page, running)
				r.editor = e
				results[e] = append(results[e], r)
				if r.err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-importDone:
	case <-time.After(time.Until(deadline)):
		t.Fatalf("the import did not end in %v", loadDeadline)
	}

	// Every save answered 303, and the database holds the last of each.
	var all []saveTiming
	for _, rs := range results {
		all = append(all, rs...)
	}
	failed := 0
	for _, r := range all {
		if r.err != nil {
			failed++
			t.Errorf("editor %d: %v", r.editor, r.err)
		}
	}
	checkLastSaves(t, dbPath, ids, results)

	// The import stored every file, alone in its process.
	if impWaitErr != nil {
		t.Errorf("import: %v\nstdout:\n%s\nstderr:\n%.3000s", impWaitErr, impOut.String(), impErr.String())
	}
	if want := fmt.Sprintf("%d files: %d new, 0 updated, 0 unchanged, 0 editor values kept, 0 failed", files, files); !strings.Contains(impOut.String(), want) {
		t.Errorf("import report lacks %q:\n%.3000s", want, impOut.String())
	}

	// The figures, in the test log and on stdout for whoever runs it.
	var lat, latDuring []time.Duration
	for _, r := range all {
		if r.err != nil {
			continue
		}
		lat = append(lat, r.latency)
		if r.during {
			latDuring = append(latDuring, r.latency)
		}
	}
	lines := []string{
		fmt.Sprintf("files: %d of %.1f MiB (%.0f MiB in all), generated in %v; binary built in %v",
			files, float64(loadFileSize)/(1<<20), float64(total)/(1<<20), generated.Round(time.Millisecond), built.Round(time.Millisecond)),
		fmt.Sprintf("import: exit %s in %v", exitStatus(imp.ProcessState), impTook.Round(time.Millisecond)),
		fmt.Sprintf("saves: %d by %d editors, %d failed; %s", len(all), loadEditors, failed, latencies(lat)),
		fmt.Sprintf("saves sent while the import ran: %d; %s", len(latDuring), latencies(latDuring)),
	}
	if rssOK {
		verdict := "within"
		if rss > loadRSSTarget {
			verdict = "OVER"
		}
		lines = append(lines, fmt.Sprintf("import peak RSS: %.0f MB (%.0f MiB), %s the issue's target of %.0f MB", float64(rss)/1e6, float64(rss)/(1<<20), verdict, loadRSSTarget/1e6))
	} else {
		lines = append(lines, "import peak RSS: not measured (no /proc on "+runtime.GOOS+")")
	}
	lines = append(lines, fmt.Sprintf("test took %v", time.Since(began).Round(time.Millisecond)))
	for _, l := range lines {
		t.Log(l)
		fmt.Printf("LOAD import-while-saving: %s\n", l)
	}

	// Timing is not asserted: the machine is shared and its load varies.
	// Memory is, loosely: the import's peak is set mostly by its batch
	// bounds (review.BatchBytes) and the files parsed at once, which do
	// not vary between runs, but the Go collector lets the heap grow to
	// about twice the live data (GOGC=100) at moments that do. The bound
	// is twice the target, so only a gross regression fails it
	// (the issue saw 2.4 GB before the fix); the target itself is
	// printed above.
	if rssOK && rss > loadRSSBound {
		t.Errorf("import peak RSS %.0f MB, over the regression bound of %.0f MB (target %.0f MB)",
			float64(rss)/1e6, loadRSSBound/1e6, loadRSSTarget/1e6)
	}
}

// buildBinary builds the newsdesk command (this package) into dir with
// the go tool that runs the test (`go test` puts its GOROOT/bin first in
// PATH), without the test's flags: no race detector, no coverage.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the binary: %v", err)
	}
	bin := filepath.Join(dir, "newsdesk")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childEnv is this process's environment without NEWSDESK_* variables,
// so that the caller's settings do not change the children.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEWSDESK_") {
			env = append(env, kv)
		}
	}
	return env
}

// startProgram runs `bin serve ...` (args) and waits until it says where
// it listens, as startServer does for this test binary.
func startProgram(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv()
	c := &child{cmd: cmd, stderr: &webtest.SyncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("server stderr:\n%.5000s", c.stderr.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), " on "); ok && strings.HasPrefix(u, "http://127.0.0.1:") {
				addr <- u
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { c.done <- cmd.Wait() }()
	select {
	case c.url = <-addr:
	case err := <-c.done:
		c.done <- err
		t.Fatalf("%s exited at start: %v\n%s", args[0], err, c.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start in 30 s", args[0])
	}
	return c
}

func editorName(e int) string { return fmt.Sprintf("editor%d", e+1) }

// makeEditors adds loadEditors editor accounts to the database at dbPath
// and returns the id of the article each will edit (gen_0000e).
func makeEditors(t *testing.T, dbPath string) []int64 {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hash, err := account.HashPassword(loadPassword)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, loadEditors)
	for e := range ids {
		if _, err := store.CreateUser(ctx, editorName(e), hash, db.RoleEditor); err != nil {
			t.Fatal(err)
		}
		rec, err := store.GetByKey(ctx, fmt.Sprintf("gen_%05d", e))
		if err != nil {
			t.Fatal(err)
		}
		ids[e] = rec.ID
	}
	return ids
}

// saveQuality is one save as a browser makes it: GET the review page,
// post its form back with the quality moved by 7 (so every save changes
// it). Only the POST is timed; during says whether the import still runs
// as it is sent. An answer other than 303 is an error.
func saveQuality(b *browser, page string, during func() bool) saveTiming {
	resp, err := b.http.Get(page)
	if err != nil {
		return saveTiming{err: fmt.Errorf("GET %s: %w", page, err)}
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return saveTiming{err: fmt.Errorf("GET %s: status %d, %v", page, resp.StatusCode, err)}
	}
	form := reviewFormValues(doc)
	q, err := strconv.Atoi(form.Get("quality"))
	if err != nil {
		return saveTiming{err: fmt.Errorf("GET %s: quality field %q", page, form.Get("quality"))}
	}
	r := saveTiming{quality: (q + 7) % 101}
	form.Set("quality", strconv.Itoa(r.quality))
	r.during = during()
	start := time.Now()
	resp, err = b.http.PostForm(page, form)
	r.latency = time.Since(start)
	if err != nil {
		r.err = fmt.Errorf("POST %s: %w", page, err)
		return r
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		r.err = fmt.Errorf("POST %s: status %d, want 303: %s", page, resp.StatusCode, pageMessages(body))
	}
	return r
}

// reviewFormValues is what a browser posts for the review form of doc as
// it stands: every named input (checkboxes and radios when checked),
// textarea and selected option, and the Save button.
func reviewFormValues(doc *goquery.Document) url.Values {
	v := url.Values{}
	form := doc.Find(`form[data-testid="review-form"]`)
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
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		v.Add(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	v.Set("action", "save")
	return v
}

// pageMessages is the flash and field errors of an HTML answer, or its
// start, to say why a save was refused.
func pageMessages(body []byte) string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err == nil {
		msg := strings.Join(strings.Fields(doc.Find(`[data-testid="flash"], [data-testid="form-errors"], .field-error`).Text()), " ")
		if msg != "" {
			return msg
		}
	}
	return fmt.Sprintf("%.300q", body)
}

// checkLastSaves checks that each editor's article holds the quality of
// the editor's last acknowledged save.
func checkLastSaves(t *testing.T, dbPath string, ids []int64, results [][]saveTiming) {
	t.Helper()
	ctx := context.Background()
	store, err := db.OpenReadOnly(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for e, rs := range results {
		last := -1
		for _, r := range rs {
			if r.err == nil {
				last = r.quality
			}
		}
		if last < 0 {
			continue
		}
		rec, err := store.Get(ctx, ids[e])
		if err != nil {
			t.Fatal(err)
		}
		if rec.Quality != last {
			t.Errorf("%s's article has quality %d, the last acknowledged save set %d", editorName(e), rec.Quality, last)
		}
	}
}

// TestPeakRSSIsTheChilds: the import's memory figure is the child's
// own. A child started after this process has touched 64 MiB reports a
// peak of a few MB, though its rusage (ru_maxrss) holds the 64 MiB it
// inherited at exec: CI's import figure was once this test binary's.
func TestPeakRSSIsTheChilds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is in Linux's /proc")
	}
	big := make([]byte, 64<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1 // resident
	}
	child := exec.Command("sleep", "0.3")
	if err := child.Start(); err != nil {
		t.Skip(err)
	}
	stop := peakRSS(child.Process.Pid)
	err := child.Wait()
	peak, ok := stop()
	runtime.KeepAlive(big)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatal("no VmHWM read from /proc while the child ran")
	}
	inherited := child.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	t.Logf("child's VmHWM %d kB; its ru_maxrss %d kB", peak/1024, inherited/1024)
	if peak <= 0 || peak > 16<<20 {
		t.Errorf("child's peak RSS %d bytes; sleep(1) holds a few MB, this process more than 64 MiB", peak)
	}
}

// peakRSS samples a running child's peak resident set (VmHWM in
// /proc/PID/status, proc(5)) until stop is called, and returns the last
// value read, in bytes; ok is false where there is no /proc.
//
// The child's rusage cannot tell it: Linux carries the parent's peak RSS
// into the child at exec (exec_mmap in fs/exec.c calls
// setmax_mm_hiwater_rss on the mm it replaces, and Go starts children
// with CLONE_VM, so that mm is the parent's), so ru_maxrss of a child of
// a big test binary (under -race, hundreds of MB) is at least the test
// binary's peak. VmHWM belongs to the child's own address space. It only
// grows, so the last sample is the peak up to it; growth in the last
// sampling interval before the child exits is missed.
func peakRSS(pid int) (stop func() (peak int64, ok bool)) {
	const interval = 10 * time.Millisecond
	status := fmt.Sprintf("/proc/%d/status", pid)
	quit, done := make(chan struct{}), make(chan struct{})
	var peak int64
	var ok bool
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			kb, found := vmHWM(status)
			switch {
			case found:
				peak, ok = max(peak, kb*1024), true
			case ok:
				return // exited: its pid may go to another process
			}
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int64, bool) {
		close(quit)
		<-done
		return peak, ok
	}
}

// vmHWM reads the VmHWM line (kB) of a /proc/PID/status file; found is
// false once the process has exited (a zombie has no memory lines).
func vmHWM(status string) (kb int64, found bool) {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

func exitStatus(ps *os.ProcessState) string {
	if ps == nil {
		return "unknown"
	}
	return strconv.Itoa(ps.ExitCode())
}

// latencies summarises save latencies: p50, p90, p99, max, and how many
// took a second or more (the bound for a save behind an import).
func latencies(d []time.Duration) string {
	d = slices.Sorted(slices.Values(d))
	slow := 0
	for _, x := range d {
		if x >= time.Second {
			slow++
		}
	}
	return fmt.Sprintf("latency p50 %v, p90 %v, p99 %v, max %v; %d took 1 s or more",
		percentile(d, 0.50), percentile(d, 0.90), percentile(d, 0.99), percentile(d, 1), slow)
}

// percentile is the value at rank ceil(p·n) of sorted (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))].Round(time.Microsecond)
}

// writeBigArticles writes n valid article files of at most size bytes
// (and within 1 KiB of it) into dir: front matter in the item format and
// a long Markdown body, each different. It returns the bytes written.
func writeBigArticles(t *testing.T, dir string, n, size int) int64 {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const spread = 64 << 10 // bodies start at different places in the text
	text := markdownText(size + spread)
	var total int64
	for i := range n {
		head := fmt.Sprintf("---\ncategory: longread\ntitle: \"Long read %d: a report in full\"\n"+
			"excerpt: \"The whole report, chapter by chapter.\"\npublishedDateTime: 2022-11-02T08:30:00Z\n"+
			"originalUrl: \"https://reports.example/%d\"\nwebUrl: \"https://reports.example/%d\"\ntype: article\n"+
			"quality: %d\nheat: %d\npublished: false\nprovider:\n  name: Reports Daily\n  domain: reports.example\n"+
			"topics:\n  - Reports\n  - Long read %d\n---\n# Long read %d\n\n", i, i, i, i%101, i%500, i%30, i)
		start := (i * 7919) % spread
		start += bytes.IndexByte(text[start:], '\n') + 1
		body := text[start : start+size-len(head)]
		body = body[:bytes.LastIndexByte(body, '\n')+1] // whole lines, whole UTF-8 characters
		data := append([]byte(head), body...)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("longread_%04d.md", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		total += int64(len(data))
	}
	return total
}

// loadWords are the words of the generated Markdown: mostly English, some
// accented and CJK, as real feeds carry.
var loadWords = strings.Fields(`the report said council budget health service minister data
court ruling market energy prices climate school teachers hospital patients police city
transport rail strike workers union election vote parliament policy research university
study found percent increase decrease year month week local national government company
café Zürich naïve São Paulo Kraków 東京 北京 서울 résumé façade über`)

// markdownText is at least n bytes of Markdown made of headings,
// paragraphs, lists, quotes, thematic breaks ("---" lines, which a body
// may hold) and code, from a fixed seed.
func markdownText(n int) []byte {
	rng := rand.New(rand.NewPCG(8, 250))
	var b bytes.Buffer
	b.Grow(n + 4096)
	words := func(k int) {
		for j := range k {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(loadWords[rng.IntN(len(loadWords))])
		}
	}
	for section := 1; b.Len() < n; section++ {
		fmt.Fprintf(&b, "## Section %d\n\n", section)
		for range 2 + rng.IntN(4) {
			switch rng.IntN(8) {
			case 0:
				for range 3 + rng.IntN(4) {
					b.WriteString("- ")
					words(4 + rng.IntN(8))
					b.WriteString("\n")
				}
			case 1:
				b.WriteString("> ")
				words(20 + rng.IntN(20))
				b.WriteString("\n")
			case 2:
				b.WriteString("---\n")
			case 3:
				fmt.Fprintf(&b, "```\ntable %d: %d rows\n```\n", rng.IntN(1000), rng.IntN(100000))
			default:
				words(40 + rng.IntN(80))
				b.WriteString(".\n")
			}
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}
