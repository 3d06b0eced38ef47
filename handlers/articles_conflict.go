package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// renderConflict answers a save on a stale version with 409: field by
// field, what the editor sent and what is stored now, and who stored it.
// Nothing was written; "Keep mine" posts the editor's values again on the
// current version.
func (a *Articles) renderConflict(c echo.Context, cur *db.Record, form *reviewForm) error {
	hist, err := a.store.History(c.Request().Context(), cur.ID)
	if err != nil {
		return err
	}
	// A form that left the quality empty keeps the stored one (see
	// qualityOrNone); "Keep mine" posts it, since on the current version
	// an empty field would no longer mean "unchanged".
	mineQuality := ""
	switch {
	case form.quality != nil:
		mineQuality = strconv.Itoa(*form.quality)
	case cur.HasQuality:
		mineQuality = strconv.Itoa(cur.Quality)
	}
	v := views.ConflictView{
		Title:      cur.Article.Title,
		ArticleURL: articleURL(cur.ID, form.From),
		Rows:       conflictRows(cur, form, lastChanges(hist)),
		Keep: views.KeepMine{
			Action: articleURL(cur.ID, ""), Version: cur.Version, From: form.From,
			Quality: mineQuality, Topics: form.topics, Published: form.Published,
			Status: string(form.status), Note: form.Note, Next: form.Next,
		},
	}
	p, err := pageFor(c, a.sessions, "Conflict: "+cur.Article.Title, "queue")
	if err != nil {
		return err
	}
	return render(c, formStatus(c, http.StatusConflict), views.Conflict(p, v))
}

// lastChanges is the newest audit entry of each field (History is newest
// first).
func lastChanges(hist []db.AuditEntry) map[string]db.AuditEntry {
	last := map[string]db.AuditEntry{}
	for _, e := range hist {
		if _, ok := last[e.Field]; !ok {
			last[e.Field] = e
		}
	}
	return last
}

func conflictRows(cur *db.Record, f *reviewForm, last map[string]db.AuditEntry) []views.ConflictRow {
	rows := []views.ConflictRow{
		{Field: "quality", Label: "Quality",
			Mine:    textValue(qualityOrNone(f.quality, cur)),
			Theirs:  textValue(qualityText(cur.Quality, cur.HasQuality)),
			Differs: f.quality != nil && (!cur.HasQuality || *f.quality != cur.Quality)},
		{Field: "topics", Label: "Topics", Mine: topicsValue(f.topics), Theirs: topicsValue(cur.Topics),
			Differs: !review.SameTopics(cur.Topics, f.topics)},
		{Field: "published", Label: "Published", Mine: textValue(yesNo(f.Published)), Theirs: textValue(yesNo(cur.Published)),
			Differs: f.Published != cur.Published},
		{Field: "status", Label: "Status", Mine: textValue(string(f.status)), Theirs: textValue(string(cur.Status)),
			Differs: f.status != cur.Status},
		{Field: "note", Label: "Note", Mine: noteValue(f.Note), Theirs: noteValue(cur.Note),
			Differs: f.Note != cur.Note},
	}
	for i := range rows {
		if e, ok := last[rows[i].Field]; ok && rows[i].Differs {
			rows[i].ChangedBy, rows[i].ChangedAt = e.Actor, dateOf(e.At)
		}
	}
	return rows
}

// qualityOrNone is the editor's quality; a form that left it empty keeps
// whatever is stored.
func qualityOrNone(q *int, cur *db.Record) string {
	if q == nil {
		return qualityText(cur.Quality, cur.HasQuality) + " (unchanged)"
	}
	return strconv.Itoa(*q)
}
