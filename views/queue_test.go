package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestCountText(t *testing.T) {
	tests := []struct {
		c    Count
		want string
	}{
		{Count{}, "0"},
		{Count{N: 1}, "1"},
		{Count{N: 999}, "999"},
		{Count{N: 12345}, "12,345"},
		{Count{N: 1234567}, "1,234,567"},
		{Count{N: 10000, AtLeast: true}, "10,000+"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v = %q, want %q", tt.c, got, tt.want)
		}
	}
	if r := (PageRange{From: 51, To: 100, Of: Count{N: 12345}}).String(); r != "51–100 of 12,345" {
		t.Errorf("range %q", r)
	}
}

// renderQueue renders the queue page of v and parses it.
func renderQueue(t *testing.T, v QueueView) *goquery.Document {
	t.Helper()
	var b bytes.Buffer
	if err := Queue(Page{Title: "Queue"}, v).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	d, err := goquery.NewDocumentFromReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func text(d *goquery.Document, testID string) string {
	return strings.Join(strings.Fields(d.Find(`[data-testid="`+testID+`"]`).Text()), " ")
}

// A count past the bound reads "10,000+" in the tab, the total and the
// position; without an exact total there is no last-page link.
func TestQueueShowsCappedCounts(t *testing.T) {
	capped := Count{N: 10000, AtLeast: true}
	v := QueueView{
		Filters: Filters{Status: "pending", Q: "genomics"},
		Tabs: []StatusTab{
			{Label: "Pending", URL: "/articles?status=pending", Count: capped, Current: true, TestID: "count-pending", Status: "pending"},
			{Label: "Approved", URL: "/articles?status=approved", Count: Count{N: 1234}, TestID: "count-approved", Status: "approved"},
			{Label: "All", URL: "/articles?status=all", Count: Count{N: 11234, AtLeast: true}, TestID: "count-all", Status: "all"},
		},
		Rows:     []QueueRow{{ID: 1, Title: "A", URL: "/articles/1"}},
		Total:    capped,
		Range:    &PageRange{From: 51, To: 51, Of: capped},
		FirstURL: "/articles?status=pending", PrevURL: "/articles?cursor=p", NextURL: "/articles?cursor=n",
	}
	d := renderQueue(t, v)
	for id, want := range map[string]string{
		"count-pending": "10,000+", "count-approved": "1,234", "count-all": "11,234+",
		"total": "10,000+ articles", "position": "51–51 of 10,000+",
	} {
		if got := text(d, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if d.Find(`[data-testid="last-page"]`).Length() != 0 {
		t.Error("a last-page link without an exact total")
	}
	if href, _ := d.Find(`[data-testid="prev-page"]`).Attr("href"); href != v.PrevURL {
		t.Errorf("previous links to %q", href)
	}
}

// Each row: a checkbox for bulk actions (in no form yet), the title link,
// a Published column of its own, and data-label on the cells that the
// narrow-screen cards print; the table names its queue for keys.js.
func TestQueueRowsHavePublishedColumnAndSelection(t *testing.T) {
	v := QueueView{
		Filters: Filters{Status: "pending", Published: "any"},
		Rows: []QueueRow{
			{ID: 7, Title: "Seven", URL: "/articles/7?from=x", Status: "pending", Published: true, Quality: "50"},
			{ID: 8, Title: "Eight", URL: "/articles/8?from=x", Status: "pending", Quality: "–"},
		},
		Total: Count{N: 2},
		Range: &PageRange{From: 1, To: 2, Of: Count{N: 2}},
		Key:   "published=any&sort=newest&status=pending",
	}
	d := renderQueue(t, v)
	if got, _ := d.Find(`table[data-testid="queue"]`).Attr("data-queue"); got != v.Key {
		t.Errorf("data-queue %q, want %q", got, v.Key)
	}
	rows := d.Find(`[data-testid="queue-row"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	for i, want := range []struct{ id, published string }{{"7", "yes"}, {"8", "no"}} {
		r := rows.Eq(i)
		if id, _ := r.Attr("id"); id != "row-"+want.id {
			t.Errorf("row %d id %q", i, id)
		}
		box := r.Find(`input[type="checkbox"][name="ids"]`)
		if v, _ := box.Attr("value"); v != want.id || box.Closest("form").Length() != 0 {
			t.Errorf("row %d checkbox value %q (in a form: %v)", i, v, box.Closest("form").Length() != 0)
		}
		if got := strings.TrimSpace(r.Find(`[data-testid="row-published"]`).Text()); got != want.published {
			t.Errorf("row %d Published %q, want %q", i, got, want.published)
		}
		if got, _ := r.Find(`[data-testid="row-published"]`).Attr("data-label"); got != "Published" {
			t.Errorf("row %d Published cell data-label %q", i, got)
		}
	}
	heads := d.Find(`thead th`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if want := []string{"Select", "Title", "Provider", "Date", "Quality", "Heat", "Topics", "Status", "Published"}; strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("column heads %q, want %q", heads, want)
	}
}
