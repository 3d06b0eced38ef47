package handlers

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/db"
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

// verifyCall is one password verification the login made.
type verifyCall struct {
	hash string
	err  error // from the real VerifyPassword
}

// countingAuth is an Auth whose verifications are recorded and then run
// for real.
func countingAuth(t testing.TB, users usersByName) (*Auth, func() []verifyCall) {
	t.Helper()
	var mu sync.Mutex
	var calls []verifyCall
	a := NewAuth(users, nil, NewThrottle(ThrottleConfig{}), nil)
	a.verify = func(hash, pw string) (bool, error) {
		ok, err := VerifyPassword(hash, pw)
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
	hash, err := HashPassword("right-password")
	if err != nil {
		t.Fatal(err)
	}
	users := usersByName{
		"editor":  {ID: 1, Username: "editor", PasswordHash: hash, Role: db.RoleEditor},
		"gone":    {ID: 2, Username: "gone", PasswordHash: hash, Role: db.RoleEditor, Disabled: true},
		"damaged": {ID: 3, Username: "damaged", PasswordHash: "$argon2id$v=19$garbage", Role: db.RoleEditor},
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
				want = dummyHash()
			}
			if ran[0].hash != want {
				t.Errorf("verified against %q, want %q", ran[0].hash, want)
			}
			// A parsed hash means argon2id ran; with these parameters it
			// cost what a real account's check costs.
			p, err := parseHash(ran[0].hash)
			if err != nil {
				t.Fatal(err)
			}
			if p.memory != argonMemoryKiB || p.time != argonTime || p.threads != argonThreads ||
				len(p.salt) != argonSaltLen || len(p.key) != argonKeyLen {
				t.Errorf("verified with m=%d,t=%d,p=%d salt %d key %d; want the current parameters",
					p.memory, p.time, p.threads, len(p.salt), len(p.key))
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
	hash, err := HashPassword("right-password")
	if err != nil {
		b.Fatal(err)
	}
	a := NewAuth(usersByName{"editor": {ID: 1, Username: "editor", PasswordHash: hash}}, nil, NewThrottle(ThrottleConfig{}), nil)
	ctx := context.Background()
	dummyHash() // made once, outside the measurement
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
