package review_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
	"github.com/newsdesk/newsdesk/review"
)

// fieldReports is where the field-report files are kept for tests.
const fieldReports = "../testdata/articles/fieldreports"

type fixture struct {
	t     *testing.T
	store db.Database
	svc   *review.Service
	dir   string // the imported files
	path  string // the SQLite database file; "" on PostgreSQL
}

// newFixture is a workflow on a new SQLite store, for the tests that need
// its file; the others run on both stores (forEachStore).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "news.db")
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := withStore(t, store)
	f.path = path
	return f
}

// newPostgresFixture is a workflow on a new PostgreSQL database (see
// pgtest: skipped without NEWSDESK_TEST_POSTGRES, failed under CI=true).
func newPostgresFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return withStore(t, store)
}

// withStore is the workflow over store, with a folder for the files to
// import.
func withStore(t *testing.T, store db.Database) *fixture {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: store, svc: review.New(store), dir: in}
}

// forEachStore runs test on a new fixture of each store, as the subtests
// "sqlite" and "postgres": the workflow must behave the same on both.
func forEachStore(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { test(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, newPostgresFixture(t)) })
}

// importFiles writes files (name -> content; content "@name" copies a
// field report) and imports them, failing the test on any failure.
func (f *fixture) importFiles(files map[string]string) *review.ImportReport {
	f.t.Helper()
	var paths []string
	for name, content := range files {
		if ref, ok := strings.CutPrefix(content, "@"); ok {
			b, err := os.ReadFile(filepath.Join(fieldReports, ref))
			if err != nil {
				f.t.Fatal(err)
			}
			content = string(b)
		}
		p := filepath.Join(f.dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
		paths = append(paths, p)
	}
	sources, failures := review.CollectFiles(paths)
	rep, err := f.svc.Import(context.Background(), sources, review.ImportOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	if failures = append(failures, rep.Failures...); len(failures) > 0 {
		f.t.Fatalf("import failed: %v", failures)
	}
	return rep
}

func (f *fixture) record(key string) *db.Record {
	f.t.Helper()
	r, err := f.store.GetByKey(context.Background(), key)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) save(key string, e review.Edit) (review.Outcome, error) {
	f.t.Helper()
	r := f.record(key)
	if e.Version == 0 {
		e.Version = r.Version
	}
	if e.Actor == "" {
		e.Actor = "alice"
	}
	return f.svc.Save(context.Background(), r.ID, e)
}

// formEdit is what the review form posts when the editor changes only
// the quality: every other value as the page showed it.
func formEdit(r *db.Record, quality int) review.Edit {
	shown, err := article.NormalizeTopics(r.Topics)
	if err != nil {
		panic(err)
	}
	pub, st, note := r.Published, r.Status, r.Note
	return review.Edit{Quality: &quality, Topics: shown, SetTopics: true, Published: &pub, Status: &st, Note: &note}
}

// exportDir exports every article to a folder and returns the files.
func (f *fixture) exportAll() (map[string][]byte, review.ExportReport, error) {
	f.t.Helper()
	out := filepath.Join(f.t.TempDir(), "out")
	w, err := review.NewDirWriter(out, review.DirOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	rep, err := f.svc.Export(context.Background(), db.ListQuery{}, w)
	files := map[string][]byte{}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue // the manifest
		}
		b, rerr := os.ReadFile(filepath.Join(out, e.Name()))
		if rerr != nil {
			f.t.Fatal(rerr)
		}
		files[e.Name()] = b
	}
	return files, rep, err
}

func (f *fixture) history(key string) []db.AuditEntry {
	f.t.Helper()
	h, err := f.store.History(context.Background(), f.record(key).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// A quality-only save posts the topics back as the page showed them: the
// file keeps its topics lines (case duplicates included) and the audit
// blames the editor for the quality only.
func TestQualityOnlySaveLeavesTopicsAlone(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"dupes.md": "@topics_case_dupes.md"})
		out, err := f.save("dupes", formEdit(f.record("dupes"), 70))
		if err != nil || !out.Changed {
			t.Fatalf("save: %+v, %v", out, err)
		}
		for _, e := range f.history("dupes") {
			if e.Field != "quality" {
				t.Errorf("audit has a %s change %q -> %q; only quality changed", e.Field, e.Old, e.New)
			}
		}
		files, _, err := f.exportAll()
		if err != nil {
			t.Fatal(err)
		}
		orig, _ := os.ReadFile(filepath.Join(fieldReports, "topics_case_dupes.md"))
		want := bytes.Replace(orig, []byte("quality: 48"), []byte("quality: 70"), 1)
		if got := files["dupes.md"]; !bytes.Equal(got, want) {
			t.Errorf("export:\n%s\nwant:\n%s", got, want)
		}
	})
}

