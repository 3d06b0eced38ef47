package db

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// A database made before 0006 keeps every article's file, body, images
// and related items when they move to article_content, and the articles
// table no longer carries them.
func TestMigration0006MovesContent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	arts := genArticles(30)
	storeAtVersion(t, path, 5, arts)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, a := range arts {
		r := mustGetByKey(t, s, a.Key)
		if !bytes.Equal(r.Article.Raw, a.Raw) || r.Article.Body != a.Body || len(r.Article.Images) != len(a.Images) || len(r.Article.Related) != len(a.Related) {
			t.Errorf("%s: after the migration raw %d bytes (want %d), body %q (want %q), %d images (want %d), %d related (want %d)",
				a.Key, len(r.Article.Raw), len(a.Raw), r.Article.Body, a.Body, len(r.Article.Images), len(a.Images), len(r.Article.Related), len(a.Related))
		}
	}
	problems, err := s.Check(ctx)
	if err != nil || len(problems) > 0 {
		t.Errorf("check after the migration: %v, %v", problems, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM pragma_table_info('articles')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	for _, moved := range []string{"raw", "body", "images", "related"} {
		if slices.Contains(cols, moved) {
			t.Errorf("articles still has column %s", moved)
		}
	}
}
