package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// Save serves POST /articles/:id: decode and validate the form, hand it
// to review.Save, then 303 to the article or to the next one of the
// queue. A failed form comes back with its errors (422), as does a save
// the article's file could not carry; a stale version gets the conflict
// page (409). None of these writes anything. A save instant.js sends in
// the background (isBackground) gets JSON instead: see savedAnswer.
func (a *Articles) Save(c echo.Context) error {
	ctx := c.Request().Context()
	user := CurrentUser(c)
	if user == nil {
		return echo.NewHTTPError(http.StatusUnauthorized, "Please log in again.")
	}
	id, err := articleID(c)
	if err != nil {
		return err
	}
	rec, err := a.record(ctx, id)
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.").SetInternal(err)
	}
	form, err := readReviewForm(params)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	// An empty quality means "still none" where the editor saw none: on an
	// article without one, or on a stale form (someone may have set one
	// since; the conflict page then shows it).
	form.QualityOptional = !rec.HasQuality || form.Version != rec.Version
	if errs := form.Validate(); errs.any() && isBackground(c) {
		return notSaved(c, http.StatusUnprocessableEntity, reasonInvalid, rec, form, firstError(form.formView(id, errs)))
	} else if errs.any() {
		return a.renderReview(c, formStatus(c, http.StatusUnprocessableEntity), rec, form.formView(id, errs))
	}
	return a.save(c, rec, form, form.edit(user), params.Get(shownField))
}

// shownField is the form field in which instant.js names the review page
// it shows already while the save runs in the background: its path and
// query, as the decision bar's data-next-url had it. See nextAfterSave.
const shownField = "shown_next"

// save runs the workflow's save and answers: redirect, the conflict
// page, or the form with the reason the file cannot carry the values.
// shown is the page instant.js shows already ("" for none, see
// shownField).
func (a *Articles) save(c echo.Context, rec *db.Record, form *reviewForm, edit review.Edit, shown string) error {
	ctx := c.Request().Context()
	var place queuePlace
	if form.Next {
		// Find the next article before saving: the save may take this
		// one out of the queue, and with it its place. It is claimed
		// only once the save is stored (nextAfterSave).
		var err error
		if place, err = a.findNext(ctx, form.From, rec.ID, edit.ActorID); err != nil {
			return err
		}
	}
	// Which topics no article has yet, asked before the save creates them.
	created, err := a.newTopics(ctx, rec.Topics, edit.Topics)
	if err != nil {
		return err
	}
	out, err := a.review.Save(ctx, rec.ID, edit)
	var unwritable *review.FieldError
	switch {
	case errors.As(err, &unwritable) && isBackground(c):
		return notSaved(c, http.StatusUnprocessableEntity, reasonInvalid, rec, form, unwritable.Message)
	case errors.As(err, &unwritable):
		return a.renderReview(c, formStatus(c, http.StatusUnprocessableEntity), rec,
			form.formView(rec.ID, fieldError(unwritable)))
	case err != nil:
		return err
	case out.Conflict && isBackground(c):
		return a.conflictAnswer(c, rec, out.Record, form)
	case out.Conflict:
		return a.renderConflict(c, out.Record, form)
	}
	// Stored: from here on, nothing answers as if it were not.
	msg := saveMessage(rec, out, form.Action, created)
	to, next, notice := articleURL(rec.ID, form.From), "", ""
	if form.Next {
		next, notice = a.nextAfterSave(c, rec.ID, place, shown, edit.ActorID)
		to = next
		if next == "" {
			msg += " That was the last article of this queue."
			to = queueURL(form.From)
		}
	}
	flash := views.Flash{Kind: "ok", Text: msg}
	if out.Changed {
		// The save just made can be undone from the flash, also on the
		// next article's page.
		flash.Undo = UndoFor(rec.ID, out.Record.Version, form.From)
	}
	flashes := []views.Flash{flash}
	if notice != "" {
		flashes = append(flashes, views.Flash{Kind: "warn", Text: notice})
	}
	if isBackground(c) {
		return a.savedAnswer(c, articleURL(rec.ID, form.From), flashes, next, to)
	}
	for _, f := range flashes {
		if err := a.sessions.AddFlash(c, f); err != nil {
			return err
		}
	}
	return redirect(c, to)
}

// nextAfterSave decides and claims (see claimFirst) the article a stored
// "save and next" of current moves on to: the one instant.js shows
// already (shown, a review page URL, "" for none) when no other editor
// has it, else the first of place's free articles, found before the
// save, that no other editor claims first. notice says, when shown was
// taken, by whom ("" otherwise), so that the editor is not left on an
// article someone else is reviewing. The save is stored: a failure here
// is logged, never the answer.
func (a *Articles) nextAfterSave(c echo.Context, current int64, place queuePlace, shown string, editor int64) (next, notice string) {
	cands := place.candidates()
	sid, from, isShown := reviewPage(shown)
	isShown = isShown && sid != current
	if isShown {
		cands = shownFirst(cands, candidate{sid, articleURL(sid, from)})
	}
	i := a.claimFirst(c, cands, editor)
	if i >= 0 {
		next = cands[i].url
	}
	if isShown && i != 0 {
		notice = a.takenNotice(c.Request().Context(), sid, editor, i >= 0)
	}
	return next, notice
}

