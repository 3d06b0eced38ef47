package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/newsdesk/newsdesk/article"
)

// The review flows edit the seed article (quality 56, topics AI Ethics, AI,
// AI in Healthcare, not published, pending) into these values.
const (
	editQuality  = "83"
	removedTopic = "AI" // the second topic input
	addedTopic   = "Medical Education"
)

var editedTopics = []string{"AI Ethics", "AI in Healthcare", addedTopic}

// TestReviewSaveReloadExport: from the queue, open the article, change the
// quality, remove a topic and add one with the page's controls, publish,
// approve and save; the saved values are shown, and still after a reload;
// the export download holds the file with only those lines changed.
func TestReviewSaveReloadExport(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)

	openFromQueue(tb)
	if !tb.visible("#quality-slider") {
		t.Errorf("with JavaScript, the quality slider is not shown")
	}
	editSeed(tb)
	// review.js keeps the slider in step with the number typed.
	if got := tb.value("#quality-slider"); got != editQuality {
		t.Errorf("quality slider = %s after typing %s in the field", got, editQuality)
	}
	tb.step("review-edited")

	// A quality out of range: the form comes back with the error, the
	// focus on the error summary (review.js), which links to the field,
	// and every other edit kept.
	tb.typeInto("#quality", "150")
	tb.click(`[data-testid="save"]`, 422)
	if got := tb.text(`[data-testid="quality-error"]`); got == "" {
		t.Errorf("quality 150: no error shown by the field")
	}
	if !eval[bool](tb, `document.activeElement === document.querySelector('[data-testid="form-errors"]')`) {
		t.Errorf("quality 150: the focus is not on the error summary")
	}
	if n := tb.count(`[data-testid="form-errors"] a[href="#quality"]`); n != 1 {
		t.Errorf("quality 150: the error summary has no link to the quality field")
	}
	if !tb.checked(`input[name="remove_topic"][value="1"]`) || !tb.checked("#published") ||
		!tb.checked("#status-approved") || tb.value("#new-topic") != addedTopic {
		t.Errorf("quality 150: the form came back without the other edits")
	}
	if n := tb.count(`[data-testid="history-entry"]`); n != 0 {
		t.Errorf("quality 150: %d history entries, want nothing saved", n)
	}
	tb.step("review-invalid")
	tb.typeInto("#quality", editQuality)
	tb.click(`[data-testid="save"]`, 200)
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], savedFlash) {
		t.Errorf("flash after save = %q, want %q…", got, savedFlash)
	}
	checkSeedSaved(tb)
	tb.step("saved")

	tb.do("reload", chromedp.Reload())
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 0 {
		t.Errorf("flash after reload = %q, want none", got)
	}
	checkSeedSaved(tb)
	tb.step("reloaded")

	// Export: the nav link, the form's defaults (approved, zip), Download.
	tb.click(`nav[aria-label="Main"] a[href="/export"]`, 200)
	if got := tb.text(`[data-testid="export-count"]`); got != "The download will hold 1 article." {
		t.Errorf("export count = %q, want the one approved article", got)
	}
	tb.step("export")
	files := tb.downloadZip(`[data-testid="download-zip"]`)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	want := seedKey + ".txt"
	if len(files) != 1 || files[want] == nil {
		t.Fatalf("export zip holds %q, want only %s", names, want)
	}
	checkExportedSeed(t, a.Files[seedKey], files[want])
}

// TestReviewWithoutJavaScript: the same save flow in a browser with
// JavaScript disabled: the plain form does it all.
func TestReviewWithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "nojs", withoutJavaScript)
	tb.loginAs(editorName, editorPassword)

	openFromQueue(tb)
	if tb.visible("#quality-slider") {
		t.Errorf("without JavaScript the quality slider is shown; it cannot work then")
	}
	editSeed(tb)
	tb.step("review-edited")
	tb.click(`[data-testid="save"]`, 200)
	if got := tb.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], savedFlash) {
		t.Errorf("flash after save = %q, want %q…", got, savedFlash)
	}
	checkSeedSaved(tb)
	tb.step("saved")
	tb.do("reload", chromedp.Reload())
	checkSeedSaved(tb)
	tb.step("reloaded")
	if tb.visible("#quality-slider") {
		t.Errorf("after the reload without JavaScript the quality slider is shown: scripts ran")
	}

	rec := a.record(t, seedKey)
	if rec.Quality != 83 || !rec.Published || rec.Status != article.StatusApproved || !slices.Equal(rec.Topics, editedTopics) {
		t.Errorf("stored: quality %d, published %v, status %s, topics %q", rec.Quality, rec.Published, rec.Status, rec.Topics)
	}
}

// openFromQueue finds the seed article with the queue's search and opens
// it by its title link.
// savedFlash starts the flash after editSeed's save: it names the decision
// and the article.
const savedFlash = "Approved “NHS report calls for artificial intelligence"

func openFromQueue(tb *tab) {
	tb.t.Helper()
	if p := tb.path(); !strings.HasPrefix(p, "/articles") {
		tb.open("/articles")
	}
	tb.typeInto(`[data-testid="search"]`, "NHS report")
	tb.click(`[data-testid="apply-filters"]`, 200)
	tb.step("queue-search")
	path := tb.app.articlePath(tb.t, seedKey)
	tb.click(fmt.Sprintf(`[data-testid="row-title"][href^=%q]`, path), 200)
	if got := tb.text(`[data-testid="title"]`); got != seedTitle {
		tb.t.Fatalf("opened article %q, want %q", got, seedTitle)
	}
	if p := tb.path(); !strings.HasPrefix(p, path) {
		tb.t.Fatalf("opened %s, want %s", p, path)
	}
	tb.step("review")
}

