package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

// result is one scenario's figures.
type result struct {
	name      string
	latencies []time.Duration // of the answered requests, any status
	bad       map[int]int     // answers with a status the scenario did not expect, by status
	errors    int             // requests that got no answer
	elapsed   time.Duration
}

// rps is answered requests per second of wall time.
func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.latencies)) / r.elapsed.Seconds()
}

// quantile is the q-quantile (0 < q <= 1) of the latencies by the
// nearest-rank method; latencies must be sorted.
func (r result) quantile(q float64) time.Duration {
	n := len(r.latencies)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(n) * q)) // 1-based
	return r.latencies[min(max(rank, 1), n)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// badCount is the number of unexpected answers.
func (r result) badCount() int {
	n := 0
	for _, c := range r.bad {
		n += c
	}
	return n
}

// line is the scenario's figures for people; unexpected answers are
// listed by status after them.
func (r result) line() string {
	s := fmt.Sprintf("%-14s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  bad %d  errors %d  (%d requests)",
		r.name, r.rps(), ms(r.quantile(0.5)), ms(r.quantile(0.99)), ms(r.quantile(1)), r.badCount(), r.errors, len(r.latencies))
	for _, st := range slices.Sorted(maps.Keys(r.bad)) {
		s += fmt.Sprintf(" [%d: %d]", st, r.bad[st])
	}
	return s
}

// appendTSV adds the scenario to file (no file: nothing) as one line:
// name, requests, req/s, p50, p99, max in ms, bad, errors.
func (r result) appendTSV(file string) error {
	if file == "" {
		return nil
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%d\n", r.name, len(r.latencies), r.rps(),
		ms(r.quantile(0.5)), ms(r.quantile(0.99)), ms(r.quantile(1)), r.badCount(), r.errors)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// attempt is one request of a worker: its latency, the answer's status,
// whether it was the expected one, and err when there was no answer.
type attempt func(ctx context.Context) (latency time.Duration, status int, ok bool, err error)

// closedLoop runs n workers, each calling its attempt again as soon as the
// last one returns, for d; it then waits for the requests in flight.
func closedLoop(ctx context.Context, name string, d time.Duration, workers []attempt) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	parts := make([]result, len(workers))
	for i := range parts {
		parts[i].bad = map[int]int{}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, try := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &parts[i]
			for ctx.Err() == nil {
				lat, status, ok, err := try(ctx)
				switch {
				case err != nil && ctx.Err() != nil:
					return // cut off by the end of the run: not a failure
				case err != nil:
					p.errors++
				default:
					p.latencies = append(p.latencies, lat)
					if !ok {
						p.bad[status]++
					}
				}
			}
		}()
	}
	wg.Wait()
	res := result{name: name, elapsed: time.Since(start), bad: map[int]int{}}
	for _, p := range parts {
		res.latencies = append(res.latencies, p.latencies...)
		for st, n := range p.bad {
			res.bad[st] += n
		}
		res.errors += p.errors
	}
	slices.Sort(res.latencies)
	return res
}

// runGet loads path with cfg.conns connections of one session, after a
// warm-up of the same load; with -also, connection i goes to instance i
// modulo their number (the session cookie is the host's, whatever the
// port, and instances of one app share their session keys). Any 2xx answer is the expected one. With
// cfg.cpuprofile, a CPU profile of the server is taken meanwhile.
func runGet(ctx context.Context, cfg config, c *client, name, path string) (result, error) {
	if _, err := url.Parse(c.base + path); err != nil {
		return result{}, fmt.Errorf("scenario %s: %w", name, err)
	}
	hit := func(ctx context.Context, base string) (time.Duration, int, bool, error) {
		// A request of its own each time: the client adds the cookie
		// header to the request it is given.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, 0, false, err
		}
		// Asked for explicitly, gzip is not undone by the transport: the
		// server compresses as for a browser, and this process, which
		// shares the machine, does not spend CPU undoing it.
		req.Header.Set("Accept-Encoding", "gzip")
		t0 := time.Now()
		resp, err := c.http.Do(req)
		if err != nil {
			return 0, 0, false, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t0), resp.StatusCode, resp.StatusCode/100 == 2, err
	}
	workers := make([]attempt, cfg.conns)
	bases := cfg.bases()
	for i := range workers {
		base := bases[i%len(bases)]
		workers[i] = func(ctx context.Context) (time.Duration, int, bool, error) { return hit(ctx, base) }
	}
	if cfg.warmup > 0 {
		closedLoop(ctx, name, cfg.warmup, workers)
	}
	if cfg.cpuprofile == "" {
		return closedLoop(ctx, name, cfg.duration, workers), nil
	}
	prof := make(chan error, 1)
	go func() { prof <- profile(ctx, c, cfg.profileSeconds, cfg.cpuprofile) }()
	res := closedLoop(ctx, name, cfg.duration, workers)
	return res, <-prof
}
