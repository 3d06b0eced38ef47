package db

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// bigArticle is genArticle(i) with a body of about size bytes, so a batch
// of them holds the write lock for a while.
func bigArticle(i, size int) *article.Article {
	a := genArticle(i)
	a.Body = strings.Repeat(fmt.Sprintf("Paragraph of article %d about %s.\n", i, a.Title), size/60+1)
	a.Raw = renderRaw(a)
	return a
}

// saverBusyTimeout is the busy timeout of the saving store in
// TestSavesInterleaveWithImportBatches: the one the app runs with. The
// test asserts that no save fails and prints the waits (under a second on
// a quiet machine); it does not fail on a timer, since a shared machine
// or the race detector can slow one batch past any bound.
const saverBusyTimeout = defaultBusyTimeout

// An import commits in batches; editors' saves must get the write lock
// between them, whether they come through the same store (the writer pool
// queues them in Go), another store of the same process, or another
// process (SQLite's busy handler polls for the lock, which is not queued:
// back-to-back batches could starve it past its busy timeout, "database
// is locked"). The saving store has the app's busy timeout, and the
// import runs longer than it for the saving process, so a save starved
// for the whole import fails; the waits, which Import keeps under a
// second (see lockShare), are printed. Only a real second process shows
// starvation: two stores of one process share SQLite's in-process lock
// bookkeeping, and their saves got the lock at every batch even without
// any pause between batches.
func TestSavesInterleaveWithImportBatches(t *testing.T) {
	tests := []struct {
		name  string
		saver string        // "store": the importing store; "second": another store; "process": a child process
		run   time.Duration // the import runs at least this long
	}{
		{"same store", "store", 0},
		{"another store", "second", 0},
		{"another process", "process", time.Duration(saverBusyTimeout+1000) * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "newsdesk.db")
			importer, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer importer.Close()
			mustImport(t, importer, genArticle(0))

			// Made beforehand, so the batches run back to back, as when
			// the import parses the next batch while the store writes one.
			const batches, perBatch = 24, 100
			all := make([][]*article.Article, batches)
			for b := range all {
				all[b] = make([]*article.Article, perBatch)
				for i := range all[b] {
					all[b][i] = bigArticle(1+b*perBatch+i, 16<<10)
				}
			}

			stop := make(chan struct{})
			saved := make(chan saveLog, 1)
			switch tt.saver {
			case "store":
				go func() { saved <- saveUntil(ctx, importer, genArticle(0).Key, stop, nil) }()
			case "second":
				server, err := openStore(ctx, path, options{busyTimeout: saverBusyTimeout})
				if err != nil {
					t.Fatal(err)
				}
				defer server.Close()
				go func() { saved <- saveUntil(ctx, server, genArticle(0).Key, stop, nil) }()
			case "process":
				go func() { saved <- saveInChild(t, path, stop) }()
			}
			// The saver is saving before the import starts.
			time.Sleep(300 * time.Millisecond)

			start := time.Now()
			var longest time.Duration
			imported := 0
			for b := 0; b < batches || time.Since(start) < tt.run; b++ {
				batchStart := time.Now()
				if _, err := importer.Import(ctx, rekeyed(all[b%batches], b/batches)); err != nil {
					t.Fatalf("batch %d: %v", b, err)
				}
				longest = max(longest, time.Since(batchStart))
				imported += perBatch
			}
			t.Logf("import of %d articles in batches of %d took %v, the longest batch %v",
				imported, perBatch, time.Since(start).Round(time.Millisecond), longest.Round(time.Millisecond))
			close(stop)
			log := <-saved

			for _, err := range log.failures {
				t.Errorf("save failed during the import: %v", err)
			}
			waits := log.waits
			slices.Sort(waits)
			if len(waits) > 0 {
				t.Logf("%d saves during the import: median wait %v, 90th percentile %v, longest %v", len(waits),
					waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)*9/10].Round(time.Millisecond),
					waits[len(waits)-1].Round(time.Millisecond))
			}
			if len(waits) < 10 {
				t.Errorf("only %d saves ran during the import; the test shows nothing", len(waits))
			}
			if n := countRows(t, importer, "articles"); n != 1+imported {
				t.Errorf("%d articles, want %d", n, 1+imported)
			}
		})
	}
}

