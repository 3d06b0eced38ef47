package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
	"github.com/newsdesk/newsdesk/review"
)

func TestCopyCommandLine(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	pg := "postgres://nobody@127.0.0.1:1/none"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"copy"}, 2, "name the source and the target"},
		{[]string{"copy", "--from", a}, 2, "name the source and the target"},
		{[]string{"copy", "--from", a, "--to", b}, 2, "newsdesk backup --db"},
		{[]string{"copy", "--from", pg, "--to", pg + "2"}, 2, "pg_dump"},
		{[]string{"copy", "--from", a, "--to", pg, "--batch", "0"}, 2, "--batch must be 1 to"},
		{[]string{"copy", "--from", a, "--to", pg, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"copy", "--from", a, "--to", pg, "--nope"}, 2, "flag provided but not defined"},
		// A missing source is refused before the target is touched.
		{[]string{"copy", "--from", a, "--to", pg}, 1, "source: database " + a + " does not exist"},
	} {
		_, stderr, code := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	out, _, code := runCmd(t, "copy", "--help")
	if code != 0 || !strings.Contains(out, "Usage: newsdesk copy --from PATH|URL --to PATH|URL") ||
		!strings.Contains(out, "-batch") || !strings.Contains(out, "resumes") {
		t.Errorf("copy --help: exit %d, output %q", code, out)
	}
	if out, _, _ := runCmd(t, "help"); !strings.Contains(out, "newsdesk copy") {
		t.Errorf("the usage does not list copy:\n%s", out)
	}
}

// TestCopy10000ExportsByteIdentical is issue 12's demonstration: copy a
// 10,000-article SQLite database (with some editors' changes) to
// PostgreSQL, and every article exports byte-identical from the copy.
// (The way back, PostgreSQL to SQLite, is tested on fewer articles in
// db/transfer.)
func TestCopy10000ExportsByteIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 10,000 articles")
	}
	const n = 10_000
	ctx := context.Background()
	dir := t.TempDir()
	in, news := filepath.Join(dir, "in"), filepath.Join(dir, "news.db")
	if _, err := gen.Write(ctx, in, n, gen.Options{Seed: 12, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if out, stderr, code := runCmd(t, "import", "--db", news, in); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	editSome(t, news, 100)
	target := pgtest.URL(t)

	start := time.Now()
	out, stderr, code := runCmd(t, "copy", "--from", news, "--to", target)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("copy: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("copy of %d articles: %s, %.0f articles/s\n%s", n, took.Round(time.Millisecond), n/took.Seconds(), out)
	if !strings.Contains(out, "10,000 articles in") || !strings.Contains(stderr, "articles: 10,000 rows") {
		t.Errorf("copy output:\n%s\nstderr:\n%s", out, stderr)
	}

	want := exportDir(t, news)
	if len(want) != n {
		t.Fatalf("the source exports %d files, want %d", len(want), n)
	}
	compareExports(t, "PostgreSQL copy", want, exportDir(t, target))
}

// editSome changes every k-th article of the database at path the way an
// editor would: quality, topics, published and status.
func editSome(t *testing.T, path string, k int64) {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := review.New(s)
	approved := article.StatusApproved
	for id := int64(1); ; id += k {
		rec, err := s.Get(ctx, id)
		if err != nil {
			break
		}
		q, pub := int(id%101), !rec.Published
		_, err = svc.Save(ctx, id, review.Edit{Version: rec.Version, Quality: &q, Published: &pub, Status: &approved,
			Topics: append(rec.Topics, "Copied"), SetTopics: true, Actor: "editor"})
		if err != nil {
			t.Fatalf("edit %d: %v", id, err)
		}
	}
}

// exportDir exports every article of the database dsn into a new folder
// with the real command and returns its files by name, the manifest
// aside.
func exportDir(t *testing.T, dsn string) map[string][]byte {
	t.Helper()
	out := t.TempDir()
	if stdout, stderr, code := runCmd(t, "export", "--db", dsn, "--status", "all", "--out", out); code != 0 {
		t.Fatalf("export %s: exit %d\n%s%s", dsn, code, stdout, stderr)
	}
	files := map[string][]byte{}
	for _, f := range listFiles(t, out) {
		if filepath.Base(f) == review.ManifestName {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(f)] = data
	}
	return files
}

func compareExports(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files exported, want %d", what, len(got), len(want))
	}
	differ := 0
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			if differ++; differ <= 5 {
				t.Errorf("%s: %s is not byte-identical to the source's export", what, name)
			}
		}
	}
	if differ > 5 {
		t.Errorf("%s: %d files differ in all", what, differ)
	}
}

