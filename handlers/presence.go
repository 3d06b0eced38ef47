package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// PresenceStore is what presence needs of the database (db/presence.go):
// who has which review page open, kept in the database so that several
// servers on one database see the same editors.
type PresenceStore interface {
	// OpenArticle records user on article at now and ends the user's
	// presence on every other article.
	OpenArticle(ctx context.Context, articleID, userID int64, now time.Time) error
	// ClaimArticle is OpenArticle only if no other user has article
	// open now, checked and written atomically: claimed is false, and
	// nothing written, when another has (or, on PostgreSQL, when the
	// article stayed locked too long); db.ErrNotFound (wrapped) when
	// there is no such article.
	ClaimArticle(ctx context.Context, articleID, userID int64, now time.Time) (claimed bool, err error)
	// RenewPresence is a review page's heartbeat; db.ErrNotFound
	// (wrapped) when there is no such article.
	RenewPresence(ctx context.Context, articleID, userID int64, now time.Time) error
	// OpenBy gives, per article of ids (every article when ids is
	// empty), the other editors who have it open now, sorted.
	OpenBy(ctx context.Context, ids []int64, except int64, now time.Time) (map[int64][]string, error)
}

// presenceURL is an article's heartbeat.
func presenceURL(id int64) string { return articleURL(id, "") + "/presence" }

// Heartbeat serves POST /articles/:id/presence, which the review page
// sends every 5 s while it is open: it renews the editor's presence and
// answers with the page's presence line (views.PresenceNote), naming the
// other editors on the article; 204 when the page names them already
// (views.PresenceShown).
func (a *Articles) Heartbeat(c echo.Context) error {
	ctx := c.Request().Context()
	user := CurrentUser(c)
	if user == nil {
		return echo.NewHTTPError(http.StatusUnauthorized, "Please log in again.")
	}
	id, err := articleID(c)
	if err != nil {
		return err
	}
	// No a.record: a heartbeat every 5 s must not read the article's
	// bytes. RenewPresence knows whether the article exists.
	others, err := a.othersOn(ctx, id, user.ID, func(ctx context.Context, now time.Time) error {
		return a.store.RenewPresence(ctx, id, user.ID, now)
	})
	if errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "No such article.").SetInternal(err)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if form, err := c.FormParams(); err == nil && form.Has(views.PresenceShown) && form.Get(views.PresenceShown) == views.PresenceKey(others) {
		return c.NoContent(http.StatusNoContent) // the page names them already
	}
	return render(c, http.StatusOK, views.PresenceNote(others))
}

// reviewPresence records that the editor opened article id's review page
// and returns the page's presence line. A prefetch (a page fetched ahead
// of a visit) records nothing: the editor is not there yet.
func (a *Articles) reviewPresence(c echo.Context, id int64) (views.PresenceView, error) {
	ctx := c.Request().Context()
	user := CurrentUser(c)
	if user == nil {
		return views.PresenceView{}, nil
	}
	others, err := a.othersOn(ctx, id, user.ID, func(ctx context.Context, now time.Time) error {
		if isPrefetch(c) {
			return nil
		}
		return a.store.OpenArticle(ctx, id, user.ID, now)
	})
	return views.PresenceView{URL: presenceURL(id), Others: others}, err
}

// presenceWait bounds how long a presence write waits for the database's
// one writer: a bulk action holds it for seconds, and a review page must
// not wait that long for a note that renews itself every 5 s anyway.
const presenceWait = 200 * time.Millisecond

// recordPresence runs a presence write with presenceWait. A write that
// found the writer busy is dropped: the page is served without it, and
// the next heartbeat records the editor.
func recordPresence(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, presenceWait)
	defer cancel()
	err := write(ctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return nil
	}
	return err
}

// errBusy is a presence write that waited presenceWait in vain.
var errBusy = errors.New("presence: the database is busy")

// claimArticle claims article id for userID (PresenceStore.ClaimArticle)
// waiting at most presenceWait: a claim still waiting then is not made,
// and errBusy returned.
func (a *Articles) claimArticle(ctx context.Context, id, userID int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, presenceWait)
	defer cancel()
	claimed, err := a.store.ClaimArticle(ctx, id, userID, a.now())
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return false, errBusy
	}
	return claimed, err
}

// othersOn runs record (see recordPresence), then names the other
// editors on article id.
func (a *Articles) othersOn(ctx context.Context, id, userID int64, record func(context.Context, time.Time) error) ([]string, error) {
	now := a.now()
	if err := recordPresence(ctx, func(ctx context.Context) error { return record(ctx, now) }); err != nil {
		return nil, err
	}
	open, err := a.store.OpenBy(ctx, []int64{id}, userID, now)
	return open[id], err
}

// openByOthers are the articles other editors than userID have open now,
// with their names: for the queue's ids (one query), or every article
// when ids is empty.
func (a *Articles) openByOthers(ctx context.Context, ids []int64, userID int64) (map[int64][]string, error) {
	return a.store.OpenBy(ctx, ids, userID, a.now())
}

// userID is the logged-in user's id, 0 when none.
func userID(c echo.Context) int64 {
	if u := CurrentUser(c); u != nil {
		return u.ID
	}
	return 0
}
