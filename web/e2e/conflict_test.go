package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/newsdesk/newsdesk/article"
)

// TestConflict: two editors in two browsers open the same article; the
// second saves first; the first one's save shows the conflict page with
// both values and who changed them, and "Keep all my changes" saves the
// first one's values where they changed something, and the second one's
// elsewhere.
func TestConflict(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	mine := newTab(t, a, "editor")
	theirs := newTab(t, a, "rita")
	mine.loginAs(editorName, editorPassword)
	theirs.loginAs(otherName, otherPassword)
	path := a.articlePath(t, seedKey)
	mine.open(path)
	theirs.open(path)

	// The editor starts changing the quality and adds a topic...
	mine.typeInto("#quality", "70")
	mine.typeInto("#new-topic", "Health Policy")
	mine.step("editing")

	// ...while Rita saves another quality and rejects the article.
	theirs.typeInto("#quality", "40")
	theirs.do("choose rejected", chromedp.Click(chromedp.CSS("#status-rejected")))
	theirs.click(`[data-testid="save"]`, 200)
	if got := theirs.text(`[data-testid="quality"]`); got != "40" {
		t.Fatalf("rita's save: quality shown %q, want 40", got)
	}
	theirs.step("saved-first")

	// The editor's save is refused: nothing written, both sides shown.
	mine.click(`[data-testid="save"]`, 409)
	if mine.count(`[data-testid="conflict"]`) != 1 {
		t.Fatalf("the stale save did not show the conflict page (at %s)", mine.path())
	}
	row := `[data-testid="conflict-quality"]`
	if got := mine.text(row + ` [data-testid="mine"]`); got != "70" {
		t.Errorf("conflict: my quality = %q, want 70", got)
	}
	if got := mine.text(row + ` [data-testid="theirs"]`); got != "40" {
		t.Errorf("conflict: their quality = %q, want 40", got)
	}
	if got := mine.text(row + ` [data-testid="changed-by"]`); !strings.Contains(got, otherName) {
		t.Errorf("conflict: quality changed by %q, want %s named", got, otherName)
	}
	for _, field := range []string{"quality", "status", "topics"} {
		if got := eval[string](mine, `document.querySelector('[data-testid="conflict-`+field+`"]').dataset.differs`); got != "true" {
			t.Errorf("conflict: %s is not marked as differing (data-differs=%q)", field, got)
		}
	}
	if rec := a.record(t, seedKey); rec.Quality != 40 || rec.Status != article.StatusRejected {
		t.Errorf("after the refused save the store has quality %d, status %s; want rita's 40, rejected", rec.Quality, rec.Status)
	}
	mine.step("conflict")
	mine.tabOrder("conflict page")

	// The quality was changed on both sides; the topics by the editor
	// only, the status by Rita only.
	for field, want := range map[string]string{"quality": "choose", "topics": "mine", "status": "theirs", "note": "unchanged"} {
		if got := eval[string](mine, `document.querySelector('[data-testid="conflict-`+field+`"]').dataset.outcome`); got != want {
			t.Errorf("conflict: %s resolves as %q, want %q", field, got, want)
		}
	}

	// Keep all my changes: the editor's quality and topics, Rita's status.
	mine.click(`[data-testid="keep-mine"]`, 200)
	if got := mine.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Saved “NHS report") {
		t.Errorf("flash after keep mine = %q, want Saved “NHS report…", got)
	}
	if got := mine.text(`[data-testid="quality"]`); got != "70" {
		t.Errorf("after keep mine the quality shown is %q, want 70", got)
	}
	if got := mine.text(`[data-testid="status"]`); got != "rejected" {
		t.Errorf("after keep mine the status shown is %q, want Rita's rejected", got)
	}
	mine.step("kept-mine")
	rec := a.record(t, seedKey)
	wantTopics := []string{"AI Ethics", "AI", "AI in Healthcare", "Health Policy"}
	if rec.Quality != 70 || rec.Status != article.StatusRejected || !slices.Equal(rec.Topics, wantTopics) {
		t.Errorf("stored after keep mine: quality %d, status %s, topics %q; want 70, rejected, %q",
			rec.Quality, rec.Status, rec.Topics, wantTopics)
	}

	// Rita reloads and sees the kept values.
	theirs.open(path)
	if got := theirs.text(`[data-testid="quality"]`); got != "70" {
		t.Errorf("rita after reload: quality %q, want 70", got)
	}
}
