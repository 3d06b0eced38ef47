package review

import (
	"fmt"
	"strings"
)

// The three Writers of an export: DirWriter (a folder), ZipWriter (a zip
// archive) and StreamWriter (one YAML stream). Each writes every file name
// that is legal on Linux or refuses it with an error wrapping
// ErrUnwritable that says why, so the export names that article and goes
// on. What each does with an unusual name is in its own docstring.

// nameMax is the longest file name Linux file systems take, in bytes
// (NAME_MAX in <limits.h>).
const nameMax = 255

// checkName refuses what is not one file name on Linux: the empty name,
// "." and "..", and a name holding '/' or NUL (path_resolution(7)). Any
// other byte string is a legal name: backslashes, spaces, line breaks,
// control characters and bytes that are not UTF-8 included.
func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return refusal("%q is not a file name", name)
	case strings.ContainsAny(name, "/\x00"):
		return refusal("a file name cannot hold '/' or NUL")
	}
	return nil
}

// refusal is a writer's refusal of one file, with its reason.
func refusal(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnwritable, fmt.Sprintf(format, args...))
}

// nameSet is the names one export has written, so that a second article
// claiming a name is refused rather than overwriting the first.
type nameSet map[string]bool

// claim takes name, or refuses it when it is taken; what names it for the
// reason (the file name, the zip entry).
func (s nameSet) claim(name, what string) error {
	if s[name] {
		return refusal("another article of this export was written under the same %s %s", what, DisplayName(name))
	}
	s[name] = true
	return nil
}

// Plural is "1 article", "2 articles": n and noun, in the plural unless n
// is 1 (nouns with a regular English plural only).
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