// editSeed changes the seed article's form with the mouse and keyboard.
func editSeed(tb *tab) {
	tb.t.Helper()
	if got := tb.value("#quality"); got != "56" {
		tb.t.Fatalf("quality field = %q, want 56", got)
	}
	if got := tb.value("#topic-1"); got != removedTopic {
		tb.t.Fatalf("second topic = %q, want %q", got, removedTopic)
	}
	tb.typeInto("#quality", editQuality)
	tb.do("tick Remove on topic 2", chromedp.Click(chromedp.CSS(`input[name="remove_topic"][value="1"]`)))
	tb.typeInto("#new-topic", addedTopic)
	tb.do("tick Published", chromedp.Click(chromedp.CSS("#published")))
	tb.do("choose approved", chromedp.Click(chromedp.CSS("#status-approved")))
	if !tb.checked(`input[name="remove_topic"][value="1"]`) || !tb.checked("#published") || !tb.checked("#status-approved") {
		tb.t.Fatalf("the clicks did not tick Remove, Published and approved")
	}
}

// checkSeedSaved checks that the review page shows the edited values, in
// the article's facts and in the form.
func checkSeedSaved(tb *tab) {
	tb.t.Helper()
	t := tb.t
	if got := tb.text(`[data-testid="quality"]`); got != editQuality {
		t.Errorf("shown quality = %q, want %s", got, editQuality)
	}
	if got := tb.texts(`[data-testid="topics"] .topic`); !slices.Equal(got, editedTopics) {
		t.Errorf("shown topics = %q, want %q", got, editedTopics)
	}
	if got := tb.text(`[data-testid="status"]`); got != "approved" {
		t.Errorf("shown status = %q, want approved", got)
	}
	if tb.count(`[data-testid="article"] [data-testid="published"]`) != 1 {
		t.Errorf("the article is not shown as published")
	}
	if got := tb.value("#quality"); got != editQuality {
		t.Errorf("quality field = %q, want %s", got, editQuality)
	}
	var inputs []string
	for i := range tb.count(`[data-testid="topic-input"]`) {
		inputs = append(inputs, tb.value(fmt.Sprintf("#topic-%d", i)))
	}
	if !slices.Equal(inputs, editedTopics) {
		t.Errorf("topic fields = %q, want %q", inputs, editedTopics)
	}
	if got := tb.value("#new-topic"); got != "" {
		t.Errorf("add-topic field = %q, want it empty", got)
	}
	if !tb.checked("#published") {
		t.Errorf("Published is not ticked")
	}
	if !tb.checked("#status-approved") {
		t.Errorf("the approved status is not chosen")
	}
}

// downloadZip clicks sel, waits for the browser to finish the download
// and returns the files of the zip it got.
func (tb *tab) downloadZip(sel string) map[string][]byte {
	tb.t.Helper()
	dir := tb.t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	bctx := chromedp.FromContext(tb.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: bctx,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	}); err != nil {
		tb.t.Fatalf("allow downloads: %v", err)
	}
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	var guid, suggested string
	for ev, err := range begins {
		if err != nil {
			tb.t.Fatalf("waiting for the download to begin: %v", err)
		}
		guid, suggested = ev.GUID, ev.SuggestedFilename
		break
	}
	if !strings.HasPrefix(suggested, "newsdesk-approved-") || !strings.HasSuffix(suggested, ".zip") {
		tb.t.Errorf("download file name = %q, want newsdesk-approved-*.zip", suggested)
	}
	for ev, err := range progress {
		if err != nil {
			tb.t.Fatalf("waiting for the download to finish: %v", err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			tb.t.Fatalf("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		tb.t.Fatalf("downloaded file: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.t.Fatalf("the download is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.t.Fatalf("zip entry %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.t.Fatalf("zip entry %s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	return files
}

// checkExportedSeed checks the exported seed file: it carries the edited
// values, and apart from the lines of quality, topics and published it is
// byte for byte the imported file.
func checkExportedSeed(t *testing.T, in, out []byte) {
	t.Helper()
	if bytes.Equal(in, out) {
		t.Fatalf("the exported file is the imported one: the edits are missing")
	}
	if a, b := withoutKeys(string(in), "quality", "topics", "published"), withoutKeys(string(out), "quality", "topics", "published"); a != b {
		t.Errorf("the export changed lines other than quality, topics and published:\n%s", lineDiff(a, b))
	}
	got, err := article.Parse(seedKey+".txt", out)
	if err != nil {
		t.Fatalf("the exported file does not parse: %v", err)
	}
	if got.Quality != 83 || !got.Published || !slices.Equal(got.Topics, editedTopics) {
		t.Errorf("exported values: quality %d, published %v, topics %q; want 83, true, %q",
			got.Quality, got.Published, got.Topics, editedTopics)
	}
	t.Logf("exported front matter, edited lines:\n%s", lineDiff(string(in), string(out)))
}

// withoutKeys drops the lines of the given top-level keys from a file's
// front matter: the key's line and the indented or "- " lines under it.
// Blank lines and everything else stay.
func withoutKeys(file string, keys ...string) string {
	var b strings.Builder
	fences, skipping := 0, false
	for _, line := range strings.SplitAfter(file, "\n") {
		text := strings.TrimRight(strings.TrimPrefix(line, "\ufeff"), "\r\n")
		if text == "---" {
			fences++
		}
		if fences == 1 && text != "---" {
			if skipping && (strings.HasPrefix(text, " ") || strings.HasPrefix(text, "\t") || strings.HasPrefix(text, "- ")) {
				continue
			}
			skipping = false
			for _, k := range keys {
				if strings.HasPrefix(text, k+":") {
					skipping = true
				}
			}
			if skipping {
				continue
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// lineDiff lists the lines of a and b that are not in the other, in a
// form good enough to read in a test failure.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
