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

	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

func TestDisplayDBHidesThePassword(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"news.db", "news.db"},
		{"/srv/newsdesk/news.db", "/srv/newsdesk/news.db"},
		{"postgres://newsdesk:S3cret@db.example:5432/news?sslmode=require", "postgres://newsdesk@db.example:5432/news"},
		{"postgresql://db.example/news?password=S3cret&pool_max_conns=20", "postgresql://db.example/news"},
		{"postgres://:S3cret@db.example/news", "postgres://db.example/news"},
		{"postgres://u:S3cret@db.example:notaport/news", "the PostgreSQL database of --db"},
	}
	for _, tt := range tests {
		if got := displayDB(tt.dsn); got != tt.want {
			t.Errorf("displayDB(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}

// Every command that opens a database, given a PostgreSQL URL it cannot
// use, fails without printing the URL's password: not in the error, not
// in a log line.
func TestPostgresPasswordNeverPrinted(t *testing.T) {
	const secret = "S3cretPassw0rd"
	valid := filepath.Join(validDir, "comments.md")
	urls := []string{
		"postgres://newsdesk:" + secret + "@127.0.0.1:1/news?sslmode=disable", // nothing listens on port 1
		"postgresql://newsdesk@127.0.0.1:1/news?sslmode=disable&password=" + secret,
		"postgres://newsdesk:" + secret + "@127.0.0.1:notaport/news", // pgx cannot parse it
	}
	for _, u := range urls {
		for _, args := range [][]string{
			{"serve", "--db", u, "--addr", "127.0.0.1:0"},
			{"import", "--db", u, valid},
			{"export", "--db", u, "--out", "-"},
			{"check", "--db", u},
			{"rotate-keys", "--db", u},
			{"user", "list", "--db", u},
			{"user", "passwd", "--db", u, "ann"},
			{"backup", "--db", u, filepath.Join(t.TempDir(), "copy.db")},
		} {
			out, errOut, code := runCmd(t, args...)
			if code == 0 {
				t.Errorf("%s on %s succeeded", args[0], displayDB(u))
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("%s printed the password: %q", args[0], out+errOut)
			}
			if errOut == "" {
				t.Errorf("%s failed without saying why", args[0])
			}
		}
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	_, errOut, code := runCmd(t, "backup", "--db", "postgres://newsdesk:S3cret@db.example/news", "news.dump")
	want := "backup copies an SQLite file; for PostgreSQL use pg_dump: pg_dump --format=custom --file=news.dump 'postgres://newsdesk@db.example/news'"
	if code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q; want exit 2 with %q", code, errOut, want)
	}
	if strings.Contains(errOut, "S3cret") {
		t.Errorf("the password is printed: %q", errOut)
	}
}

// The commands on a PostgreSQL --db: import, a byte-identical export,
// check, the user commands and rotate-keys.
func TestCommandsOnPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	runIn := func(stdin string, args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
		code := exitCode(err, &stderr)
		return stdout.String(), stderr.String(), code
	}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, errOut, code := runIn(stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	inputs := append(listFiles(t, validDir), listFiles(t, "../../testdata/seed")...)
	out := must("", "import", "--db", dbURL, validDir, "../../testdata/seed")
	if want := fmt.Sprintf("%d files: %d new", len(inputs), len(inputs)); !strings.Contains(out, want) {
		t.Errorf("import report %q lacks %q", out, want)
	}
	exported := t.TempDir()
	must("", "export", "--db", dbURL, "--status", "all", "--out", exported)
	for _, in := range inputs {
		want, _ := os.ReadFile(in)
		got, err := os.ReadFile(filepath.Join(exported, filepath.Base(in)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: not exported byte-identical (%v)", filepath.Base(in), err)
		}
	}
	if out := must("", "check", "--db", dbURL); !strings.Contains(out, displayDB(dbURL)+": no faults found") {
		t.Errorf("check: %q", out)
	}

	must("a-good-password\n", "user", "add", "--db", dbURL, "--role", "admin", "ann")
	must("another-password\n", "user", "passwd", "--db", dbURL, "ann")
	must("", "user", "disable", "--db", dbURL, "ann")
	if out := must("", "user", "list", "--db", dbURL); !regexp.MustCompile(`ann\s+admin\s+disabled`).MatchString(out) {
		t.Errorf("user list: %q", out)
	}
	if _, errOut, code := runIn("a-third-password\n", "user", "add", "--db", dbURL, "ann"); code != 1 || !strings.Contains(errOut, `"ann" already exists`) {
		t.Errorf("second user add: exit %d, %q", code, errOut)
	}
	must("", "rotate-keys", "--db", dbURL)
}

// A URL in NEWSDESK_DB (or copy's NEWSDESK_FROM and NEWSDESK_TO) is a
// flag's default, which --help and usage errors print: without its
// password.
func TestEnvURLPasswordNotInUsage(t *testing.T) {
	for _, env := range []string{"NEWSDESK_DB", "NEWSDESK_FROM", "NEWSDESK_TO"} {
		t.Setenv(env, "postgres://u:S3cret@127.0.0.1:1/news")
	}
	for _, args := range [][]string{{"check", "--help"}, {"check", "--bogus"}, {"copy", "--help"}, {"copy", "--bogus"}} {
		if out, errOut, _ := runCmd(t, args...); strings.Contains(out+errOut, "S3cret") {
			t.Errorf("%v printed the password: %q", args, out+errOut)
		}
	}
}

// A libpq key/value connection string is refused without being echoed,
// and no SQLite file is made in its name.
func TestKeyValueConnectionStringRefused(t *testing.T) {
	valid, err := filepath.Abs("../../testdata/articles/valid")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	kv := "host=127.0.0.1 port=1 user=postgres password=S3cret dbname=news"
	for _, args := range [][]string{
		{"check", "--db", kv},
		{"import", "--db", kv, valid},
		{"serve", "--db", kv},
		{"copy", "--from", "news.db", "--to", kv},
		{"copy", "--from", kv, "--to", "postgres://u@127.0.0.1:1/x"},
	} {
		out, errOut, code := runCmd(t, args...)
		if code == 0 || !strings.Contains(errOut, "key/value connection string") {
			t.Errorf("%v: exit %d, stderr %q; want a refusal naming the key/value form", args[:1], code, errOut)
		}
		if strings.Contains(out+errOut, "S3cret") {
			t.Errorf("%v printed the password: %q", args[:1], out+errOut)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		t.Errorf("files made: %v", entries)
	}
}
