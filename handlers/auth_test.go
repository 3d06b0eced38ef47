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

func TestValidateUsername(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice":                  true,
		"a.b-c_d@example.org":    true,
		"Zoë":                    true,
		"":                       false,
		"two words":              false,
		"tab\tname":              false,
		"<script>":               false,
		"x/y":                    false,
		string(make([]byte, 65)): false,
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd": true, // 64
	} {
		if err := ValidateUsername(name); (err == nil) != ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
