package web

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/static"
)

// contentSecurityPolicy allows our own scripts and styles only (no inline
// code at all), images from anywhere an article points to, and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: http: data:; frame-ancestors 'none'; base-uri 'self'; " +
	"form-action 'self'; object-src 'none'"

// securityHeaders runs before routing, so every response carries these
// headers: pages, redirects, error pages and static files. Cache-Control
// defaults to no-store, so the back button after logout shows nothing
// private; the static handler overrides it for hashed assets.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		// Request ids are ours: one sent by the client would let it pick
		// what the logs say.
		c.Request().Header.Del(echo.HeaderXRequestID)
		return next(c)
	}
}

// crossOriginGuard refuses state-changing requests a browser says come from
// another site (Sec-Fetch-Site other than same-origin/none, or an Origin
// that is not this host), whatever token they carry. It is a layer in
// front of the session-bound token, never a replacement for it: a request
// with neither header (older browsers, other clients) passes here and is
// judged by its token alone (checkCSRF), as is one that says same-origin.
func crossOriginGuard() echo.MiddlewareFunc {
	cop := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !isSafeMethod(req.Method) {
				if err := cop.Check(req); err != nil {
					return echo.NewHTTPError(http.StatusForbidden, msgCrossSite).SetInternal(err)
				}
				if origin := req.Header.Get("Origin"); origin != "" {
					if u, err := url.Parse(origin); err != nil || u.Host != req.Host {
						return echo.NewHTTPError(http.StatusForbidden, msgCrossSite).
							SetInternal(errors.New("foreign Origin " + origin))
					}
				}
			}
			return next(c)
		}
	}
}

const msgCrossSite = "This request came from another site and was refused."

// msgCSRF is the 403 text for a missing or wrong token: usually a form
// left open while the token changed (another tab logged in or out).
const msgCSRF = "The form has expired. Go back, reload the page and try again."

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// parseForm reads a form body before the CSRF check does, so that a body
// over the limit or unreadable answers 413 or 400, not "missing token".
func parseForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isSafeMethod(c.Request().Method) {
			return next(c)
		}
		if _, err := c.FormParams(); err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) {
				return he // 413 from the body limit's reader
			}
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.").SetInternal(err)
		}
		return next(c)
	}
}

// serveStatic serves an embedded asset by its hashed name. The name changes
// whenever the content does, so it may be cached for a year.
func serveStatic(c echo.Context) error {
	a, ok := static.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.ContentType, a.Data)
}

// skipGzip keeps gzip off responses that are already compressed: the zip
// export and binary assets.
func skipGzip(c echo.Context) bool {
	p := c.Request().URL.Path
	if isDownload(c) && c.QueryParam("format") == "zip" {
		return true
	}
	if strings.HasPrefix(p, static.Prefix) {
		switch path.Ext(p) {
		case ".css", ".js", ".svg", ".txt", ".json", ".map":
			return false
		}
		return true
	}
	return false
}

// isDownload is the export stream, which may take longer than a page.
func isDownload(c echo.Context) bool {
	return c.Request().URL.Path == "/export" && c.QueryParam("format") != ""
}

// downloadWriteTimeout replaces the server's WriteTimeout for downloads,
// which stream for as long as the store takes to read every article.
const downloadWriteTimeout = 30 * time.Minute

// longResponse lifts the write deadline for downloads; pages keep the
// server's short one.
func longResponse(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isDownload(c) {
			rc := http.NewResponseController(c.Response())
			// Not every writer supports deadlines (httptest's recorder does
			// not); the server's default then applies, which is safe.
			_ = rc.SetWriteDeadline(time.Now().Add(downloadWriteTimeout))
		}
		return next(c)
	}
}
