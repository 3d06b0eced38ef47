package web

import (
	"bytes"
	"context"
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
