package views

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func renderChart(t *testing.T, c BarChart) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := Chart(c).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attrFloat(t *testing.T, s *goquery.Selection, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s.AttrOr(name, ""), 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s.AttrOr(name, ""), err)
	}
	return f
}

// Bars stand on one base line, their heights in proportion to their
// values; stacked parts sit on each other; each has its tooltip.
func TestChartBarsProportional(t *testing.T) {
	c := BarChart{ID: "c", Title: "Decisions per day", Desc: "7 decisions.",
		Series: []Series{{"approved", "series-approved"}, {"rejected", "series-rejected"}},
		Bars: []Bar{
			{Label: "1 Nov", Long: "Sun 1 Nov 2026", Values: []int{4, 0}},
			{Label: "2 Nov", Long: "Mon 2 Nov 2026", Values: []int{0, 0}},
			{Label: "3 Nov", Long: "Tue 3 Nov 2026", Values: []int{2, 1}},
		}}
	doc := renderChart(t, c)
	rects := doc.Find("svg rect.bar")
	if rects.Length() != 3 {
		t.Fatalf("%d rects, want 3 (zeros are not drawn)", rects.Length())
	}
	type part struct{ x, y, w, h float64 }
	var ps []part
	var titles []string
	rects.Each(func(_ int, r *goquery.Selection) {
		ps = append(ps, part{attrFloat(t, r, "x"), attrFloat(t, r, "y"), attrFloat(t, r, "width"), attrFloat(t, r, "height")})
		titles = append(titles, r.Find("title").Text())
	})
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.2 }
	// 4 approved; 2 approved + 1 rejected on the third day.
	if !near(ps[0].h, 2*ps[1].h) || !near(ps[1].h, 2*ps[2].h) {
		t.Errorf("heights %.1f, %.1f, %.1f: not 4:2:1", ps[0].h, ps[1].h, ps[2].h)
	}
	base := ps[0].y + ps[0].h
	if !near(ps[1].y+ps[1].h, base) || !near(ps[2].y+ps[2].h, ps[1].y) {
		t.Errorf("bars %+v do not stand on %.1f and on each other", ps, base)
	}
	if !(ps[0].x < ps[1].x) || !near(ps[1].x, ps[2].x) || !near(ps[0].w, ps[1].w) {
		t.Errorf("bar positions %+v", ps)
	}
	// The axis tops at 5 (niceMax of 4): the tallest bar is 4/5 of the plot.
	if plot := float64(chartH - chartTop - chartBottom); !near(ps[0].h, plot*4/5) {
		t.Errorf("tallest bar %.1f high, want %.1f", ps[0].h, plot*4/5)
	}
	for i, want := range []string{"Sun 1 Nov 2026: 4 approved", "Tue 3 Nov 2026: 2 approved", "Tue 3 Nov 2026: 1 rejected"} {
		if titles[i] != want {
			t.Errorf("tooltip %d %q, want %q", i, titles[i], want)
		}
	}
	if got := doc.Find("rect.series-rejected").Length(); got != 1 {
		t.Errorf("%d rejected parts, want 1", got)
	}
	// Labels under the bars, and the value axis.
	var labels, ticks []string
	doc.Find("text.chart-label").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	doc.Find("text.chart-tick").Each(func(_ int, s *goquery.Selection) { ticks = append(ticks, s.Text()) })
	if len(labels) != 3 || labels[0] != "1 Nov" || labels[2] != "3 Nov" {
		t.Errorf("labels %q", labels)
	}
	if len(ticks) != 2 || ticks[0] != "0" || ticks[1] != "5" {
		t.Errorf("ticks %q, want 0 and 5", ticks)
	}
	// Named for screen readers, with the numbers in a table.
	svg := doc.Find("svg")
	if svg.AttrOr("role", "") != "img" || svg.AttrOr("aria-labelledby", "") != "c-title c-desc" ||
		doc.Find("svg > title#c-title").Text() != "Decisions per day" || doc.Find("svg > desc#c-desc").Text() != "7 decisions." {
		t.Error("the chart is not an image named by its title and description")
	}
	var rows []string
	doc.Find(`[data-testid="c-table"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		rows = append(rows, tr.Text())
	})
	if len(rows) != 3 || rows[2] != "Tue 3 Nov 2026213" {
		t.Errorf("table rows %q", rows)
	}
	if doc.Find(".chart-legend li").Length() != 2 {
		t.Error("no legend for two series")
	}
	if doc.Find("[style]").Length() > 0 {
		t.Error("a style attribute: the CSP refuses them")
	}
}

// Thirty days are labelled every fifth, counted back from the last.
func TestChartLabelsEveryFifth(t *testing.T) {
	c := BarChart{ID: "c", Series: []Series{{"n", "s"}}}
	for i := range 30 {
		c.Bars = append(c.Bars, Bar{Label: strconv.Itoa(i + 1), Values: []int{i}})
	}
	var got []string
	for _, l := range c.geometry().XLabel {
		got = append(got, l.Text)
	}
	want := []string{"5", "10", "15", "20", "25", "30"}
	if len(got) != len(want) {
		t.Fatalf("labels %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("labels %q, want %q", got, want)
		}
	}
}

func TestNiceMax(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 10: 10, 11: 20, 42: 50, 99: 100, 101: 200, 4321: 5000} {
		if got := niceMax(n); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", time.Minute: "1 minute ago", 59 * time.Minute: "59 minutes ago",
		time.Hour: "1 hour ago", 47 * time.Hour: "47 hours ago", 48 * time.Hour: "2 days ago", 400 * 24 * time.Hour: "400 days ago",
	} {
		if got := Age(now, now.Add(-d)); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

// The dashboard page in one piece: tiles link to the queues, the oldest
// pending article to its page, and an empty newsroom reads as such.
func TestDashboardPage(t *testing.T) {
	render := func(v DashboardView) *goquery.Document {
		var buf bytes.Buffer
		if err := Dashboard(Page{Nav: "dashboard", User: &Viewer{Name: "ann"}}, v).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	v := DashboardView{
		Statuses: []StatusTotal{{"pending", 12345}, {"approved", 2}, {"rejected", 0}}, Total: 12347, Days: 30,
		Reviews: BarChart{ID: "chart-reviews", Title: "Decisions per day"},
		Quality: BarChart{ID: "chart-quality", Title: "Articles by quality"},
		Topics:  []TopicTotal{{"AI & ML", 3}},
		Oldest:  &OldestView{ID: 7, Title: "<b>Old</b>", Age: "3 days ago", Imported: "27 Nov 2026, 12:00 UTC", ImportedISO: "2026-11-27T12:00:00Z"},
	}
	doc := render(v)
	tile := doc.Find(`[data-testid="dash-status"][data-status="pending"]`)
	if tile.Find("a").AttrOr("href", "") != "/articles?status=pending" || tile.Find(`[data-testid="dash-status-n"]`).Text() != "12,345" {
		t.Errorf("pending tile: %q -> %q", tile.Text(), tile.Find("a").AttrOr("href", ""))
	}
	link := doc.Find(`[data-testid="dash-oldest-link"]`)
	if link.AttrOr("href", "") != "/articles/7" || link.Text() != "<b>Old</b>" {
		t.Errorf("oldest link %q -> %q", link.Text(), link.AttrOr("href", ""))
	}
	if href := doc.Find(`[data-testid="dash-topic"] a`).AttrOr("href", ""); href != "/articles?status=all&topic=AI+%26+ML" {
		t.Errorf("topic link %q", href)
	}
	v.Oldest = nil
	if got := doc.Find(`[data-testid="dash-oldest"]`).Length(); got != 1 {
		t.Fatal("no oldest line")
	}
	if txt := render(v).Find(`[data-testid="dash-oldest"]`).Text(); !bytes.Contains([]byte(txt), []byte("Nothing is pending")) {
		t.Errorf("with nothing pending: %q", txt)
	}
}
