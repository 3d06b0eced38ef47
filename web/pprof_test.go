package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/web"
	"github.com/newsdesk/newsdesk/web/webtest"
)

func withPprof(c *web.Config) { c.Pprof = true }

// pprofPaths are real profiler URLs, one per route of the table.
var pprofPaths = []string{
	web.PprofPrefix,
	web.PprofPrefix + "heap?debug=1",
	web.PprofPrefix + "goroutine?debug=1",
	web.PprofPrefix + "cmdline",
	web.PprofPrefix + "symbol",
	web.PprofPrefix + "profile?seconds=1",
	web.PprofPrefix + "trace?seconds=0.1",
}

// TestPprofAccess: with Config.Pprof the profiler answers admins, refuses
// editors with 403 and sends visitors to the login page; without it the
// paths do not exist, not even for an admin.
func TestPprofAccess(t *testing.T) {
	cases := []struct {
		name  string
		pprof bool
		user  string // "" = a visitor without a session
		want  int
	}{
		{"on, admin", true, webtest.AdminName, http.StatusOK},
		{"on, editor", true, webtest.EditorName, http.StatusForbidden},
		{"on, visitor", true, "", http.StatusSeeOther},
		{"off, admin", false, webtest.AdminName, http.StatusNotFound},
		{"off, visitor", false, "", http.StatusNotFound},
	}
	passwords := map[string]string{webtest.AdminName: webtest.AdminPassword, webtest.EditorName: webtest.EditorPassword}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*web.Config)
			if tc.pprof {
				opts = append(opts, withPprof)
			}
			env := webtest.New(t, opts...)
			c := env.Client(t)
			if tc.user != "" {
				c = env.Login(t, tc.user, passwords[tc.user])
			}
			for _, p := range pprofPaths {
				resp := c.Get(p)
				if resp.StatusCode != tc.want {
					t.Errorf("GET %s: status %d, want %d", p, resp.StatusCode, tc.want)
					continue
				}
				switch tc.want {
				case http.StatusSeeOther:
					if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
						t.Errorf("GET %s: redirect to %q, want the login page", p, loc)
					}
				case http.StatusOK:
					if len(c.Bytes(resp)) == 0 {
						t.Errorf("GET %s: empty answer", p)
					}
				}
			}
		})
	}
}

// TestPprofProfileIsAProfile: the CPU profile an admin downloads is what
// `go tool pprof` reads: gzip-compressed protobuf (after the transport has
// undone the server's own compression of the response).
func TestPprofProfileIsAProfile(t *testing.T) {
	env := webtest.New(t, withPprof)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	resp := admin.Get(web.PprofPrefix + "profile?seconds=1")
	webtest.WantStatus(t, resp, http.StatusOK)
	if b := admin.Bytes(resp); !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("profile starts with % x, want the gzip magic 1f 8b", b[:min(len(b), 8)])
	}
}

// TestPprofRoutesAreAdminGETOnly walks the real route list: every route
// under the profiler's prefix exists only with the flag, and only for GET.
// (The state-changing and admin walks of security_routes_test.go build
// their server without the flag, so they do not see these routes.)
func TestPprofRoutesAreAdminGETOnly(t *testing.T) {
	for _, on := range []bool{false, true} {
		var opts []func(*web.Config)
		if on {
			opts = append(opts, withPprof)
		}
		env := webtest.New(t, opts...)
		n := 0
		for _, r := range env.Web.Routes() {
			if !strings.HasPrefix(r.Path, strings.TrimSuffix(web.PprofPrefix, "/")) {
				continue
			}
			n++
			if r.Method != http.MethodGet {
				t.Errorf("pprof=%v: %s %s: only GET may reach the profiler", on, r.Method, r.Path)
			}
		}
		switch {
		case on && n < 5:
			t.Errorf("pprof on: %d profiler routes, want index, cmdline, profile, symbol and trace", n)
		case !on && n != 0:
			t.Errorf("pprof off: %d profiler routes, want none", n)
		}
	}
}

// TestConfigFromEnvPprof: NEWSDESK_PPROF turns the profiler on with 1 or
// true, leaves it off when unset, 0 or false, and refuses anything else.
func TestConfigFromEnvPprof(t *testing.T) {
	cases := []struct {
		value   string
		want    bool
		wantErr bool
	}{
		{"", false, false}, {"0", false, false}, {"false", false, false},
		{"1", true, false}, {"true", true, false},
		{"yes", false, true}, {"on", false, true},
	}
	for _, tc := range cases {
		cfg, err := web.ConfigFromEnv(func(k string) string {
			if k == "NEWSDESK_PPROF" {
				return tc.value
			}
			return ""
		})
		if (err != nil) != tc.wantErr {
			t.Errorf("NEWSDESK_PPROF=%q: error %v, want error %v", tc.value, err, tc.wantErr)
			continue
		}
		if err == nil && cfg.Pprof != tc.want {
			t.Errorf("NEWSDESK_PPROF=%q: Pprof %v, want %v", tc.value, cfg.Pprof, tc.want)
		}
	}
}
