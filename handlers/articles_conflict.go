package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// renderConflict answers a save on a stale version with 409 and a
// three-way comparison: base is the article as the editor loaded it
// (form.Version, rebuilt from the audit), mine the form, theirs cur. A
// field only one side changed takes that side; a field both changed
// differently gets a choice. Nothing was written; the page's form saves
// on cur's version through the ordinary save, so a save made meanwhile
// brings the page back with the new state.
func (a *Articles) renderConflict(c echo.Context, cur *db.Record, form *reviewForm) error {
	hist, err := a.store.History(c.Request().Context(), cur.ID)
	if err != nil {
		return err
	}
	fields := conflictFields(cur, form, hist)
	v := views.ConflictView{
		Title:      cur.Article.Title,
		ArticleURL: articleURL(cur.ID, form.From),
		Action:     articleURL(cur.ID, ""),
		Version:    cur.Version,
		From:       form.From,
		Next:       form.Next,
		Fields:     fields,
	}
	for _, f := range fields {
		if f.Outcome == views.OutcomeChoose {
			v.Choices++
		}
	}
	p, err := pageFor(c, a.sessions, "Conflict: "+cur.Article.Title, "queue")
	if err != nil {
		return err
	}
	return render(c, formStatus(c, http.StatusConflict), views.Conflict(p, v))
}

// fieldValues are the editable values of an article: one side of the
// three-way comparison. quality is as the audit writes it ("" for none).
type fieldValues struct {
	quality   string
	topics    []string
	published bool
	status    article.Status
	note      string
}

func valuesOf(r *db.Record) fieldValues {
	return fieldValues{
		quality: qualityAudit(r.Quality, r.HasQuality), topics: r.Topics,
		published: r.Published, status: r.Status, note: r.Note,
	}
}

// baseValues rebuilds the values of cur as they were at version: hist
// (the article's audit, newest first) is undone down to the first entry
// written after version, whose old value is the one the editor saw. It
// relies on every entry under a field's name recording effective values:
// an import's change of the file under an editor's value is a file-side
// entry (db.FileSide), which this skips like any other field. Entries
// written under the field's name by an older newsdesk stay as they were.
func baseValues(cur *db.Record, hist []db.AuditEntry, version int64) fieldValues {
	b := valuesOf(cur)
	for _, e := range hist {
		if e.Version <= version {
			continue
		}
		switch e.Field {
		case "quality":
			b.quality = e.Old
		case "topics":
			if ts, err := db.AuditTopics(e.Old); err == nil {
				b.topics = ts
			}
		case "published":
			b.published = e.Old == "true"
		case "status":
			if st, err := article.ParseStatus(e.Old); err == nil {
				b.status = st
			}
		case "note":
			b.note = e.Old
		}
	}
	return b
}

// mineValues are the form's values; a quality left empty is the one the
// editor saw (see qualityOrNone).
func mineValues(f *reviewForm, base fieldValues) fieldValues {
	m := fieldValues{quality: base.quality, topics: f.topics, published: f.Published, status: f.status, note: f.Note}
	if f.quality != nil {
		m.quality = strconv.Itoa(*f.quality)
	}
	return m
}

// conflictField describes one field for the comparison.
type conflictField struct {
	name, label string
	same        func(a, b fieldValues) bool
	inputs      func(v fieldValues) []string // the review form's values
}

var conflictFieldList = []conflictField{
	{"quality", "Quality", func(a, b fieldValues) bool { return a.quality == b.quality },
		func(v fieldValues) []string { return []string{v.quality} }},
	{"topics", "Topics", func(a, b fieldValues) bool { return review.SameTopics(a.topics, b.topics) },
		func(v fieldValues) []string { return v.topics }},
	{"published", "Published", func(a, b fieldValues) bool { return a.published == b.published },
		func(v fieldValues) []string { return []string{onOff(v.published)} }},
	{"status", "Status", func(a, b fieldValues) bool { return a.status == b.status },
		func(v fieldValues) []string { return []string{string(v.status)} }},
	{"note", "Note", func(a, b fieldValues) bool { return a.note == b.note },
		func(v fieldValues) []string { return []string{v.note} }},
}

// conflictFields compares base, mine and theirs field by field.
func conflictFields(cur *db.Record, form *reviewForm, hist []db.AuditEntry) []views.ConflictField {
	base := baseValues(cur, hist, form.Version)
	mine, theirs := mineValues(form, base), valuesOf(cur)
	shown := map[string][2]views.Value{
		"quality":   {textValue(qualityOrNone(form.quality, cur)), textValue(qualityText(cur.Quality, cur.HasQuality))},
		"topics":    {topicsValue(mine.topics), topicsValue(theirs.topics)},
		"published": {textValue(yesNo(mine.published)), textValue(yesNo(theirs.published))},
		"status":    {textValue(string(mine.status)), textValue(string(theirs.status))},
		"note":      {noteValue(mine.note), noteValue(theirs.note)},
	}
	out := make([]views.ConflictField, 0, len(conflictFieldList))
	for _, cf := range conflictFieldList {
		mineChanged, theirsChanged := !cf.same(base, mine), !cf.same(base, theirs)
		f := views.ConflictField{
			Field: cf.name, Label: cf.label, Mine: shown[cf.name][0], Theirs: shown[cf.name][1],
			Differs:    !cf.same(theirs, mine),
			MineInputs: cf.inputs(mine), TheirsInputs: cf.inputs(theirs),
		}
		switch {
		case !mineChanged && !theirsChanged:
			f.Outcome = views.OutcomeUnchanged
		case !mineChanged:
			f.Outcome = views.OutcomeTheirs
		case !theirsChanged || !f.Differs:
			f.Outcome = views.OutcomeMine
		default:
			f.Outcome = views.OutcomeChoose
		}
		if theirsChanged {
			if e, ok := changeAfter(hist, cf.name, form.Version); ok {
				f.ChangedBy, f.ChangedAt = e.Actor, dateOf(e.At)
			}
		}
		out = append(out, f)
	}
	return out
}

// changeAfter is the newest audit entry of field written after version.
func changeAfter(hist []db.AuditEntry, field string, version int64) (db.AuditEntry, bool) {
	for _, e := range hist {
		if e.Field == field && e.Version > version {
			return e, true
		}
	}
	return db.AuditEntry{}, false
}

// qualityAudit writes a quality as the audit does: "" for none.
func qualityAudit(q int, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.Itoa(q)
}

// onOff is a checkbox's value in the conflict page's hidden fields (see
// checked).
func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// qualityOrNone is the editor's quality; a form that left it empty keeps
// whatever is stored.
func qualityOrNone(q *int, cur *db.Record) string {
	if q == nil {
		return qualityText(cur.Quality, cur.HasQuality) + " (unchanged)"
	}
	return strconv.Itoa(*q)
}
