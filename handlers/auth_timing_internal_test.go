package handlers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
)

// usersByName is an AuthStore over a map.
type usersByName map[string]*db.User

func (m usersByName) UserByName(_ context.Context, name string) (*db.User, error) {
	if u, ok := m[name]; ok {
		return u, nil
	}
	return nil, fmt.Errorf("user %q: %w", name, db.ErrNotFound)
}

func (usersByName) BumpSessionEpoch(context.Context, int64) error { return nil }

func (usersByName) RecordLogin(context.Context, int64) error { return nil }

// LoginTake never throttles: these tests check the password verification
// only (throttle_test.go tests the throttle on a real store).
func (usersByName) LoginTake(context.Context, []db.ThrottleBucket, time.Time) (time.Duration, error) {
	return 0, nil
}

func (usersByName) LoginRefund(context.Context, []db.ThrottleBucket, time.Time) error { return nil }

// verifyCall is one password verification the login made.
type verifyCall struct {
	hash string
	err  error // from the real account.VerifyPassword
}

// countingAuth is an Auth whose verifications are recorded and then run
// for real.
func countingAuth(t testing.TB, users usersByName) (*Auth, func() []verifyCall) {
	t.Helper()
	var mu sync.Mutex
	var calls []verifyCall
	a := NewAuth(users, nil, NewThrottle(ThrottleConfig{}), nil)
	a.verify = func(hash, pw string) (bool, error) {
		ok, err := account.VerifyPassword(hash, pw)
		mu.Lock()
		calls = append(calls, verifyCall{hash, err})
		mu.Unlock()
		return ok, err
	}
	return a, func() []verifyCall {
		mu.Lock()
		defer mu.Unlock()
		out := calls
		calls = nil
		return out
	}
}

// TestLoginCostsOneArgon2idEveryTime: whatever is wrong with a login
// (unknown name, wrong password, disabled account, damaged hash) the check
// runs exactly one argon2id verification, and for an unknown name it
// runs it on a hash with the current parameters, so it costs what a wrong
// password costs. This is the timing defence, tested by counting instead
// of timing (see BenchmarkLoginTiming for the figures).
func TestLoginCostsOneArgon2idEveryTime(t *testing.T) {
	hash, err := account.HashPassword("right-password")
	if err != nil {
		t.Fatal(err)
	}
	users := usersByName{
		"editor":  {ID: 1, Username: "editor", PasswordHash: hash, Role: account.RoleEditor},
		"gone":    {ID: 2, Username: "gone", PasswordHash: hash, Role: account.RoleEditor, Disabled: true},
		"damaged": {ID: 3, Username: "damaged", PasswordHash: "$argon2id$v=19$garbage", Role: account.RoleEditor},
	}
	a, calls := countingAuth(t, users)
	for _, tc := range []struct {
		name, user, pw string
		wantUser       bool
		wantHash       string // the hash argon2id runs on; "" = the dummy hash
	}{
		{"unknown user", "nobody", "right-password", false, ""},
		{"unknown user, short password", "nobody", "x", false, ""},
		{"wrong password", "editor", "wrong-password", false, hash},
		{"disabled user, right password", "gone", "right-password", false, hash},
		{"damaged stored hash", "damaged", "right-password", false, ""},
		{"right password", "editor", "right-password", true, hash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := a.check(context.Background(), tc.user, tc.pw)
			if err != nil {
				t.Fatal(err)
			}
			if (u != nil) != tc.wantUser {
				t.Fatalf("user %v, want found=%v", u, tc.wantUser)
			}
			// Exactly one verification gets as far as argon2id (a
			// damaged hash fails to parse first, then the dummy runs).
			var ran []verifyCall
			for _, c := range calls() {
				if c.err == nil {
					ran = append(ran, c)
				}
			}
			if len(ran) != 1 {
				t.Fatalf("%d argon2id verifications, want exactly 1", len(ran))
			}
			want := tc.wantHash
			if want == "" {
				want = account.DummyHash()
			}
			if ran[0].hash != want {
				t.Errorf("verified against %q, want %q", ran[0].hash, want)
			}
			// A parsed hash means argon2id ran; with the parameters, salt
			// and key lengths of a new hash it cost what a real account's
			// check costs.
			if got, want := hashShape(ran[0].hash), hashShape(hash); got != want {
				t.Errorf("verified a hash shaped %s; want the current %s", got, want)
			}
		})
	}
}

// BenchmarkLoginTiming prints how long the check takes for an unknown
// user and for a wrong password, and their ratio (about 1). It asserts
// nothing: timing depends on the machine.
//
//	go test ./handlers -run '^$' -bench LoginTiming -benchtime 20x
func BenchmarkLoginTiming(b *testing.B) {
	hash, err := account.HashPassword("right-password")
	if err != nil {
		b.Fatal(err)
	}
	a := NewAuth(usersByName{"editor": {ID: 1, Username: "editor", PasswordHash: hash}}, nil, NewThrottle(ThrottleConfig{}), nil)
	ctx := context.Background()
	account.DummyHash() // made once, outside the measurement
	var unknown, wrong time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := a.check(ctx, "nobody", "wrong-password"); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := a.check(ctx, "editor", "wrong-password"); err != nil {
			b.Fatal(err)
		}
		unknown += mid.Sub(start)
		wrong += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(unknown.Microseconds())/n/1000, "ms-unknown-user")
	b.ReportMetric(float64(wrong.Microseconds())/n/1000, "ms-wrong-password")
	b.ReportMetric(float64(unknown)/float64(wrong), "ratio")
}

// hashShape is what of a PHC argon2id string decides the cost of verifying
// it: the algorithm, version and parameters, and the lengths of the salt
// and the key.
func hashShape(h string) string {
	parts := strings.Split(h, "$")
	if len(parts) != 6 {
		return "not a PHC string"
	}
	return fmt.Sprintf("%s$%s$%s salt %d key %d", parts[1], parts[2], parts[3], len(parts[4]), len(parts[5]))
}
