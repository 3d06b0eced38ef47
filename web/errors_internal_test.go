package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

// Errors map to the status a client can act on: the database out of reach
// (a dial refused, as pgx reports a PostgreSQL server that is down) is a
// 503 to retry, not a 500.
func TestStatusOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("handlers: article 3: %w", refused), http.StatusServiceUnavailable},
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
