package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Pinger is what the health check needs of the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// healthTimeout keeps a stuck database from holding the probe open.
const healthTimeout = 2 * time.Second

// Health is GET /healthz: 200 "ok" when the database answers, 503 when it
// does not. Plain text, for load balancers and monitors.
func Health(store Pinger, log *slog.Logger) echo.HandlerFunc {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			log.ErrorContext(ctx, "health check failed", "error", err)
			return c.String(http.StatusServiceUnavailable, "unavailable")
		}
		return c.String(http.StatusOK, "ok")
	}
}
