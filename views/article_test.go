package views_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/views"
)

// renderReview renders the review page of v and parses it.
func renderReview(t *testing.T, v views.ReviewView) *goquery.Document {
	t.Helper()
	var b bytes.Buffer
	if err := views.Review(views.Page{Title: "Review", CSRF: "tok"}, v).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	d, err := goquery.NewDocumentFromReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func reviewView() views.ReviewView {
	return views.ReviewView{
		Article: views.ArticleView{
			ID: 7, Title: "A title", Status: "pending", Published: true,
			Body: views.Markdown("Para *one*.\n\n<script>alert(1)</script>\n\n![pic](https://img.example/p.jpg)"),
		},
		Form:        views.ReviewForm{Action: "/articles/7", Version: 3, Quality: "56", Status: "pending"},
		Suggestions: []string{"Health", "AI"},
		AllTopics:   true,
		BackURL:     "/articles?status=pending",
		Progress:    &views.Progress{Pos: 12, Total: views.Count{N: 49}, Status: "pending"},
		NextImage:   "https://img.example/next.jpg",
	}
}

func TestReviewDecisionBar(t *testing.T) {
	d := renderReview(t, reviewView())
	bar := d.Find(`[data-testid="decision-bar"]`)
	if bar.Closest("form").Length() != 1 {
		t.Fatal("the decision bar is not inside the form")
	}
	var got []string
	bar.Find("button").Each(func(_ int, b *goquery.Selection) {
		key, _ := b.Attr("data-key")
		ks, _ := b.Attr("aria-keyshortcuts")
		val, _ := b.Attr("value")
		got = append(got, key+"="+val+"/"+ks+"/"+b.Find("kbd").Text())
	})
	if want := "a=approve/a/a r=reject/r/r s=save/s/s n=next/n/n"; strings.Join(got, " ") != want {
		t.Errorf("buttons %q, want %q", strings.Join(got, " "), want)
	}
	if p := strings.TrimSpace(bar.Find(`[data-testid="progress"]`).Text()); p != "12 of 49 pending in this queue" {
		t.Errorf("progress %q", p)
	}
	if v, _ := bar.Attr("data-next-image"); v != "https://img.example/next.jpg" {
		t.Errorf("next image %q", v)
	}
	// Without a progress there is no progress line; with a count past the
	// cap it says so.
	v := reviewView()
	v.Progress = nil
	if renderReview(t, v).Find(`[data-testid="progress"]`).Length() != 0 {
		t.Error("progress without one")
	}
	for p, want := range map[views.Progress]string{
		{Total: views.Count{N: 10000, AtLeast: true}, Status: "pending"}: "10,000+ pending in this queue",
		{Pos: 3, Total: views.Count{N: 1234}, Status: "all"}:             "3 of 1,234 in this queue",
	} {
		if got := p.String(); got != want {
			t.Errorf("%+v: %q, want %q", p, got, want)
		}
	}
}

func TestReviewArticleReading(t *testing.T) {
	d := renderReview(t, reviewView())
	body := d.Find(`[data-testid="body"]`)
	if body.Find("em").Text() != "one" || body.Find("script").Length() != 0 {
		t.Errorf("body %q", body.Text())
	}
	if src, _ := body.Find("img").Attr("src"); src != "https://img.example/p.jpg" {
		t.Errorf("body image %q", src)
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="published-on-site"]`).Text()); got != "yes" {
		t.Errorf("published on site %q", got)
	}
	if d.Find(`[data-testid="article-date"]`).Length() != 1 {
		t.Error("no article date")
	}
	if got := d.Find(`label[for="published"]`).Text(); !strings.Contains(got, "Published on the site") {
		t.Errorf("published label %q", got)
	}
	// No body, no section.
	v := reviewView()
	v.Article.Body = views.Markdown("  \n")
	if renderReview(t, v).Find(`[data-testid="body"]`).Length() != 0 {
		t.Error("an empty body has a section")
	}
}

func TestReviewNewTopicField(t *testing.T) {
	d := renderReview(t, reviewView())
	in := d.Find("#new-topic")
	if v, _ := in.Attr("list"); v != "topic-suggestions" {
		t.Errorf("list %q", v)
	}
	if v, _ := in.Attr("data-all-topics"); v != "true" {
		t.Errorf("data-all-topics %q", v)
	}
	if n := d.Find("#topic-suggestions option").Length(); n != 2 {
		t.Errorf("%d suggestions", n)
	}
	if d.Find(`[data-testid="new-topic-check"]`).Length() != 1 {
		t.Error("no place for the new-topic check")
	}
}
