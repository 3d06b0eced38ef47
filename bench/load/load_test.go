package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// newServer is a webtest server with 60 articles (more than a queue page)
// in two categories, and two editors editor1 and editor2.
func newServer(t *testing.T) *webtest.Env {
	t.Helper()
	env := webtest.New(t, func(c *web.Config) { c.Pprof = true })
	var specs []webtest.Spec
	for i := range 60 {
		specs = append(specs, webtest.Spec{
			Key: fmt.Sprintf("a%02d", i), Title: fmt.Sprintf("Genomics trial %d", i),
			Category: []string{"science", "health"}[i%2], Quality: i, Topics: []string{"Genomics", "Clinical Trials"},
		})
	}
	env.ImportSpecs(t, specs...)
	for _, name := range []string{"editor1", "editor2"} {
		env.CreateUser(t, name, webtest.EditorPassword, db.RoleEditor)
	}
	return env
}

// load runs the command with the server's URL and the admin's login.
func load(t *testing.T, env *webtest.Env, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	base := []string{"-url", env.Server.URL, "-user", webtest.AdminName, "-password", webtest.AdminPassword,
		"-editor-password", webtest.EditorPassword}
	err := run(context.Background(), append(base, args...), &out, &errOut)
	return out.String(), errOut.String(), err
}

// lineRE is one scenario's line: name, req/s, p50, p99, max, bad, errors.
var lineRE = regexp.MustCompile(`^(\S+) +([0-9.]+) req/s  p50 +[0-9.]+ ms  p99 +[0-9.]+ ms  max +[0-9.]+ ms  bad (\d+)  errors (\d+)  \((\d+) requests\)`)

// TestRunAgainstServer: a one-second run of GET scenarios found by
// discover, and of two editors saving, against a real server: every
// scenario answers, with nothing unexpected (thousands of /healthz
// requests on one session catch a request header that grows), and the
// saves land.
func TestRunAgainstServer(t *testing.T) {
	env := newServer(t)
	found, stderr, err := load(t, env, "-deep", "50", "discover")
	if err != nil {
		t.Fatalf("discover: %v\n%s", err, stderr)
	}
	specs := strings.Fields(found)
	wantPrefixes := []string{"category=/articles?category=", "topic=/articles?topic=", "review=/articles/", "deep-50=/articles?cursor="}
	if len(specs) != len(wantPrefixes) {
		t.Fatalf("discover printed %q, want %d lines", found, len(wantPrefixes))
	}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(specs[i], p) {
			t.Errorf("discover line %d: %q, want it to start with %q", i+1, specs[i], p)
		}
	}
	tsv := filepath.Join(t.TempDir(), "results.tsv")
	args := append([]string{"-c", "2", "-d", "1s", "-editors", "2", "-tsv", tsv, "run", "healthz=/healthz", "queue=/articles", "search=/articles?q=genomics+trial"}, specs...)
	out, stderr, err := load(t, env, append(args, "save")...)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8 scenarios:\n%s", len(lines), out)
	}
	for _, l := range lines {
		m := lineRE.FindStringSubmatch(l)
		switch {
		case m == nil:
			t.Errorf("line %q is not name, req/s, p50, p99, max, bad, errors, requests", l)
		case m[3] != "0" || m[4] != "0":
			t.Errorf("%s: %s unexpected answers and %s errors", m[1], m[3], m[4])
		case m[5] == "0":
			t.Errorf("%s: no request answered in a second", m[1])
		}
	}
	if b, err := os.ReadFile(tsv); err != nil || strings.Count(string(b), "\n") != 8 {
		t.Errorf("tsv file: %v\n%s", err, b)
	}
	// The saves went through as saves: the editors' names are in the
	// audit trail of the articles they changed.
	snap := env.Snapshot(t)
	if !regexp.MustCompile(`audit=[1-9]`).MatchString(snap) {
		t.Errorf("no article has an audit row after the save scenario:\n%s", snap)
	}
}

// TestWeightAndProfile: weight sums the compressed page and its assets;
// -cpuprofile saves the server's CPU profile taken during the first GET
// scenario, gzip'd protobuf as go tool pprof reads it.
func TestWeightAndProfile(t *testing.T) {
	env := newServer(t)
	out, stderr, err := load(t, env, "weight", "/articles")
	if err != nil {
		t.Fatalf("weight: %v\n%s", err, stderr)
	}
	if !regexp.MustCompile(`^weight /articles: html [1-9]\d*, css [1-9]\d*, js [1-9]\d*, total [1-9]\d* bytes compressed, \d+ files\n$`).MatchString(out) {
		t.Errorf("weight printed %q", out)
	}
	file := filepath.Join(t.TempDir(), "cpu.pprof")
	if _, stderr, err := load(t, env, "-c", "2", "-d", "1s", "-cpuprofile", file, "-profile-seconds", "1", "run", "q=/articles"); err != nil {
		t.Fatalf("run with a profile: %v\n%s", err, stderr)
	}
	if b, err := os.ReadFile(file); err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("profile file: %v, starts % x", err, b[:min(len(b), 4)])
	}
}

// TestLoginRefused: a wrong password is an error naming the user, not a
// run of redirects counted as answers.
func TestLoginRefused(t *testing.T) {
	env := newServer(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", env.Server.URL, "-user", "admin", "-password", "wrong", "-d", "1s", "run", "q=/articles"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `login as "admin"`) {
		t.Errorf("error %v, want a refused login for admin", err)
	}
}

// TestQuantile: nearest rank, so p50 and p99 are latencies that happened.
func TestQuantile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	cases := []struct {
		name string
		lat  []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 0.5, 50 * time.Millisecond},
	}
	for _, tc := range cases {
		if got := (result{latencies: tc.lat}).quantile(tc.q); got != tc.want {
			t.Errorf("%s: quantile(%v) = %v, want %v", tc.name, tc.q, got, tc.want)
		}
	}
}
