// Package views holds the templ components and the typed view models they
// render. It knows nothing of Echo or SQL: handlers build the models.
package views

import (
	"encoding/json"
	"strconv"
)

// Page is what the layout needs on every page.
type Page struct {
	Title   string  // the part before " · newsdesk" in the tab
	Nav     string  // current section: "queue", "topics", "dashboard", "export" or "users"
	User    *Viewer // nil when nobody is logged in
	CSRF    string  // token for forms and htmx requests
	Flashes []Flash // one-time messages from the previous request
}

// Viewer is the logged-in user as the layout shows them.
type Viewer struct {
	Name  string
	Admin bool
}

// Flash is a one-time message; Kind is "ok", "warn" or "error".
type Flash struct {
	Kind string
	Text string
	Undo *UndoTarget // an Undo button after the text; nil for none
	// BatchUndo is an Undo button for a whole bulk action; nil for none.
	BatchUndo *BatchUndoTarget
}

// BatchUndoTarget is a bulk action (a batch) an Undo button reverts.
type BatchUndoTarget struct {
	BatchID int64
	From    string // the queue to go back to afterwards; "" for the history
}

// Action is the URL the batch's Undo button posts to.
func (u BatchUndoTarget) Action() string {
	return "/bulk/" + strconv.FormatInt(u.BatchID, 10) + "/undo"
}

// UndoTarget is a change an Undo button reverts: the one that made
// article ArticleID's version Version (see review.Target).
type UndoTarget struct {
	ArticleID int64
	Version   int64
	// Latest undoes it only while it is the article's latest change (the
	// flash's Undo and the `u` key); otherwise while the fields it changed
	// still hold its values (the history's buttons). A flash's Undo is
	// always Latest.
	Latest bool
	From   string // the queue to go back to afterwards (a clean `from`, see handlers)
}

// Action is the URL the Undo button posts to.
func (u UndoTarget) Action() string {
	return "/articles/" + strconv.FormatInt(u.ArticleID, 10) + "/undo"
}

// csrfHeader is the hx-headers value that sends the CSRF token with every
// htmx request.
func csrfHeader(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token}) // cannot fail for a string map
	return string(b)
}
