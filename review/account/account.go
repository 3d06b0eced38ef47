// Package account holds the rules for the people who log in to newsdesk:
// roles, usernames and passwords (argon2id hashing and verification). The
// command line, the web handlers and the store all read them from here, so
// each rule lives once. It imports nothing of newsdesk's own.
package account

import (
	"errors"
	"fmt"
)

// Role is what a user may do: editors review articles, admins also manage
// users. The values are what the store keeps and what forms and the
// command line's --role flag send.
type Role string

// The roles.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
)

// ErrUnknownRole is ParseRole's answer to anything but a known role.
var ErrUnknownRole = errors.New("role must be admin or editor")

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleEditor }

// ParseRole returns the role named s, exactly as stored ("admin" or
// "editor", lower case). Anything else is an error wrapping ErrUnknownRole
// that quotes s.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("%w, got %q", ErrUnknownRole, s)
}
