package review_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// damage changes an article's stored bytes behind the store's back, as a
// damaged disk would, leaving its content hash as it was.
func damage(t *testing.T, path, key string) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := conn.Exec(`UPDATE article_content SET raw = CAST(replace(CAST(raw AS TEXT), 'title', 'tITle') AS BLOB) WHERE article_id = (SELECT id FROM articles WHERE key = ?)`, key)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("damaged %d rows", n)
	}
}

// One article that cannot be written never stops the others: the export
// writes the neighbour, names the damaged one and ends with ErrIncomplete.
func TestExportSkipsADamagedArticleAndNamesIt(t *testing.T) {
	f := newFixture(t)
	f.importFiles(map[string]string{"bad.md": "---\ntitle: Bad\n---\n", "neighbour.md": "@plain_neighbour_article.md"})
	damage(t, f.path, "bad")

	files, rep, err := f.exportAll()
	if !errors.Is(err, review.ErrIncomplete) {
		t.Fatalf("export error = %v, want ErrIncomplete", err)
	}
	if rep.Written != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].Key != "bad" {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Skipped[0].Reason, "hash") {
		t.Errorf("reason %q does not say the content hash failed", rep.Skipped[0].Reason)
	}
	if _, ok := files["bad.md"]; ok {
		t.Error("the damaged article was written")
	}
	orig, _ := os.ReadFile(filepath.Join(fieldReports, "plain_neighbour_article.md"))
	if !bytes.Equal(files["neighbour.md"], orig) {
		t.Errorf("neighbour:\n%s", files["neighbour.md"])
	}
}

// The zip and the stream carry the others and a note naming the one left
// out.
func TestDownloadsNameWhatTheyLeaveOut(t *testing.T) {
	f := newFixture(t)
	f.importFiles(map[string]string{"bad.md": "---\ntitle: Bad\n---\n", "neighbour.md": "@plain_neighbour_article.md"})
	damage(t, f.path, "bad")
	for name, w := range map[string]func(*bytes.Buffer) review.Writer{
		"stream": func(b *bytes.Buffer) review.Writer { return review.NewStreamWriter(b) },
		"zip":    func(b *bytes.Buffer) review.Writer { return review.NewZipWriter(b, time.Now()) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			rep, err := f.svc.Export(context.Background(), db.ListQuery{}, w(&buf))
			if !errors.Is(err, review.ErrIncomplete) || rep.Written != 1 {
				t.Fatalf("%+v, %v", rep, err)
			}
			text := buf.Bytes()
			if name == "zip" {
				text = zipText(t, buf.Bytes())
			}
			if !bytes.Contains(text, []byte("bad.md")) || !bytes.Contains(text, []byte("Town hall repairs")) {
				t.Errorf("the %s does not carry the neighbour and name bad.md:\n%s", name, text)
			}
		})
	}
}

// zipText is every entry of a zip, name and content, one after another.
func zipText(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString(f.Name + "\n")
		io.Copy(&out, rc)
		rc.Close()
	}
	return out.Bytes()
}
