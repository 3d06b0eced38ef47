package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/storetest"
)

// TestConformance runs the store conformance suite on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) db.Database {
		s, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "news.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
