package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// UndoFor is the Undo button of the flash after a save that made version
// of article id: it undoes that save while nobody changed the article
// since, then shows the article in the queue from (a clean `from`, ""
// for none).
func UndoFor(id, version int64, from string) *views.UndoTarget {
	return &views.UndoTarget{ArticleID: id, Version: version, Latest: true, From: from}
}

// Undo serves POST /articles/:id/undo. Form fields: version, the article
// version the change to undo produced; latest=1 to undo it only while it
// is still the article's latest change (the flash and `u`), else while
// its fields still hold its values (the history); from, the queue to keep.
// It answers 303 to the article with a flash saying what was undone, or
// why nothing was; 400 when version is missing or names no change, 404
// for an unknown article.
func (a *Articles) Undo(c echo.Context) error {
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
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil || version <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The undo does not say which change to undo: reload the article and try again.")
	}
	from := cleanFrom(c.FormValue("from"))
	target := review.Target{Version: version, Latest: c.FormValue("latest") == "1"}
	out, err := a.review.Undo(ctx, id, target, user.ID, user.Username)
	if errors.Is(err, review.ErrNoSuchChange) {
		return echo.NewHTTPError(http.StatusBadRequest,
			fmt.Sprintf("No change of this article made its version %d: reload the article and try again.", version)).SetInternal(err)
	}
	flash := views.Flash{Kind: "error"}
	if msg, refused := a.notUndone(err, user); refused {
		flash.Text = msg
	} else if err != nil {
		return err
	} else {
		flash = views.Flash{Kind: "ok", Text: undoneText(rec.Article.Title, out.Undone, user),
			Undo: UndoFor(id, out.Record.Version, from)} // undoing the undo redoes
	}
	if err := a.sessions.AddFlash(c, flash); err != nil {
		return err
	}
	return redirect(c, articleURL(id, from))
}

// notUndone words a refusal from review.Undo; refused is false for any
// other error.
func (a *Articles) notUndone(err error, user *db.User) (msg string, refused bool) {
	var (
		since    *review.ChangedSinceError
		never    *review.NotUndoableError
		unfit    *review.FieldError
		conflict *db.ConflictError
	)
	switch {
	case errors.As(err, &since):
		who, when := actorName(since.Actor, user), a.clock(since.At)
		if since.Undone {
			return fmt.Sprintf("Not undone: %s undid this change already, at %s.", who, when), true
		}
		return fmt.Sprintf("Not undone: %s changed this article at %s.", who, when), true
	case errors.As(err, &never):
		return "Not undone: " + never.Reason, true
	case errors.As(err, &unfit):
		return "Not undone: " + unfit.Message, true
	case errors.As(err, &conflict), errors.Is(err, db.ErrConflict):
		return "Not undone: the article kept changing while we tried. Reload it and try again.", true
	}
	return "", false
}

// clock is a time in a flash: the hour on the day it is, the date too on
// any other.
func (a *Articles) clock(t time.Time) string {
	t = t.UTC()
	if y, m, d := t.Date(); a.now().UTC().Format("2006-01-02") == fmt.Sprintf("%04d-%02d-%02d", y, m, d) {
		return t.Format("15:04 UTC")
	}
	return dateOf(t).Text
}

// actorName is an audit actor as the viewer reads it: "you" for their own.
func actorName(actor string, viewer *db.User) string {
	if viewer != nil && strings.EqualFold(actor, viewer.Username) {
		return "you"
	}
	return actor
}

// Bounds of the undo flash, which travels in the session cookie (4096
// bytes for everything, up to 5 flashes).
const (
	flashTitleRunes = 80
	flashValueRunes = 40
	flashRunes      = 240
)

// undoneText is the flash after an undo: whose change to which article,
// and each value as it is again.
func undoneText(title string, ch review.Change, viewer *db.User) string {
	var parts []string
	for _, e := range ch.Entries {
		if v, ok := restoredValue(e); ok {
			parts = append(parts, e.Field+" back to "+v)
		}
	}
	whose := actorName(ch.Actor, viewer)
	if whose == "you" {
		whose = "your"
	} else {
		whose += "’s"
	}
	return clip(fmt.Sprintf("Undid %s change to “%s”: %s.", whose, clip(title, flashTitleRunes), strings.Join(parts, ", ")), flashRunes)
}

// restoredValue is the value an entry's undo wrote back, in words.
func restoredValue(e db.AuditEntry) (string, bool) {
	switch e.Field {
	case "quality", "topics", "published", "status", "note":
	default:
		return "", false
	}
	v := auditValue(e.Field, e.Old)
	if v.IsList {
		if len(v.Topics) == 0 {
			return "no topics", true
		}
		return clip(strings.Join(v.Topics, ", "), flashValueRunes), true
	}
	if e.Field == "note" {
		return "“" + clip(v.Text, flashValueRunes) + "”", true
	}
	return v.Text, true
}

// clip shortens s to n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// historyView is the review page's history of rec for viewer (entries as
// store.History returns them): the changes newest first, an Undo button
// on each that can be undone now, and the viewer's own last change as the
// target of "Undo my last change". from is the queue the page keeps.
func historyView(entries []db.AuditEntry, rec *db.Record, viewer *db.User, from string) views.HistoryView {
	changes := review.Changes(entries)
	var v views.HistoryView
	for i, ch := range changes {
		hc := views.HistoryChange{Actor: ch.Actor, At: dateOf(ch.At), Items: changeItems(ch.Entries)}
		if review.CanUndo(rec, changes, i, false) == nil {
			hc.Undo = &views.UndoTarget{ArticleID: rec.ID, Version: ch.Version, From: from}
		}
		if older, ok := review.Reverts(changes, i); ok {
			hc.Reverts = older.Actor + "’s change of " + dateOf(older.At).Text
		}
		if v.Mine == nil && viewer != nil && ch.UserID == viewer.ID && !ch.Import() &&
			review.FindChange(changes, ch.Version) == i {
			v.Mine = &views.UndoTarget{ArticleID: rec.ID, Version: ch.Version, Latest: true, From: from}
		}
		v.Changes = append(v.Changes, hc)
	}
	return v
}

// changeItems are the history's lines of one change: historyItems', with
// an import's file-side entry (db.FileSide: the file changed a value
// under an editor's, which stays) worded as the file's value, e.g. "the
// file’s quality".
func changeItems(entries []db.AuditEntry) []views.HistoryItem {
	items := historyItems(entries)
	for i, e := range entries {
		if field, ok := db.FileSide(e.Field); ok {
			items[i].Field = "the file’s " + field
			items[i].Old, items[i].New = auditValue(field, e.Old), auditValue(field, e.New)
		}
	}
	return items
}
