package handlers_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/web/webtest"
)

func TestExportPage(t *testing.T) {
	_, alice := queueFixture(t)
	d := alice.GetDoc("/export")
	if v, _ := d.Find(`input[name=status]:checked`).Attr("value"); v != "approved" {
		t.Errorf("default status %q", v)
	}
	if got := webtest.TestIDText(d, "export-count"); got != "The download will hold 1 article." {
		t.Errorf("count %q", got)
	}
	if m, _ := d.Find(`form[data-testid="export-form"]`).Attr("method"); m != "get" {
		t.Errorf("method %q", m)
	}
	// The queue's filters carry over, and the download links carry
	// exactly the filters the count was made for.
	d = alice.GetDoc("/export?status=all&provider=Alpha&published=any")
	if got := webtest.TestIDText(d, "export-count"); got != "The download will hold 2 articles." {
		t.Errorf("filtered count %q", got)
	}
	if v, _ := d.Find(`#f-provider option[selected]`).Attr("value"); v != "Alpha" {
		t.Errorf("provider kept as %q", v)
	}
	href, _ := d.Find(`[data-testid="download-zip"]`).Attr("href")
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("status") != "all" || q.Get("provider") != "Alpha" || q.Get("format") != "zip" {
		t.Errorf("download link %q does not carry the counted filters", href)
	}
	res := alice.Get(href)
	if files := unzip(t, alice.Bytes(res)); len(files) != 2 {
		t.Errorf("download of a page that said 2 holds %d files", len(files))
	}
}

func TestExportPageOffersNoEmptyDownload(t *testing.T) {
	_, alice := queueFixture(t)
	d := alice.GetDoc("/export?status=all&provider=Nobody")
	if got := webtest.TestIDText(d, "export-count"); !strings.HasPrefix(got, "No article matches") {
		t.Errorf("count %q", got)
	}
	if n := d.Find(`[data-testid^="download-"]`).Length(); n != 0 {
		t.Errorf("%d download links for 0 articles", n)
	}
}

// "Export these…" from the default queue (pending, not published) must
// not carry the queue's own published=no default into the export page,
// where switching to Approved would silently drop the published ones.
func TestExportLinkFromQueueCarriesOnlyChosenFilters(t *testing.T) {
	_, alice := queueFixture(t)
	href, ok := alice.GetDoc("/articles").Find(`[data-testid="export-link"]`).Attr("href")
	if !ok {
		t.Fatal("no export link on the queue")
	}
	u, _ := url.Parse(href)
	if u.Query().Has("published") {
		t.Errorf("export link %q carries the queue's published default", href)
	}
	href, _ = alice.GetDoc("/articles?published=yes&provider=Alpha").Find(`[data-testid="export-link"]`).Attr("href")
	u, _ = url.Parse(href)
	if q := u.Query(); q.Get("published") != "yes" || q.Get("provider") != "Alpha" {
		t.Errorf("export link %q lost a chosen filter", href)
	}
}

func TestExportRefusesBadParameters(t *testing.T) {
	_, alice := queueFixture(t)
	for _, q := range []string{"status=bogus", "format=pdf", "format=zip&status=published", "format=yaml&qmin=abc", "format=zip&sort=x", "published=maybe"} {
		t.Run(q, func(t *testing.T) {
			res := alice.Get("/export?" + q)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d", res.StatusCode)
			}
			// Not a dead end: the form again, saying what was wrong.
			d := alice.Doc(res)
			if d.Find(`form[data-testid="export-form"]`).Length() != 1 || len(webtest.TestIDTexts(d, "filter-notice")) == 0 {
				t.Errorf("no export form with a notice: %.300s", alice.Bytes(res))
			}
			if res.Header.Get("Content-Disposition") != "" {
				t.Error("a refused export is a download")
			}
		})
	}
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}

var zipName = regexp.MustCompile(`^attachment; filename=newsdesk-(approved|all|pending|rejected)-\d{8}-\d{4}\.(zip|yaml)$`)

