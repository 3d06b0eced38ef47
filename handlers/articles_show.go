package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// Show serves GET /articles/:id: the article and its edit form.
func (a *Articles) Show(c echo.Context) error {
	id, err := articleID(c)
	if err != nil {
		return err
	}
	rec, err := a.record(c.Request().Context(), id)
	if err != nil {
		return err
	}
	form := storedForm(rec, cleanFrom(c.QueryParam("from")))
	return a.renderReview(c, http.StatusOK, rec, form)
}

// isPrefetch reports whether the browser fetches the page ahead of a
// visit (<link rel="prefetch">, speculation rules, instant.js): such a
// fetch must not take the flashes meant for the page the editor sees next.
func isPrefetch(c echo.Context) bool { return IsPrefetch(c.Request()) }

// IsPrefetch reports whether r fetches a page ahead of a visit: a
// Sec-Purpose or Purpose header saying "prefetch". Such a request is not
// the editor's doing: it claims nothing, takes no flash, and the session
// does not count it as activity (web's session middleware).
func IsPrefetch(r *http.Request) bool {
	h := r.Header
	return strings.Contains(h.Get("Sec-Purpose"), "prefetch") || h.Get("Purpose") == "prefetch"
}

// storedForm fills the edit form with the stored values.
func storedForm(rec *db.Record, from string) views.ReviewForm {
	f := views.ReviewForm{
		Action:    articleURL(rec.ID, ""),
		Version:   rec.Version,
		From:      from,
		Published: rec.Published,
		Status:    string(rec.Status),
		Note:      rec.Note,
	}
	if rec.HasQuality {
		f.Quality = strconv.Itoa(rec.Quality)
	}
	for _, t := range rec.Topics {
		f.Topics = append(f.Topics, views.TopicField{Value: t})
	}
	return f
}

// renderReview renders the review page with the given form.
func (a *Articles) renderReview(c echo.Context, status int, rec *db.Record, form views.ReviewForm) error {
	ctx := c.Request().Context()
	hist, err := a.store.History(ctx, rec.ID)
	if err != nil {
		return err
	}
	// One more than shown tells whether the list is every topic in use.
	topics, err := a.store.TopTopics(ctx, maxSuggestions+1) // from the counter table: no scan
	if err != nil {
		return err
	}
	place, err := a.placeFor(ctx, form.From, rec.ID, userID(c), showPages, true)
	if err != nil {
		return err
	}
	v := views.ReviewView{
		Article:     articleView(rec),
		Form:        form,
		Statuses:    statusOptions(form.Status),
		Suggestions: facetNames(topics),
		AllTopics:   len(topics) <= maxSuggestions,
		History:     historyView(hist, rec, CurrentUser(c), form.From),
		BackURL:     queueURL(form.From),
		Progress:    place.progress,
		NextURL:     place.nextURL,
	}
	if v.NextImage, err = a.leadImage(ctx, place.nextID); err != nil {
		return err
	}
	if v.Presence, err = a.reviewPresence(c, rec.ID); err != nil {
		return err
	}
	title := rec.Article.Title
	if form.Invalid {
		title = "Error: " + title // the first words a screen reader says
	}
	var flashes Flasher = a.sessions
	if isPrefetch(c) {
		flashes = nil
	}
	p, err := pageFor(c, flashes, title, "queue")
	if err != nil {
		return err
	}
	return render(c, status, views.Review(p, v))
}

// leadImage is the web URL of the first image of article id, for
// review.js to load ahead; "" when there is none (or id is 0).
func (a *Articles) leadImage(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	rec, err := a.store.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil // gone since the walk
	}
	if err != nil || len(rec.Article.Images) == 0 {
		return "", err
	}
	u, _ := views.WebURL(rec.Article.Images[0].URL)
	return u, nil
}

func statusOptions(chosen string) []views.Option {
	opts := make([]views.Option, 0, len(article.Statuses))
	for _, st := range article.Statuses {
		s := string(st)
		opts = append(opts, views.Option{Value: s, Label: s, Selected: s == chosen})
	}
	return opts
}

