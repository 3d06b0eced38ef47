package article

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeTopics cleans the topics an editor submitted: each field may hold
// several topics, one per line. Topics are trimmed; blank fields and blank
// lines are skipped, because an empty input is how a form says "no topic
// here" (clearing a field removes that topic). Repeats are dropped,
// comparing case-insensitively and keeping the first spelling. The errors
// name the topic by its position in the result and by its text.
func NormalizeTopics(in []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, field := range in {
		for line := range strings.Lines(field) {
			t := strings.TrimSpace(line)
			if t == "" {
				continue
			}
			if err := checkTopic(len(out)+1, t); err != nil {
				return nil, err
			}
			fold := strings.ToLower(t)
			if seen[fold] {
				continue
			}
			seen[fold] = true
			out = append(out, t)
			if len(out) > MaxTopics {
				return nil, fmt.Errorf("too many topics: at most %d", MaxTopics)
			}
		}
	}
	return out, nil
}

func checkTopic(n int, t string) error {
	switch {
	case !utf8.ValidString(t):
		return fmt.Errorf("topic %d is not valid text", n)
	case utf8.RuneCountInString(t) > MaxTopicLength:
		return fmt.Errorf("topic %d (%q) is longer than %d characters", n, clip(t, 20), MaxTopicLength)
	case strings.ContainsFunc(t, unicode.IsControl):
		return fmt.Errorf("topic %d (%q) contains a control character", n, clip(t, 20))
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
	if q < MinQuality || q > MaxQuality {
		return 0, fmt.Errorf("quality must be from %d to %d, got %d", MinQuality, MaxQuality, q)
	}
	return q, nil
}