// A topics list respelled in another case ("energy" for "Energy") is no
// edit either; a real change is.
func TestTopicsEditIsADifferentList(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"a.md": "---\ntitle: A\ntopics: [Energy, Climate]\n---\n"})
		r := f.record("a")
		e := formEdit(r, 50)
		e.Topics = []string{"energy", "CLIMATE"}
		if _, err := f.save("a", e); err != nil {
			t.Fatal(err)
		}
		if r = f.record("a"); r.Edited.Topics {
			t.Errorf("a respelled list counted as a topics edit: %q", r.Topics)
		}
		e = formEdit(r, 50)
		e.Topics = []string{"Energy"}
		if _, err := f.save("a", e); err != nil {
			t.Fatal(err)
		}
		if r = f.record("a"); !r.Edited.Topics || len(r.Topics) != 1 {
			t.Errorf("removing a topic was not saved: %+v %q", r.Edited, r.Topics)
		}
	})
}

// The edits that once blocked every export: each is either saved and
// exported, or refused before anything is stored; the neighbour always
// exports byte-identical.
func TestEverySavedEditExports(t *testing.T) {
	tests := []struct {
		name string
		file string
		edit func(r *db.Record) review.Edit
	}{
		{"published on JSON front matter", "@json_frontmatter.md", func(r *db.Record) review.Edit {
			e := formEdit(r, 61)
			pub, st := true, article.StatusApproved
			e.Published, e.Status = &pub, &st
			return e
		}},
		{"quality anchored and aliased", "---\ntitle: T\nquality: &q 56\nrelated:\n  - title: R\n    quality: *q\n---\n", func(r *db.Record) review.Edit {
			return formEdit(r, 70)
		}},
		{"a topic with ? in a flow list", "---\ntitle: T\ntopics: [AI]\n---\n", func(r *db.Record) review.Edit {
			e := formEdit(r, 50)
			e.Topics = []string{"AI", "? what", "a: b", "NO", "="}
			return e
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, f *fixture) {
				f.importFiles(map[string]string{"x.md": tt.file, "neighbour.md": "@plain_neighbour_article.md"})
				out, err := f.save("x", tt.edit(f.record("x")))
				if err != nil || !out.Changed {
					t.Fatalf("save: %+v, %v", out, err)
				}
				files, rep, err := f.exportAll()
				if err != nil || len(rep.Skipped) > 0 {
					t.Fatalf("export after the save: %v, skipped %v", err, rep.Skipped)
				}
				orig, _ := os.ReadFile(filepath.Join(fieldReports, "plain_neighbour_article.md"))
				if !bytes.Equal(files["neighbour.md"], orig) {
					t.Errorf("neighbour not byte-identical:\n%s", files["neighbour.md"])
				}
				if _, ok := files["x.md"]; !ok {
					t.Errorf("the edited article was not exported")
				}
			})
		})
	}
}

// A save the file cannot carry (here: every alias of the topics list
// would have to become a copy, past Patch's size bound) is refused on its
// field before anything is stored, and the article still exports.
func TestUnwritableSaveIsRefusedAndNothingStored(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: T\ntopics: &t [")
	for i := range article.MaxTopics {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s%02d", strings.Repeat("x", article.MaxTopicLength-2), i)
	}
	b.WriteString("]\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "copy%d: *t\n", i)
	}
	b.WriteString("---\n")
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"x.md": b.String()})
		before := f.record("x")
		e := formEdit(before, 50)
		e.Topics = []string{"new"}
		_, err := f.save("x", e)
		var fe *review.FieldError
		if !errors.As(err, &fe) || fe.Field != "topics" {
			t.Fatalf("save error = %v, want a FieldError on topics", err)
		}
		if !strings.Contains(fe.Message, "Nothing was saved") {
			t.Errorf("message %q", fe.Message)
		}
		if after := f.record("x"); after.Version != before.Version || len(f.history("x")) != 0 {
			t.Errorf("a refused save was stored: version %d -> %d", before.Version, after.Version)
		}
		if _, rep, err := f.exportAll(); err != nil || rep.Written != 1 {
			t.Errorf("export after the refusal: %+v, %v", rep, err)
		}
	})
}