// maxShownBody is how much of a body, in bytes, the review page renders:
// a 4 MiB body made a 4 MiB page, 0.6 s to serve and a browser's worth of
// memory, for text no editor reads to the end. The export keeps it whole.
const maxShownBody = 256 << 10

// shownBody is the start of body to render, cut at a line break before
// maxShownBody, and the body's size when it was cut ("" when whole).
func shownBody(body string) (shown, cut string) {
	if len(body) <= maxShownBody {
		return body, ""
	}
	shown = body[:maxShownBody]
	if i := strings.LastIndexByte(shown, '\n'); i > 0 {
		shown = shown[:i+1]
	}
	shown = strings.ToValidUTF8(shown, "")
	return shown, fmt.Sprintf("%.1f MB", float64(len(body))/1e6)
}

func articleView(rec *db.Record) views.ArticleView {
	a := &rec.Article
	body, cut := shownBody(a.Body)
	return views.ArticleView{
		ID: rec.ID, Key: a.Key, FileName: a.FileName,
		Title: a.Title, Excerpt: a.Excerpt, Category: a.Category, Type: a.Type, Heat: a.Heat,
		ProviderName: a.Provider.Name, ProviderDomain: a.Provider.Domain,
		PublishedAt: dateOf(a.PublishedAt), ImportedAt: dateOf(rec.ImportedAt), UpdatedAt: dateOf(rec.UpdatedAt),
		OriginalURL: linkOf(a.OriginalURL), WebURL: linkOf(a.WebURL),
		Image:      pictureOf(a.Images, a.Title),
		Related:    relatedItems(a.Related),
		HasSecured: a.HasSecured,
		Body:       views.Markdown(body),
		BodyCut:    cut,
		Status:     string(rec.Status), Published: rec.Published,
		Quality: qualityText(rec.Quality, rec.HasQuality), Topics: rec.Topics,
	}
}

// linkOf links s when it is an http or https URL (views.WebURL), the
// only links from article data the pages follow.
func linkOf(s string) views.Link {
	href, _ := views.WebURL(s)
	return views.Link{Text: s, Href: href}
}

func pictureOf(images []article.Image, title string) *views.Picture {
	if len(images) == 0 {
		return nil
	}
	img := images[0]
	p := &views.Picture{Text: img.URL, Alt: "Picture for: " + title}
	p.Src, _ = views.WebURL(img.URL)
	if img.Width > 0 && img.Height > 0 {
		p.Width, p.Height = strconv.Itoa(img.Width), strconv.Itoa(img.Height)
	}
	return p
}

func relatedItems(rs []article.Related) []views.RelatedItem {
	out := make([]views.RelatedItem, 0, len(rs))
	for _, r := range rs {
		out = append(out, views.RelatedItem{
			Title:    r.Title,
			Link:     linkOf(r.WebURL),
			Provider: r.Provider.Name,
			Date:     dateOf(r.PublishedAt),
			Quality:  strconv.Itoa(r.Quality),
		})
	}
	return out
}

func historyItems(entries []db.AuditEntry) []views.HistoryItem {
	out := make([]views.HistoryItem, 0, len(entries))
	for _, e := range entries {
		out = append(out, views.HistoryItem{
			Actor: e.Actor,
			Field: e.Field,
			Old:   auditValue(e.Field, e.Old),
			New:   auditValue(e.Field, e.New),
			At:    dateOf(e.At),
		})
	}
	return out
}

// auditValue shows a stored audit value in words (see the audit table:
// topics are a JSON array, published is true/false, quality may be "").
func auditValue(field, v string) views.Value {
	switch field {
	case "topics":
		var ts []string
		if json.Unmarshal([]byte(v), &ts) == nil {
			return topicsValue(ts)
		}
	case "published":
		return textValue(yesNo(v == "true"))
	case "quality":
		if v == "" {
			return textValue("none")
		}
	case "note":
		return noteValue(v)
	}
	return textValue(v)
}

func textValue(s string) views.Value { return views.Value{Text: s} }

func topicsValue(ts []string) views.Value { return views.Value{Topics: ts, IsList: true} }

func noteValue(s string) views.Value {
	if s == "" {
		s = "(empty)"
	}
	return textValue(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
