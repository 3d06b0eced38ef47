package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// Bounds on filter text from the URL: the search box and the other text
// filters are cut to these many characters.
const (
	maxSearchLen = 500
	maxFilterLen = 200
	maxCursorLen = 256 // a store cursor is far shorter; anything longer is not one
)

// filterDefaults are the values a filter takes when its parameter is absent.
type filterDefaults struct {
	status, published string
}

var (
	// The queue shows what awaits a decision: pending, whatever the
	// Published flag says, so ticking Published never hides an undecided
	// article (issue 10). Published stays a filter (yes, no, any).
	queueDefaults = filterDefaults{status: "pending", published: "any"}
	// Export sends out what was approved.
	exportDefaults = filterDefaults{status: "approved", published: "any"}
)

// filters is what parseFilters made of the URL: the values to show, the
// store query, and a friendly sentence per value it had to ignore.
type filters struct {
	view     views.Filters
	query    db.ListQuery
	problems []string
}

// parseFilters reads the queue's filter parameters. It never fails: a bad
// value is replaced by its default and explained in problems.
func parseFilters(v url.Values, d filterDefaults) filters {
	var f filters
	f.view.Q = cleanText(v.Get("q"), maxSearchLen)
	f.query.Text = f.view.Q
	f.view.Category = cleanText(v.Get("category"), maxFilterLen)
	f.query.Category = f.view.Category
	f.view.Provider = cleanText(v.Get("provider"), maxFilterLen)
	f.query.Provider = f.view.Provider
	f.view.Topic = cleanText(v.Get("topic"), maxFilterLen)
	f.query.Topic = f.view.Topic
	f.parseStatus(v.Get("status"), d.status)
	f.parsePublished(v.Get("published"), d.published)
	f.parseSort(v.Get("sort"))
	f.query.MinQuality, f.view.QMin = f.parseQuality(v.Get("qmin"), "Minimum quality")
	f.query.MaxQuality, f.view.QMax = f.parseQuality(v.Get("qmax"), "Maximum quality")
	f.checkQualityRange()
	return f
}

// cleanText trims s, replaces invalid UTF-8 and control characters, and
// cuts it to max characters.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = strings.TrimSpace(string([]rune(s)[:max]))
	}
	return s
}

func (f *filters) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// shown quotes user text for a message, cut short when long.
func shown(s string) string {
	return strconv.Quote(cleanText(s, 40))
}

func (f *filters) parseStatus(s, def string) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = def
	}
	if s != "all" {
		if _, err := article.ParseStatus(s); err != nil {
			f.problem("There is no status %s, so the status filter shows %s articles.", shown(s), def)
			s = def
		}
	}
	f.view.Status, f.query.Status = s, ""
	if s != "all" {
		f.query.Status = article.Status(s)
	}
}

func (f *filters) parsePublished(s, def string) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = def
	}
	switch s {
	case "yes", "no", "any":
	default:
		f.problem("Published must be yes, no or any, not %s; showing %s.", shown(s), def)
		s = def
	}
	f.view.Published = s
	f.query.Published = nil
	if s != "any" {
		b := s == "yes"
		f.query.Published = &b
	}
}

func (f *filters) parseSort(s string) {
	s = strings.TrimSpace(s)
	switch db.Sort(s) {
	case db.SortNewest, db.SortHeat, db.SortQuality:
	case "":
		s = string(db.SortNewest)
	default:
		f.problem("Articles cannot be sorted by %s, so they are sorted newest first.", shown(s))
		s = string(db.SortNewest)
	}
	f.view.Sort, f.query.Sort = s, db.Sort(s)
}

// parseQuality reads qmin or qmax: empty, or a whole number 0..100.
func (f *filters) parseQuality(s, what string) (*int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < article.MinQuality || n > article.MaxQuality {
		f.problem("%s must be a whole number from 0 to 100, not %s; that filter is ignored.", what, shown(s))
		return nil, ""
	}
	return &n, strconv.Itoa(n)
}

func (f *filters) checkQualityRange() {
	lo, hi := f.query.MinQuality, f.query.MaxQuality
	if lo != nil && hi != nil && *lo > *hi {
		f.problem("The minimum quality %d is above the maximum %d; the quality filter is ignored.", *lo, *hi)
		f.query.MinQuality, f.query.MaxQuality = nil, nil
		f.view.QMin, f.view.QMax = "", ""
	}
}

// filterValues encodes filters as URL parameters; status, published and
// sort are always written, so every link says exactly what it shows.
func filterValues(f views.Filters) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Q)
	set("status", f.Status)
	set("category", f.Category)
	set("topic", f.Topic)
	set("provider", f.Provider)
	set("published", f.Published)
	set("qmin", f.QMin)
	set("qmax", f.QMax)
	set("sort", f.Sort)
	return v
}

// exportValues are the queue's filters for "Export these…": the status
// and every filter the editor chose. published=any, the default of both
// pages, is left out so the export link says only what was chosen.
func exportValues(f views.Filters) url.Values {
	v := filterValues(f)
	if f.Published == exportDefaults.published {
		v.Del("published")
	}
	v.Del("sort") // an export is in key order
	return v
}

// queueQuery is the query string of a queue page: its filters and cursor.
func queueQuery(f views.Filters, cursor string) string {
	v := filterValues(f)
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return v.Encode()
}

// cleanFrom re-reads a `from` parameter as a queue query string, keeping
// only the queue's own parameters, so it can never point anywhere else.
func cleanFrom(from string) string {
	if from == "" {
		return ""
	}
	v, err := url.ParseQuery(from)
	if err != nil {
		return ""
	}
	f := parseFilters(v, queueDefaults)
	return queueQuery(f.view, cleanText(v.Get("cursor"), maxCursorLen))
}

// fromFilters turns a clean `from` back into the queue's filters and cursor.
func fromFilters(from string) filters {
	v, _ := url.ParseQuery(from) // made by cleanFrom
	f := parseFilters(v, queueDefaults)
	f.query.Cursor = v.Get("cursor")
	return f
}
