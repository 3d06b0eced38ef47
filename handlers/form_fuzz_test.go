package handlers

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/views"
)

// FuzzReviewForm decodes arbitrary form bodies as POST /articles/:id
// would and validates them. Nothing may panic; the form shown back must
// be valid UTF-8; and a form that passes Validate must hold only what the
// store accepts and the export can write: quality 0..100 (or none when
// allowed), a known status, at most MaxTopics distinct, trimmed, short,
// printable topics, a bounded note with \n line ends, and a from that is
// a clean queue query.
func FuzzReviewForm(f *testing.F) {
	for _, s := range []string{
		"version=1&quality=50&status=pending&topics=AI&topics=Health&note=ok",
		"version=3&quality=&status=approved&new_topic=a%0Ab%0Ac&published=on&action=next&from=status%3Dall%26q%3Dx",
		"version=2&quality=+7+&status=rejected&topics=x&remove_topic=0&topics=AI&topics=ai&note=a%0D%0Ab",
		"version=1&quality=101&status=maybe&topics=%00&note=%ff%fe",
		"version=1&quality=-0&status=pending&topics=%E2%80%AE&topics=+&new_topic=%0A%0A",
		"version=9223372036854775807&quality=1e2&status=%20approved%20&from=%25zz",
		"version=1&status=pending&topics=" + strings.Repeat("t%0A", 30),
		"version=abc", "", "version=1&version=2&status=pending&quality=5",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, qualityOptional bool) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return // the handler answers 400 before decoding
		}
		form, err := readReviewForm(v)
		if err != nil {
			if form != nil {
				t.Fatal("an error and a form")
			}
			return // 400: no valid version
		}
		if form.Version <= 0 {
			t.Fatalf("version %d accepted", form.Version)
		}
		form.QualityOptional = qualityOptional
		errs := form.Validate()
		view := form.formView(1, errs)
		// Everything the page writes back as text (the status is not:
		// it picks one of the fixed radio buttons).
		for _, s := range append([]string{view.Quality, view.NewTopic, view.Note, view.From}, topicValues(view.Topics)...) {
			if !utf8.ValidString(s) {
				t.Fatalf("form shown back with invalid UTF-8: %q", s)
			}
		}
		if cleanFrom(form.From) != form.From {
			t.Fatalf("from %q is not clean", form.From)
		}
		if fv, err := url.ParseQuery(form.From); err != nil {
			t.Fatalf("from %q does not parse: %v", form.From, err)
		} else {
			for k := range fv {
				switch k {
				case "q", "status", "category", "topic", "provider", "published", "qmin", "qmax", "sort", "cursor":
				default:
					t.Fatalf("from %q carries %q", form.From, k)
				}
			}
		}
		if errs.any() {
			return
		}
		switch {
		case form.quality == nil && !(qualityOptional && strings.TrimSpace(form.Quality) == ""):
			t.Fatalf("no quality from %q", form.Quality)
		case form.quality != nil && (*form.quality < article.MinQuality || *form.quality > article.MaxQuality):
			t.Fatalf("quality %d", *form.quality)
		}
		if _, err := article.ParseStatus(string(form.status)); err != nil {
			t.Fatalf("status %q accepted: %v", form.status, err)
		}
		if len(form.topics) > article.MaxTopics {
			t.Fatalf("%d topics accepted", len(form.topics))
		}
		seen := map[string]bool{}
		for _, tp := range form.topics {
			switch {
			case tp == "" || tp != strings.TrimSpace(tp):
				t.Fatalf("topic %q not trimmed or empty", tp)
			case !utf8.ValidString(tp) || strings.ContainsFunc(tp, unicode.IsControl):
				t.Fatalf("topic %q has invalid or control characters", tp)
			case utf8.RuneCountInString(tp) > article.MaxTopicLength:
				t.Fatalf("topic of %d characters", utf8.RuneCountInString(tp))
			case seen[strings.ToLower(tp)]:
				t.Fatalf("topic %q twice", tp)
			}
			seen[strings.ToLower(tp)] = true
		}
		if !utf8.ValidString(form.Note) || strings.Contains(form.Note, "\r") || utf8.RuneCountInString(form.Note) > maxNoteLen {
			t.Fatalf("note %q accepted", form.Note)
		}
	})
}

func topicValues(ts []views.TopicField) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Value, t.Error)
	}
	return out
}
