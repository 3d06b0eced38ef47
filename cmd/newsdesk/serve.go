package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web"
)

const defaultAddr = "127.0.0.1:8080"

// serveMemoryLimit is the server's soft limit on the Go runtime's memory
// (runtime/debug.SetMemoryLimit), unless GOMEMLIMIT sets another: near it
// the garbage collector runs more often instead of letting the heap grow
// to twice what is live, which kept the server's peak RSS past 150 MB
// under bench/run's load. SQLite's page caches (about 30 MB) are outside
// it; PostgreSQL keeps its caches in its own processes.
const serveMemoryLimit = 100 << 20 // bytes

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("serve", "newsdesk serve [--db PATH|URL] [--addr HOST:PORT] [--pprof]",
		"Serves the review web app until interrupted (SIGINT or SIGTERM end it gracefully).\n"+
			"--db is an SQLite file, which must exist, or a postgres:// URL; several servers\n"+
			"may share one PostgreSQL database (run them behind a reverse proxy).\n"+
			"Environment: NEWSDESK_SESSION_KEY (hex or base64, >= 32 bytes; otherwise keys are\n"+
			"generated once and kept in the database), NEWSDESK_SECURE_COOKIES=1 behind TLS,\n"+
			"NEWSDESK_TRUSTED_PROXIES (comma-separated CIDRs whose X-Forwarded-For is believed),\n"+
			"GOMEMLIMIT (Go's soft memory limit; 100MiB when unset).\n"+
			"--pprof (NEWSDESK_PPROF=1) serves Go's profiler under /debug/pprof/ to logged-in admins.", stdout)
	dbPath := c.dbFlag()
	addr := c.fs.String("addr", envString("NEWSDESK_ADDR", defaultAddr), "address to listen on (env NEWSDESK_ADDR)")
	pprofOn := c.fs.Bool("pprof", false, "serve net/http/pprof under "+web.PprofPrefix+" to admins (env NEWSDESK_PPROF=1)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("serve: unexpected argument %q", rest[0])
	}
	cfg, err := web.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	c.fs.Visit(func(f *flag.Flag) { // the flag, when given, wins over NEWSDESK_PPROF
		if f.Name == "pprof" {
			cfg.Pprof = *pprofOn
		}
	})
	// A mistyped path must not quietly serve a new, empty database.
	store, err := openStore(ctx, *dbPath, storeExisting)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(stdout, "newsdesk serving %s on http://%s\n", displayDB(*dbPath), ln.Addr())
	if cfg.Pprof {
		fmt.Fprintf(stdout, "profiler for admins at http://%s%s\n", ln.Addr(), web.PprofPrefix)
	}
	return serve(ctx, cfg, store, ln, stderr)
}

// serve runs the web app on ln until ctx ends.
func serve(ctx context.Context, cfg web.Config, store db.Database, ln net.Listener, stderr io.Writer) error {
	cfg.Log = slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := web.New(ctx, cfg, store)
	if err != nil {
		ln.Close()
		return err
	}
	if err := srv.Run(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
