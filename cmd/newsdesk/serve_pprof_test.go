package main

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// TestServePprofFlag: `serve --pprof` or NEWSDESK_PPROF=1 mounts the
// profiler (a visitor is sent to the login page for it), the flag wins
// over the variable, and without either the path does not exist.
func TestServePprofFlag(t *testing.T) {
	cases := []struct {
		name    string
		env     string
		flags   []string
		mounted bool
	}{
		{"neither", "", nil, false},
		{"flag", "", []string{"--pprof"}, true},
		{"environment", "1", nil, true},
		{"flag off wins over the environment", "1", []string{"--pprof=false"}, false},
	}
	dbPath := filepath.Join(t.TempDir(), "n.db")
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NEWSDESK_PPROF", tc.env)
			base, out := startServe(t, append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, tc.flags...))
			if announced := strings.Contains(out, "profiler for admins at"); announced != tc.mounted {
				t.Errorf("output %q: profiler announced %v, want %v", out, announced, tc.mounted)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(base + "/debug/pprof/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusNotFound
			if tc.mounted {
				want = http.StatusSeeOther // to the login page
			}
			if resp.StatusCode != want {
				t.Errorf("GET /debug/pprof/ as a visitor: status %d, want %d", resp.StatusCode, want)
			}
		})
	}
}

// startServe runs the command line args (a serve) in this process until
// the test ends, and returns its URL and what it printed once listening.
func startServe(t *testing.T, args []string) (base, stdout string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut webtest.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil && strings.Contains(errOut.String(), "listening") {
			return m[1], out.String()
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended at start: %v\n%s", err, errOut.String())
		default:
		}
	}
	t.Fatalf("serve did not start in 30 s:\n%s\n%s", out.String(), errOut.String())
	return "", ""
}
