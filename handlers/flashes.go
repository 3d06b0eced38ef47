package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/views"
)

// Flashes serves GET /flashes: the messages waiting in the session, as the
// fragment the layout puts at the top of <main> (views.Flashes, with the
// Undo buttons and this session's CSRF token), or 204 when none wait. It
// takes them: they show once. review.js asks for it on a page that was
// rendered for a prefetch (<body data-prefetched>), which left them
// waiting. The answer is never cached (web's default no-store).
func Flashes(fl Flasher) echo.HandlerFunc {
	return func(c echo.Context) error {
		fs, err := fl.Flashes(c)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return c.NoContent(http.StatusNoContent)
		}
		return render(c, http.StatusOK, views.Flashes(fs, CSRFToken(c)))
	}
}
