package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// TopicStore is what the topics page needs of the database.
type TopicStore interface {
	review.Store // renames go through the workflow's bulk engine
	TopicCounts(ctx context.Context, q db.TopicQuery) (db.TopicPage, error)
	TopicByName(ctx context.Context, name string) (db.TopicCount, error)
}

// Topics serves the topics page: the topics in use with their counts, and
// renaming or merging one (through review's bulk actions, so a rename is
// audited per article, applied in one transaction and undone as a whole).
type Topics struct {
	store    TopicStore
	review   *review.Service
	sessions Sessions
	runner   *bulkRunner // renames too large for a request run as its jobs
	syncMax  int         // the most articles a rename changes within the request (as Bulk's)
	pageSize int         // topics per page
}

// NewTopics returns the topics page handlers.
func NewTopics(store TopicStore, s Sessions) *Topics {
	svc := review.New(store)
	return &Topics{store: store, review: svc, sessions: s, runner: newBulkRunner(svc, s, nil, "/topics/jobs/", "topics"),
		syncMax: bulkSyncMax, pageSize: db.DefaultTopicLimit}
}

// List is GET /topics. Parameters: q, part of a topic's name; offset, the
// position of the page's first topic; from, a topic to fill into the
// rename form (the rows' "Rename or merge" links).
func (h *Topics) List(c echo.Context) error {
	return h.render(c, http.StatusOK, views.RenameForm{From: cleanText(c.QueryParam("from"), maxFilterLen)})
}

// Rename is POST /topics/rename, in two steps. Without `snapshot` (the
// form): it checks from and to, stores the articles that have `from` now
// as a snapshot and answers 200 with the confirmation, which names the
// count. With `snapshot` (the confirmation): it renames `from` to `to` on
// exactly the snapshot's articles, merging when `to` is a topic in use,
// and answers 303 to the list with a flash and its Undo; a rename of more
// articles than a request should hold the writer for (Bulk's limit) runs
// as a job, outside the request's deadline, and the answer is 303 to its
// progress page (see Progress), which lands on the list with the same
// flash. A form that does not pass is shown again with its messages: 404
// for a topic the store does not know, 422 for the rest; nothing is
// written.
func (h *Topics) Rename(c echo.Context) error {
	user := CurrentUser(c)
	if user == nil {
		return echo.NewHTTPError(http.StatusUnauthorized, "Please log in again.")
	}
	ctx := c.Request().Context()
	form := views.RenameForm{From: strings.TrimSpace(c.FormValue("from")), To: strings.TrimSpace(c.FormValue("to"))}
	plan, status, err := h.plan(ctx, &form)
	if err != nil {
		return err
	}
	if form.Errors.Any() {
		return h.render(c, formStatus(c, status), form)
	}
	q := cleanText(c.FormValue("q"), maxFilterLen)
	raw := c.FormValue("snapshot")
	if raw == "" {
		return h.confirm(c, plan, q, user)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The confirmation does not say which articles to change: start the rename again.")
	}
	action := review.BulkAction{Kind: review.BulkRenameTopic, Topic: plan.from, To: plan.to}
	snap, err := h.review.CheckSnapshot(ctx, id, user.ID)
	if err == nil && snap.Action != action {
		// Taken for another action (the queue's, or a rename the topics
		// have since made different): never run this one on it.
		err = review.ErrActionMismatch
	}
	if err == nil && snap.Count > h.syncMax {
		return redirect(c, h.runner.start(ctx, user, snap, action, renameLanding(plan, q)))
	}
	var out review.BatchOutcome
	if err == nil {
		out, err = h.review.Bulk(ctx, id, action, user.ID, user.Username, nil)
	}
	if msg, status := bulkRefusal(err); msg != "" {
		form.Errors.From = msg
		return h.render(c, formStatus(c, status), form)
	}
	var fe *review.FieldError
	if errors.As(err, &fe) {
		form.Errors.To = fe.Message
		return h.render(c, formStatus(c, http.StatusUnprocessableEntity), form)
	}
	if err != nil {
		return err
	}
	return h.runner.land(c, renameLanding(plan, q), out)
}

// Progress serves GET /topics/jobs/:job: the progress page of a rename
// run as a job, as Bulk.Progress serves the queue's.
func (h *Topics) Progress(c echo.Context) error { return h.runner.progress(c) }

// renameLanding is where a rename ends: its flash, on the list filtered
// by q.
func renameLanding(p renamePlan, q string) jobLanding {
	return func(out review.BatchOutcome) (views.Flash, string) {
		return renamedFlash(p, out), views.TopicsURL(q, 0)
	}
}

// renamePlan is a checked rename: from and to in the spelling to use,
// and whether the two topics merge.
type renamePlan struct {
	from, to string
	merge    bool
}

// plan checks the form, writing its messages into f.Errors, and returns
// what to do with the status for a refusal; an error is the store's. Rules: from is a topic some
// article has; to passes article.CheckTopic and is not from's name
// already. A to that is another topic in use (compared as the store
// compares topics) is a merge, into that topic's spelling; a to that
// differs from from only in case respells it.
func (h *Topics) plan(ctx context.Context, f *views.RenameForm) (renamePlan, int, error) {
	status := http.StatusUnprocessableEntity
	var p renamePlan
	switch from, err := h.store.TopicByName(ctx, f.From); {
	case f.From == "":
		f.Errors.From = "Choose the topic to rename."
	case errors.Is(err, db.ErrNotFound):
		f.Errors.From = "There is no topic “" + f.From + "”: pick one from the list."
		status = http.StatusNotFound
	case err != nil:
		return p, 0, err
	case from.Total == 0:
		f.Errors.From = "No article has “" + from.Name + "” any more, so there is nothing to rename."
	default:
		p.from = from.Name
	}
	var te *article.TopicError
	if err := article.CheckTopic(f.To); errors.As(err, &te) {
		f.Errors.To = "The new name " + te.Reason + "."
	} else if p.from != "" && f.To == p.from {
		f.Errors.To = "“" + p.from + "” is its name already: type another name."
	}
	if f.Errors.Any() {
		return p, status, nil
	}
	p.to = f.To
	to, err := h.store.TopicByName(ctx, f.To)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return p, 0, err
	case !article.SameTopic(to.Name, p.from):
		// The store's spelling wins (review.Bulk uses it too); a topic no
		// article has any more is taken over, not merged.
		p.to, p.merge = to.Name, to.Total > 0
	}
	return p, status, nil
}

