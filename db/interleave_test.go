package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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

// An import commits in batches; editors' saves must get the write lock
// between them, whether they come through the same store (the writer pool
// queues them in Go) or from another process (SQLite's busy handler polls
// for the lock, which is not queued: back-to-back batches could starve it
// past its busy timeout, "database is locked"). The server's store here
// has a busy timeout shorter than the import, as a real server's 5 s is
// shorter than a long import, so a save that is starved fails.
func TestSavesInterleaveWithImportBatches(t *testing.T) {
	tests := []struct {
		name     string
		separate bool // the saves come from another store, as from another process
	}{
		{"same process", false},
		{"another process", true},
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
			server := importer
			if tt.separate {
				server, err = openStore(ctx, path, options{busyTimeout: 500})
				if err != nil {
					t.Fatal(err)
				}
				defer server.Close()
			}
			mustImport(t, importer, genArticle(0))
			rec := mustGetByKey(t, server, genArticle(0).Key)

			// Made beforehand, so the batches run back to back, as when
			// the import parses the next batch while the store writes one.
			const batches, perBatch = 20, 20
			all := make([][]*article.Article, batches)
			for b := range all {
				all[b] = make([]*article.Article, perBatch)
				for i := range all[b] {
					all[b][i] = bigArticle(1+b*perBatch+i, 16<<10)
				}
			}
			done := make(chan error, 1)
			go func() {
				start := time.Now()
				for b, arts := range all {
					batchStart := time.Now()
					if _, err := importer.Import(ctx, arts); err != nil {
						done <- fmt.Errorf("batch %d: %w", b, err)
						return
					}
					if b == 0 {
						t.Logf("one batch of %d articles took %v", perBatch, time.Since(batchStart).Round(time.Millisecond))
					}
				}
				t.Logf("import of %d batches took %v", batches, time.Since(start).Round(time.Millisecond))
				done <- nil
			}()

			var waits []time.Duration
			var failures []error
			var importErr error
		saves:
			for i := 0; ; i++ {
				select {
				case importErr = <-done:
					break saves
				default:
				}
				start := time.Now()
				r, err := server.Update(ctx, rec.ID, Edit{Version: rec.Version, Actor: "alice", Note: ptr(fmt.Sprint("save ", i))})
				waits = append(waits, time.Since(start))
				if err != nil {
					failures = append(failures, err)
					if errors.Is(err, ErrConflict) {
						t.Fatalf("save %d: %v", i, err) // nobody else edits this article
					}
					continue
				}
				rec = r
				time.Sleep(20 * time.Millisecond) // an editor reads between saves
			}
			if importErr != nil {
				t.Fatal(importErr)
			}
			for _, err := range failures {
				t.Errorf("save failed during the import: %v", err)
			}
			slices.Sort(waits)
			if len(waits) > 0 {
				t.Logf("%d saves during the import: median wait %v, longest %v", len(waits),
					waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)-1].Round(time.Millisecond))
			}
			if len(waits) < 2 {
				t.Errorf("only %d saves ran during the import; the test shows nothing", len(waits))
			}
			if n := countRows(t, server, "articles"); n != 1+batches*perBatch {
				t.Errorf("%d articles, want %d", n, 1+batches*perBatch)
			}
		})
	}
}
