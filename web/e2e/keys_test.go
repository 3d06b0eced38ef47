package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// The keyboard shortcuts of static/js/keys.js, pressed as a person would:
// real key events to the focused element, never the script's functions.

// currentRow is the data-id of the queue's current row (aria-current), or "".
func (tb *tab) currentRow() string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const r = document.querySelector('table.queue tbody tr[aria-current="true"]'); return r ? r.dataset.id : ""; })()`)
}

// rowIDs are the data-id of the queue's rows, in order.
func (tb *tab) rowIDs() []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelectorAll('table.queue tbody tr'), r => r.dataset.id)`)
}

// focused names the focused element: #id, [data-testid=...], or its tag.
func (tb *tab) focused() string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const e = document.activeElement; if (!e) return ""; if (e.id) return "#" + e.id;
		const t = e.getAttribute("data-testid"); return t ? "[data-testid=" + t + "]" : e.tagName.toLowerCase(); })()`)
}

// pressWith sends key with modifiers held (chromedp.ModifierAlt, Ctrl, Meta).
func (tb *tab) pressWith(key string, mods chromedp.Modifier) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("press %q with modifiers %d", key, mods), chromedp.KeyEvent(key, chromedp.KeyModifiers(mods)))
}

// helpOverlay is what the `?` overlay shows.
type helpOverlay struct {
	Open         bool     `json:"open"`
	Keys         []string `json:"keys"`
	Descriptions []string `json:"descriptions"`
	Available    []string `json:"available"` // the registry's keys usable on this page
	Unavailable  []string `json:"unavailable"`
}

const helpOverlayJS = `(() => {
	const d = document.querySelector('dialog[data-testid="keys-help"]');
	const list = window.newsdeskKeys.list();
	const txt = e => e.textContent.replace(/\s+/g, " ").trim();
	return {
		open: !!d && d.open && d.checkVisibility(),
		keys: d ? Array.from(d.querySelectorAll('[data-testid="keys-help-key"]'), txt) : [],
		descriptions: d ? Array.from(d.querySelectorAll('[data-testid="keys-help-description"]'), txt) : [],
		available: list.filter(e => e.available).map(e => e.description),
		unavailable: list.filter(e => !e.available).map(e => e.description),
	};
})()`

// checkHelp presses `?`, checks that the overlay lists exactly the
// registry's keys usable on the page, including want (as the overlay
// prints them, e.g. "g then q"), and closes it with Esc.
func (tb *tab) checkHelp(page string, want, absent []string) {
	tb.t.Helper()
	tb.keyPress("?", "?")
	h := eval[helpOverlay](tb, helpOverlayJS)
	if !h.Open {
		tb.t.Fatalf("%s: `?` opened no overlay", page)
	}
	if !slices.Equal(h.Descriptions, h.Available) {
		tb.t.Errorf("%s: the overlay lists %q,\nthe registry has %q for this page", page, h.Descriptions, h.Available)
	}
	for _, k := range want {
		if !slices.Contains(h.Keys, k) {
			tb.t.Errorf("%s: the overlay does not list %q; it lists %q", page, k, h.Keys)
		}
	}
	for _, k := range absent {
		if slices.Contains(h.Keys, k) {
			tb.t.Errorf("%s: the overlay lists %q, which does nothing here", page, k)
		}
	}
	if f := tb.focused(); f != "[data-testid=keys-help-close]" {
		tb.t.Errorf("%s: with the overlay open the focus is on %s, want its Close button", page, f)
	}
	tb.screenshot(page + "-help")
	tb.checkAccessibility(page + "-help")
	tb.keyPress("Esc", kb.Escape)
	if eval[helpOverlay](tb, helpOverlayJS).Open {
		tb.t.Errorf("%s: Esc did not close the overlay", page)
	}
	tb.keyPress("? again", "?")
	tb.do("click Close", chromedp.Click(`[data-testid="keys-help-close"]`))
	if eval[helpOverlay](tb, helpOverlayJS).Open {
		tb.t.Errorf("%s: Close did not close the overlay", page)
	}
}

// TestKeysQueue: j/k move a visible, focused current row; x ticks its
// checkbox; / goes to the search box without typing a slash; no key
// fires while typing there or with Ctrl, Alt or Meta held; Esc leaves the
// field; Enter and o open the current article; ? lists the queue's keys.
func TestKeysQueue(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	ids := tb.rowIDs()
	if len(ids) < 4 {
		t.Fatalf("the queue has %d rows, want at least 4", len(ids))
	}
	if tb.currentRow() != "" {
		t.Errorf("a fresh queue has a current row")
	}

	tb.keyPress("j", "j")
	if got := tb.currentRow(); got != ids[0] {
		t.Errorf("j on a fresh queue: current row %q, want the first, %q", got, ids[0])
	}
	tb.keyPress("j", "j")
	tb.keyPress("j", "j")
	tb.keyPress("k", "k")
	if got := tb.currentRow(); got != ids[1] {
		t.Errorf("j j j k: current row %q, want the second, %q", got, ids[1])
	}
	if f := tb.focused(); f != "[data-testid=row-title]" || !eval[bool](tb, `document.activeElement.closest("tr").getAttribute("aria-current") === "true"`) {
		t.Errorf("the current row's title link does not have the focus (%s)", f)
	}
	if !eval[bool](tb, `(() => { const r = document.querySelector('tr[aria-current]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Errorf("the current row is not scrolled into view")
	}
	tb.screenshot("queue-current-row")

	// k stops at the first row, j at the last.
	tb.keyPress("k", "k")
	tb.keyPress("k", "k")
	if got := tb.currentRow(); got != ids[0] {
		t.Errorf("k past the top: current row %q, want %q", got, ids[0])
	}

	box := fmt.Sprintf(`tr[data-id="%s"] input[name="ids"]`, ids[0])
	tb.keyPress("x", "x")
	if !tb.checked(box) {
		t.Errorf("x did not tick the current row's checkbox")
	}
	tb.keyPress("x", "x")
	if tb.checked(box) {
		t.Errorf("x again did not untick it")
	}

	// Modifiers: no shortcut.
	for _, m := range []chromedp.Modifier{chromedp.ModifierCtrl, chromedp.ModifierAlt, chromedp.ModifierMeta} {
		tb.pressWith("j", m)
		tb.pressWith("x", m)
	}
	if got := tb.currentRow(); got != ids[0] || tb.checked(box) {
		t.Errorf("j and x with Ctrl, Alt or Meta held moved or ticked: current row %q, ticked %v", got, tb.checked(box))
	}

	// / goes to the search box; keys typed there are text.
	tb.keyPress("/", "/")
	if f := tb.focused(); f != "#f-q" {
		t.Fatalf("/ focused %s, want the search box", f)
	}
	tb.keyPress("type in the search box", "jkxo/?")
	if got := tb.value("#f-q"); got != "jkxo/?" {
		t.Errorf("the search box holds %q, want the keys typed, jkxo/?", got)
	}
	if got := tb.currentRow(); got != ids[0] || tb.checked(box) || eval[helpOverlay](tb, helpOverlayJS).Open {
		t.Errorf("keys typed in the search box acted: current row %q, ticked %v", got, tb.checked(box))
	}
	tb.keyPress("Esc", kb.Escape)
	if f := tb.focused(); f == "#f-q" {
		t.Errorf("Esc did not leave the search box")
	}
	tb.typeInto("#f-q", "")
	tb.keyPress("Esc", kb.Escape)

	tb.checkHelp("queue", []string{"j", "k", "Enter or o", "x", "/", "g then q", "?", "Esc"}, []string{"a", "r", "p"})

	// Enter with the focus outside the row (the search box left with Esc)
	// opens the current row.
	tb.keyPress("j", "j")
	tb.keyPress("/", "/")
	tb.keyPress("Esc", kb.Escape)
	want := tb.currentRow()
	tb.pressAndLoad("Enter", kb.Enter, 200)
	if p := tb.path(); !strings.HasPrefix(p, "/articles/"+want+"?") {
		t.Errorf("Enter opened %s, want article %s", p, want)
	}
	tb.back()
	if got := tb.currentRow(); got != want {
		t.Errorf("back in the queue: current row %q, want %q", got, want)
	}
	tb.keyPress("j", "j")
	want = tb.currentRow()
	tb.pressAndLoad("o", "o", 200)
	if p := tb.path(); !strings.HasPrefix(p, "/articles/"+want+"?") {
		t.Errorf("o opened %s, want article %s", p, want)
	}
}

// TestKeysQueueKeepsPosition: back in the queue from an article, by the
// back link (g q) or the browser's Back, the row opened is the current one
// again; an article decided since has left the queue, and the row now in
// its place is current.
func TestKeysQueueKeepsPosition(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	ids := tb.rowIDs()
	for range 3 {
		tb.keyPress("j", "j")
	}
	tb.pressAndLoad("Enter", kb.Enter, 200)
	tb.load("g q", 200, chromedp.KeyEvent("g"), chromedp.KeyEvent("q"))
	if !strings.HasPrefix(tb.path(), "/articles?") {
		t.Fatalf("g q went to %s, want the queue", tb.path())
	}
	if got := tb.currentRow(); got != ids[2] {
		t.Errorf("back by g q: current row %q, want the third, %q", got, ids[2])
	}
	if f := tb.focused(); f != "[data-testid=row-title]" {
		t.Errorf("back by g q: focus on %s, want the current row's link", f)
	}
	tb.screenshot("queue-position-kept")

	// A mouse click counts too; and the opened article, rejected, leaves
	// the pending queue: the row after it takes its place.
	tb.click(fmt.Sprintf(`tr[data-id="%s"] [data-testid="row-title"]`, ids[3]), 200)
	if tb.count(`[data-key="r"]`) == 0 {
		t.Fatal("no Reject button (data-key r) on the review page")
	}
	tb.pressAndLoad("r", "r", 200)
	tb.load("g q", 200, chromedp.KeyEvent("g"), chromedp.KeyEvent("q"))
	if got := tb.currentRow(); got != ids[4] {
		t.Errorf("after rejecting the fourth row: current row %q, want the row now in its place, %q", got, ids[4])
	}
}

// TestKeysReview: p, [ and ], digits then Enter, t, Esc and g q on the
// review page, none of them while typing in a field or with a modifier.
func TestKeysReview(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	// g q: back to the queue the article was opened from (before any
	// edit, which would make the page ask before it is left).
	tb.typeInto("#f-q", "NHS")
	tb.pressAndLoad("search", kb.Enter, 200)
	tb.click(fmt.Sprintf(`[data-testid="row-title"][href^=%q]`, a.articlePath(t, seedKey)+"?"), 200)
	tb.load("g q", 200, chromedp.KeyEvent("g"), chromedp.KeyEvent("q"))
	if p := tb.path(); !strings.HasPrefix(p, "/articles?") || !strings.Contains(p, "q=NHS") {
		t.Errorf("g q went to %s, want the queue it came from, searching NHS", p)
	}
	// A g with no q is forgotten.
	tb.keyPress("g", "g")
	tb.keyPress("j", "j")
	if tb.currentRow() == "" {
		t.Errorf("g then j: j did not move")
	}
	tb.open(a.articlePath(t, seedKey))
	// The page may put the focus in its work area; keys work from there.
	tb.keyPress("Esc", kb.Escape)

	tb.keyPress("p", "p")
	if !tb.checked("#published") {
		t.Errorf("p did not tick Published")
	}
	tb.keyPress("p", "p")
	if tb.checked("#published") {
		t.Errorf("p again did not untick Published")
	}

	quality := func() (field, slider string) { return tb.value("#quality"), tb.value("#quality-slider") }
	steps := []struct {
		keys []string
		want string
	}{
		{[]string{"]"}, "61"}, // the seed's 56 + 5
		{[]string{"[", "["}, "51"},
		{[]string{"7", "2", kb.Enter}, "72"},
		{[]string{"1", "0", "0", kb.Enter}, "100"},
		{[]string{"]"}, "100"}, // clamped
		{[]string{"0", kb.Enter}, "0"},
		{[]string{"["}, "0"},
		{[]string{"4", kb.Escape}, "0"},               // Esc cancels
		{[]string{"1", "5", "0", kb.Enter}, "0"},      // over 100: not set
		{[]string{"6", "6", "6", "6", kb.Enter}, "0"}, // three digits at most: 666, over 100
	}
	for _, st := range steps {
		for _, k := range st.keys {
			tb.keyPress(k, k)
		}
		if f, s := quality(); f != st.want || s != st.want {
			t.Errorf("keys %q: quality field %q, slider %q; want %s", st.keys, f, s, st.want)
		}
	}
	// What is typed shows as it is typed.
	tb.keyPress("7", "7")
	if got := tb.text(`[data-testid="key-buffer"]`); got != "quality: 7_" || !tb.visible(`[data-testid="key-buffer"]`) {
		t.Errorf("after typing 7 the indicator shows %q", got)
	}
	tb.screenshot("review-typing-quality")
	tb.keyPress("Enter", kb.Enter)
	if tb.visible(`[data-testid="key-buffer"]`) {
		t.Errorf("the indicator stays after Enter")
	}
	// An empty quality counts as 50.
	tb.typeInto("#quality", "")
	tb.keyPress("Esc", kb.Escape)
	tb.keyPress("]", "]")
	if f, _ := quality(); f != "55" {
		t.Errorf("] on an empty quality: %q, want 55", f)
	}

	// t goes to the new topic field, where keys are text.
	tb.keyPress("t", "t")
	if f := tb.focused(); f != "#new-topic" {
		t.Fatalf("t focused %s, want #new-topic", f)
	}
	tb.keyPress("type a topic", "pas[]7")
	if got := tb.value("#new-topic"); got != "pas[]7" {
		t.Errorf("the topic field holds %q, want the keys typed", got)
	}
	if f, _ := quality(); f != "55" || tb.checked("#published") || !strings.HasPrefix(tb.path(), a.articlePath(t, seedKey)) {
		t.Errorf("keys typed in the topic field acted: quality %s, published %v, page %s", f, tb.checked("#published"), tb.path())
	}
	tb.keyPress("Esc", kb.Escape)
	if f := tb.focused(); f == "#new-topic" {
		t.Errorf("Esc did not leave the topic field")
	}
	tb.typeInto("#new-topic", "")
	tb.keyPress("Esc", kb.Escape)

	// The note too, and with modifiers held nothing fires.
	tb.do("focus the note", chromedp.Focus("#note"))
	tb.keyPress("type a note", "p]")
	tb.keyPress("Esc", kb.Escape)
	tb.typeInto("#note", "")
	tb.keyPress("Esc", kb.Escape)
	for _, m := range []chromedp.Modifier{chromedp.ModifierCtrl, chromedp.ModifierAlt, chromedp.ModifierMeta} {
		tb.pressWith("p", m)
		tb.pressWith("]", m)
	}
	if f, _ := quality(); f != "55" || tb.checked("#published") {
		t.Errorf("keys with modifiers or typed in the note acted: quality %s, published %v", f, tb.checked("#published"))
	}

	tb.checkHelp("review", []string{"p", "[", "]", "0–9 then Enter", "t", "g then q", "?", "Esc"}, []string{"j", "x", "/"})
}

// TestKeysDecide: on the review page a, r, s, n and u press the buttons
// that carry their data-key; a and r decide and open the next article,
// whose title is then on screen.
func TestKeysDecide(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	tb.keyPress("j", "j")
	tb.pressAndLoad("Enter", kb.Enter, 200)
	for _, k := range []string{"a", "r", "s", "n"} {
		if tb.count(fmt.Sprintf(`[data-key=%q]`, k)) != 1 {
			t.Fatalf("no button with data-key %q on the review page", k)
		}
	}
	id := func() int64 {
		var n int64
		fmt.Sscanf(strings.TrimPrefix(tb.path(), "/articles/"), "%d", &n)
		return n
	}
	record := func(id int64) *db.Record {
		rec, err := a.Store.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("article %d: %v", id, err)
		}
		return rec
	}

	// s: save and stay.
	first := id()
	q := record(first).Quality
	tb.keyPress("]", "]")
	tb.pressAndLoad("s", "s", 200)
	if id() != first {
		t.Errorf("s left the article: page %s", tb.path())
	}
	if got := record(first).Quality; got != min(q+5, 100) {
		t.Errorf("] then s: stored quality %d, want %d", got, min(q+5, 100))
	}

	// u: the flash's Undo takes the save back.
	if tb.count(`[data-key="u"]`) == 0 {
		t.Fatal("no Undo button (data-key u) after a save")
	}
	tb.pressAndLoad("u", "u", 200)
	if got := record(first).Quality; got != q {
		t.Errorf("u after the save: stored quality %d, want %d again", got, q)
	}

	// n: save and open the next.
	tb.keyPress("p", "p")
	pub := record(first).Published
	tb.pressAndLoad("n", "n", 200)
	if id() == first {
		t.Errorf("n stayed on the article")
	}
	if got := record(first).Published; got == pub {
		t.Errorf("p then n: Published stayed %v", got)
	}

	// Digits then a: the typed quality is set before the approval, as
	// Enter would set it; not dropped.
	typedOn := id()
	tb.keyPress("6", "6")
	tb.keyPress("4", "4")
	tb.pressAndLoad("a", "a", 200)
	if got := record(typedOn); got.Quality != 64 || got.Status != article.StatusApproved {
		t.Errorf("6 4 a: stored quality %d, status %s; want 64, approved", got.Quality, got.Status)
	}

	// a and r: decide, and the next article is on screen.
	for _, k := range []string{"a", "r"} {
		before := id()
		tb.pressAndLoad(k, k, 200)
		after := id()
		if after == before || after == 0 {
			t.Fatalf("%s: page %s, want the next article", k, tb.path())
		}
		if got, want := tb.text(`h1`), record(after).Article.Title; got != want {
			t.Errorf("%s: the page shows %q, want the next article's title %q", k, got, want)
		}
		want := article.StatusApproved
		if k == "r" {
			want = article.StatusRejected
		}
		if got := record(before).Status; got != want {
			t.Errorf("%s: stored status %s, want %s", k, got, want)
		}
		tb.step("review-after-" + k)
	}
}

