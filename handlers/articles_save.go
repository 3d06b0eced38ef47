package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// Save serves POST /articles/:id: validate, save on the version the editor
// loaded, then 303 to the article or to the next one of the queue. A
// failed form comes back with its errors (422); a stale version gets the
// conflict page (409). Neither writes anything.
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
	edit, err := a.edit(ctx, form, user.ID, user.Username)
	if err != nil {
		return err
	}
	return a.save(c, rec, form, edit)
}

// save runs the update and answers: redirect, or the conflict page.
func (a *Articles) save(c echo.Context, rec *db.Record, form *reviewForm, edit db.Edit) error {
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
	saved, current, err := a.update(ctx, rec.ID, form, edit)
	if err != nil {
		return err
	}
	if current != nil {
		return a.renderConflict(c, current, form)
	}
	msg, to := saveOutcome(form, saved, rec.ID, next)
	if err := a.sessions.AddFlash(c, views.Flash{Kind: "ok", Text: msg}); err != nil {
		return err
	}
	return redirect(c, to)
}

// update saves the edit. On a stale version it returns the current record
// for the editor to choose, unless that record already holds exactly the
// editor's values: then there is nothing to choose and nothing to write.
func (a *Articles) update(ctx context.Context, id int64, form *reviewForm, edit db.Edit) (saved, current *db.Record, err error) {
	saved, err = a.store.Update(ctx, id, edit)
	var conflict *db.ConflictError
	if errors.As(err, &conflict) && conflict.Current != nil {
		if anyDiffers(conflictRows(conflict.Current, form, nil)) {
			return nil, conflict.Current, nil
		}
		return conflict.Current, nil, nil
	}
	return saved, nil, err
}

// saveOutcome is the flash and the redirect after a save.
func saveOutcome(form *reviewForm, saved *db.Record, id int64, next string) (msg, to string) {
	msg = "Saved."
	if saved.Version == form.Version {
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

// edit turns a valid form into a store edit; topics take the spelling of
// the topics the store already knows ("ai ethics" becomes "AI Ethics").
func (a *Articles) edit(ctx context.Context, f *reviewForm, actorID int64, actor string) (db.Edit, error) {
	topics, err := a.canonicalTopics(ctx, f.topics)
	if err != nil {
		return db.Edit{}, err
	}
	f.topics = topics
	published, status, note := f.Published, f.status, f.Note
	return db.Edit{
		Version:   f.Version,
		Quality:   f.quality,
		Topics:    topics,
		SetTopics: true,
		Published: &published,
		Status:    &status,
		Note:      &note,
		ActorID:   actorID,
		Actor:     actor,
	}, nil
}

// canonicalTopics respells each topic as the store knows it and drops the
// repeats that respelling may reveal.
func (a *Articles) canonicalTopics(ctx context.Context, in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		canon, err := a.store.CanonicalTopic(ctx, t)
		if err != nil {
			return nil, err
		}
		if fold := strings.ToLower(canon); !seen[fold] {
			seen[fold] = true
			out = append(out, canon)
		}
	}
	return out, nil
}
