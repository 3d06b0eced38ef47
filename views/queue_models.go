package views

import "strconv"

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

// StatusTab is one status tab of the queue, with its count.
type StatusTab struct {
	Label   string
	URL     string
	Count   int
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
}

// Date is a point in time as pages show it.
type Date struct {
	Text string // e.g. "2 Nov 2022 08:30"; "" when unknown
	ISO  string // for <time datetime>
}

// QueueView is the model of the review queue page.
type QueueView struct {
	Filters   Filters
	Choices   FilterChoices
	Notices   []string // friendly words about filters that were ignored
	Tabs      []StatusTab
	Rows      []QueueRow
	Total     int    // articles matching every filter
	NextURL   string // "" on the last page
	FirstURL  string // "" on the first page
	ClearURL  string // the default queue
	ExportURL string // export with these filters
}

// idString formats an article id for attributes and URLs.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
