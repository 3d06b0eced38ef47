package handlers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// Bulk serves bulk actions: the queue's form makes a snapshot, the
// confirmation page shows its exact count, Confirm runs the action (as a
// job with a progress page when it is large), and the history lists
// every bulk action with its Undo.
type Bulk struct {
	review   *review.Service
	sessions Sessions
	runner   *bulkRunner
	// syncMax is the largest snapshot run within the request; a larger
	// one runs as a job, and the editor watches its progress.
	syncMax int
}

// bulkSyncMax is Bulk.syncMax: a queue page's worth of articles, which
// takes a fraction of a second.
const bulkSyncMax = db.MaxLimit

// NewBulk returns the bulk handlers. store must also implement
// review.BulkStore (db.Store does).
func NewBulk(store review.Store, s Sessions, log *slog.Logger) *Bulk {
	if log == nil {
		log = slog.Default()
	}
	svc := review.New(store)
	return &Bulk{review: svc, sessions: s, runner: newBulkRunner(svc, s, log, "/bulk/jobs/", "queue"), syncMax: bulkSyncMax}
}

// bulkForm is what the queue's bulk form posts: the action, and the
// queue it came from.
type bulkForm struct {
	action review.BulkAction
	from   string // a clean queue query
}

// parseBulkForm reads and validates the action; a bad one is a 422 that
// says what is wrong (from is read whatever happens, for the way back).
func parseBulkForm(c echo.Context) (bulkForm, error) {
	f := bulkForm{from: cleanFrom(c.FormValue("from"))}
	kind := c.FormValue("action")
	f.action = review.BulkAction{Kind: review.BulkKind(kind), Topic: c.FormValue("topic")}
	if !isMenuAction(f.action.Kind) {
		return f, echo.NewHTTPError(http.StatusUnprocessableEntity,
			fmt.Sprintf("Unknown bulk action %q: choose one of the list.", cleanText(kind, 40)))
	}
	if f.action.Kind == review.BulkSetQuality {
		q, err := strconv.Atoi(strings.TrimSpace(c.FormValue("quality")))
		if err != nil {
			return f, echo.NewHTTPError(http.StatusUnprocessableEntity, "Set quality needs a whole number from 0 to 100 in the Quality field.")
		}
		f.action.Quality = q
	}
	a, err := f.action.Validate()
	var fe *review.FieldError
	if errors.As(err, &fe) {
		return f, echo.NewHTTPError(http.StatusUnprocessableEntity, fe.Message)
	}
	f.action = a
	return f, err
}

func isMenuAction(k review.BulkKind) bool {
	for _, m := range review.BulkKinds {
		if k == m {
			return true
		}
	}
	return false
}

// maxFormIDs bounds the ids one form may post; the store takes as many
// (db.MaxSnapshotIDs). A queue page has at most db.MaxLimit rows.
const maxFormIDs = db.MaxSnapshotIDs

// Snapshot serves POST /bulk/snapshots: scope=selected takes the ticked
// ids with the versions their rows showed (see formSeen), scope=all every article matching the queue's filters (from). It
// answers 303 to the confirmation page; 422 for a bad action, an empty
// selection or too many ids.
// The snapshot is taken for the form's action, and only that action can
// run on it (see Run). A refused form is a page that says why, whose link
// goes back to the queue with its filters.
func (b *Bulk) Snapshot(c echo.Context) error {
	user := CurrentUser(c)
	f, err := parseBulkForm(c)
	if err != nil {
		return b.formError(c, f.from, err)
	}
	ctx := c.Request().Context()
	var snap review.Snapshot
	switch c.FormValue("scope") {
	case "all":
		filters := fromFilters(f.from)
		snap, err = b.review.SnapshotQuery(ctx, filters.query, f.action, user.ID)
	case "selected":
		seen, perr := formSeen(c)
		if perr != nil {
			return b.formError(c, f.from, perr)
		}
		snap, err = b.review.SnapshotSeen(ctx, seen, f.action, user.ID)
	default:
		return b.formError(c, f.from, echo.NewHTTPError(http.StatusBadRequest, "Choose “Apply to selected” or “Apply to all matching”."))
	}
	var fe *review.FieldError
	if errors.As(err, &fe) {
		return b.formError(c, f.from, echo.NewHTTPError(http.StatusUnprocessableEntity, fe.Message))
	}
	if err != nil {
		return err
	}
	if snap.Count == 0 { // the store kept no snapshot
		return b.formError(c, f.from, echo.NewHTTPError(http.StatusUnprocessableEntity, "No article matches any more: nothing to do."))
	}
	v := url.Values{"from": {f.from}}
	return redirect(c, "/bulk/snapshots/"+strconv.FormatInt(snap.ID, 10)+"?"+v.Encode())
}

