package article

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TopicError says why a text cannot be a topic. Reason is a phrase that
// follows the topic's name in a message: "is empty", "is 70 characters
// long; the limit is 64".
type TopicError struct {
	Topic  string
	Reason string
}

func (e *TopicError) Error() string { return "topic " + quoteTopic(e.Topic) + " " + e.Reason }

// quoteTopic shows a topic in a message: quoted, escaped, cut to 20
// characters.
func quoteTopic(t string) string { return strconv.Quote(clip(t, 20)) }

// CheckTopic is the rule for one topic, the same at import and in the
// review form: valid UTF-8, not empty or blank, at most MaxTopicLength
// characters (runes of its NFC form, so "é" typed on a Mac, which sends
// e and a combining accent, counts once), no control characters (Unicode
// category Cc: tabs, line breaks, NUL), because a topic is one line of
// text, and no format characters (category Cf: zero-width spaces and
// joiners, bidirectional overrides such as U+202E, soft hyphens), which
// are invisible, so "AI" and "A\u200bI" would look one and be two, and
// an override turns the text around it. Spaces around it are allowed; the
// form trims what an editor types. It returns nil or a *TopicError.
func CheckTopic(t string) error {
	reason := ""
	switch n := utf8.RuneCountInString(norm.NFC.String(t)); {
	case !utf8.ValidString(t):
		reason = "is not valid UTF-8 text"
	case strings.TrimSpace(t) == "":
		reason = "is empty"
	case n > MaxTopicLength:
		reason = fmt.Sprintf("is %d characters long; the limit is %d", n, MaxTopicLength)
	default:
		if i := strings.IndexFunc(t, unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(t[i:])
			reason = fmt.Sprintf("contains a control character (%U); a topic is one line of text", r)
		} else if i := strings.IndexFunc(t, isFormat); i >= 0 {
			r, _ := utf8.DecodeRuneInString(t[i:])
			reason = fmt.Sprintf("contains an invisible formatting character (%U); type the topic again without it", r)
		}
	}
	if reason == "" {
		return nil
	}
	return &TopicError{Topic: t, Reason: reason}
}

// CheckTopicCount is the rule for the length of a topic list, the same at
// import (where case duplicates count, as the file keeps them) and in the
// review form: at most MaxTopics.
func CheckTopicCount(n int) error {
	if n > MaxTopics {
		return fmt.Errorf("too many topics: %d, at most %d", n, MaxTopics)
	}
	return nil
}

// CheckTopicInput checks one topic field of the review form: each line of
// it, trimmed, is a topic and must pass CheckTopic; blank lines are
// skipped. A field with no topic at all is a *TopicError ("is empty")
// unless optional (the field for a new topic). Errors are *TopicError.
func CheckTopicInput(s string, optional bool) error {
	blank := true
	for line := range strings.Lines(s) {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		blank = false
		if err := CheckTopic(t); err != nil {
			return err
		}
	}
	if blank && !optional {
		return &TopicError{Topic: s, Reason: "is empty: type a topic, or tick Remove"}
	}
	return nil
}

// NormalizeTopics cleans the topics an editor submitted: each field may hold
// several topics, one per line. Topics are trimmed; blank fields and blank
// lines are skipped, because an empty input is how a form says "no topic
// here" (clearing a field removes that topic). Each topic must pass
// CheckTopic and the list CheckTopicCount, the rules import applies.
// Topics come out in Unicode NFC (CleanTopic); repeats are dropped,
// comparing by TopicKey and keeping the first spelling. The errors name the topic by its position in the result and by
// its text.
func NormalizeTopics(in []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, field := range in {
		for line := range strings.Lines(field) {
			t := strings.TrimSpace(line)
			if t == "" {
				continue
			}
			var te *TopicError
			if err := CheckTopic(t); errors.As(err, &te) {
				return nil, fmt.Errorf("topic %d (%s) %s", len(out)+1, quoteTopic(t), te.Reason)
			}
			fold := TopicKey(t)
			if seen[fold] {
				continue
			}
			seen[fold] = true
			out = append(out, CleanTopic(t))
			if err := CheckTopicCount(len(out)); err != nil {
				return nil, fmt.Errorf("too many topics: at most %d", MaxTopics)
			}
		}
	}
	return out, nil
}

// TopicKey is a topic's identity: two topics with the same key are one
// topic, whatever their spelling ("AI", "ai", " Ai ") and Unicode form
// (an "è" typed as one code point or as "e" and a combining accent, as
// macOS writes it). It is the text trimmed, in Unicode NFC
// (golang.org/x/text/unicode/norm) and lower-cased with Go's Unicode
// case mapping (strings.ToLower): the store's key too (topics.fold).
// strings.EqualFold is not the same rule: it folds "ΦΩΣ" and "φως"
// together, whose lower cases differ.
func TopicKey(t string) string { return strings.ToLower(CleanTopic(t)) }

// CleanTopic is a topic as it is kept and written: trimmed, in Unicode NFC.
func CleanTopic(t string) string { return norm.NFC.String(strings.TrimSpace(t)) }

// SameTopic reports whether a and b are one topic (see TopicKey).
func SameTopic(a, b string) bool { return TopicKey(a) == TopicKey(b) }

// CheckQuality is the rule for a quality value, the same at import, in the
// review form and in Patch: MinQuality to MaxQuality.
func CheckQuality(q int) error {
	if q < MinQuality || q > MaxQuality {
		return fmt.Errorf("quality must be from %d to %d, got %d", MinQuality, MaxQuality, q)
	}
	return nil
}

// ValidateQuality reads the quality an editor typed: a whole number from
// MinQuality to MaxQuality, blanks around it ignored.
func ValidateQuality(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("quality is required: enter a number from %d to %d", MinQuality, MaxQuality)
	}
	q, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("quality must be a whole number from %d to %d, got %q", MinQuality, MaxQuality, clip(s, 20))
	}
	if err := CheckQuality(q); err != nil {
		return 0, err
	}
	return q, nil
}

// isFormat reports whether r is a Unicode format character (category Cf).
func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }
