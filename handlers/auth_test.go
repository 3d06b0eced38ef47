package handlers

import "testing"

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/articles/3", "/articles/3"},
		{"/articles?status=approved&q=%22x%22", "/articles?status=approved&q=%22x%22"},
		{"/", "/"},
		{"/ärticles", "/ärticles"},
		{"", DefaultLanding},
		{"articles", DefaultLanding},
		{"//evil.example", DefaultLanding},
		{"///evil.example", DefaultLanding},
		{`/\evil.example`, DefaultLanding},
		{`/a\b`, DefaultLanding},
		{"https://evil.example", DefaultLanding},
		{"HTTPS://evil.example/", DefaultLanding},
		{"javascript:alert(1)", DefaultLanding},
		{"/\t/evil.example", DefaultLanding},
		{"/\r\n/evil.example", DefaultLanding},
		{"/\x00", DefaultLanding},
		{"/\x7f", DefaultLanding},
		{"/%zz", DefaultLanding},
		{" /articles", DefaultLanding},
	} {
		if got := SafeNext(tc.in); got != tc.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