// confirm takes the snapshot of the articles that have the topic now and
// shows its count with the button that applies the rename to them.
func (h *Topics) confirm(c echo.Context, p renamePlan, q string, user *db.User) error {
	snap, err := h.review.SnapshotTopic(c.Request().Context(), review.BulkAction{Kind: review.BulkRenameTopic, Topic: p.from, To: p.to}, user.ID)
	if err != nil {
		return err
	}
	if snap.Count == 0 { // the last one lost the topic since plan looked
		return h.render(c, formStatus(c, http.StatusUnprocessableEntity), views.RenameForm{From: p.from, To: p.to,
			Errors: views.RenameErrors{From: "No article has “" + p.from + "” any more, so there is nothing to rename."}})
	}
	page, err := pageFor(c, h.sessions, "Rename “"+p.from+"”", "topics")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.RenameConfirmPage(page, views.RenameConfirm{
		From: p.from, To: p.to, Merge: p.merge, Count: snap.Count, SnapshotID: snap.ID, Q: q,
	}))
}

// bulkRefusal words the snapshot errors of review.Bulk for the form, with
// the status to answer; "" for any other error.
func bulkRefusal(err error) (string, int) {
	switch {
	case errors.Is(err, db.ErrSnapshotExpired):
		return "The count was taken too long ago: press Continue for a fresh one.", http.StatusConflict
	case errors.Is(err, db.ErrNotOwner):
		return "That count was taken by someone else: press Continue for your own.", http.StatusForbidden
	case errors.Is(err, db.ErrNotFound):
		return "There is no such count: press Continue for a fresh one.", http.StatusNotFound
	case errors.Is(err, review.ErrActionMismatch):
		return "That count was taken for another action: press Continue for a fresh one.", http.StatusConflict
	}
	return "", 0
}

// renamedFlash says what a rename did, with the Undo of the whole batch,
// and which articles of the count it left alone and why.
func renamedFlash(p renamePlan, out review.BatchOutcome) views.Flash {
	var notes []string
	if out.Skipped > 0 {
		notes = append(notes, views.Articles(out.Skipped)+" changed by someone since the count")
	}
	if out.Refused > 0 {
		notes = append(notes, views.Articles(out.Refused)+" that could not take the new name: "+refusalsText(out))
	}
	if out.Changed == 0 && out.Unchanged > 0 {
		notes = append(notes, views.Articles(out.Unchanged)+" that had the new name already")
	}
	left := ""
	if len(notes) > 0 {
		left = " Left alone: " + strings.Join(notes, "; ") + "."
	}
	if out.Changed == 0 {
		return views.Flash{Kind: "warn", Text: "Nothing renamed." + left}
	}
	verb := "Renamed “" + p.from + "” to “" + p.to + "”"
	if p.merge {
		verb = "Merged “" + p.from + "” into “" + p.to + "”"
	}
	return views.Flash{Kind: "ok", Text: verb + " on " + views.Articles(out.Changed) + "." + left,
		BatchUndo: &views.BatchUndoTarget{BatchID: out.BatchID}}
}

// render shows the list (filter q and offset from the request) with the
// rename form f.
func (h *Topics) render(c echo.Context, status int, f views.RenameForm) error {
	q := cleanText(c.FormValue("q"), maxFilterLen)
	offset, err := strconv.Atoi(c.QueryParam("offset"))
	if err != nil || offset < 0 {
		offset = 0
	}
	ctx := c.Request().Context()
	pg, err := h.store.TopicCounts(ctx, db.TopicQuery{Q: q, Limit: h.pageSize, Offset: offset})
	if err == nil && len(pg.Items) == 0 && offset > 0 && pg.Total > 0 {
		// Past the end (the list shrank, or a hand-made URL): the last page.
		offset = (pg.Total - 1) / h.pageSize * h.pageSize
		pg, err = h.store.TopicCounts(ctx, db.TopicQuery{Q: q, Limit: h.pageSize, Offset: offset})
	}
	if err != nil {
		return err
	}
	v := views.TopicsView{Q: q, Rename: f, ClearURL: views.TopicsURL("", 0)}
	for _, t := range pg.Items {
		v.Rows = append(v.Rows, views.TopicRow{Name: t.Name, Total: t.Total, Pending: t.Pending})
	}
	v.Range = views.PageRange{From: offset + 1, To: offset + len(v.Rows), Of: views.Count{N: pg.Total}}
	if offset > 0 {
		v.PrevURL = views.TopicsURL(q, max(offset-h.pageSize, 0))
	}
	if offset+len(v.Rows) < pg.Total {
		v.NextURL = views.TopicsURL(q, offset+h.pageSize)
	}
	p, err := pageFor(c, h.sessions, "Topics", "topics")
	if err != nil {
		return err
	}
	return render(c, status, views.Topics(p, v))
}
