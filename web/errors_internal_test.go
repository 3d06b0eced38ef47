package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsdesk/newsdesk/db"
)

// sqlState is the driver's own error for a PostgreSQL SQLSTATE.
func sqlState(code string) error { return &pgconn.PgError{Code: code, Message: "test"} }

// Errors map to the status a client can act on: the database out of reach
// (a dial refused, a connection cut, the server shutting down, a statement
// timeout) is a 503 to retry, not a 500.
func TestStatusOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("handlers: article 3: %w", refused), http.StatusServiceUnavailable},
		{fmt.Errorf("list: %w", sqlState("57P01")), http.StatusServiceUnavailable},  // admin_shutdown
		{fmt.Errorf("list: %w", sqlState("08006")), http.StatusServiceUnavailable},  // connection_failure
		{fmt.Errorf("bulk: %w", sqlState("57014")), http.StatusServiceUnavailable},  // statement_timeout
		{fmt.Errorf("save: %w", sqlState("23505")), http.StatusInternalServerError}, // unique_violation: ours
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), http.StatusServiceUnavailable},
		{context.DeadlineExceeded, http.StatusServiceUnavailable},
		{fmt.Errorf("get: %w", db.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("save: %w", db.ErrConflict), http.StatusConflict},
		{errors.New("something else"), http.StatusInternalServerError},
	} {
		if got, _ := statusOf(tc.err); got != tc.want {
			t.Errorf("statusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