// TestCopyKilledResumes kills a real copy process with SIGKILL part way
// and runs the command again: it resumes, finishes and verifies.
func TestCopyKilledResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 3000
	dir := t.TempDir()
	in, news := filepath.Join(dir, "in"), filepath.Join(dir, "news.db")
	writeGenerated(t, in, n)
	if out, stderr, code := runCmd(t, "import", "--db", news, in); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	// A loaded machine may let the child finish before the kill lands:
	// try again on a fresh database rather than pass without a crash.
	var target string
	copied := int64(n)
	for attempt := 0; attempt < 3 && copied >= n; attempt++ {
		target = pgtest.URL(t)
		copied = killCopyPartWay(t, news, target)
		t.Logf("attempt %d: killed after %d of %d articles", attempt+1, copied, n)
	}
	if copied >= n {
		t.Fatal("the copy finished every time before it could be killed")
	}

	// Another source is refused: the target holds this one's copy.
	other := filepath.Join(dir, "other.db")
	runCmd(t, "import", "--db", other, validDir)
	if _, stderr, code := runCmd(t, "copy", "--from", other, "--to", target); code != 1 || !strings.Contains(stderr, "interrupted copy of "+news) {
		t.Errorf("copy of another source into the half-copied target: exit %d, %q", code, stderr)
	}

	out, stderr, code := runCmd(t, "copy", "--from", news, "--to", target, "--batch", "100")
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "resumed and finished the copy of "+news) ||
		!strings.Contains(out, fmt.Sprintf("3,000 rows, %s copied now", thousands(int(n-copied)))) {
		t.Errorf("re-run output:\n%s", out)
	}
	if got := exportDir(t, target); len(got) != n {
		t.Errorf("the resumed copy exports %d articles, want %d", len(got), n)
	}
}

// killCopyPartWay starts `newsdesk copy` as a child process, kills it
// with SIGKILL once the target holds some articles, and returns how many.
func killCopyPartWay(t *testing.T, from, to string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "copy", "--from", from, "--to", to, "--batch", "100")
	cmd.Env = append(os.Environ(), "NEWSDESK_TEST_CHILD=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && pgArticles(to) < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	n := pgArticles(to)
	if n < 0 {
		t.Fatal("cannot count the target's articles")
	}
	return n
}

// pgArticles counts the articles of the PostgreSQL database at url; -1
// while it has no schema yet.
func pgArticles(url string) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return -1
	}
	defer conn.Close(ctx)
	var n int64
	if conn.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n) != nil {
		return -1
	}
	return n
}

// TestCopyRefusesNonEmptyTarget: the command exits 1 and says what the
// target holds, and writes nothing to it.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	dir := t.TempDir()
	news, full := filepath.Join(dir, "news.db"), filepath.Join(dir, "full.db")
	for _, p := range []string{news, full} {
		if out, stderr, code := runCmd(t, "import", "--db", p, validDir); code != 0 {
			t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
		}
	}
	target := pgtest.URL(t)
	if out, stderr, code := runCmd(t, "copy", "--from", news, "--to", target); code != 0 {
		t.Fatalf("copy: exit %d\n%s%s", code, out, stderr)
	}
	// PostgreSQL to an SQLite file that holds articles.
	before := countArticles(t, full)
	_, stderr, code := runCmd(t, "copy", "--from", target, "--to", full)
	if code != 1 || !strings.Contains(stderr, "the target is not empty: it holds") || !strings.Contains(stderr, fmt.Sprintf(" %d articles,", before)) {
		t.Errorf("copy into a full SQLite file: exit %d, %q", code, stderr)
	}
	if got := countArticles(t, full); got != before {
		t.Errorf("the refused copy changed the target: %d articles, had %d", got, before)
	}
	// Another SQLite file into the finished copy.
	_, stderr, code = runCmd(t, "copy", "--from", full, "--to", target)
	if code != 1 || !strings.Contains(stderr, "copy of "+news) {
		t.Errorf("copy into a target holding another copy: exit %d, %q", code, stderr)
	}
	// The same copy again finds it done and only verifies it.
	out, stderr, code := runCmd(t, "copy", "--from", news, "--to", target)
	if code != 0 || !strings.Contains(out, "was copied to "+displayDB(target)+" already: nothing written, verified again") {
		t.Errorf("copy run again: exit %d\n%s%s", code, out, stderr)
	}
}
