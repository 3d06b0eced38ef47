package db

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// storeAtVersion makes a database at path with only the first version
// migrations, as an older newsdesk left it, holding arts; the search index
// holds what the code of that schema wrote: the text as it is.
func storeAtVersion(t *testing.T, path string, version int, arts []*article.Article) {
	t.Helper()
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	w, err := openPool(dsn(path, defaultBusyTimeout, "mode=rw", writerParam), 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := openPool(dsn(path, defaultBusyTimeout, "mode=rw", readerParam), 2)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{w: w, r: r, path: path, now: time.Now}
	defer s.Close()
	if err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE schema_version (version INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:version] {
		if err := s.apply(ctx, m, len(ms)); err != nil {
			t.Fatal(err)
		}
	}
	// Today's import writes the file to article_content (0006): before
	// 0006, put it there for the import, then back in the articles row.
	beforeContent := version < 6
	if beforeContent {
		execTx(t, s, ms[5].SQL)
	}
	mustImport(t, s, arts...)
	if beforeContent {
		execTx(t, s, `ALTER TABLE articles ADD COLUMN body TEXT NOT NULL DEFAULT '';
			ALTER TABLE articles ADD COLUMN images TEXT NOT NULL DEFAULT '[]';
			ALTER TABLE articles ADD COLUMN related TEXT NOT NULL DEFAULT '[]';
			ALTER TABLE articles ADD COLUMN raw BLOB NOT NULL DEFAULT x'';
			UPDATE articles SET (body, images, related, raw) =
				(SELECT body, images, related, raw FROM article_content WHERE article_id = articles.id);
			DROP TABLE article_content;`)
	}
	if version >= 3 {
		return // the index is as today's writeFTS writes it
	}
	// Rewrite the index as the writeFTS before 0003 did: the text unprocessed.
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM articles_fts`); err != nil {
			return err
		}
		for _, a := range arts {
			_, err := tx.Exec(`INSERT INTO articles_fts (rowid, title, excerpt, provider, topics)
				SELECT id, title, excerpt, provider_name, ? FROM articles WHERE key = ?`,
				strings.Join(a.Topics, ", "), a.Key)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A database made before 0003 gets the new index, filled from its
// articles by the migration's Go step, and finds what the new one does.
func TestMigration0003ReindexesSearch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	arts := readerArticles(t)
	var all []*article.Article
	for _, a := range arts {
		all = append(all, a)
	}
	all = append(all, genArticles(1200)...) // more than one page of reindexSearch
	storeAtVersion(t, path, 2, all)

	s, err := OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ddl string
	if err := s.r.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'articles_fts'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "remove_diacritics 0") {
		t.Errorf("articles_fts is still the old table: %s", ddl)
	}
	if n := countRows(t, s, "articles_fts"); n != len(all) {
		t.Errorf("articles_fts has %d rows, want %d", n, len(all))
	}
	// Every row is what a write by the new code would make.
	for _, a := range []*article.Article{arts["cjk_search"], arts["diacritics_search"], all[len(all)-1]} {
		var got [4]string
		err := s.r.QueryRow(`SELECT f.title, f.excerpt, f.provider, f.topics FROM articles_fts f
			JOIN articles a ON a.id = f.rowid WHERE a.key = ?`, a.Key).Scan(&got[0], &got[1], &got[2], &got[3])
		if err != nil {
			t.Fatal(err)
		}
		if want := ftsColumns(a.Title, a.Excerpt, a.Provider.Name, a.Topics); got != want {
			t.Errorf("%s indexed as %q, want %q", a.Key, got, want)
		}
	}
	for text, key := range map[string]string{"自行车": "cjk_search", "lodz": "diacritics_search", `"cycle lane"`: "lane"} {
		p, err := s.List(ctx, ListQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 || p.Items[0].Key != key {
			t.Errorf("search %q after the upgrade found %d items, want %s", text, len(p.Items), key)
		}
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// A failing Go step leaves the database as it was: at the version before,
// with the index it had.
func TestMigrationGoStepFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	storeAtVersion(t, path, 2, genArticles(3))
	boom := errors.New("boom")
	saved := goSteps[3]
	goSteps[3] = func(context.Context, *sql.Tx) error { return boom }
	defer func() { goSteps[3] = saved }()

	if s, err := OpenExisting(ctx, path); err == nil {
		s.Close()
		t.Fatal("Open succeeded with a failing migration step")
	} else if !errors.Is(err, boom) || !strings.Contains(err.Error(), "0003_search.sql") {
		t.Errorf("error %q does not name the migration or wrap the step's error", err)
	}
	goSteps[3] = saved
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	var ddl string
	if err := db.QueryRow(`SELECT max(version) FROM schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'articles_fts'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if version != 2 || !strings.Contains(ddl, "remove_diacritics 2") {
		t.Errorf("after a failed step: version %d, index %s; want version 2 and the old index", version, ddl)
	}
}

// Every Go step belongs to a migration that exists.
func TestGoStepsHaveMigrations(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := range goSteps {
		if !slices.ContainsFunc(ms, func(m Migration) bool { return m.Version == v }) {
			t.Errorf("Go step for migration %d, which does not exist", v)
		}
	}
}

// execTx runs statements in a write transaction of s.
func execTx(t *testing.T, s *Store, statements string) {
	t.Helper()
	err := s.inTx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(statements)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
