package review

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Edit is one editor's save of the review form, decoded and validated by
// the caller. A nil pointer leaves a value as it is.
type Edit struct {
	Version int64 // the version the editor loaded
	Quality *int
	// ClearQuality drops the editor's quality, so the file's own (or none)
	// applies again, as before any edit; Quality must then be nil.
	ClearQuality bool
	Topics       []string // with SetTopics: the topics as submitted, normalised by article.NormalizeTopics
	SetTopics    bool
	Published    *bool
	Status       *article.Status
	Note         *string
	ActorID      int64  // users.id; 0 when not a user
	Actor        string // username, kept in the audit even if the user goes
}

// Outcome is what a save did.
type Outcome struct {
	// Record is the article after the save (unchanged when nothing
	// changed), or as it is now when Conflict is set.
	Record *db.Record
	// Changed is false when the edit asked for the values already stored.
	Changed bool
	// Conflict is set when the edit was made on an older version and the
	// article now differs from what the editor asked for: nothing was
	// written, and the editor chooses on the current Record.
	Conflict bool
}

// FieldError refuses a save that the article's file could not carry: the
// values are valid, but written into this file they would not read back
// as the editor's (see article.Patch). Field is the form field to show
// the message on: "quality", "topics" or "published".
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Save applies an editor's edit to article id in one store transaction:
// topics take the spelling the store already knows ("ai" becomes "AI");
// topics posted back as the page showed them are no topics edit, so the
// file and the audit keep theirs; the result must still export, or the
// save is refused with a *FieldError before anything is written; a stale
// version gives Outcome.Conflict unless the article already holds exactly
// the editor's values. Errors: a *FieldError, db.ErrNotFound (wrapped), or
// a store failure.
func (s *Service) Save(ctx context.Context, id int64, e Edit) (Outcome, error) {
	cur, err := s.store.Get(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	edit, err := s.storeEdit(ctx, cur, e)
	if err != nil {
		return Outcome{}, err
	}
	saved, err := s.store.Update(ctx, id, edit)
	var conflict *db.ConflictError
	switch {
	case errors.As(err, &conflict) && conflict.Current != nil:
		return s.onConflict(conflict.Current, e), nil
	case err != nil:
		return Outcome{}, err
	}
	return Outcome{Record: saved, Changed: saved.Version != cur.Version}, nil
}

// storeEdit turns e into the store's edit of cur.
func (s *Service) storeEdit(ctx context.Context, cur *db.Record, e Edit) (db.Edit, error) {
	edit := db.Edit{
		Version: e.Version, Quality: e.Quality, ClearQuality: e.ClearQuality, Published: e.Published,
		Status: e.Status, Note: e.Note, ActorID: e.ActorID, Actor: e.Actor,
		Check: exportCheck,
	}
	if e.SetTopics {
		topics, err := s.canonicalTopics(ctx, e.Topics)
		if err != nil {
			return db.Edit{}, err
		}
		edit.Topics, edit.SetTopics = topics, !SameTopics(cur.Topics, topics)
	}
	return edit, nil
}

// onConflict decides a stale save: when the article already says what the
// editor asked for there is nothing to choose.
func (s *Service) onConflict(cur *db.Record, e Edit) Outcome {
	same := (e.Quality == nil || cur.HasQuality && cur.Quality == *e.Quality) &&
		(!e.ClearQuality || !cur.Edited.Quality) &&
		(!e.SetTopics || SameTopics(cur.Topics, e.Topics)) &&
		(e.Published == nil || cur.Published == *e.Published) &&
		(e.Status == nil || cur.Status == *e.Status) &&
		(e.Note == nil || cur.Note == *e.Note)
	return Outcome{Record: cur, Conflict: !same}
}

// shownTopics is the topic list as the review form shows it and posts it
// back: normalised like any submitted list. Import applies the same rules
// (article.NormalizeTopics), so a stored list always normalises.
func shownTopics(ts []string) []string {
	out, err := article.NormalizeTopics(ts)
	if err != nil {
		return ts
	}
	return out
}

// SameTopics reports whether submitted is the stored list as the review
// form shows it (normalised, see shownTopics), ignoring case as the store
// does: such a list posted back is no topics edit.
func SameTopics(stored, submitted []string) bool {
	return equalFold(shownTopics(stored), submitted)
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !article.SameTopic(a[i], b[i]) {
			return false
		}
	}
	return true
}

// canonicalTopics respells each topic as the store knows it and drops the
// repeats that respelling may reveal.
func (s *Service) canonicalTopics(ctx context.Context, in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		canon, err := s.store.CanonicalTopic(ctx, t)
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

// exportCheck refuses an edit whose result export could not write: it
// patches the stored original with the values the edit leaves, and on a
// failure names the field that causes it.
func exportCheck(next *db.Record) error {
	c := next.ExportChanges()
	if _, err := article.Patch(next.Article.Raw, c); err == nil {
		return nil
	}
	for _, one := range splitChanges(c) {
		if _, err := article.Patch(next.Article.Raw, one.changes); err != nil {
			return &FieldError{Field: one.field, Message: unwritable(one.field, err)}
		}
	}
	return &FieldError{Field: "topics", Message: "These values together cannot be written into this article's file; change one at a time."}
}

type fieldChanges struct {
	field   string
	changes article.Changes
}

func splitChanges(c article.Changes) []fieldChanges {
	var out []fieldChanges
	if c.Quality != nil {
		out = append(out, fieldChanges{"quality", article.Changes{Quality: c.Quality}})
	}
	if c.SetTopics {
		out = append(out, fieldChanges{"topics", article.Changes{Topics: c.Topics, SetTopics: true}})
	}
	if c.Published != nil {
		out = append(out, fieldChanges{"published", article.Changes{Published: c.Published}})
	}
	return out
}

func unwritable(field string, err error) string {
	reason := strings.TrimPrefix(err.Error(), article.ErrCannotPatch.Error()+": ")
	return fmt.Sprintf("The %s cannot be written into this article's file, so no export could carry it (%s). Nothing was saved.",
		field, reason)
}