// formError answers a refused bulk form (err an *echo.HTTPError with a
// message for the editor; any other error goes to the error handler) with
// a page whose way back keeps the queue's filters (from).
func (b *Bulk) formError(c echo.Context, from string, err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	msg, _ := he.Message.(string)
	p, perr := pageFor(c, b.sessions, "Bulk action not started", "queue")
	if perr != nil {
		return perr
	}
	return render(c, he.Code, views.BulkFormError(p, views.BulkFormErrorView{Code: he.Code, Message: msg, BackURL: queueURL(from)}))
}

// formSeen reads the ticked ids, each with the version its row showed
// (field "version-ID", beside the row's checkbox): at most maxFormIDs,
// each a positive integer; none is a 422. A tick without its version is
// a form from before versions were sent: refused (409), since what the
// editor saw is unknown and applying it could overwrite a newer change.
func formSeen(c echo.Context) ([]db.Seen, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.").SetInternal(err)
	}
	raw := form["ids"]
	if len(raw) > maxFormIDs {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%d articles were sent; at most %d can be at once. Use “Apply to all matching” with a filter instead.", len(raw), maxFormIDs))
	}
	if len(raw) == 0 {
		return nil, echo.NewHTTPError(http.StatusUnprocessableEntity, "No article is selected: tick the articles to change, or use “Apply to all matching”.")
	}
	seen := make([]db.Seen, len(raw))
	for i, s := range raw {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("%q is not an article id.", cleanText(s, 20)))
		}
		seen[i].ID = id
	}
	for i := range seen {
		v, err := strconv.ParseInt(form.Get(views.VersionField(seen[i].ID)), 10, 64)
		if err != nil || v <= 0 {
			return nil, echo.NewHTTPError(http.StatusConflict,
				"This selection does not say which version of each article you saw (the page is older than the form): reload the queue and tick again, so nobody's newer change is overwritten.")
		}
		seen[i].Version = v
	}
	return seen, nil
}

// snapshotID reads :id; anything but a positive integer is a 404.
func snapshotID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No such bulk action.")
	}
	return id, nil
}

// snapshotError turns the store's refusals of a snapshot into pages that
// say what happened.
func snapshotError(err error) error {
	switch {
	case errors.Is(err, db.ErrNotOwner):
		return echo.NewHTTPError(http.StatusForbidden, "This selection was made by another editor: make your own from the queue.").SetInternal(err)
	case errors.Is(err, db.ErrSnapshotExpired):
		return echo.NewHTTPError(http.StatusGone, "This selection is more than an hour old: go back to the queue and select again.").SetInternal(err)
	case errors.Is(err, db.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "This selection does not exist (any more): it was used already, or is too old. Go back to the queue and select again.").SetInternal(err)
	}
	return err
}

