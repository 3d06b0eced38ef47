package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// Save serves POST /articles/:id: decode and validate the form, hand it
// to review.Save, then 303 to the article or to the next one of the
// queue. A failed form comes back with its errors (422), as does a save
// the article's file could not carry; a stale version gets the conflict
// page (409). None of these writes anything.
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
		return echo.NewHTTPError(http.StatusBadRequest, "The form has no valid version: reload the article and try again.").SetInternal(err)
	}
	// An empty quality means "still none" where the editor saw none: on an
	// article without one, or on a stale form (someone may have set one
	// since; the conflict page then shows it).
	form.QualityOptional = !rec.HasQuality || form.Version != rec.Version
	if errs := form.Validate(); errs.any() {
		return a.renderReview(c, formStatus(c, http.StatusUnprocessableEntity), rec, form.formView(id, errs))
	}
	return a.save(c, rec, form, form.edit(user))
}

// save runs the workflow's save and answers: redirect, the conflict
// page, or the form with the reason the file cannot carry the values.
func (a *Articles) save(c echo.Context, rec *db.Record, form *reviewForm, edit review.Edit) error {
	ctx := c.Request().Context()
	next := ""
	if form.Next {
		// Find the next article before saving: the save may take this
		// one out of the queue, and with it its place.
		var err error
		if next, err = a.nextInQueue(ctx, form.From, rec.ID); err != nil {
			return err
		}
	}
	out, err := a.review.Save(ctx, rec.ID, edit)
	var unwritable *review.FieldError
	switch {
	case errors.As(err, &unwritable):
		return a.renderReview(c, formStatus(c, http.StatusUnprocessableEntity), rec,
			form.formView(rec.ID, fieldError(unwritable)))
	case err != nil:
		return err
	case out.Conflict:
		return a.renderConflict(c, out.Record, form)
	}
	msg, to := saveOutcome(form, out, rec.ID, next)
	if err := a.sessions.AddFlash(c, views.Flash{Kind: "ok", Text: msg}); err != nil {
		return err
	}
	return redirect(c, to)
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

// saveOutcome is the flash and the redirect after a save.
func saveOutcome(form *reviewForm, out review.Outcome, id int64, next string) (msg, to string) {
	msg = "Saved."
	if !out.Changed {
		msg = "Nothing to save: the values are as they were."
	}
	switch {
	case !form.Next:
		return msg, articleURL(id, form.From)
	case next == "":
		return msg + " That was the last article of this queue.", queueURL(form.From)
	}
	return msg, next
}
