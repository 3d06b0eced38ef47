package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestQueueSearchAndFilter: the queue's full-text search and its filters
// narrow the list, keep what was asked for in the form, and reset.
func TestQueueSearchAndFilter(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)

	all := tb.count(`[data-testid="queue-row"]`)
	if all < 10 {
		t.Fatalf("the default queue shows %d articles, want every imported test article", all)
	}

	// Search: typed in the field, submitted with Enter.
	tb.typeInto(`[data-testid="search"]`, "NHS")
	tb.load("search with Enter", 200, chromedp.KeyEvent("\r"))
	// The seed and two test files (seed_000…, crlf.md) are NHS articles.
	titles := tb.texts(`[data-testid="row-title"]`)
	if len(titles) != 3 {
		t.Errorf("search NHS: %d rows %q, want the 3 NHS articles", len(titles), titles)
	}
	for _, title := range titles {
		if title != seedTitle {
			t.Errorf("search NHS shows %q", title)
		}
	}
	if got := tb.text(`[data-testid="total"]`); got != "3 articles" {
		t.Errorf("result count = %q, want %q", got, "3 articles")
	}
	if got := tb.value(`[data-testid="search"]`); got != "NHS" {
		t.Errorf("the search field holds %q after searching, want NHS", got)
	}
	tb.step("search")

	// Filters alone, chosen in their selects: provider Flow News has one
	// article, published and pending, which the default queue shows
	// (it awaits a decision) and the Published filter "no" hides.
	tb.typeInto(`[data-testid="search"]`, "")
	tb.do("choose provider Flow News", chromedp.SetValue(chromedp.CSS(`[data-testid="filter-provider"]`), "Flow News"))
	tb.do("choose published: no", chromedp.SetValue(chromedp.CSS(`[data-testid="filter-published"]`), "no"))
	tb.click(`[data-testid="apply-filters"]`, 200)
	if n := tb.count(`[data-testid="queue-row"]`); n != 0 {
		t.Errorf("provider Flow News, unpublished only: %d rows, want none", n)
	}
	tb.do("choose published: any", chromedp.SetValue(chromedp.CSS(`[data-testid="filter-published"]`), "any"))
	tb.click(`[data-testid="apply-filters"]`, 200)
	if got := tb.texts(`[data-testid="row-title"]`); len(got) != 1 || got[0] != "Flow style collections" {
		t.Errorf("provider Flow News, published or not: rows %q, want [Flow style collections]", got)
	}
	if got := tb.value(`[data-testid="filter-provider"]`); got != "Flow News" {
		t.Errorf("the provider filter shows %q after filtering, want Flow News", got)
	}
	if got := tb.texts(`[data-testid="row-published"]`); len(got) != 1 || got[0] != "yes" {
		t.Errorf("the Flow News row's Published column reads %q, want [yes]", got)
	}
	tb.step("filter-provider")

	// Search and filter together: a topic filter on top of a search.
	tb.typeInto(`[data-testid="search"]`, "NHS")
	tb.do("choose any provider", chromedp.SetValue(chromedp.CSS(`[data-testid="filter-provider"]`), ""))
	tb.typeInto(`[data-testid="filter-topic"]`, "AI in Healthcare")
	tb.click(`[data-testid="apply-filters"]`, 200)
	if n := tb.count(`[data-testid="queue-row"]`); n != 3 {
		t.Errorf("search NHS + topic AI in Healthcare: %d rows, want 3", n)
	}
	tb.typeInto(`[data-testid="filter-topic"]`, "Machine Learning")
	tb.click(`[data-testid="apply-filters"]`, 200)
	if n := tb.count(`[data-testid="queue-row"]`); n != 0 || tb.count(`[data-testid="queue-empty"]`) != 1 {
		t.Errorf("search NHS + topic Machine Learning: %d rows, want the empty-queue message", n)
	}
	tb.step("filter-empty")

	tb.click(`[data-testid="clear-filters"]`, 200)
	if n := tb.count(`[data-testid="queue-row"]`); n != all {
		t.Errorf("after the reset the queue shows %d articles, want %d", n, all)
	}
	if p := tb.path(); strings.Contains(p, "NHS") {
		t.Errorf("after the reset the address still holds the search: %s", p)
	}
}