// A changed file into which the editors' values kept over it cannot be
// written is refused at import: the stored article, and its export, stay
// as they were.
func TestReimportThatWouldBlockExportIsRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		f.importFiles(map[string]string{"re.md": "---\ntitle: T\ntopics: [a]\n---\n"})
		e := formEdit(f.record("re"), 80)
		e.Topics = []string{"a", "editor"}
		if _, err := f.save("re", e); err != nil {
			t.Fatal(err)
		}
		before := f.record("re")
		// The same file, its topics now written with an explicit key, which
		// Patch cannot rewrite.
		changed := "---\ntitle: T2\n? topics\n: - a\n  - b\n---\n"
		if err := os.WriteFile(filepath.Join(f.dir, "re.md"), []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		sources, _ := review.CollectFiles([]string{filepath.Join(f.dir, "re.md")})
		rep, err := f.svc.Import(context.Background(), sources, review.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0].String(), "cannot be written into the new version") {
			t.Fatalf("report %+v", rep)
		}
		after := f.record("re")
		if after.Version != before.Version || after.Article.Title != "T" {
			t.Errorf("the refused file was stored: version %d -> %d, title %q", before.Version, after.Version, after.Article.Title)
		}
		if _, rep, err := f.exportAll(); err != nil || rep.Written != 1 {
			t.Errorf("export: %+v, %v", rep, err)
		}
	})
}

// TestImportReportNamesAUnicodeFormRename: a file imported again under the
// NFC form of its name (it came from a Mac as NFD first) is reported as a
// rename that says why the two names look the same.
func TestImportReportNamesAUnicodeFormRename(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		nfd, nfc := "cafe\u0301.md", "caf\u00e9.md"
		f.importFiles(map[string]string{nfd: "---\ntitle: Café\n---\n"})
		if err := os.Remove(filepath.Join(f.dir, nfd)); err != nil {
			t.Fatal(err)
		}
		rep := f.importFiles(map[string]string{nfc: "---\ntitle: Café\n---\n"})
		if len(rep.Renamed) != 1 || !strings.Contains(rep.Renamed[0], "the same name in another Unicode form") {
			t.Errorf("renamed lines %q, want one that names the Unicode form", rep.Renamed)
		}
	})
}

// TestImportKeepsFileOrder: articles get their ids, and so their place
// among the oldest pending, in file name order, though the workers parse
// big and small files at different speeds.
func TestImportKeepsFileOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // several workers, even on a small machine
	forEachStore(t, testImportKeepsFileOrder)
}

func testImportKeepsFileOrder(t *testing.T, f *fixture) {
	files := map[string]string{}
	body := strings.Repeat("A long paragraph of the report, line after line.\n", 20_000) // 1 MB
	for i := range 24 {
		b := "Short.\n"
		if i%4 == 0 {
			b = body
		}
		files[fmt.Sprintf("a%02d.md", i)] = fmt.Sprintf("---\ntitle: Story %d\nquality: %d\n---\n%s", i, i, b)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources, failures := review.CollectFiles([]string{f.dir}) // in name order
	if _, err := f.svc.Import(context.Background(), sources, review.ImportOptions{}); err != nil || len(failures) > 0 {
		t.Fatal(err, failures)
	}
	var last int64
	for i := range 24 {
		key := fmt.Sprintf("a%02d", i)
		id := f.record(key).ID
		if id <= last {
			t.Errorf("%s has id %d, after id %d of the file before it", key, id, last)
		}
		last = id
	}
}

// TestImportSameKeyStoresTheFirstValidFile: files that claim one key are
// each judged on their own. A bad one is refused for its own reason and
// does not keep a valid one of the same key out; of two valid ones, the
// first in file order is stored and the other refused, naming it.
func TestImportSameKeyStoresTheFirstValidFile(t *testing.T) {
	f := newFixture(t)
	write := func(rel, content string) string {
		p := filepath.Join(f.dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("d1/story.md", "---\ntitle: Bad\nquality: 150\n---\n")
	good := write("d2/story.md", "---\ntitle: Good story\nquality: 50\n---\n")
	second := write("d3/story.txt", "---\ntitle: Later story\nquality: 60\n---\n")
	sources, failures := review.CollectFiles([]string{filepath.Join(f.dir, "d1"), filepath.Join(f.dir, "d2"), filepath.Join(f.dir, "d3")})
	if len(failures) > 0 {
		t.Fatalf("collect: %v", failures)
	}
	rep, err := f.svc.Import(context.Background(), sources, review.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.New != 1 || f.record("story").Article.Title != "Good story" {
		t.Errorf("%d new, stored %q; want d2/story.md's article", rep.New, f.record("story").Article.Title)
	}
	got := map[string]string{}
	for _, fl := range rep.Failures {
		got[fl.Display] = fl.Err.Error()
	}
	if !strings.Contains(got[bad], "quality must be an integer from 0 to 100") {
		t.Errorf("%s: %q, want its own reason", bad, got[bad])
	}
	if want := `same article key "story" as ` + good; got[second] != want {
		t.Errorf("%s: %q, want %q", second, got[second], want)
	}
	if len(got) != 2 {
		t.Errorf("failures %v", got)
	}
}
