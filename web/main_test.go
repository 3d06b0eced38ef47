package web

import (
	"os"
	"testing"

	"github.com/newsdesk/newsdesk/review/account"
)

// TestMain makes passwords cheap to hash: these tests log in hundreds of
// times (account.UseTestCost).
func TestMain(m *testing.M) {
	account.UseTestCost()
	os.Exit(m.Run())
}
