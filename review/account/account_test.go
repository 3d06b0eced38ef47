package account

import (
	"errors"
	"testing"
)

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
		ok   bool
	}{
		{"admin", RoleAdmin, true},
		{"editor", RoleEditor, true},
		{"Admin", "", false}, // stored values are lower case; no folding
		{" editor", "", false},
		{"", "", false},
		{"root", "", false},
	} {
		got, err := ParseRole(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnknownRole) {
			t.Errorf("ParseRole(%q): %v does not wrap ErrUnknownRole", tc.in, err)
		}
		if Role(tc.in).Valid() != tc.ok {
			t.Errorf("Role(%q).Valid() = %v", tc.in, !tc.ok)
		}
	}
}
