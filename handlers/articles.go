package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// ArticleStore is what the queue, review and export pages need of the
// database.
type ArticleStore interface {
	review.Store // save and export go through the workflow
	List(ctx context.Context, q db.ListQuery) (db.Page, error)
	History(ctx context.Context, id int64) ([]db.AuditEntry, error)
	TopTopics(ctx context.Context, n int) ([]db.Facet, error)
	Categories(ctx context.Context) ([]db.Facet, error)
	Providers(ctx context.Context) ([]db.Facet, error)
	PresenceStore
}

// Articles serves the review queue, the review page and its form, and the
// export.
type Articles struct {
	store    ArticleStore
	review   *review.Service
	sessions Sessions
	log      *slog.Logger
	now      func() time.Time
	pageSize int // queue rows per page
}

// NewArticles returns the article handlers; log gets what goes wrong
// without being the request's answer (slog.Default() when nil).
func NewArticles(store ArticleStore, s Sessions, log *slog.Logger) *Articles {
	if log == nil {
		log = slog.Default()
	}
	return &Articles{store: store, review: review.New(store), sessions: s, log: log, now: time.Now, pageSize: db.DefaultLimit}
}

// articleID reads the :id path parameter; anything but a positive integer
// is a page that does not exist.
func articleID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No such article.")
	}
	return id, nil
}

// record loads an article, turning a missing one into a 404.
func (a *Articles) record(ctx context.Context, id int64) (*db.Record, error) {
	rec, err := a.store.Get(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "No such article.").SetInternal(err)
	}
	return rec, err
}

// articleURL is the review page of an article, remembering the queue.
func articleURL(id int64, from string) string {
	u := "/articles/" + strconv.FormatInt(id, 10)
	if from != "" {
		u += "?from=" + url.QueryEscape(from)
	}
	return u
}

// queueURL is the queue for a query string made by fromValues.
func queueURL(from string) string {
	if from == "" {
		return "/articles"
	}
	return "/articles?" + from
}

// IsHTMX reports whether htmx sent the request: htmx does not swap 4xx
// answers, so form re-renders for it go out as 200. web's error handler
// asks it too.
func IsHTMX(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") == "true"
}

// formStatus is the status of a re-rendered form: status for browsers,
// 200 for htmx.
func formStatus(c echo.Context, status int) int {
	if IsHTMX(c) {
		return http.StatusOK
	}
	return status
}
