package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
)

// TestPanicBecomesErrorPage adds a route that panics: the visitor gets the
// 500 page with every security header, the log gets the panic.
func TestPanicBecomesErrorPage(t *testing.T) {
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	s, err := New(context.Background(), Config{Log: slog.New(slog.NewTextHandler(&logs, nil))}, store)
	if err != nil {
		t.Fatal(err)
	}
	s.e.GET("/boom", func(echo.Context) error { panic("secret internal detail") })
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Error("panic value shown to the visitor")
	}
	if !strings.Contains(rec.Body.String(), `data-testid="error-page"`) {
		t.Error("no error page")
	}
	if rec.Header().Get("Content-Security-Policy") != contentSecurityPolicy || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", rec.Header())
	}
	if !strings.Contains(logs.String(), "secret internal detail") || !strings.Contains(logs.String(), "request_id=") {
		t.Errorf("panic not logged with request id:\n%s", logs.String())
	}
}

// TestClientGoneIsNoServerError: a handler that stops because the client
// went away (its context canceled) is no server fault: no 500, no error
// in the log.
func TestClientGoneIsNoServerError(t *testing.T) {
	store, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	s, err := New(context.Background(), Config{Log: slog.New(slog.NewTextHandler(&logs, nil))}, store)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.e.GET("/slow", func(c echo.Context) error {
		cancel() // the browser closes the connection mid-request
		<-c.Request().Context().Done()
		return fmt.Errorf("db: reading: %w", c.Request().Context().Err())
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil).WithContext(ctx))
	if rec.Code != statusClientClosed {
		t.Errorf("status %d, want %d", rec.Code, statusClientClosed)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged as an error:\n%s", logs.String())
	}
}
