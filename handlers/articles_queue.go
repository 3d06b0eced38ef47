package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// maxSuggestions bounds the topic suggestions sent with a page.
const maxSuggestions = 500

// Queue serves GET /articles: the filtered, sorted, paged review queue.
// Bad parameters never fail the page: they are reset and explained.
func (a *Articles) Queue(c echo.Context) error {
	ctx := c.Request().Context()
	f := parseFilters(c.QueryParams(), queueDefaults)
	f.query.Cursor = cleanText(c.QueryParam("cursor"), maxCursorLen)
	f.query.Limit = a.pageSize
	// Past what the counter tables cover (a search, a quality range),
	// count up to db.CountCap: the page shows "10,000+".
	f.query.Counts = db.CountsCapped
	page, err := a.list(ctx, &f)
	if err != nil {
		return err
	}
	choices, err := a.choices(ctx, f.view)
	if err != nil {
		return err
	}
	v := queueView(f, page, choices)
	if err := a.markOpen(ctx, v.Rows, userID(c)); err != nil {
		return err
	}
	p, err := pageFor(c, a.sessions, "Queue", "queue")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Queue(p, v))
}

// markOpen marks the rows other editors than user have open (one query
// for the page's articles).
func (a *Articles) markOpen(ctx context.Context, rows []views.QueueRow, user int64) error {
	if len(rows) == 0 {
		return nil // no ids would ask for every article
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	open, err := a.openByOthers(ctx, ids, user)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].OpenBy = open[rows[i].ID]
	}
	return nil
}

// list runs the query; a cursor the store does not accept is dropped with
// a word to the user, and the first page shown instead.
func (a *Articles) list(ctx context.Context, f *filters) (db.Page, error) {
	page, err := a.store.List(ctx, f.query)
	if errors.Is(err, db.ErrBadCursor) {
		f.problem("That page link is not valid (any more), so here is the first page.")
		f.query.Cursor = ""
		page, err = a.store.List(ctx, f.query)
	}
	return page, err
}

func queueView(f filters, page db.Page, ch views.FilterChoices) views.QueueView {
	v := views.QueueView{
		Filters:   f.view,
		Choices:   ch,
		Notices:   f.problems,
		Tabs:      statusTabs(f.view, page),
		Total:     views.Count{N: page.Total, AtLeast: page.TotalCapped},
		ClearURL:  "/articles",
		ExportURL: "/export?" + exportValues(f.view).Encode(),
	}
	from := queueQuery(f.view, f.query.Cursor)
	v.Key = from
	for _, s := range page.Items {
		v.Rows = append(v.Rows, queueRow(s, from))
	}
	if n := len(page.Items); n > 0 {
		v.Range = &views.PageRange{From: page.Offset + 1, To: page.Offset + n, Of: v.Total}
	} else {
		v.Elsewhere = elsewhere(v.Tabs)
	}
	pageURL := func(cursor string) string { return "/articles?" + queueQuery(f.view, cursor) }
	if page.Prev != "" {
		v.FirstURL, v.PrevURL = pageURL(""), pageURL(page.Prev)
	}
	if page.Next != "" {
		v.NextURL = pageURL(page.Next)
	}
	if page.Last != "" {
		v.LastURL = pageURL(page.Last)
	}
	return v
}

// statusTabs links each status with the other filters kept.
func statusTabs(f views.Filters, page db.Page) []views.StatusTab {
	var all views.Count
	var tabs []views.StatusTab
	for _, st := range article.Statuses {
		c := views.Count{N: page.Counts[st], AtLeast: page.Capped[st]}
		all.N += c.N
		all.AtLeast = all.AtLeast || c.AtLeast
		tabs = append(tabs, statusTab(f, string(st), c))
	}
	return append(tabs, statusTab(f, "all", all))
}

func statusTab(f views.Filters, status string, n views.Count) views.StatusTab {
	cur := f.Status == status
	f.Status = status
	return views.StatusTab{
		Label: strings.ToUpper(status[:1]) + status[1:], URL: "/articles?" + queueQuery(f, ""), Count: n,
		Current: cur, TestID: "count-" + status, Status: status,
	}
}

