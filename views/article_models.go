package views

import "fmt"

// Link is a URL from article data. Href is empty unless the URL is http or
// https: anything else is shown as plain text, never linked.
type Link struct {
	Text string
	Href string
}

// Picture is the first image of an article; Src is empty unless http(s).
type Picture struct {
	Src    string
	Text   string // the URL as text, shown when Src is empty
	Alt    string
	Width  string // "" when unknown
	Height string
}

// RelatedItem is one related article.
type RelatedItem struct {
	Title    string
	Link     Link
	Provider string
	Date     Date
	Quality  string
}

// ArticleView is everything an editor reads about one article.
type ArticleView struct {
	ID             int64
	Key            string
	FileName       string
	Title          string
	Excerpt        string
	Category       string
	Type           string
	Heat           int
	ProviderName   string
	ProviderDomain string
	PublishedAt    Date
	ImportedAt     Date
	UpdatedAt      Date
	OriginalURL    Link
	WebURL         Link
	Image          *Picture // nil when the article has no image
	Related        []RelatedItem
	HasSecured     bool
	Body           BodyHTML // the Markdown body rendered by Markdown
	BodyCut        string   // when only the start of a long body is shown: its size, e.g. "3.9 MB"
	Status         string
	Published      bool
	Quality        string // "–" when none
	Topics         []string
}

// TopicField is one topic input of the review form.
type TopicField struct {
	Value   string
	Removed bool   // its remove box was ticked
	Error   string // "" when fine
}

// FormErrors are the review form's field errors; "" means no error.
type FormErrors struct {
	Quality   string
	Topics    string // about the list as a whole, e.g. too many
	NewTopic  string
	Published string
	Status    string
	Note      string
}

// ReviewForm is the edit form, with the values to show: the stored ones
// on a fresh page, the editor's own after a failed save.
type ReviewForm struct {
	Action    string // POST URL
	Version   int64
	From      string // the queue's query string, for "save and next"
	Quality   string
	Topics    []TopicField
	NewTopic  string
	Published bool
	Status    string
	Note      string
	Errors    FormErrors
	Invalid   bool // some field has an error
}

// Value is a field's value as pages show it: a text, or for topics the
// list itself, since a topic may hold a comma and joined topics would be
// ambiguous.
type Value struct {
	Text   string
	Topics []string
	IsList bool // show Topics ("none" when empty), not Text
}

// HistoryItem is one audit entry, in words.
type HistoryItem struct {
	Actor string
	Field string
	Old   Value
	New   Value
	At    Date
}

// ReviewView is the model of the review page.
type ReviewView struct {
	Article     ArticleView
	Form        ReviewForm
	Statuses    []Option // status radios
	Suggestions []string // known topics, for the add-topic datalist
	// AllTopics says Suggestions holds every topic in use, so a typed
	// topic missing from it is certainly new.
	AllTopics bool
	History   HistoryView
	BackURL   string // the queue the editor came from
	// Progress is where the article is in its queue; nil when unknown.
	Progress *Progress
	// NextImage is the next article's lead image (an http(s) URL), which
	// review.js loads ahead; "" when none.
	NextImage string
	// Presence is who else has the article open (presence.templ).
	Presence PresenceView
	// NextURL is the next article's review page (what "approve and next"
	// redirects to), which instant.js fetches ahead to show at once; ""
	// when there is none.
	NextURL string
}

// Progress is an article's place among the articles of its queue.
type Progress struct {
	Pos    int    // 1-based; 0 when the article is not in the queue
	Total  Count  // articles in the queue
	Status string // the queue's status filter: "pending", "approved", "rejected" or "all"
}

// String reads "12 of 49 pending in this queue"; without a position,
// "49 pending in this queue".
func (p Progress) String() string {
	what := p.Total.String()
	if p.Status != "all" {
		what += " " + p.Status
	}
	what += " in this queue"
	if p.Pos == 0 {
		return what
	}
	return fmt.Sprintf("%d of %s", p.Pos, what)
}

// ErrorLink points from the error summary to the field in error.
type ErrorLink struct {
	Href string // "#field-id"
	Text string
}

// ErrorLinks lists the form's errors in the order of the fields.
func (f ReviewForm) ErrorLinks() []ErrorLink {
	var out []ErrorLink
	add := func(id, msg string) {
		if msg != "" {
			out = append(out, ErrorLink{Href: "#" + id, Text: msg})
		}
	}
	add("quality", f.Errors.Quality)
	add("new-topic", f.Errors.Topics)
	for i, t := range f.Topics {
		add(topicID(i), t.Error)
	}
	add("new-topic", f.Errors.NewTopic)
	add("published", f.Errors.Published)
	add("status-"+firstStatus, f.Errors.Status)
	add("note", f.Errors.Note)
	return out
}

// firstStatus is the first status radio, where the summary sends focus.
const firstStatus = "pending"

// topicID is the id of the i-th topic input.
func topicID(i int) string { return fmt.Sprintf("topic-%d", i) }

// topicErrorID is the id of the i-th topic input's error message.
func topicErrorID(i int) string { return fmt.Sprintf("topic-%d-error", i) }

// indexString formats a topic index for the remove box's value.
func indexString(i int) string { return fmt.Sprintf("%d", i) }

// int64String formats a version for a hidden field.
func int64String(n int64) string { return fmt.Sprintf("%d", n) }

// boolString formats a flag for a data attribute.
func boolString(b bool) string { return fmt.Sprintf("%t", b) }

// yesNo shows a flag in words.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