func TestExportZipAndYAML(t *testing.T) {
	env, alice, _ := seedEnv(t)
	env.ImportFiles(t, "../testdata/articles/valid/crlf.md", "../testdata/articles/valid/comments.md", "../testdata/articles/valid/bom.md")
	for _, key := range []string{seedKey, "crlf", "comments"} {
		env.SetStatus(t, key, article.StatusApproved)
	}
	res := alice.Get("/export?format=zip")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	files := unzip(t, alice.Bytes(res))
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"000_6ef551387f7f8ea7.txt", "comments.md", "crlf.md"}; !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}
	// Only the review state changed: every file is byte-identical.
	for name, path := range map[string]string{"000_6ef551387f7f8ea7.txt": seedPath, "crlf.md": "../testdata/articles/valid/crlf.md"} {
		orig, _ := os.ReadFile(path)
		if !bytes.Equal(files[name], orig) {
			t.Errorf("%s differs from its input", name)
		}
	}
	// Filters narrow the export; status=all takes every status.
	if files := unzip(t, alice.Bytes(alice.Get("/export?format=zip&status=all&q=byte+order"))); len(files) != 1 {
		t.Errorf("filtered export has %d files", len(files))
	}
	if files := unzip(t, alice.Bytes(alice.Get("/export?format=zip&status=all&published=any"))); len(files) != 4 {
		t.Errorf("status=all export has %d files", len(files))
	}
	res = alice.Get("/export?format=yaml")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("yaml: status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("yaml Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !zipName.MatchString(cd) || !strings.HasSuffix(cd, ".yaml") {
		t.Errorf("yaml Content-Disposition %q", cd)
	}
	if n := strings.Count(alice.Text(res), "# file: "); n != 3 {
		t.Errorf("%d documents in the stream", n)
	}
}

// TestReviewThenExportChangesOnlyTheEditedLines is the whole path through
// the real server: log in, save the seed article's quality, topics,
// published and status through the form, download the zip, and find the
// seed file changed in exactly those lines.
func TestReviewThenExportChangesOnlyTheEditedLines(t *testing.T) {
	env := webtest.New(t)
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	id := env.ImportFiles(t, seedPath)[seedKey]
	c := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	// The editor opens the article from the queue and submits its form.
	queue := c.Doc(c.Get("/articles"))
	href, ok := queue.Find(`[data-testid="queue-row"] a[data-testid="row-title"]`).Attr("href")
	if !ok {
		t.Fatal("the seed is not in the queue")
	}
	page := c.Doc(c.Get(href))
	form := url.Values{}
	page.Find(`form[data-testid="review-form"] input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		form.Set(n, v)
	})
	form.Set("quality", "81")
	form["topics"] = []string{"AI Ethics", "AI", "AI in Healthcare"}
	form["remove_topic"] = []string{"1"}   // drop "AI"
	form.Set("new_topic", "nhs workforce") // a new topic
	form.Set("published", "on")
	form.Set("status", "approved")
	form.Set("action", "save")
	res := c.PostForm(webtest.ArticlePath(id), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.StatusCode, c.Text(res))
	}
	shown := c.Doc(c.Follow(res))
	if got := strings.TrimSpace(shown.Find(`[data-testid="flash"]`).Text()); !strings.HasPrefix(got, "Approved “NHS report") || !strings.Contains(got, "new topic “nhs workforce”") {
		t.Errorf("flash %q", got)
	}

	res = c.Get("/export?format=zip&status=approved")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: status %d, %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	files := unzip(t, []byte(c.Text(res)))
	got, ok := files["000_6ef551387f7f8ea7.txt"]
	if !ok || len(files) != 1 {
		t.Fatalf("zip holds %d files", len(files))
	}
	want := strings.NewReplacer(
		"\nquality: 56\n", "\nquality: 81\n",
		"\npublished: false\n", "\npublished: true\n",
		"\ntopics:\n  - AI Ethics\n  - AI\n  - AI in Healthcare\n", "\ntopics:\n  - AI Ethics\n  - AI in Healthcare\n  - nhs workforce\n",
	).Replace(string(seed))
	if want == string(seed) {
		t.Fatal("the expected file equals the seed: the replacements did not apply")
	}
	if string(got) != want {
		t.Errorf("exported file differs from the expected edit:\n%s", lineDiff(want, string(got)))
	}
	for _, line := range strings.Split(lineDiff(string(seed), string(got)), "\n") {
		rest, ok := strings.CutPrefix(line, "- ")
		if ok && !strings.HasPrefix(rest, "quality:") && !strings.HasPrefix(rest, "published:") && !strings.HasPrefix(rest, "  - ") {
			t.Errorf("line outside the edited keys changed: %q", rest)
		}
	}
}

// lineDiff lists the lines that differ at the same position, as -/+ pairs.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out.WriteString("- " + x + "\n+ " + y + "\n")
		}
	}
	return out.String()
}

// A download link followed after its last match left is the export page
// saying so, not an empty file.
func TestExportDownloadOfNothingIsAPage(t *testing.T) {
	_, alice := queueFixture(t)
	for _, format := range []string{"zip", "yaml"} {
		res := alice.Get("/export?status=all&provider=Nobody&format=" + format)
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: status %d, Content-Disposition %q", format, res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		if got := webtest.TestIDTexts(alice.Doc(res), "filter-notice"); len(got) != 1 || !strings.Contains(got[0], "nothing to download") {
			t.Errorf("%s: notices %q", format, got)
		}
	}
}