// elsewhere are the other status tabs that have articles, for the empty
// state of the current one ("No pending articles match; 3 approved do.").
// The "all" tab is not one of them, nor are they shown on it.
func elsewhere(tabs []views.StatusTab) []views.StatusTab {
	var cur *views.StatusTab
	for i := range tabs {
		if tabs[i].Current {
			cur = &tabs[i]
		}
	}
	if cur == nil || cur.Status == "all" || cur.Count.N > 0 {
		return nil
	}
	var out []views.StatusTab
	for _, t := range tabs {
		if t.Status != "all" && t.Count.N > 0 {
			out = append(out, t)
		}
	}
	return out
}

func queueRow(s db.Summary, from string) views.QueueRow {
	return views.QueueRow{
		ID:        s.ID,
		Title:     s.Title,
		URL:       articleURL(s.ID, from),
		Provider:  s.ProviderName,
		Date:      dateOf(s.PublishedAt),
		Quality:   qualityText(s.Quality, s.HasQuality),
		Heat:      s.Heat,
		Topics:    s.Topics,
		Status:    string(s.Status),
		Published: s.Published,
		Version:   s.Version,
	}
}

// choices loads the filter form's dropdowns and suggestions.
func (a *Articles) choices(ctx context.Context, f views.Filters) (views.FilterChoices, error) {
	cats, err := a.store.Categories(ctx)
	if err != nil {
		return views.FilterChoices{}, err
	}
	provs, err := a.store.Providers(ctx)
	if err != nil {
		return views.FilterChoices{}, err
	}
	topics, err := a.store.TopTopics(ctx, maxSuggestions)
	if err != nil {
		return views.FilterChoices{}, err
	}
	return views.FilterChoices{
		Categories: facetOptions(cats, f.Category),
		Providers:  facetOptions(provs, f.Provider),
		Topics:     facetNames(topics),
		Published: options(f.Published, []string{"any", "yes", "no"},
			[]string{"Any", "Published", "Not published"}),
		Sorts: options(f.Sort, []string{"newest", "heat", "quality"},
			[]string{"Newest first", "Hottest first", "Best quality first"}),
	}, nil
}

// facetOptions makes a select's options: "Any", then each facet with its
// count; a chosen value no article has any more is kept, so the form shows
// what the URL asks for.
func facetOptions(facets []db.Facet, chosen string) []views.Option {
	opts := []views.Option{{Value: "", Label: "Any", Selected: chosen == ""}}
	found := chosen == ""
	for _, fc := range facets {
		sel := fc.Name == chosen
		found = found || sel
		opts = append(opts, views.Option{Value: fc.Name, Label: fc.Name + " (" + views.Count{N: fc.Count}.String() + ")", Selected: sel})
	}
	if !found {
		opts = append(opts, views.Option{Value: chosen, Label: chosen + " (0)", Selected: true})
	}
	return opts
}

func facetNames(facets []db.Facet) []string {
	names := make([]string, 0, min(len(facets), maxSuggestions))
	for _, fc := range facets[:min(len(facets), maxSuggestions)] {
		names = append(names, fc.Name)
	}
	return names
}

func options(chosen string, values, labels []string) []views.Option {
	opts := make([]views.Option, len(values))
	for i, v := range values {
		opts[i] = views.Option{Value: v, Label: labels[i], Selected: v == chosen}
	}
	return opts
}

// qualityText shows a quality, or a dash when there is none.
func qualityText(q int, ok bool) string {
	if !ok {
		return "–"
	}
	return strconv.Itoa(q)
}

// dateOf formats a time for pages, in UTC; the zero time is unknown.
func dateOf(t time.Time) views.Date {
	if t.IsZero() {
		return views.Date{}
	}
	t = t.UTC()
	return views.Date{Text: t.Format("2 Jan 2006 15:04 UTC"), ISO: t.Format(time.RFC3339)}
}