// Confirm serves GET /bulk/snapshots/:id?from=...: the exact count and
// the action the snapshot was taken for (never one from the URL), with
// Confirm.
func (b *Bulk) Confirm(c echo.Context) error {
	snap, err := b.queueSnapshot(c)
	if err != nil {
		return err
	}
	from := cleanFrom(c.QueryParam("from"))
	p, err := pageFor(c, b.sessions, "Confirm the bulk action", "queue")
	if err != nil {
		return err
	}
	a := snap.Action
	v := views.BulkConfirmView{
		SnapshotID: snap.ID, Count: views.Count{N: snap.Count}, Action: a.Describe(), Prep: preposition[a.Kind],
		Kind: string(a.Kind), Topic: a.Topic, From: from, CancelURL: queueURL(from),
	}
	if a.Kind == review.BulkSetQuality {
		v.Quality = strconv.Itoa(a.Quality)
	}
	return render(c, http.StatusOK, views.BulkConfirm(p, v))
}

// queueSnapshot reads snapshot :id of the current user, which must have
// been taken for an action of the queue's menu (a topic rename's is run
// from the topics page only: 409).
func (b *Bulk) queueSnapshot(c echo.Context) (review.Snapshot, error) {
	id, err := snapshotID(c)
	if err != nil {
		return review.Snapshot{}, err
	}
	snap, err := b.review.CheckSnapshot(c.Request().Context(), id, CurrentUser(c).ID)
	if err != nil {
		return snap, snapshotError(err)
	}
	if !isMenuAction(snap.Action.Kind) {
		return snap, echo.NewHTTPError(http.StatusConflict, "This selection was made for another page's action (a topic rename): confirm it there, or make a new selection from the queue.")
	}
	return snap, nil
}

// errOtherAction answers a confirmation whose posted action is not the
// one its snapshot was taken for.
var errOtherAction = echo.NewHTTPError(http.StatusConflict,
	"This confirmation is for another action than the selection was made for (an old form, or one changed by hand): nothing was changed. Go back to the queue and select again.")

// preposition joins an action to its count on the confirmation page.
var preposition = map[review.BulkKind]string{
	review.BulkAddTopic: "to", review.BulkRemoveTopic: "from", review.BulkSetQuality: "on", review.BulkRenameTopic: "on",
}

// Run serves POST /bulk/snapshots/:id: it runs the action on the
// snapshot. A small one runs now and answers 303 to the queue with a
// flash and its Undo; a large one runs as a job, and the answer is 303 to
// its progress page.
// It runs the action the snapshot was taken for; a form that posts
// another action (action, topic, quality) is refused with 409 and nothing
// changes. A form without the action fields runs the snapshot's.
func (b *Bulk) Run(c echo.Context) error {
	snap, err := b.queueSnapshot(c)
	if err != nil {
		return err
	}
	user := CurrentUser(c)
	from := cleanFrom(c.FormValue("from"))
	if c.FormValue("action") != "" {
		f, err := parseBulkForm(c)
		if err != nil || f.action != snap.Action {
			return errOtherAction
		}
	}
	land := queueLanding(snap.Action, from)
	if snap.Count <= b.syncMax {
		out, err := b.review.Bulk(c.Request().Context(), snap.ID, snap.Action, user.ID, user.Username, nil)
		if errors.Is(err, review.ErrActionMismatch) {
			return errOtherAction
		}
		if err != nil {
			return snapshotError(err)
		}
		return b.runner.land(c, land, out)
	}
	return redirect(c, b.runner.start(c.Request().Context(), user, snap, snap.Action, land))
}

// queueLanding is where an action of the queue's form ends: a flash
// saying what it did, with an Undo of the whole batch, on the queue
// (from, its filters).
func queueLanding(a review.BulkAction, from string) jobLanding {
	return func(out review.BatchOutcome) (views.Flash, string) {
		flash := views.Flash{Kind: "ok", Text: outcomeText(a, out)}
		if out.Changed > 0 {
			flash.BatchUndo = &views.BatchUndoTarget{BatchID: out.BatchID, From: from}
		}
		return flash, queueURL(from)
	}
}

// pastTense are the flash's verbs.
var pastTense = map[review.BulkKind]string{
	review.BulkApprove: "Approved", review.BulkReject: "Rejected", review.BulkPublish: "Published",
	review.BulkUnpublish: "Unpublished",
}

