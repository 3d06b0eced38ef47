package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
)

// brokenExport is an ArticleStore whose export fails before its first
// article (the store reads a page of rows before handing out any).
type brokenExport struct{ ArticleStore }

func (brokenExport) Export(context.Context, db.ListQuery, func(db.ExportRecord) error) error {
	return errors.New("database gone")
}

// List says one article matches, so the download starts.
func (brokenExport) List(context.Context, db.ListQuery) (db.Page, error) {
	return db.Page{Total: 1}, nil
}

// An export that fails before any byte reached the client ends in the
// error page, shown as a page: not offered as the download's file.
func TestExportErrorBeforeTheFirstByteIsAPage(t *testing.T) {
	for _, format := range []string{formatZip, formatYAML} {
		t.Run(format, func(t *testing.T) {
			e := echo.New()
			e.GET("/export", NewArticles(brokenExport{}, nil, nil).Export)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/export?format="+format, nil))
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", rec.Code)
			}
			if cd := rec.Header().Get(echo.HeaderContentDisposition); cd != "" {
				t.Errorf("the error answer is a download: Content-Disposition %q", cd)
			}
		})
	}
}
