package views

import (
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Filters are the queue's filter values as the filter form shows them:
// the user's text, already cleaned of anything that was refused.
type Filters struct {
	Q         string
	Status    string // pending, approved, rejected or all
	Category  string
	Topic     string
	Provider  string
	Published string // yes, no or any
	QMin      string
	QMax      string
	Sort      string // newest, heat or quality
}

// Option is one choice of a select, radio group or datalist.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// FilterChoices are the choices the filter form offers.
type FilterChoices struct {
	Categories []Option // first is "Any"
	Providers  []Option // first is "Any"
	Topics     []string // suggestions for the topic field
	Published  []Option
	Sorts      []Option
}

// Count is a number of articles as pages show it: with thousands
// separators, "12,345", and "10,000+" when it is a lower bound.
type Count struct {
	N       int
	AtLeast bool // more than N match; N is the bound counted to
}

// String is the count in English digits ("12,345", "10,000+"); the
// grouping is golang.org/x/text's for English.
func (c Count) String() string {
	s := message.NewPrinter(language.English).Sprint(c.N)
	if c.AtLeast {
		s += "+"
	}
	return s
}

// One reports whether the count is exactly one, for singular words.
func (c Count) One() bool { return c.N == 1 && !c.AtLeast }

// PageRange is where a page is among the matching articles: rows From to
// To (from 1) of Of, "51–100 of 12,345".
type PageRange struct {
	From, To int
	Of       Count
}

// String is the range as the pager shows it.
func (r PageRange) String() string {
	return Count{N: r.From}.String() + "–" + Count{N: r.To}.String() + " of " + r.Of.String()
}

// StatusTab is one status tab of the queue, with its count.
type StatusTab struct {
	Label   string
	URL     string
	Count   Count
	Current bool
	TestID  string // count-pending, count-approved, count-rejected, count-all
	Status  string // pending, approved, rejected or all, for the badge colour
}

// QueueRow is one article in the queue.
type QueueRow struct {
	ID        int64
	Title     string
	URL       string // review page, remembering the queue
	Provider  string
	Date      Date
	Quality   string // "–" when none
	Heat      int
	Topics    []string
	Status    string
	Published bool
	// Version is the article's version as the page shows it; the bulk
	// form posts it with the row's tick (VersionField), so an action
	// leaves alone an article changed after the page was drawn.
	Version int64
	// OpenBy are the other editors who have the article open now (see
	// handlers' presence), as their usernames; empty when nobody else.
	OpenBy []string
}

// Date is a point in time as pages show it.
type Date struct {
	Text string // e.g. "2 Nov 2022 08:30"; "" when unknown
	ISO  string // for <time datetime>
}

// QueueView is the model of the review queue page.
type QueueView struct {
	Filters Filters
	Choices FilterChoices
	Notices []string // friendly words about filters that were ignored
	Tabs    []StatusTab
	Rows    []QueueRow
	Total   Count      // articles matching every filter
	Range   *PageRange // where the rows are; nil when there are none
	// Elsewhere are the tabs of other statuses that have articles, when
	// the current one has none: "No pending articles match; 3 approved do."
	Elsewhere []StatusTab
	FirstURL  string // "" on the first page
	PrevURL   string // "" on the first page
	NextURL   string // "" on the last page
	LastURL   string // "" on the last page, and when Total is a lower bound
	ClearURL  string // the default queue
	ExportURL string // export with these filters
	// Key names this page of this queue (its filters and cursor, as the
	// review page's `from`), so keys.js can remember the current row
	// whichever URL spelling led here.
	Key string
}

// ElsewhereVerb agrees with the Elsewhere counts: "1 approved does", "3
// approved do", "1 approved and 1 rejected do".
func (v QueueView) ElsewhereVerb() string {
	if len(v.Elsewhere) == 1 && v.Elsewhere[0].Count.One() {
		return "does"
	}
	return "do"
}

// VersionField is the name of the bulk form's field that carries the
// version row id showed: "version-ID".
func VersionField(id int64) string { return "version-" + idString(id) }

// idString formats an article id for attributes and URLs.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