// rekeyed is arts for round r of an import that goes through the same
// batches again: round 0 as they are, later rounds as new articles, with
// keys of their own, so every batch writes as much as the first.
func rekeyed(arts []*article.Article, r int) []*article.Article {
	if r == 0 {
		return arts
	}
	out := make([]*article.Article, len(arts))
	for i, a := range arts {
		c := *a
		c.Key = fmt.Sprintf("%s-round%d", a.Key, r)
		c.FileName = c.Key + ".md"
		out[i] = &c
	}
	return out
}

// saveLog is what a saver saw: how long each save took, and the saves
// that failed.
type saveLog struct {
	waits    []time.Duration
	failures []error
}

// saveUntil saves the article key on s, as an editor would (with a pause
// to read between saves), until stop closes. Each save's outcome also
// goes to out when it is not nil.
func saveUntil(ctx context.Context, s *Store, key string, stop <-chan struct{}, out io.Writer) saveLog {
	var log saveLog
	rec, err := s.GetByKey(ctx, key)
	if err != nil {
		log.failures = append(log.failures, err)
		return log
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return log
		default:
		}
		start := time.Now()
		r, err := s.Update(ctx, rec.ID, Edit{Version: rec.Version, Actor: "alice", Note: ptr(fmt.Sprint("save ", i))})
		wait := time.Since(start)
		if err != nil {
			log.failures = append(log.failures, err)
			if out != nil {
				fmt.Fprintf(out, "fail %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			}
			if errors.Is(err, ErrConflict) {
				return log // nobody else edits this article
			}
		} else {
			rec = r
			log.waits = append(log.waits, wait)
			if out != nil {
				fmt.Fprintf(out, "wait %d\n", wait.Nanoseconds())
			}
		}
		time.Sleep(20 * time.Millisecond) // an editor reads between saves
	}
}

// saveInChild runs saveUntil in a child process (this test binary running
// TestInterleaveSaverChild) until stop closes, and collects what it
// printed.
func saveInChild(t *testing.T, path string, stop <-chan struct{}) saveLog {
	var log saveLog
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterleaveSaverChild$")
	cmd.Env = append(os.Environ(), "NEWSDESK_SAVER_DB="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return saveLog{failures: []error{err}}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return saveLog{failures: []error{err}}
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return saveLog{failures: []error{err}}
	}
	go func() {
		<-stop
		stdin.Close() // the child stops at end of input
	}()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		verb, rest, _ := strings.Cut(sc.Text(), " ")
		switch verb {
		case "wait":
			ns, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				log.failures = append(log.failures, fmt.Errorf("child: %q", sc.Text()))
			}
			log.waits = append(log.waits, time.Duration(ns))
		case "fail":
			log.failures = append(log.failures, errors.New("child: "+rest))
		}
	}
	if err := cmd.Wait(); err != nil {
		log.failures = append(log.failures, fmt.Errorf("child: %w", err))
	}
	return log
}

// TestInterleaveSaverChild is the other process of
// TestSavesInterleaveWithImportBatches: it saves on the database
// NEWSDESK_SAVER_DB until its input ends, printing each save's wait.
func TestInterleaveSaverChild(t *testing.T) {
	path := os.Getenv("NEWSDESK_SAVER_DB")
	if path == "" {
		t.Skip("run by TestSavesInterleaveWithImportBatches as its other process")
	}
	ctx := context.Background()
	s, err := openStore(ctx, path, options{busyTimeout: saverBusyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	saveUntil(ctx, s, genArticle(0).Key, stop, os.Stdout)
}
