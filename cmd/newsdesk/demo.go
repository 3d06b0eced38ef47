package main

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/web"
)

// sample is the demo corpus: fictional articles written for this project.
//
//go:embed sample
var sample embed.FS

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("demo", "newsdesk demo [--addr HOST:PORT]",
		"Starts newsdesk on a fresh temporary database filled with sample articles,\n"+
			"creates a demo editor and a demo admin with random passwords, prints the URL\n"+
			"and the logins, and serves until interrupted. The database is deleted at exit.", stdout)
	addr := c.fs.String("addr", envString("NEWSDESK_ADDR", ""), "address to listen on (default 127.0.0.1:8080, or a free port when that is taken)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return c.usageErr("demo: unexpected argument %q", rest[0])
	}
	cfg, err := web.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "newsdesk-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := db.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return err
	}
	defer store.Close()

	n, err := loadSample(ctx, store)
	if err != nil {
		return err
	}
	logins, err := demoUsers(ctx, store)
	if err != nil {
		return err
	}
	ln, err := demoListener(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "newsdesk demo: %d sample articles\n\n  open   http://%s/login\n", n, ln.Addr())
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-6s %s / %s\n", l.role, l.name, l.password)
	}
	fmt.Fprintf(stdout, "\nPress Ctrl+C to stop; the demo database is deleted then.\n")
	return serve(ctx, cfg, store, ln, stderr)
}

// loadSample imports the embedded corpus and gives a few articles a review
// state, so the queue's tabs, the history and the export have something to
// show.
func loadSample(ctx context.Context, store *db.Store) (int, error) {
	names, err := fs.Glob(sample, "sample/*")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	arts := make([]*article.Article, 0, len(names))
	for _, name := range names {
		data, err := sample.ReadFile(name)
		if err != nil {
			return 0, err
		}
		a, err := article.Parse(path.Base(name), data)
		if err != nil {
			return 0, fmt.Errorf("demo corpus: %w", err)
		}
		arts = append(arts, a)
	}
	if _, err := store.Import(ctx, arts); err != nil {
		return 0, err
	}
	return len(arts), reviewSome(ctx, store, arts)
}

func reviewSome(ctx context.Context, store *db.Store, arts []*article.Article) error {
	for i, a := range arts {
		var st article.Status
		switch {
		case i%9 == 4:
			st = article.StatusApproved
		case i%13 == 7:
			st = article.StatusRejected
		default:
			continue
		}
		rec, err := store.GetByKey(ctx, a.Key)
		if err != nil {
			return err
		}
		note := "Reviewed while setting up the demo."
		if _, err := store.Update(ctx, rec.ID, db.Edit{Version: rec.Version, Status: &st, Note: &note, Actor: "demo"}); err != nil {
			return err
		}
	}
	return nil
}

type demoLogin struct{ role, name, password string }

func demoUsers(ctx context.Context, store *db.Store) ([]demoLogin, error) {
	logins := []demoLogin{{role: "editor", name: "editor"}, {role: "admin", name: "admin"}}
	for i := range logins {
		logins[i].password = rand.Text()[:16]
		hash, err := account.HashPassword(logins[i].password)
		if err != nil {
			return nil, err
		}
		if _, err := store.CreateUser(ctx, logins[i].name, hash, db.Role(logins[i].role)); err != nil {
			return nil, err
		}
	}
	return logins, nil
}

// demoListener listens on addr, or on 127.0.0.1:8080 and, when that port is
// taken, on any free port, so a second demo still starts.
func demoListener(addr string) (net.Listener, error) {
	if addr != "" {
		return net.Listen("tcp", addr)
	}
	ln, err := net.Listen("tcp", defaultAddr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	return ln, err
}
