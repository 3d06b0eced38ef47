package views

import (
	"net/url"
	"strconv"
	"strings"
)

// TopicsView is the model of the topics page (GET /topics): the topics in
// use with their counts, a page of them at a time, and the rename form.
type TopicsView struct {
	Q        string     // the filter box: part of a topic's name
	Rows     []TopicRow // this page, most used first
	Range    PageRange  // where the page is among the matching topics
	PrevURL  string     // "" on the first page
	NextURL  string     // "" on the last page
	ClearURL string     // the page without the filter
	Rename   RenameForm
}

// TopicRow is one topic of the list.
type TopicRow struct {
	Name    string
	Total   int // articles that have it, any status
	Pending int // of which pending
}

// QueueURL is the queue of every article with the topic, whatever its
// status.
func (r TopicRow) QueueURL() string { return TopicQueueURL(r.Name, "all") }

// PendingURL is the queue of the pending articles with the topic.
func (r TopicRow) PendingURL() string { return TopicQueueURL(r.Name, "pending") }

// TopicQueueURL is the queue filtered by topic and status ("all" or a
// status).
func TopicQueueURL(topic, status string) string {
	return "/articles?" + url.Values{"topic": {topic}, "status": {status}}.Encode()
}

// RenameForm is the rename-or-merge form: the values to show again and
// their messages.
type RenameForm struct {
	From, To string
	Errors   RenameErrors
}

// RenameErrors are the form's field messages; "" means none.
type RenameErrors struct {
	From string
	To   string
}

// Any reports whether there is a message to show.
func (e RenameErrors) Any() bool { return e.From != "" || e.To != "" }

// RenameConfirm is the confirmation step of a rename or merge: the
// articles that have the topic were stored as snapshot SnapshotID, and
// confirming changes exactly those.
type RenameConfirm struct {
	From       string
	To         string // in the store's spelling when it merges
	Merge      bool   // To is a topic in use: the two become one
	Count      int    // articles in the snapshot
	SnapshotID int64
	Q          string // the list's filter, to go back to it
}

// Summary is the sentence the confirmation leads with: "Rename “Ai” to
// “AI”: 120 articles" or "Merge “A.I.” into “AI”: 120 articles".
func (c RenameConfirm) Summary() string {
	if c.Merge {
		return "Merge “" + c.From + "” into “" + c.To + "”: " + Articles(c.Count)
	}
	return "Rename “" + c.From + "” to “" + c.To + "”: " + Articles(c.Count)
}

// BackURL is the topics page the confirmation came from.
func (c RenameConfirm) BackURL() string { return TopicsURL(c.Q, 0) }

// TopicsURL is the topics page filtered by q, from position offset.
func TopicsURL(q string, offset int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if len(v) == 0 {
		return "/topics"
	}
	return "/topics?" + v.Encode()
}

// Articles is "1 article" or "12,345 articles".
func Articles(n int) string {
	if n == 1 {
		return "1 article"
	}
	return Count{N: n}.String() + " articles"
}

func topicsNoun(c Count) string {
	if c.One() {
		return "topic"
	}
	return "topics"
}

// countText is n with English digit grouping ("12,345").
func countText(n int) string { return Count{N: n}.String() }

// renameLink opens the rename form with the topic filled in; the form is
// on the same page, so it works without JavaScript.
func renameLink(q, name string) string {
	v := url.Values{"from": {name}}
	if q != "" {
		v.Set("q", q)
	}
	return "/topics?" + v.Encode() + "#rename"
}

// fieldHelp is the aria-describedby of a rename form field: its hint and
// its message, when shown.
func fieldHelp(id, msg, hint string) string {
	var ids []string
	if hint != "" {
		ids = append(ids, id+"-hint")
	}
	if msg != "" {
		ids = append(ids, id+"-error")
	}
	return strings.Join(ids, " ")
}
