package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConflictFieldByField: the editor (in a browser without JavaScript)
// and Rita change the same article. A field only one of them changed
// takes that one's value; the quality, which both changed, is the
// editor's choice. Before the editor resolves, Rita saves once more: the
// resolution comes back with the new state, and the result is what the
// editor chose.
func TestConflictFieldByField(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor", withoutJavaScript)
	rita := newTab(t, a, "rita")
	ed.loginAs(editorName, editorPassword)
	rita.loginAs(otherName, otherPassword)
	path := a.articlePath(t, seedKey)
	ed.open(path)
	rita.open(path)

	ed.typeInto("#quality", "70")
	ed.typeInto("#note", "Checked the figures")
	rita.typeInto("#quality", "40")
	rita.typeInto("#new-topic", "Health Policy")
	rita.click(`[data-testid="save"]`, 200)

	ed.click(`[data-testid="save"]`, 409)
	outcome := func(field string) string {
		return eval[string](ed, `document.querySelector('[data-testid="conflict-`+field+`"]').dataset.outcome`)
	}
	for field, want := range map[string]string{"quality": "choose", "topics": "theirs", "note": "mine", "status": "unchanged", "published": "unchanged"} {
		if got := outcome(field); got != want {
			t.Errorf("%s resolves as %q, want %q", field, got, want)
		}
	}
	if got := ed.text(`[data-testid="conflict-topics"] [data-testid="outcome"]`); got != "Theirs: only they changed it" {
		t.Errorf("topics outcome reads %q", got)
	}
	// The quality needs a choice: the browser does not send the form
	// without one.
	const form = `[data-testid="resolve-form"]`
	if eval[bool](ed, `document.querySelector('`+form+`').checkValidity()`) {
		t.Error("the resolution form is valid without a choice for the quality")
	}
	ed.step("conflict")
	ed.do("take theirs for the quality", chromedp.Click(chromedp.CSS(`[data-testid="conflict-quality"] [data-testid="choose-theirs"]`)))

	// Rita saves again meanwhile: a quality of 45.
	rita.typeInto("#quality", "45")
	rita.click(`[data-testid="save"]`, 200)

	ed.click(`[data-testid="resolve"]`, 409)
	if got := ed.text(`[data-testid="conflict-quality"] [data-testid="theirs"]`); got != "45" {
		t.Errorf("the conflict page again shows the stored quality %q, want 45", got)
	}
	if got := ed.text(`[data-testid="conflict-quality"] [data-testid="changed-by"]`); !strings.HasPrefix(got, "changed by rita") {
		t.Errorf("quality %q, want changed by rita", got)
	}
	// The resolution was based on the version with Rita's 40, and took
	// it: only Rita changed the quality since, so her 45 applies.
	if got := outcome("quality"); got != "theirs" {
		t.Errorf("after Rita's second save the quality resolves as %q, want theirs", got)
	}
	if rec := a.record(t, seedKey); rec.Quality != 45 || rec.Note != "" {
		t.Fatalf("the stale resolution wrote: quality %d, note %q", rec.Quality, rec.Note)
	}
	ed.step("conflict-again")
	ed.click(`[data-testid="resolve"]`, 200)
	if got := ed.texts(`[data-testid="flash"]`); len(got) != 1 || !strings.HasPrefix(got[0], "Saved “NHS report") {
		t.Errorf("flash after the resolution %q", got)
	}
	rec := a.record(t, seedKey)
	wantTopics := []string{"AI Ethics", "AI", "AI in Healthcare", "Health Policy"}
	if rec.Quality != 45 || rec.Note != "Checked the figures" || !slices.Equal(rec.Topics, wantTopics) {
		t.Errorf("stored: quality %d, note %q, topics %q; want 45, the editor's note, Rita's topics", rec.Quality, rec.Note, rec.Topics)
	}
	ed.step("resolved")
}

// TestConflictKeepMineChoice: both editors change the quality and the
// editor keeps their own; Rita's other change stays.
func TestConflictKeepMineChoice(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	rita := newTab(t, a, "rita")
	ed.loginAs(editorName, editorPassword)
	rita.loginAs(otherName, otherPassword)
	path := a.articlePath(t, seedKey)
	ed.open(path)
	rita.open(path)

	ed.typeInto("#quality", "70")
	rita.typeInto("#quality", "40")
	rita.typeInto("#note", "Rita's note")
	rita.click(`[data-testid="save"]`, 200)

	ed.click(`[data-testid="save"]`, 409)
	ed.do("keep mine for the quality", chromedp.Click(chromedp.CSS(`[data-testid="conflict-quality"] [data-testid="choose-mine"]`)))
	ed.click(`[data-testid="resolve"]`, 200)
	if rec := a.record(t, seedKey); rec.Quality != 70 || rec.Note != "Rita's note" {
		t.Errorf("stored: quality %d, note %q; want the editor's 70 and Rita's note", rec.Quality, rec.Note)
	}
}
