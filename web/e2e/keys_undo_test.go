package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// TestUndoKeyEverywhere: `u` presses the flash's Undo on any page, not
// only on the review page: after a bulk action the queue shows the flash
// "Approved 1 article." with its Undo, and `u` undoes the whole action.
func TestUndoKeyEverywhere(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	first, err := strconv.ParseInt(tb.rowIDs()[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	tb.keyPress("j: the first row", "j")
	tb.keyPress("x: tick it", "x")
	tb.click(`[data-testid="bulk-apply-selected"]`, 200)
	tb.click(`[data-testid="bulk-confirm"]`, 200)
	if got := tb.text(`[data-testid="flash"]`); !strings.Contains(got, "Approved 1 article") {
		t.Fatalf("flash after the bulk action: %q", got)
	}
	rec, err := a.Store.Get(t.Context(), first)
	if err != nil || rec.Status != "approved" {
		t.Fatalf("article %d after the bulk approve: %v, %v", first, rec, err)
	}
	tb.checkHelp("queue with a flash", []string{"u"}, nil)
	tb.pressAndLoad("u: undo the bulk action", "u", 200)
	if got := tb.text(`[data-testid="flash"]`); !strings.Contains(got, "Undid bulk action") {
		t.Fatalf("flash after u: %q", got)
	}
	if rec, err = a.Store.Get(t.Context(), first); err != nil || rec.Status != "pending" {
		t.Fatalf("article %d after u: %v, %v", first, rec, err)
	}
}
