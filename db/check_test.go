package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckSoundDatabase(t *testing.T) {
	ctx := context.Background()
	path := fixtureDB(t, t.TempDir(), 40)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := mustGetByKey(t, s, genArticle(2).Key) // edited topics are indexed as the effective ones
	if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "a", Topics: []string{"Space", "Mars"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
		t.Errorf("Check = %v, %v; want no problems", ps, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	s.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ps, err := ro.Check(ctx); err != nil || len(ps) > 0 {
		t.Errorf("Check of a read-only store = %v, %v; want no problems", ps, err)
	}
}

func TestCheckOfAClosedStoreIsAnError(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if ps, err := s.Check(context.Background()); err == nil {
		t.Errorf("Check of a closed store = %v, nil; want an error", ps)
	}
}

// Checks and saves that rewrite the search index, taking turns on one
// open store: every Check finds nothing. FTS5 keeps the index's structure
// per connection, and integrity_check used to compare the index with the
// copy a pooled reader kept from the previous Check, reporting "fts5:
// checksum mismatch" for a sound database.
func TestCheckAfterSavesOnTheSameStore(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustImport(t, s, genArticles(40)...)
	for i := range 3 {
		if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
			t.Fatalf("Check before save %d = %v, %v; want no problems", i, ps, err)
		}
		r := mustGetByKey(t, s, genArticle(i).Key)
		e := Edit{Version: r.Version, Actor: "a", Topics: []string{"Space", fmt.Sprint("Mars ", i)}, SetTopics: true}
		if _, err := s.Update(ctx, r.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
		t.Errorf("Check after the saves = %v, %v; want no problems", ps, err)
	}
}

// damageEnv is what a damage step needs to know of the fixture.
type damageEnv struct {
	s        *Store // open during the store step, nil during the file step
	path     string
	pageSize int
	leaves   []int // leaf pages of the articles table
}

func (e damageEnv) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	res, err := e.s.w.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 && !strings.HasPrefix(query, "PRAGMA") {
		t.Fatalf("%s changed nothing", query)
	}
}

func (e damageEnv) id(t *testing.T, i int) int64 {
	t.Helper()
	return mustGetByKey(t, e.s, genArticle(i).Key).ID
}

// A damaged database is never exported silently, and Check names what is
// wrong; it reports, and does not fail, when SQLite cannot read a part.
func TestCheckAndExportFindDamage(t *testing.T) {
	const n = 60
	k := func(i int) string { return genArticle(i).Key }
	tests := []struct {
		name       string
		store      func(t *testing.T, e damageEnv) // while the database is open
		file       func(t *testing.T, e damageEnv) // on the closed file
		want       string                          // in one of the problems
		key        string                          // that problem's article
		exportErr  string                          // the article export flags; "" when export is unaffected
		pageDamage bool                            // a malformed page: export flags the articles on it, writes the rest
	}{
		{name: "raw changed without its hash",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `UPDATE article_content SET raw = CAST(CAST(raw AS TEXT) || ' ' AS BLOB) WHERE article_id = (SELECT id FROM articles WHERE key = ?)`, k(7))
			},
			want: "content hash mismatch", key: k(7), exportErr: k(7)},
		{name: "bytes flipped in the file",
			file: func(t *testing.T, e damageEnv) {
				b, err := os.ReadFile(e.path)
				if err != nil {
					t.Fatal(err)
				}
				needle := []byte(`originalUrl: "https://example.com/7/original"`)
				if c := bytes.Count(b, needle); c != 1 {
					t.Fatalf("found the stored line %d times, want once", c)
				}
				i := bytes.Index(b, needle) + len(`originalUrl: "`)
				b[i] = 'H'
				if err := os.WriteFile(e.path, b, 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "content hash mismatch", key: k(7), exportErr: k(7)},
		{name: "article missing from the search index",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `DELETE FROM articles_fts WHERE rowid = ?`, e.id(t, 8))
			},
			want: "missing from the search index", key: k(8)},
		{name: "search index out of date",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `UPDATE articles_fts SET title = 'stale' WHERE rowid = ?`, e.id(t, 9))
			},
			want: `indexed title "stale" differs`, key: k(9)},
		{name: "search index row of no article",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `INSERT INTO articles_fts (rowid, title, excerpt, provider, topics) VALUES (99999, 'ghost', '', '', '')`)
			},
			want: "articles_fts: row 99999 belongs to no article"},
		{name: "search index content changed under its index",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `UPDATE articles_fts_content SET c0 = 'changed behind the index' WHERE id = ?`, e.id(t, 10))
			},
			want: "articles_fts: malformed inverted index for FTS5 table main.articles_fts"},
		{name: "foreign key to a missing article",
			store: func(t *testing.T, e damageEnv) {
				e.exec(t, `PRAGMA foreign_keys = OFF`)
				e.exec(t, `INSERT INTO audit (article_id, actor, at, field, old_value, new_value) VALUES (424242, 'x', 0, 'note', '', '')`)
				e.exec(t, `PRAGMA foreign_keys = ON`)
			},
			want: "audit: row 1 refers to a row of articles that does not exist"},
		{name: "b-tree page overwritten",
			// A page of the articles table, not of its key index: export
			// names the articles on it and writes the others.
			file: func(t *testing.T, e damageEnv) {
				f, err := os.OpenFile(e.path, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				page := e.leaves[len(e.leaves)/2]
				garbage := bytes.Repeat([]byte{0xA5}, e.pageSize/2)
				if _, err := f.WriteAt(garbage, int64(page-1)*int64(e.pageSize)); err != nil {
					t.Fatal(err)
				}
			},
			want: "articles: Tree ", pageDamage: true},
		{name: "the same file under an NFD and an NFC key",
			store: func(t *testing.T, e damageEnv) {
				cafe := genArticle(n)
				cafe.Key, cafe.FileName = "café", "café.md"
				twin := genArticle(n + 1)
				mustImport(t, e.s, cafe, twin)
				// What an older newsdesk did with the Mac's name of the file.
				e.exec(t, `UPDATE articles SET key = ?, file_name = ? WHERE key = ?`, "cafe\u0301", "cafe\u0301.md", twin.Key)
			},
			want: `key "cafe\u0301" is article "caf\u00e9" written in Unicode NFD`, key: "cafe\u0301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := fixtureDB(t, t.TempDir(), n)
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			e := damageEnv{s: s, path: path}
			if err := s.r.QueryRow(`PRAGMA page_size`).Scan(&e.pageSize); err != nil {
				t.Fatal(err)
			}
			rows, err := s.r.Query(`SELECT pageno FROM dbstat WHERE name = 'articles' AND pagetype = 'leaf' ORDER BY pageno`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var p int
				rows.Scan(&p)
				e.leaves = append(e.leaves, p)
			}
			rows.Close()
			if len(e.leaves) < 3 {
				t.Fatalf("articles has %d leaf pages; the fixture is too small", len(e.leaves))
			}
			if tt.store != nil {
				tt.store(t, e)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			e.s = nil
			if tt.file != nil {
				tt.file(t, e)
			}

			ro, err := OpenReadOnly(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			ps, err := ro.Check(ctx)
			if err != nil {
				t.Fatalf("Check could not run: %v", err)
			}
			for _, p := range ps {
				t.Logf("problem: [%s] %s", p.Check, p)
			}
			if len(ps) == 0 {
				t.Fatal("Check found no problem")
			}
			if tt.pageDamage && !hasProblem(ps, "stored file is damaged: row cannot be read", "") {
				t.Error("no problem names an article on the damaged page")
			}
			if !hasProblem(ps, tt.want, tt.key) {
				t.Errorf("no problem says %q of article %q", tt.want, tt.key)
			}
			if err := ro.IntegrityCheck(ctx); !errors.Is(err, ErrCorrupt) {
				t.Errorf("IntegrityCheck = %v, want ErrCorrupt", err)
			}

			flagged, total, exportErr := exportDamage(t, ro, n)
			switch {
			case tt.pageDamage:
				t.Logf("export flagged %d articles and wrote %d", len(flagged), total-len(flagged))
				if len(flagged) == 0 || total < n || exportErr != nil {
					t.Errorf("export of a damaged page: flagged %q of %d, error %v; want the articles on it flagged and the others written",
						flagged, total, exportErr)
				}
			case exportErr != nil:
				t.Errorf("export: %v", exportErr)
			case tt.exportErr != "" && (len(flagged) != 1 || flagged[0] != tt.exportErr):
				t.Errorf("export flagged %q, want only %q", flagged, tt.exportErr)
			case tt.exportErr == "" && len(flagged) > 0:
				t.Errorf("export flagged %q, want none", flagged)
			}
		})
	}
}