// outcomeText says what a bulk action did: "Approved 50,000 articles."
// and the ones it left alone, and why.
func outcomeText(a review.BulkAction, out review.BatchOutcome) string {
	n := func(k int) string {
		if k == 1 {
			return "1 article"
		}
		return views.Count{N: k}.String() + " articles"
	}
	var s string
	if verb, ok := pastTense[a.Kind]; ok {
		s = verb + " " + n(out.Changed) + "."
	} else {
		s = capitalize(a.Describe()) + ": " + n(out.Changed) + " changed."
	}
	if out.Unchanged > 0 {
		s += " " + unchangedText(a.Kind, out.Unchanged, n(out.Unchanged))
	}
	if out.Skipped > 0 {
		s += " " + n(out.Skipped) + " left alone: changed by someone since the count."
	}
	if out.Refused > 0 {
		s += " " + n(out.Refused) + " left alone: " + refusalsText(out) + "."
	}
	return s
}

// clipText is s cleaned and cut to max runes, with "…" when cut.
func clipText(s string, max int) string {
	if c := cleanText(s, max); c != strings.TrimSpace(s) {
		return c + "…"
	}
	return s
}

// unchangedText says why k articles (nk, "3 articles") needed no change.
func unchangedText(kind review.BulkKind, k int, nk string) string {
	state := map[review.BulkKind]string{
		review.BulkApprove: "approved", review.BulkReject: "rejected",
		review.BulkPublish: "published", review.BulkUnpublish: "unpublished",
	}
	switch {
	case kind == review.BulkRemoveTopic:
		return nk + " did not have it."
	case state[kind] != "" && k == 1:
		return nk + " was " + state[kind] + " already."
	case state[kind] != "":
		return nk + " were " + state[kind] + " already."
	}
	return nk + " had it already."
}

// refusalsText names the refused articles the outcome lists (the first
// few, each with why) and how many more there are.
func refusalsText(out review.BatchOutcome) string {
	parts := make([]string, len(out.Refusals))
	for i, r := range out.Refusals {
		parts[i] = "“" + clipText(r.Title, 80) + "” (" + clipText(r.Reason, 200) + ")"
	}
	s := strings.Join(parts, "; ")
	if more := out.Refused - len(out.Refusals); more > 0 {
		s += fmt.Sprintf("; and %s more", views.Count{N: more})
	}
	if s == "" {
		s = "their files cannot carry the change, or it breaks a topic rule"
	}
	return s
}

// Progress serves GET /bulk/jobs/:job: the progress page of a running
// job (see bulkRunner.progress).
func (b *Bulk) Progress(c echo.Context) error { return b.runner.progress(c) }

// Undo serves POST /bulk/:id/undo: it reverts a whole bulk action and
// answers 303 to from (a queue) or the history, with a flash saying what
// it did; 404 for no such action, 409 when it was undone already.
func (b *Bulk) Undo(c echo.Context) error {
	id, err := snapshotID(c)
	if err != nil {
		return err
	}
	user := CurrentUser(c)
	back := "/bulk"
	if c.FormValue("from") != "" {
		back = queueURL(cleanFrom(c.FormValue("from")))
	}
	out, err := b.review.UndoBatch(c.Request().Context(), id, user.ID, user.Username)
	switch {
	case errors.Is(err, db.ErrBatchUndone):
		return echo.NewHTTPError(http.StatusConflict, "This bulk action was undone already: see the bulk history.").SetInternal(err)
	case errors.Is(err, review.ErrUndoOfUndo):
		return echo.NewHTTPError(http.StatusConflict, "This is an undo, which cannot be undone: make the change again instead.").SetInternal(err)
	case errors.Is(err, db.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "No such bulk action.").SetInternal(err)
	case err != nil:
		return err
	}
	text := fmt.Sprintf("Undid bulk action #%d: %s restored.", id, plural(out.Changed, "article"))
	if out.Skipped > 0 {
		text += fmt.Sprintf(" %s left alone: changed by someone since.", plural(out.Skipped, "article"))
	}
	if out.Refused > 0 {
		text += fmt.Sprintf(" %s left alone: their files cannot carry the old values.", plural(out.Refused, "article"))
	}
	if err := b.sessions.AddFlash(c, views.Flash{Kind: "ok", Text: text}); err != nil {
		return err
	}
	return redirect(c, back)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return views.Count{N: n}.String() + " " + word + "s"
}

