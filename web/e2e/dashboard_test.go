package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// dbNumbers counts from the stored articles and their audit, through the
// store's plain reads (List and History), never its counter tables: the
// articles per status, and today's status changes per editor.
type dbNumbers struct {
	statuses map[article.Status]int
	today    map[string]db.Reviews // by actor
}

func readDBNumbers(t *testing.T, a *app) dbNumbers {
	t.Helper()
	ctx := context.Background()
	n := dbNumbers{statuses: map[article.Status]int{}, today: map[string]db.Reviews{}}
	page, err := a.Store.List(ctx, db.ListQuery{Limit: db.MaxLimit, Counts: db.CountsNone})
	if err != nil {
		t.Fatal(err)
	}
	if page.Next != "" {
		t.Fatal("more articles than one page: the count below would be short")
	}
	day := time.Now().UTC().Format(time.DateOnly)
	for _, s := range page.Items {
		n.statuses[s.Status]++
		h, err := a.Store.History(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h {
			if e.Field != "status" || e.At.UTC().Format(time.DateOnly) != day {
				continue
			}
			r := n.today[e.Actor]
			switch article.Status(e.New) {
			case article.StatusApproved:
				r.Approved++
			case article.StatusRejected:
				r.Rejected++
			case article.StatusPending:
				r.Reopened++
			}
			n.today[e.Actor] = r
		}
	}
	return n
}

// graphic is an SVG part's fill against the card it is drawn on.
type graphic struct {
	Sel      string  `json:"sel"`
	Found    bool    `json:"found"`
	Fill     string  `json:"fill"`
	Bg       string  `json:"bg"`
	Contrast float64 `json:"contrast"`
}

// graphicsJS is coloursJS for SVG shapes and text: their computed fill
// (not color) against the first HTML ancestor with a background.
const graphicsJS = `((sels) => {
	const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
	const lum = c => { const m = c.match(/[\d.]+/g).map(Number); return 0.2126 * lin(m[0]) + 0.7152 * lin(m[1]) + 0.0722 * lin(m[2]); };
	const bg = el => {
		for (let e = el; e; e = e.parentElement) {
			const c = getComputedStyle(e).backgroundColor;
			if (c && c !== "transparent" && !/rgba\(.*, 0\)$/.test(c)) return c;
		}
		return "rgb(255, 255, 255)";
	};
	return sels.map(sel => {
		const el = document.querySelector(sel);
		if (!el) return { sel, found: false };
		const fill = getComputedStyle(el).fill, b = bg(el.closest("svg"));
		if (!/^rgb/.test(fill)) return { sel, found: true, fill, bg: b, contrast: 0 };
		const f = lum(fill), l = lum(b);
		return { sel, found: true, fill, bg: b, contrast: (Math.max(f, l) + 0.05) / (Math.min(f, l) + 0.05) };
	});
})`

// checkGraphics fails unless every SVG part sel has a fill of contrast at
// least 3:1 with its background (WCAG 1.4.11, non-text contrast; the
// labels are text, and get 4.5:1).
func (tb *tab) checkGraphics(page string, sels ...string) {
	tb.t.Helper()
	js, _ := json.Marshal(sels)
	for _, g := range eval[[]graphic](tb, graphicsJS+"("+string(js)+")") {
		want := 3.0
		if strings.Contains(g.Sel, "text") {
			want = 4.5
		}
		switch {
		case !g.Found:
			tb.t.Errorf("%s: no %s on the page", page, g.Sel)
		case g.Contrast < want:
			tb.t.Errorf("%s: %s is filled %s on %s, a contrast of %.1f:1, want at least %.1f:1", page, g.Sel, g.Fill, g.Bg, g.Contrast, want)
		}
	}
}

// dashboardNumber reads a number the dashboard shows.
func (tb *tab) dashboardNumber(sel string) int {
	tb.t.Helper()
	text := strings.ReplaceAll(tb.text(sel), ",", "")
	n, err := strconv.Atoi(text)
	if err != nil {
		tb.t.Fatalf("%s shows %q, not a number", sel, text)
	}
	return n
}

// TestDashboard: an editor approves and rejects with the keys, another
// approves and takes it back with Undo; the dashboard then shows the
// database's numbers (articles per status, today's decisions per editor
// and in the chart's table, the oldest pending article), and reads in
// the dark and light themes: its charts' bars and labels stand out from
// their cards.
func TestDashboard(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	ed.keyPress("j", "j")
	ed.pressAndLoad("open the first article", kb.Enter, 200)
	ed.pressAndLoad("a: approve and next", "a", 200)
	ed.pressAndLoad("a: approve and next", "a", 200)
	ed.pressAndLoad("r: reject and next", "r", 200)

	rita := newTab(t, a, "rita")
	rita.loginAs(otherName, otherPassword)
	rita.keyPress("j", "j")
	rita.pressAndLoad("open the first article", kb.Enter, 200)
	rita.pressAndLoad("a: approve and next", "a", 200)
	rita.pressAndLoad("u: undo the approval", "u", 200)

	want := readDBNumbers(t, a)
	if want.today[editorName] != (db.Reviews{Approved: 2, Rejected: 1}) || want.today[otherName].Approved != 1 {
		t.Fatalf("the saves through the browser did not happen as planned: %+v", want.today)
	}

	for _, scheme := range []string{"dark", "light"} {
		ed.colorScheme(scheme)
		ed.open("/dashboard")
		total := 0
		for _, st := range article.Statuses {
			got := ed.dashboardNumber(fmt.Sprintf(`[data-testid="dash-status"][data-status=%q] [data-testid="dash-status-n"]`, st))
			if got != want.statuses[st] {
				t.Errorf("%s: dashboard shows %d %s, the database has %d", scheme, got, st, want.statuses[st])
			}
			total += want.statuses[st]
		}
		if got := ed.dashboardNumber(`[data-testid="dash-total-n"]`); got != total {
			t.Errorf("%s: total %d, want %d", scheme, got, total)
		}
		for _, name := range []string{editorName, otherName} {
			row := fmt.Sprintf(`[data-testid="dash-editor"][data-editor=%q] `, name)
			w := want.today[name]
			for id, n := range map[string]int{"decisions": w.Decisions(), "approved": w.Approved, "rejected": w.Rejected, "reopened": w.Reopened} {
				if got := ed.dashboardNumber(row + `[data-testid="dash-editor-` + id + `"]`); got != n {
					t.Errorf("%s: %s's %s %d, the database has %d", scheme, name, id, got, n)
				}
			}
		}
		// Today is the last row of the chart's table: approved, rejected, total.
		cells := ed.texts(`[data-testid="chart-reviews-table"] tbody tr:last-child td`)
		var approved, rejected int
		for _, r := range want.today {
			approved, rejected = approved+r.Approved, rejected+r.Rejected
		}
		if wantCells := []string{strconv.Itoa(approved), strconv.Itoa(rejected), strconv.Itoa(approved + rejected)}; strings.Join(cells, " ") != strings.Join(wantCells, " ") {
			t.Errorf("%s: today's row %q, want %q", scheme, cells, wantCells)
		}
		if n := ed.count(`svg.chart rect.bar`); n < 2 {
			t.Errorf("%s: %d bars drawn", scheme, n)
		}
		ed.checkColours("dashboard "+scheme, scheme == "dark", "body", "h1", ".dash-tile-n", ".dash-tile-label",
			"[data-testid=dash-editor] th", ".chart-data summary", "[data-testid=dash-oldest-link]")
		ed.checkGraphics("dashboard "+scheme, "svg.chart rect.series-approved", "svg.chart rect.series-rejected",
			"svg.chart rect.series-quality", "svg.chart text.chart-tick", "svg.chart text.chart-label")
		ed.step("dashboard-" + scheme)
	}

	// The oldest pending article's link opens it, and it is pending.
	ed.click(`[data-testid="dash-oldest-link"]`, 200)
	var id int64
	fmt.Sscanf(strings.TrimPrefix(ed.path(), "/articles/"), "%d", &id)
	if rec, err := a.Store.Get(context.Background(), id); err != nil || rec.Status != article.StatusPending {
		t.Errorf("the oldest pending link opened article %d: %v, %v", id, rec, err)
	}
}