// hasProblem reports whether a problem says want of the article key (of
// any article when key is "").
func hasProblem(ps []Problem, want, key string) bool {
	for _, p := range ps {
		if strings.Contains(p.String(), want) && (p.Key == key || key == "" && p.Key != "") {
			return true
		}
	}
	return false
}

// exportDamage exports everything and returns the keys flagged with Err
// and the number of records; it fails the test on a record without Err
// whose bytes are not the fixture's: damage must never pass silently.
func exportDamage(t *testing.T, s *Store, n int) (flagged []string, total int, err error) {
	t.Helper()
	orig := map[string][]byte{}
	for _, a := range genArticles(n + 2) {
		orig[a.Key] = a.Raw
	}
	err = s.Export(context.Background(), ListQuery{}, func(r ExportRecord) error {
		total++
		if r.Err != nil {
			if !errors.Is(r.Err, ErrCorrupt) {
				t.Errorf("%s: Err %v does not wrap ErrCorrupt", r.Key, r.Err)
			}
			flagged = append(flagged, r.Key)
			return nil
		}
		if want, ok := orig[r.Key]; ok && !bytes.Equal(r.Raw, want) {
			t.Errorf("%s: damaged bytes exported without Err", r.Key)
		}
		return nil
	})
	if err != nil {
		t.Logf("export: %v", err)
	}
	return flagged, total, err
}

func ExampleProblem_String() {
	p := Problem{Check: "content hash", Table: "articles", Key: "0007_abc",
		Detail: "stored file is damaged: content hash mismatch (stored 1f2e3d4c5b6a…, computed 0a1b2c3d4e5f…)"}
	fmt.Println(p)
	// Output: articles: article "0007_abc": stored file is damaged: content hash mismatch (stored 1f2e3d4c5b6a…, computed 0a1b2c3d4e5f…)
}