// historySize is how many bulk actions the history shows.
const historySize = 100

// History serves GET /bulk: the latest bulk actions, newest first.
func (b *Bulk) History(c echo.Context) error {
	list, err := b.review.Batches(c.Request().Context(), historySize)
	if err != nil {
		return err
	}
	var v views.BulkHistoryView
	for _, bi := range list {
		v.Rows = append(v.Rows, historyRow(bi))
	}
	p, err := pageFor(c, b.sessions, "Bulk actions", "queue")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.BulkHistory(p, v))
}

func historyRow(bi db.BatchInfo) views.BulkHistoryRow {
	a := review.ActionOf(bi)
	r := views.BulkHistoryRow{
		ID: bi.BatchID, When: dateOf(bi.At), Actor: bi.Actor, Action: a.Describe(),
		Changed: bi.Changed, Unchanged: bi.Unchanged, Skipped: bi.Skipped, Refused: bi.Refused,
	}
	if a.Kind == review.BulkUndo {
		r.Action = fmt.Sprintf("undo of #%d", bi.Undoes)
	}
	switch {
	case bi.UndoneBy != 0:
		r.Undone = fmt.Sprintf("undone (#%d, %s)", bi.UndoneBy, dateOf(bi.UndoneAt).Text)
	case bi.Changed > 0 && a.Kind != review.BulkUndo:
		r.Undo = &views.BatchUndoTarget{BatchID: bi.BatchID}
	}
	return r
}

// bulkRunner runs bulk actions too large for a request as jobs, and
// serves their progress pages: the queue's bulk form and the topics page
// share it (each with its own jobs and progress path).
type bulkRunner struct {
	review   *review.Service
	sessions Sessions
	jobs     *bulkJobs
	log      *slog.Logger
	path     string // the progress pages' path, the job's id appended: "/bulk/jobs/"
	nav      string // the menu entry the progress page marks
}

func newBulkRunner(svc *review.Service, s Sessions, log *slog.Logger, path, nav string) *bulkRunner {
	if log == nil {
		log = slog.Default()
	}
	return &bulkRunner{review: svc, sessions: s, jobs: newBulkJobs(), log: log, path: path, nav: nav}
}

// jobLanding is where a finished action lands: the flash that says what
// it did, and the page to show it on.
type jobLanding func(out review.BatchOutcome) (views.Flash, string)

// start runs action a on snap of user as a job and returns the path of
// its progress page. The job outlives the request: its context keeps the
// request's values but neither its deadline nor its cancellation.
func (r *bulkRunner) start(ctx context.Context, user *db.User, snap review.Snapshot, a review.BulkAction, land jobLanding) string {
	j := r.jobs.start(user.ID, a.Describe(), land, snap.Count)
	ctx = context.WithoutCancel(ctx)
	go func() {
		out, err := r.review.Bulk(ctx, snap.ID, a, user.ID, user.Username, j.progress)
		if err != nil {
			r.log.Error("bulk action", "job", j.id, "action", a.Describe(), "err", err)
		}
		j.end(out, err)
	}()
	return r.path + j.id
}

// land answers a finished action: its flash, and 303 to its page.
func (r *bulkRunner) land(c echo.Context, to jobLanding, out review.BatchOutcome) error {
	flash, url := to(out)
	if err := r.sessions.AddFlash(c, flash); err != nil {
		return err
	}
	return redirect(c, url)
}

