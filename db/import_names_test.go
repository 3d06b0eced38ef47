package db

import (
	"context"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// named is genArticle(i) stored under key and file name; changed makes
// its bytes differ from the plain one's.
func named(i int, key, fileName string, changed bool) *article.Article {
	a := genArticle(i)
	a.Key, a.FileName = key, fileName
	if changed {
		a.Title += " (updated)"
	}
	a.Raw = renderRaw(a)
	return a
}

// A re-import that finds the key stored from a file of another name says
// so, and the article takes the new name: export writes what was read.
func TestImportReportsThePreviousFileName(t *testing.T) {
	tests := []struct {
		name       string
		first      *article.Article
		again      *article.Article
		legacyKey  string // stored under this key, as an older newsdesk did
		wantResult ImportResult
		wantPrev   string
	}{
		{name: "same name", first: named(1, "a", "a.md", false), again: named(1, "a", "a.md", false),
			wantResult: ImportUnchanged},
		{name: "other extension, same bytes", first: named(1, "a", "a.md", false), again: named(1, "a", "a.txt", false),
			wantResult: ImportUnchanged, wantPrev: "a.md"},
		{name: "other extension, new bytes", first: named(1, "a", "a.md", false), again: named(1, "a", "a.yaml", true),
			wantResult: ImportUpdated, wantPrev: "a.md"},
		// article.KeyOf gives both names the NFC key; the names differ.
		{name: "NFD name of the same file", first: named(2, "café", "café.md", false),
			again:      named(2, "café", "cafe\u0301.md", false),
			wantResult: ImportUnchanged, wantPrev: "café.md"},
		{name: "key stored in NFD by an older newsdesk", first: named(2, "café", "cafe\u0301.md", false),
			again: named(2, "café", "café.md", true), legacyKey: "cafe\u0301",
			wantResult: ImportUpdated, wantPrev: "cafe\u0301.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			mustImport(t, s, tt.first)
			if tt.legacyKey != "" {
				if _, err := s.w.Exec(`UPDATE articles SET key = ?`, tt.legacyKey); err != nil {
					t.Fatal(err)
				}
			}
			out := mustImport(t, s, tt.again)
			if o := out[0]; o.Result != tt.wantResult || o.PreviousFileName != tt.wantPrev || o.Key != tt.again.Key {
				t.Errorf("outcome %+v, want %s with previous name %q", o, tt.wantResult, tt.wantPrev)
			}
			if n := countRows(t, s, "articles"); n != 1 {
				t.Fatalf("%d articles, want the one", n)
			}
			r := mustGetByKey(t, s, tt.again.Key)
			if r.Article.FileName != tt.again.FileName || string(r.Article.Raw) != string(tt.again.Raw) {
				t.Errorf("stored as %q, want %q with the new bytes", r.Article.FileName, tt.again.FileName)
			}
			hist, err := s.History(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			audited := map[string]AuditEntry{}
			for _, e := range hist {
				audited[e.Field] = e
			}
			if e, ok := audited["file_name"]; (tt.wantPrev != "") != ok || ok && (e.Old != tt.wantPrev || e.New != tt.again.FileName) {
				t.Errorf("file_name audit = %+v (present %v)", e, ok)
			}
			if e, ok := audited["key"]; (tt.legacyKey != "") != ok || ok && (e.Old != tt.legacyKey || e.New != tt.again.Key) {
				t.Errorf("key audit = %+v (present %v)", e, ok)
			}
			if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
				t.Errorf("Check after the re-import: %v, %v", ps, err)
			}
		})
	}
}

// After a batch, the next waits as long as the batch held the write lock,
// up to maxBatchPause, so that another process's save can take it.
func TestBatchPacer(t *testing.T) {
	tests := []struct {
		held, want time.Duration
	}{
		{0, 0},
		{5 * time.Millisecond, 5 * time.Millisecond},
		{time.Second, maxBatchPause},
	}
	for _, tt := range tests {
		var p batchPacer
		before := time.Now()
		p.held(tt.held)
		if got := p.freeAt.Sub(before); got < tt.want || got > tt.want+time.Second {
			t.Errorf("after a batch of %v, the lock stays free for %v, want %v", tt.held, got, tt.want)
		}
	}
	var p batchPacer
	p.held(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.wait(ctx); err == nil {
		t.Error("wait ignored a cancelled context")
	}
}
