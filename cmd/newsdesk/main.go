// Command newsdesk imports pipeline articles into SQLite or PostgreSQL,
// serves the review web app, and exports approved articles losslessly.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `newsdesk: editorial review for pipeline articles

Usage:
  newsdesk serve  [--db DB] [--addr HOST:PORT]    serve the review web app
  newsdesk demo   [--addr HOST:PORT]              the app on sample data (SQLite)
  newsdesk import [--db DB] PATH...               import files and folders
  newsdesk export [--db DB] [--status S] [--keep-stale] --out DIR|-
                                                  export articles losslessly
  newsdesk backup [--db PATH] OUT                 consistent online copy (SQLite), mode 0600
  newsdesk check  [--db DB]                       integrity, content hashes, search index
  newsdesk rotate-keys [--db DB]                  new session keys: logs everyone out
  newsdesk gen    N DIR [--seed S]                N realistic articles for benchmarks
  newsdesk copy   --from DB --to DB               move a newsroom between SQLite and PostgreSQL
  newsdesk user add|passwd|disable|list [--db DB] [--role admin|editor] NAME
                                                  manage logins

DB is an SQLite file (default ./newsdesk.db) or a postgres:// URL of a
PostgreSQL database, which several servers can share. Every subcommand has
--help. Flags have NEWSDESK_* environment equivalents (--db is NEWSDESK_DB).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err and maps it to the process exit status: 2 for usage
// errors, the code an exitError carries, 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "newsdesk:", ee.msg)
		}
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "newsdesk: %s\n", ue.msg)
		if ue.usage != "" {
			fmt.Fprintf(stderr, "\n%s", ue.usage)
		}
		return 2
	}
	fmt.Fprintln(stderr, "newsdesk:", err)
	return 1
}

// run is the whole program behind main, so tests can call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{msg: "missing subcommand", usage: usage}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "check":
		return cmdCheck(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "gen":
		return cmdGen(ctx, rest, stdout, stderr)
	case "rotate-keys":
		return cmdRotateKeys(ctx, rest, stdout, stderr)
	case "copy":
		return cmdCopy(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return &usageError{msg: fmt.Sprintf("unknown subcommand %q", cmd), usage: usage}
}
