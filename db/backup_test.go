package db

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticles(200)...)

	// Writers keep going during the backup.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 200; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Import(ctx, []*article.Article{genArticle(i)}); err != nil {
				errs <- err
				return
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "backup.db")
	err := s.Backup(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		t.Fatalf("writer during backup: %v", err)
	default:
	}

	b, err := Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var check string
	if err := b.r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	if n := countRows(t, b, "articles"); n < 200 {
		t.Errorf("backup has %d articles, want at least 200", n)
	}
	p, err := b.List(ctx, ListQuery{Text: "report"})
	if err != nil || p.Total == 0 {
		t.Errorf("search in backup: %d hits, %v", p.Total, err)
	}

	err = s.Backup(ctx, out)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v, want a refusal", err)
	}
}

// SQLite reads a name that starts with "file:" as a URI: "file:copy.db"
// would be written to copy.db, not where the user asked.
func TestBackupWritesWhereItIsTold(t *testing.T) {
	s := newStore(t)
	mustImport(t, s, genArticle(1))
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{"file:copy.db", "copy?x=1.db", "copy #2.db"} {
		if err := s.Backup(context.Background(), name); err != nil {
			t.Errorf("backup to %q: %v", name, err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("backup to %q: %v", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("folder holds %v, want the three backups only", entries)
	}
}
