package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
	"github.com/newsdesk/newsdesk/views"
)

// errorTexts are the titles and default messages of the error pages.
var errorTexts = map[int][2]string{
	http.StatusBadRequest:            {"Bad request", "The request could not be understood."},
	http.StatusUnauthorized:          {"Logged out", "Your session has ended. Log in again to continue; what you just sent was not saved."},
	http.StatusForbidden:             {"Not allowed", "You do not have permission to do that."},
	http.StatusNotFound:              {"Page not found", "There is nothing at this address."},
	http.StatusMethodNotAllowed:      {"Method not allowed", "This address does not accept that kind of request."},
	http.StatusConflict:              {"Conflict", "Someone else changed this in the meantime. Reload the page and try again."},
	http.StatusRequestEntityTooLarge: {"Too large", "What you sent is larger than this site accepts."},
	http.StatusUnprocessableEntity:   {"Not accepted", "Some of what you sent is not valid."},
	http.StatusTooManyRequests:       {"Too many requests", "Slow down, wait a minute and try again."},
	http.StatusInternalServerError:   {"Something went wrong", "The problem has been logged. Try again in a moment."},
	http.StatusServiceUnavailable:    {"Temporarily unavailable", "The server is busy, timed out or cannot reach its database. Nothing was saved; go back to keep what you typed, and try again in a moment."},
}

// errorView builds what the visitor sees for code. Messages that handlers
// put in a 4xx echo.HTTPError are written for users and shown; nothing from
// a 5xx error ever is.
func errorView(code int, he *echo.HTTPError) views.ErrorView {
	t, ok := errorTexts[code]
	if !ok {
		t = errorTexts[http.StatusInternalServerError]
		if code < 500 {
			t = [2]string{http.StatusText(code), "The request could not be completed."}
		}
	}
	v := views.ErrorView{Code: code, Title: t[0], Message: t[1]}
	if he != nil && code < 500 {
		if m, ok := he.Message.(string); ok && m != "" && m != http.StatusText(code) && len(m) <= 500 {
			v.Message = m
		}
	}
	return v
}

// statusClientClosed is the status logged for a request whose client went
// away before the answer (nginx's 499: HTTP has none for it).
const statusClientClosed = 499

// isUnavailable reports whether err says the database is out of reach or
// busy rather than wrong: a failed dial or a connection cut (net.Error,
// an unexpected EOF), or a PostgreSQL error of SQLSTATE class 08
// (connection exception), 57P (the server shutting down or starting) or
// 57014 (a statement cancelled by statement_timeout), as the PostgreSQL
// documentation's appendix "PostgreSQL Error Codes" lists them. pgx's
// errors report their code through an SQLState method, so this package
// needs no driver.
func isUnavailable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		code := st.SQLState()
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P") || code == "57014"
	}
	return false
}

// statusOf maps any error to an HTTP status and, when there is one, the
// echo.HTTPError that carries it.
func statusOf(err error) (int, *echo.HTTPError) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code, he // the outer error is what its maker meant, not its Internal
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, nil
	case isUnavailable(err):
		// The database server cannot be reached (PostgreSQL down or
		// restarting) or cut the statement short: a moment's wait may
		// fix it, unlike a fault of ours.
		return http.StatusServiceUnavailable, nil
	case errors.Is(err, db.ErrNotFound):
		return http.StatusNotFound, nil
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, nil
	}
	return http.StatusInternalServerError, nil
}

// handleError is Echo's HTTPErrorHandler: the one place errors become
// responses. It logs server errors with the request id, answers 401 with a
// way back to the login page, gives htmx a fragment and everyone else a
// full page in the layout.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return // the request logger handled it already, or the body is half sent
	}
	req := c.Request()
	ctx := context.WithoutCancel(req.Context()) // render even if the client left
	if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
		// The client went away (a closed tab, a fetch a later key press
		// replaced): nobody reads an answer, and it is no fault of ours.
		s.log.InfoContext(ctx, "client went away", slog.String("method", req.Method),
			slog.String("path", req.URL.Path), slog.String("request_id", requestID(c)))
		c.Response().WriteHeader(statusClientClosed)
		return
	}
	code, he := statusOf(err)
	if code >= 500 {
		s.log.ErrorContext(ctx, "request failed",
			slog.Int("status", code), slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	v := errorView(code, he)
	if code == http.StatusUnauthorized {
		if done := s.unauthorized(c, &v); done {
			return
		}
	}
	if req.Method == http.MethodHead {
		s.logFailure(ctx, c.NoContent(code))
		return
	}
	var comp templ.Component
	if handlers.IsHTMX(c) {
		comp = views.ErrorFragment(v)
	} else {
		comp = views.ErrorPage(s.errorPage(c, v), v)
	}
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		s.log.ErrorContext(ctx, "rendering error page", slog.Any("error", err))
		s.logFailure(ctx, c.String(code, v.Title+". "+v.Message))
		return
	}
	s.logFailure(ctx, c.HTMLBlob(code, buf.Bytes()))
}

// unauthorized sends a GET to the login page and back afterwards, and
// tells htmx to go there; other requests get the 401 page with a link.
// It reports whether the response is written.
func (s *Server) unauthorized(c echo.Context, v *views.ErrorView) bool {
	req := c.Request()
	loginURL := "/login?next=" + url.QueryEscape(req.URL.RequestURI())
	switch {
	case handlers.IsHTMX(c):
		// A redirect would be followed by XHR and swapped into the page;
		// HX-Redirect makes the browser go, back to the page it was on.
		v.LoginURL = "/login"
		if cur, err := url.Parse(req.Header.Get("HX-Current-URL")); err == nil && cur.Host == req.Host {
			if next := handlers.SafeNext(cur.RequestURI()); next != handlers.DefaultLanding {
				v.LoginURL = "/login?next=" + url.QueryEscape(next)
			}
		}
		c.Response().Header().Set("HX-Redirect", v.LoginURL)
	case req.Method == http.MethodGet || req.Method == http.MethodHead:
		s.logFailure(req.Context(), c.Redirect(http.StatusSeeOther, loginURL))
		return true
	default:
		// The form data cannot survive a redirect; say so, offer the login.
		v.LoginURL = "/login"
	}
	return false
}

// errorPage is the layout model for an error page: the user and token if
// the session middleware ran, and no flashes (they wait for a real page).
func (s *Server) errorPage(c echo.Context, v views.ErrorView) views.Page {
	p := views.Page{Title: v.Title, CSRF: handlers.CSRFToken(c)}
	if u := handlers.CurrentUser(c); u != nil {
		p.User = &views.Viewer{Name: u.Username, Admin: u.Role == db.RoleAdmin}
	}
	return p
}

func (s *Server) logFailure(ctx context.Context, err error) {
	if err != nil {
		s.log.WarnContext(ctx, "writing error response", slog.Any("error", err))
	}
}

// requestID is the id the RequestID middleware gave this request.
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
