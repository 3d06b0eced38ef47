package account

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		want error
	}{
		{"alice", nil},
		{"a.b-c_d@example.org", nil},
		{"Zoë", nil},
		{strings.Repeat("abcdefghij", 6) + "abcd", nil}, // 64
		{strings.Repeat("ë", 64), nil},                  // 64 characters, 128 bytes
		{"", ErrUsernameEmpty},
		{strings.Repeat("a", 65), ErrUsernameTooLong},
		{string(make([]byte, 65)), ErrUsernameTooLong},
		{"two words", ErrUsernameChars},
		{"tab\tname", ErrUsernameChars},
		{"<script>", ErrUsernameChars},
		{"x/y", ErrUsernameChars},
		{"Zoe\u0308", ErrUsernameChars}, // NFD: a combining mark is not a letter; NormalizeUsername composes it
	} {
		if err := ValidateUsername(tc.name); !errors.Is(err, tc.want) {
			t.Errorf("ValidateUsername(%q) = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestNormalizeUsername: what web forms and the command line do to a typed
// name before validating, storing or looking it up.
func TestNormalizeUsername(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice", "alice"},
		{"  alice\t\n", "alice"},
		{"Zoe\u0308", "Zoë"}, // NFD, as typed on some keyboards, composed
		{"Zoë", "Zoë"},
		{"EDITOR", "EDITOR"}, // case is kept: the store matches it case-insensitively
		{"", ""},
	} {
		got := NormalizeUsername(tc.in)
		if got != tc.want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.want != "" && ValidateUsername(got) != nil {
			t.Errorf("NormalizeUsername(%q) = %q does not validate", tc.in, got)
		}
	}
}
