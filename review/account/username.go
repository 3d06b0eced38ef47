package account

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxUsernameLen bounds usernames, in characters (runes, counted after
// NormalizeUsername).
const MaxUsernameLen = 64

// usernameSymbols are the characters other than letters and digits a
// username may hold.
const usernameSymbols = "._-@"

// Errors of ValidateUsername; their text is fit to show to a user (the web
// form capitalises it, the command line quotes the name before it).
var (
	ErrUsernameEmpty   = errors.New("enter a username")
	ErrUsernameTooLong = fmt.Errorf("a username has at most %d characters", MaxUsernameLen)
	ErrUsernameChars   = errors.New("use only letters, digits, dots, dashes, underscores and @")
)

// NormalizeUsername is the form of a typed username that is validated,
// stored, looked up and shown: surrounding white space removed and Unicode
// NFC composition (golang.org/x/text/unicode/norm), so that "Zoë" typed on
// a keyboard that sends e + combining diaeresis (NFD, as macOS file names
// do) is the same account as the precomposed one. Apply it to every
// username that comes from a person: the web forms and the command line.
func NormalizeUsername(name string) string {
	return norm.NFC.String(strings.TrimSpace(name))
}

// ValidateUsername checks a new username, already normalised: 1 to
// MaxUsernameLen letters, digits and . _ - @, so names are unambiguous in
// lists and logs (no spaces, no control or markup characters). It returns
// ErrUsernameEmpty, ErrUsernameTooLong or ErrUsernameChars.
func ValidateUsername(name string) error {
	if name == "" {
		return ErrUsernameEmpty
	}
	if utf8.RuneCountInString(name) > MaxUsernameLen {
		return ErrUsernameTooLong
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(usernameSymbols, r) {
			return ErrUsernameChars
		}
	}
	return nil
}