// TestKeysTriage25 triages 25 articles with the keyboard alone: j and
// Enter open the first from the queue, then a and r, alternately, each
// decide one and open the next. It prints the keys and the time per
// article; it asserts only the decisions stored.
func TestKeysTriage25(t *testing.T) {
	t.Parallel()
	const n = 25
	a := startApp(t)
	tb := newTab(t, a, "editor")
	tb.loginAs(editorName, editorPassword)
	if rows := len(tb.rowIDs()); rows < n {
		t.Fatalf("the queue has %d articles, want at least %d", rows, n)
	}
	start := time.Now()
	keys := 0
	press := func(k string) { keys++; tb.pressAndLoad(k, k, 200) }
	keys++
	tb.keyPress("j", "j")
	press(kb.Enter)
	if tb.count(`[data-key="a"]`) == 0 {
		t.Fatal("no Approve button (data-key a) on the review page")
	}
	decided := map[string]article.Status{}
	for i := range n {
		p := tb.path()
		id := strings.SplitN(strings.TrimPrefix(p, "/articles/"), "?", 2)[0]
		if _, seen := decided[id]; seen || !strings.HasPrefix(p, "/articles/") {
			t.Fatalf("article %d: page %s, want a new article", i+1, p)
		}
		if i%2 == 0 {
			press("a")
			decided[id] = article.StatusApproved
		} else {
			press("r")
			decided[id] = article.StatusRejected
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d articles triaged with %d keys: %.2f keys per article, %.0f ms per article (%s in all)",
		n, keys, float64(keys)/n, float64(elapsed.Milliseconds())/n, elapsed.Round(time.Millisecond))

	if len(decided) != n {
		t.Errorf("%d articles decided, want %d", len(decided), n)
	}
	for id, want := range decided {
		var num int64
		fmt.Sscanf(id, "%d", &num)
		rec, err := a.Store.Get(context.Background(), num)
		if err != nil {
			t.Fatalf("article %s: %v", id, err)
		}
		if rec.Status != want {
			t.Errorf("article %s (%q): status %s, want %s", id, rec.Article.Title, rec.Status, want)
		}
	}
}