// shownFirst is cands with the article instant.js shows first: cands' own
// entry for it when they have one (the shown page's query may differ).
func shownFirst(cands []candidate, shown candidate) []candidate {
	out := []candidate{shown}
	for _, c := range cands {
		if c.id == shown.id {
			out[0] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}

// takenNotice tells editor (a user id) that the article on their screen
// is someone else's: “Title” is open by bob: here is the next article
// instead. It is "busy" when no editor shows on it (a save or a bulk
// action held it).
func (a *Articles) takenNotice(ctx context.Context, id, editor int64, moved bool) string {
	what := "The article shown"
	if rec, err := a.store.Get(ctx, id); err == nil {
		what = "“" + shortTitle(rec.Article.Title) + "”"
	}
	text := what + " is busy"
	if open, err := a.openByOthers(ctx, []int64{id}, editor); err == nil && len(open[id]) > 0 {
		text = what + " is open by " + strings.Join(open[id], " and ")
	}
	if moved {
		return text + ": here is the next article instead."
	}
	return text + ", and no other article of this queue is free."
}

// logStored logs a failure after a save was stored, which the answer
// does not report: the editor's save is safe, only an extra (the next
// article's claim, the progress) is missing.
func (a *Articles) logStored(c echo.Context, what string, err error) {
	a.log.WarnContext(c.Request().Context(), "after a stored save: "+what,
		slog.String("path", c.Request().URL.Path), slog.Any("error", err))
}

// newTopics are the topics of after that before lacks and that no article
// has: the save creates them. Each costs one look at the topic counter
// table; only topics the editor added are looked at.
func (a *Articles) newTopics(ctx context.Context, before, after []string) ([]string, error) {
	var out []string
	for _, t := range after {
		if slices.ContainsFunc(before, func(b string) bool { return article.SameTopic(b, t) }) {
			continue
		}
		page, err := a.store.List(ctx, db.ListQuery{Topic: t, Limit: 1, Counts: db.CountsExact})
		if err != nil {
			return nil, err
		}
		if page.Total == 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// fieldError shows a refusal from review.Save on its field.
func fieldError(e *review.FieldError) formErrors {
	errs := formErrors{topics: map[int]string{}}
	switch e.Field {
	case "quality":
		errs.Quality = e.Message
	case "published":
		errs.Published = e.Message
	default:
		errs.Topics = e.Message
	}
	return errs
}

// maxFlashTitle is how much of an article's title a flash quotes, in
// characters.
const maxFlashTitle = 60

// saveMessage is the flash after a save: the article, what was decided
// and what changed, e.g. "Approved “NHS report…”: quality 56 → 60." The
// verb follows the status change, so "Keep mine" on the conflict page
// after Approve says Approved too.
func saveMessage(before *db.Record, out review.Outcome, action string, created []string) string {
	title := "“" + shortTitle(before.Article.Title) + "”"
	after := out.Record
	if !out.Changed {
		if action == actionApprove || action == actionReject {
			return title + " was already " + string(after.Status) + "; nothing changed."
		}
		return "Nothing to save in " + title + ": the values are as they were."
	}
	verb := "Saved"
	if after.Status != before.Status {
		switch after.Status {
		case article.StatusApproved:
			verb = "Approved"
		case article.StatusRejected:
			verb = "Rejected"
		default:
			verb = "Reopened"
		}
	}
	changes := changeList(before, after, created)
	if len(changes) == 0 {
		return verb + " " + title + "."
	}
	return verb + " " + title + ": " + strings.Join(changes, ", ") + "."
}

// changeList names what a save changed besides the status.
func changeList(before, after *db.Record, created []string) []string {
	var out []string
	if before.HasQuality != after.HasQuality || before.Quality != after.Quality {
		out = append(out, "quality "+qualityWord(before)+" → "+qualityWord(after))
	}
	if !slices.Equal(before.Topics, after.Topics) {
		out = append(out, "topics changed"+createdNote(created))
	}
	if before.Published != after.Published {
		if after.Published {
			out = append(out, "published on the site")
		} else {
			out = append(out, "no longer published on the site")
		}
	}
	if before.Note != after.Note {
		out = append(out, "note changed")
	}
	return out
}

// createdNote names the topics a save created: " (new topic “X”)".
func createdNote(created []string) string {
	if len(created) == 0 {
		return ""
	}
	quoted := make([]string, len(created))
	for i, t := range created {
		quoted[i] = "“" + cleanText(t, 40) + "”"
	}
	if len(created) == 1 {
		return " (new topic " + quoted[0] + ")"
	}
	return " (new topics " + strings.Join(quoted, ", ") + ")"
}

func qualityWord(r *db.Record) string {
	if !r.HasQuality {
		return "none"
	}
	return strconv.Itoa(r.Quality)
}

// shortTitle cuts a title for a flash, at a word where it can.
func shortTitle(s string) string {
	s = cleanText(s, 1<<20)
	r := []rune(s)
	if len(r) <= maxFlashTitle {
		return s
	}
	cut := string(r[:maxFlashTitle])
	if i := strings.LastIndex(cut, " "); i > maxFlashTitle/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// backgroundHeader marks a save that instant.js sends in the background
// while it already shows the next article (the optimistic "approve and
// next"). Such a save is answered with JSON, never a redirect, and leaves
// no flash in the session: the page that would show it is on screen
// already.
const backgroundHeader = "X-Newsdesk-Background"

func isBackground(c echo.Context) bool {
	return c.Request().Header.Get(backgroundHeader) == "1"
}

// Reasons a background save was refused, for instant.js (saveAnswer.Reason).
const (
	reasonConflict = "conflict" // someone saved the article since the form was shown
	reasonInvalid  = "invalid"  // a field is not valid, or the file cannot carry it
)

// saveAnswer is the JSON answer to a background save. On success (200)
// Kind is "ok" and Text the flash the redirect would have carried; Flash
// is that flash and any notice after it as views.FlashBoxes renders them
// (with the Undo button; "" if rendering failed); Next is where the
// redirect would have gone (the article instant.js shows, when it was
// free: compare ids, the query may differ) and Progress the place of that
// article in its queue now, after the save ("12 of 48 pending in this
// queue", "" when unknown). Refused (409, 422): Kind is "error", Reason
// says why, Text names the article and the reason, and nothing was
// written.
type saveAnswer struct {
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Reason   string `json:"reason,omitempty"`
	Article  string `json:"article"` // the saved article's page, in its queue
	Flash    string `json:"flash,omitempty"`
	Next     string `json:"next,omitempty"`
	Progress string `json:"progress,omitempty"`
}

// savedAnswer answers a background save that was stored, always with 200:
// the flashes (the save's first) as JSON and HTML, and the progress of
// the article the save moves on to (next, "" for none), counted after the
// save, so that the page of that article, fetched before the save, can
// correct its count. What fails here is logged and left out: a 500 would
// say "not saved" of a save that was stored.
func (a *Articles) savedAnswer(c echo.Context, page string, flashes []views.Flash, next, to string) error {
	ctx := c.Request().Context()
	ans := saveAnswer{Kind: flashes[0].Kind, Text: flashes[0].Text, Article: page, Next: to}
	var buf bytes.Buffer
	if err := views.FlashBoxes(flashes, CSRFToken(c)).Render(ctx, &buf); err != nil {
		a.logStored(c, "rendering the flash", err)
	} else {
		ans.Flash = buf.String()
	}
	if id, from, ok := reviewPage(next); ok {
		place, err := a.placeInQueue(ctx, from, id, showPages, true)
		switch {
		case err != nil:
			a.logStored(c, "counting the next article's place", err)
		case place.progress != nil:
			ans.Progress = place.progress.String()
		}
	}
	return c.JSON(http.StatusOK, ans)
}

// reviewPage reads a review page URL made by articleURL: the article and
// the queue it remembers; ok is false for anything else ("" included).
func reviewPage(pageURL string) (id int64, from string, ok bool) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return 0, "", false
	}
	rest, found := strings.CutPrefix(u.Path, "/articles/")
	if !found {
		return 0, "", false
	}
	id, err = strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, cleanFrom(u.Query().Get("from")), true
}

// conflictAnswer refuses a background save on a stale version, naming
// who saved the article since the form was shown.
func (a *Articles) conflictAnswer(c echo.Context, before, cur *db.Record, form *reviewForm) error {
	hist, err := a.store.History(c.Request().Context(), cur.ID)
	if err != nil {
		return err
	}
	var who []string
	for _, e := range hist { // newest first
		if e.Version <= form.Version {
			break
		}
		if e.Actor != "" && !slices.Contains(who, e.Actor) {
			who = append(who, e.Actor)
		}
	}
	reason := "was changed by someone else since"
	if len(who) > 0 {
		reason = "was changed by " + strings.Join(who, " and ") + " since"
	}
	return notSaved(c, http.StatusConflict, reasonConflict, before, form, reason)
}

// notSaved answers a refused background save with status and a sentence:
// Not saved: “Title” was changed by bob since. / Not saved: “Title”: Quality ...
func notSaved(c echo.Context, status int, reason string, rec *db.Record, form *reviewForm, why string) error {
	text := "Not saved: “" + shortTitle(rec.Article.Title) + "”"
	if reason == reasonConflict {
		text += " " + why + "."
	} else {
		text += ": " + strings.TrimRight(why, ".") + "."
	}
	return c.JSON(status, saveAnswer{Kind: "error", Reason: reason, Text: text, Article: articleURL(rec.ID, form.From)})
}

// firstError is the first of a form view's field errors, for a sentence.
func firstError(f views.ReviewForm) string {
	if links := f.ErrorLinks(); len(links) > 0 {
		return links[0].Text
	}
	return "a field is not valid"
}
