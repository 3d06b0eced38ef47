// Command load is newsdesk's load generator: it logs in for real (the
// login form and its CSRF token, a session cookie) and runs a closed loop
// of requests - each connection sends its next request when the last one
// is answered - printing req/s, p50, p99, max and the unexpected answers,
// one line per scenario. bench/run drives it.
//
//	load [flags] run SCENARIO...   NAME=PATH: GET PATH; save: editors saving
//	load [flags] discover          scenario lines for a category, a topic,
//	                               a review page and a page -deep rows deep
//	load [flags] weight PATH       compressed bytes of PATH and its CSS and JS
//
// With -cpuprofile FILE, run also saves a CPU profile of the server
// (served with --pprof; -user must be an admin) taken during the measured
// part of its first GET scenario.
//
// Flags come before the mode. Go's HTTP client asks for gzip and
// decompresses, as a browser does, so the server pays for compression.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	base           string        // server URL, no trailing slash
	also           []string      // more instances of the same app (-also): run's load is spread over base and these
	user, password string        // account of the GET scenarios, discover, weight and -cpuprofile (an admin)
	conns          int           // connections of a GET scenario
	duration       time.Duration // measured time of each scenario
	warmup         time.Duration // unmeasured load before each scenario
	editors        int           // editors of the save scenario
	editorPrefix   string        // editor i (1-based) is editorPrefix + i
	editorPassword string
	saveFrom       string        // queue page whose rows the editors save
	deep           int           // rows to skip for discover's deep page
	deepFrom       string        // first page of discover's deep walk
	deepBudget     time.Duration // the walk stops there, however deep
	cpuprofile     string        // file for a CPU profile of the server during the first GET scenario
	profileSeconds int
	tsv            string // file to append one tab-separated line per scenario to
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.base, "url", "http://127.0.0.1:8080", "base URL of the server")
	fs.StringVar(&cfg.user, "user", "admin", "user of the GET scenarios, discover, weight and -cpuprofile (which needs an admin)")
	fs.StringVar(&cfg.password, "password", os.Getenv("LOAD_PASSWORD"), "its password (default $LOAD_PASSWORD)")
	fs.IntVar(&cfg.conns, "c", 16, "connections of each GET scenario")
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, "measured duration of each scenario")
	fs.DurationVar(&cfg.warmup, "warmup", 0, "unmeasured load before each scenario")
	fs.IntVar(&cfg.editors, "editors", 8, "editors of the save scenario, each logged in on its own")
	fs.StringVar(&cfg.editorPrefix, "editor-prefix", "editor", "editor i (from 1) logs in as this prefix followed by i")
	fs.StringVar(&cfg.editorPassword, "editor-password", os.Getenv("LOAD_EDITOR_PASSWORD"), "password of every editor (default $LOAD_EDITOR_PASSWORD)")
	fs.StringVar(&cfg.saveFrom, "save-from", "/articles", "queue page whose articles the editors save, shared out among them")
	fs.IntVar(&cfg.deep, "deep", 90000, "discover: rows to page past, following the next links")
	fs.StringVar(&cfg.deepFrom, "deep-from", "/articles?status=all&published=any&sort=newest", "discover: first page of the deep walk")
	fs.DurationVar(&cfg.deepBudget, "deep-budget", 3*time.Minute, "discover: the deep walk stops after this long, at whatever depth")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "run: save a CPU profile of the server (/debug/pprof/profile) taken during the first GET scenario to this file")
	fs.IntVar(&cfg.profileSeconds, "profile-seconds", 10, "run: seconds of that profile, at most -d")
	fs.StringVar(&cfg.tsv, "tsv", "", "run: also append name, requests, req/s, p50, p99, max (ms), bad, errors per scenario to this file")
	also := fs.String("also", "", "run: comma-separated base URLs of more instances of the same app sharing its database; connections and editors are spread over -url and these")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.base = strings.TrimSuffix(cfg.base, "/")
	for _, u := range strings.Split(*also, ",") {
		if u = strings.TrimSuffix(strings.TrimSpace(u), "/"); u != "" {
			cfg.also = append(cfg.also, u)
		}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return errors.New("name a mode: run, discover or weight")
	}
	mode, rest := rest[0], rest[1:]
	switch mode {
	case "run":
		return runScenarios(ctx, cfg, rest, stdout)
	case "discover":
		return discover(ctx, cfg, stdout, stderr)
	case "weight":
		if len(rest) != 1 {
			return errors.New("weight: name one page, e.g. /articles")
		}
		return weight(ctx, cfg, rest[0], stdout)
	}
	return fmt.Errorf("unknown mode %q: want run, discover or weight", mode)
}

// bases are the instances under load: -url, then -also's.
func (cfg config) bases() []string { return append([]string{cfg.base}, cfg.also...) }

// runScenarios runs each scenario in turn and prints its line.
func runScenarios(ctx context.Context, cfg config, specs []string, stdout io.Writer) error {
	if len(specs) == 0 {
		return errors.New("run: name scenarios: NAME=PATH or save")
	}
	var getter *client // logged in once, shared by the GET scenarios
	for _, spec := range specs {
		var (
			res result
			err error
		)
		if spec == "save" {
			res, err = runSave(ctx, cfg)
		} else {
			name, path, ok := strings.Cut(spec, "=")
			if !ok || !strings.HasPrefix(path, "/") {
				return fmt.Errorf("run: scenario %q: want NAME=/path or save", spec)
			}
			if getter == nil {
				if getter, err = login(ctx, cfg.base, cfg.user, cfg.password, cfg.conns); err != nil {
					return err
				}
			}
			res, err = runGet(ctx, cfg, getter, name, path)
			cfg.cpuprofile = "" // the first GET scenario only
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res.line())
		if err := res.appendTSV(cfg.tsv); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
