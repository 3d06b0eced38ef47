package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUndo: an editor saves, then undoes the save from the flash; saves
// again and undoes with the `u` key from the history; then, while Rita
// in another browser changes the article after the editor's save, the
// editor's Undo says Rita changed it and changes nothing.
func TestUndo(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	path := a.articlePath(t, seedKey)
	ed.open(path)
	if got := ed.text(`[data-testid="quality"]`); got != "56" {
		t.Fatalf("the seed article shows quality %q, want 56", got)
	}

	// Save, then Undo in the flash: the value is back, and the flash says so.
	ed.typeInto("#quality", "70")
	ed.click(`[data-testid="save"]`, 200)
	if got := ed.text(`[data-testid="quality"]`); got != "70" {
		t.Fatalf("after save the quality shown is %q, want 70", got)
	}
	if ed.count(`[data-testid="flash-box"] [data-testid="flash-undo"]`) != 1 {
		t.Fatalf("the flash after a save has no Undo button: %q", ed.texts(`[data-testid="flash-box"]`))
	}
	ed.step("saved")
	ed.click(`[data-testid="flash-undo"]`, 200)
	if got := ed.text(`[data-testid="quality"]`); got != "56" {
		t.Errorf("after Undo the quality shown is %q, want 56", got)
	}
	if got := ed.text(`[data-testid="flash"]`); !strings.HasPrefix(got, "Undid your change to “NHS report") || !strings.Contains(got, "quality back to 56") {
		t.Errorf("flash after Undo = %q", got)
	}
	if rec := a.record(t, seedKey); rec.Quality != 56 {
		t.Errorf("stored quality after Undo = %d, want 56", rec.Quality)
	}
	if got := ed.texts(`[data-testid="history-reverts"]`); len(got) != 1 || !strings.Contains(got[0], "undid "+editorName+"’s change") {
		t.Errorf("the history does not mark the undo: %q", got)
	}
	ed.step("undone-from-flash")

	// Save again; on the page without a flash, `u` undoes the editor's
	// last change through "Undo my last change".
	ed.typeInto("#quality", "65")
	ed.click(`[data-testid="save"]`, 200)
	ed.open(path) // the flash is gone: `u` is the history's button now
	if ed.count(`[data-testid="flash-undo"]`) != 0 || ed.count(`[data-testid="undo-mine"][data-key="u"]`) != 1 {
		t.Fatalf("no `u` target in the history (flash undo %d, undo-mine %d)",
			ed.count(`[data-testid="flash-undo"]`), ed.count(`[data-testid="undo-mine"]`))
	}
	ed.load("press u", 200, chromedp.KeyEvent("u"))
	if got := ed.text(`[data-testid="quality"]`); got != "56" {
		t.Errorf("after `u` the quality shown is %q, want 56", got)
	}
	if rec := a.record(t, seedKey); rec.Quality != 56 {
		t.Errorf("stored quality after `u` = %d, want 56", rec.Quality)
	}
	ed.step("undone-with-u")

	// After "save and next" the flash on the next article undoes the save
	// just made, and `u` is that flash's button: it takes the editor back
	// to the article, restored.
	ed.typeInto("#quality", "75")
	ed.click(`[data-testid="save-next"]`, 200)
	at := func() string { p, _, _ := strings.Cut(ed.path(), "?"); return p }
	if at() == path {
		t.Fatalf("save and next stayed at %s", ed.path())
	}
	ed.load("press u on the next article", 200, chromedp.KeyEvent("u"))
	if at() != path || ed.text(`[data-testid="quality"]`) != "56" {
		t.Errorf("`u` after save and next: at %s with quality %q, want %s with 56", ed.path(), ed.text(`[data-testid="quality"]`), path)
	}
	if rec := a.record(t, seedKey); rec.Quality != 56 {
		t.Errorf("stored quality after `u` on the next article = %d, want 56", rec.Quality)
	}

	// The editor saves; Rita, in her own browser, changes the article
	// after; the editor's Undo (from the flash still on screen) refuses.
	rita := newTab(t, a, "rita")
	rita.loginAs(otherName, otherPassword)
	ed.typeInto("#quality", "70")
	ed.click(`[data-testid="save"]`, 200)
	rita.open(path)
	rita.typeInto("#quality", "40")
	rita.click(`[data-testid="save"]`, 200)
	if got := rita.text(`[data-testid="quality"]`); got != "40" {
		t.Fatalf("rita's save: quality shown %q, want 40", got)
	}
	ed.click(`[data-testid="flash-undo"]`, 200)
	notUndone := regexp.MustCompile(`^Not undone: ` + otherName + ` changed this article at \d\d:\d\d UTC\.$`)
	if got := ed.text(`[data-testid="flash"]`); !notUndone.MatchString(got) {
		t.Errorf("editor's Undo after rita's save: flash %q, want %v", got, notUndone)
	}
	if got := ed.text(`[data-testid="quality"]`); got != "40" {
		t.Errorf("after the refused Undo the quality shown is %q, want rita's 40", got)
	}
	if rec := a.record(t, seedKey); rec.Quality != 40 {
		t.Errorf("after the refused Undo the store has quality %d, want rita's 40", rec.Quality)
	}
	ed.step("not-undone")

	// `u` says the same and changes nothing.
	ed.open(path)
	ed.load("press u", 200, chromedp.KeyEvent("u"))
	if got := ed.text(`[data-testid="flash"]`); !notUndone.MatchString(got) {
		t.Errorf("`u` after rita's save: flash %q, want %v", got, notUndone)
	}
	if rec := a.record(t, seedKey); rec.Quality != 40 {
		t.Errorf("after `u` the store has quality %d, want rita's 40", rec.Quality)
	}
}