// progress serves a job's progress page, which reloads itself every
// second (the Refresh header works without JavaScript); once the job is
// done, it lands (see jobLanding). A job is its starter's: anyone else
// gets a 404.
func (r *bulkRunner) progress(c echo.Context) error {
	user := CurrentUser(c)
	j := r.jobs.get(c.Param("job"), user.ID)
	if j == nil {
		// With several servers on one database, the job may run on another
		// (see bulkJobs): say so, and where its result will show.
		p, err := pageFor(c, r.sessions, "Action not running here", r.nav)
		if err != nil {
			return err
		}
		return render(c, http.StatusNotFound, views.BulkJobElsewhere(p))
	}
	done, total, finished, out, err := j.state()
	if finished {
		if !j.markLanded() {
			// Seen once already (a reload, another tab): its flash was
			// shown; the history has its outcome and its Undo.
			return redirect(c, "/bulk")
		}
		if err != nil {
			return snapshotError(err)
		}
		return r.land(c, j.land, out)
	}
	p, perr := pageFor(c, r.sessions, "Working…", r.nav)
	if perr != nil {
		return perr
	}
	c.Response().Header().Set("Refresh", "1")
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.BulkProgress(p, views.BulkProgressView{
		Action: j.action, Done: done, Total: total,
	}))
}

// bulkJobs are the bulk actions running in the background, by id. They
// live in memory: a job's changes are one uncommitted transaction until
// it ends, so there is nothing to share with another process before then.
// So with several servers on one database, a job's progress page is on
// the server that runs it: behind a proxy that does not keep a browser
// on one server (session affinity), a reload may reach another, which
// answers 404 and points to the shared bulk history, where the result
// appears. Each job is visible to its starter only.
type bulkJobs struct {
	mu   sync.Mutex
	jobs map[string]*bulkJob
}

// jobKeep is how long a finished job is kept, so a reload of its
// progress page (or another tab) finds it and goes to the history rather
// than to a 404.
const jobKeep = 10 * time.Minute

func newBulkJobs() *bulkJobs { return &bulkJobs{jobs: map[string]*bulkJob{}} }

type bulkJob struct {
	id     string
	userID int64
	action string // what it does, for the progress page
	land   jobLanding

	mu          sync.Mutex
	done, total int
	finished    bool
	landed      bool // its outcome was shown (see markLanded)
	endedAt     time.Time
	out         review.BatchOutcome
	err         error
}

func (js *bulkJobs) start(userID int64, action string, land jobLanding, total int) *bulkJob {
	j := &bulkJob{id: rand.Text(), userID: userID, action: action, land: land, total: total}
	js.mu.Lock()
	defer js.mu.Unlock()
	for id, old := range js.jobs { // forget jobs nobody came back for
		if _, _, fin, _, _ := old.state(); fin && time.Since(old.ended()) > jobKeep {
			delete(js.jobs, id)
		}
	}
	js.jobs[j.id] = j
	return j
}

// get returns job id if userID started it, else nil.
func (js *bulkJobs) get(id string, userID int64) *bulkJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	j := js.jobs[id]
	if j == nil || j.userID != userID {
		return nil
	}
	if _, _, fin, _, _ := j.state(); fin && time.Since(j.ended()) > jobKeep {
		delete(js.jobs, id)
		return nil
	}
	return j
}

// markLanded records that the finished job's outcome is being shown, and
// says whether this is the first time.
func (j *bulkJob) markLanded() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	first := !j.landed
	j.landed = true
	return first
}

func (j *bulkJob) progress(done, total int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.done, j.total = done, total
}

func (j *bulkJob) end(out review.BatchOutcome, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.finished, j.endedAt, j.out, j.err = true, time.Now(), out, err
}

func (j *bulkJob) ended() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.endedAt
}

func (j *bulkJob) state() (done, total int, finished bool, out review.BatchOutcome, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done, j.total, j.finished, j.out, j.err
}
