package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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

// Bounds of the fault test: savers stop at the kill, or after faultMax
// saves each, or at faultDeadline.
const (
	faultWorkers  = 8
	faultMax      = 3000
	faultDeadline = 60 * time.Second
	faultPassword = "fault-password-1"
)

// child is `newsdesk serve` running in a child process (this test binary
// re-run as the command, see TestMain).
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *webtest.SyncBuffer
	done   chan error
}

// startServer runs `newsdesk serve --db dbPath` on a free loopback port
// and waits until it says where it listens.
func startServer(t *testing.T, dbPath string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--db", dbPath, "--addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEWSDESK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "NEWSDESK_TEST_CHILD=1")
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
		_ = cmd.Process.Kill() // already gone in the normal case
		<-c.done
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
		t.Fatalf("server exited at start: %v\n%s", err, c.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30 s")
	}
	return c
}

// browser is a cookie-keeping HTTP client logged in to a child server.
type browser struct {
	http  *http.Client
	base  string
	token string
}

func login(t *testing.T, base, user, password string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{base: base, http: &http.Client{
		Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	resp, err := b.http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	b.token = doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	resp, err = b.http.PostForm(base+"/login", url.Values{"username": {user}, "password": {password}, "_csrf": {b.token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", resp.StatusCode)
	}
	// Login replaces the session and its CSRF token: read the new one
	// from the page the login leads to, as a browser does.
	resp, err = b.http.Get(base + resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err = goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	b.token = doc.Find(`form[method="post"] input[name="_csrf"]`).AttrOr("value", "")
	if b.token == "" {
		t.Fatal("login: no CSRF token on the landing page")
	}
	return b
}

// ack is a save the server answered 303: it promised the save is stored.
type ack struct {
	id      int64
	version int64 // the version the save made
	note    string
}

// TestServerKilledDuringSaves kills `newsdesk serve` with SIGKILL in the
// middle of a burst of saves through HTTP, with a `newsdesk backup` taken
// while the saves run. The backup passes integrity_check, opens, and holds
// every save acknowledged before it began. After the kill the database
// passes integrity_check and holds every acknowledged save (SQLite's WAL
// with synchronous=NORMAL loses nothing on a process crash); a restarted
// server serves it, still accepts the old session, and stops cleanly on
// SIGTERM.
func TestServerKilledDuringSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "n.db")
	in := filepath.Join(dir, "in")
	writeGenerated(t, in, faultWorkers)
	if out, errOut, code := runCmd(t, "import", "--db", dbPath, in); code != 0 {
		t.Fatalf("import exit %d: %s%s", code, out, errOut)
	}
	ids, versions := make([]int64, faultWorkers), make([]int64, faultWorkers)
	func() {
		store, err := db.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		hash, err := account.HashPassword(faultPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateUser(context.Background(), "editor", hash, db.RoleEditor); err != nil {
			t.Fatal(err)
		}
		for w := range faultWorkers {
			rec, err := store.GetByKey(context.Background(), fmt.Sprintf("gen_%05d", w))
			if err != nil {
				t.Fatal(err)
			}
			ids[w], versions[w] = rec.ID, rec.Version
		}
	}()

	srv := startServer(t, dbPath)
	b := login(t, srv.url, "editor", faultPassword)

	var mu sync.Mutex
	var acks []ack
	var unexpected []string
	killed := make(chan struct{})
	var wg sync.WaitGroup
	deadline := time.Now().Add(faultDeadline)
	for w := range faultWorkers {
		wg.Go(func() {
			id, v := ids[w], versions[w]
			target := srv.url + "/articles/" + strconv.FormatInt(id, 10)
			for i := 0; i < faultMax && time.Now().Before(deadline); i++ {
				note := fmt.Sprintf("w%d-save%04d", w, i)
				resp, err := b.http.PostForm(target, url.Values{
					"_csrf": {b.token}, "version": {strconv.FormatInt(v, 10)}, "status": {"pending"},
					"quality": {strconv.Itoa(i % 101)}, "note": {note},
				})
				if err != nil {
					select {
					case <-killed:
						return // the server is gone: expected
					default:
					}
					mu.Lock()
					unexpected = append(unexpected, err.Error())
					mu.Unlock()
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode == http.StatusSeeOther {
					v++
					acks = append(acks, ack{id, v, note})
				} else {
					unexpected = append(unexpected, fmt.Sprintf("%s: status %d", note, resp.StatusCode))
				}
				mu.Unlock()
				if resp.StatusCode != http.StatusSeeOther {
					return
				}
			}
		})
	}
	waitAcks := func(n int) int {
		for time.Now().Before(deadline) {
			mu.Lock()
			got := len(acks)
			mu.Unlock()
			if got >= n {
				return got
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("fewer than %d saves acknowledged in time", n)
		return 0
	}

	// A backup while the saves go on.
	waitAcks(50)
	mu.Lock()
	beforeBackup := append([]ack(nil), acks...)
	mu.Unlock()
	backup := filepath.Join(dir, "backup.db")
	started := time.Now()
	if out, errOut, code := runCmd(t, "backup", "--db", dbPath, backup); code != 0 {
		t.Fatalf("backup exit %d: %s%s", code, out, errOut)
	}
	backupTook := time.Since(started)
	mu.Lock()
	duringBackup := len(acks) - len(beforeBackup)
	mu.Unlock()

	// More saves, then SIGKILL in the middle of them.
	n := waitAcks(len(beforeBackup) + 100)
	close(killed)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, u := range unexpected {
		t.Errorf("before the kill: %s", u)
	}
	t.Logf("%d saves acknowledged, killed after %d; %d before the backup, which took %v with %d saves acknowledged meanwhile",
		len(acks), n, len(beforeBackup), backupTook.Round(time.Millisecond), duringBackup)

	// The backup.
	checkSaves(t, "backup", backup, beforeBackup, false)
	// The killed server's database.
	checkSaves(t, "after SIGKILL", dbPath, acks, true)

	// Restarted, the server serves the same data to the same session.
	srv2 := startServer(t, dbPath)
	b.base = srv2.url
	last := acks[len(acks)-1]
	resp, err := b.http.Get(fmt.Sprintf("%s/articles/%d", srv2.url, last.id))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("restarted server: status %d, %v (the old session should still be good)", resp.StatusCode, err)
	}
	if v, _ := strconv.ParseInt(doc.Find(`form[data-testid="review-form"] input[name="version"]`).AttrOr("value", ""), 10, 64); v < last.version {
		t.Errorf("restarted server shows version %d, below the acknowledged %d", v, last.version)
	}
	if err := srv2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv2.done:
		srv2.done <- err
		if err != nil {
			t.Errorf("server after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("server did not stop on SIGTERM")
	}
	checkIntegrity(t, dbPath)
}

// checkSaves opens the database at path, runs integrity_check, and checks
// every acknowledged save is in it: its note in the article's audit trail
// and the article at least at the save's version. When exact, an article
// is at most one save (the one in flight at the kill) past its last ack.
func checkSaves(t *testing.T, what, path string, acks []ack, exact bool) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatalf("%s: open: %v", what, err)
	}
	defer store.Close()
	if err := store.IntegrityCheck(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if _, err := store.List(ctx, db.ListQuery{Text: "generated", Limit: 1}); err != nil {
		t.Fatalf("%s: search: %v", what, err)
	}
	lastByID := map[int64]ack{}
	notes := map[int64]map[string]bool{}
	for _, a := range acks {
		if a.version > lastByID[a.id].version {
			lastByID[a.id] = a
		}
	}
	for id, last := range lastByID {
		hist, err := store.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		notes[id] = map[string]bool{}
		for _, h := range hist {
			if h.Field == "note" {
				notes[id][h.New] = true
			}
		}
		rec, err := store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Version < last.version || (exact && rec.Version > last.version+1) {
			t.Errorf("%s: article %d at version %d, last acknowledged save made %d", what, id, rec.Version, last.version)
		}
		if rec.Version == last.version && rec.Note != last.note {
			t.Errorf("%s: article %d note %q, want the last acknowledged %q", what, id, rec.Note, last.note)
		}
	}
	missing := 0
	for _, a := range acks {
		if !notes[a.id][a.note] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%s: %d of %d acknowledged saves are missing", what, missing, len(acks))
	}
}
