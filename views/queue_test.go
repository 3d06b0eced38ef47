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
