package article

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalizeTopics(t *testing.T) {
	long := strings.Repeat("é", MaxTopicLength)
	many := make([]string, MaxTopics+1)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	tests := []struct {
		name string
		in   []string
		want []string
		err  string
	}{
		{"trims", []string{"  AI ", "\tHealth\n"}, []string{"AI", "Health"}, ""},
		{"splits lines", []string{"AI\nHealth\r\nScience"}, []string{"AI", "Health", "Science"}, ""},
		{"skips blank fields and lines", []string{"", "  ", "AI\n\n  \nHealth", "\n"}, []string{"AI", "Health"}, ""},
		{"nothing", nil, []string{}, ""},
		{"drops repeats ignoring case, keeps first spelling", []string{"AI", "ai", "Ai\nHealth", "HEALTH"}, []string{"AI", "Health"}, ""},
		{"unicode case", []string{"Über", "über", "ÜBER"}, []string{"Über"}, ""},
		{"longest allowed", []string{long}, []string{long}, ""},
		{"too long", []string{"ok", long + "é"}, nil, "topic 2 (\"éééééééééééééééééééé…\") is 65 characters long; the limit is 64"},
		{"control character", []string{"a\x00b"}, nil, "topic 1 (\"a\\x00b\") contains a control character (U+0000); a topic is one line of text"},
		{"most allowed", many[:MaxTopics], many[:MaxTopics], ""},
		{"too many", many, nil, "too many topics: at most 20"},
		{"repeats do not count", append(slices.Clone(many[:MaxTopics]), "T"), many[:MaxTopics], ""},
		{"invalid UTF-8", []string{"\xff"}, nil, "topic 1 (\"\\xff\") is not valid UTF-8 text"},
		{"tab inside", []string{"a\tb"}, nil, "topic 1 (\"a\\tb\") contains a control character (U+0009); a topic is one line of text"},
		{"C1 control", []string{"a\u0085b"}, nil, "topic 1 (\"a\\u0085b\") contains a control character (U+0085); a topic is one line of text"},
		{"zero-width space", []string{"A\u200bI"}, nil, "topic 1 (\"A\\u200bI\") contains an invisible formatting character (U+200B); type the topic again without it"},
		{"right-to-left override", []string{"\u202eabc"}, nil, "topic 1 (\"\\u202eabc\") contains an invisible formatting character (U+202E); type the topic again without it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeTopics(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("got %q, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) || got == nil {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestValidateQuality(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"0", 0, ""},
		{"100", 100, ""},
		{" 56 ", 56, ""},
		{"+7", 7, ""},
		{"", 0, "quality is required: enter a number from 0 to 100"},
		{"  ", 0, "quality is required"},
		{"101", 0, "quality must be from 0 to 100, got 101"},
		{"-1", 0, "quality must be from 0 to 100, got -1"},
		{"5.5", 0, `quality must be a whole number from 0 to 100, got "5.5"`},
		{"abc", 0, `quality must be a whole number from 0 to 100, got "abc"`},
		{"99999999999999999999", 0, "quality must be a whole number"},
	}
	for _, tt := range tests {
		got, err := ValidateQuality(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) {
			t.Errorf("%q: got %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%q: got %d, %v; want error %q", tt.in, got, err, tt.err)
		}
	}
}

// TestSameTopic: one identity rule for topics everywhere, the store's
// (lower case). strings.EqualFold would call "ΦΩΣ" and "φως" one topic,
// which the store keeps as two (their lower cases end in σ and ς).
func TestSameTopic(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"AI", "ai", true},
		{" Ai ", "aI", true},
		{"Straße", "STRASSE", false},
		{"ΦΩΣ", "φως", false},
		{"ΦΩΣ", "φωσ", true},
		{"AI", "A I", false},
		{"Gene\u0300ve", "Genève", true}, // NFD, as macOS writes it, and NFC
		{"GENE\u0300VE", "genève", true},
	}
	for _, c := range cases {
		if got := SameTopic(c.a, c.b); got != c.same {
			t.Errorf("SameTopic(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
