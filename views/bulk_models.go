package views

import "strconv"

// BulkBar is the queue's bulk-action bar: the form the row checkboxes
// belong to (form="bulk-form"), so selecting works without JavaScript.
type BulkBar struct {
	From    string   // the queue page (QueueView.Key), posted back as "from"
	Total   Count    // articles matching the filters: "Apply to all N matching"
	Actions []Option // the bulk actions, in menu order
}

// BulkActions are the bulk actions of the queue's menu: the values are
// review.BulkKind's (handlers' tests check that they agree).
var BulkActions = []Option{
	{Value: "approve", Label: "Approve"},
	{Value: "reject", Label: "Reject"},
	{Value: "publish", Label: "Publish"},
	{Value: "unpublish", Label: "Unpublish"},
	{Value: "add-topic", Label: "Add topic…"},
	{Value: "remove-topic", Label: "Remove topic…"},
	{Value: "set-quality", Label: "Set quality…"},
}

// BulkBar is the queue's bulk-action bar for this page: it carries the
// page's queue (Key) back, and counts what its filters match.
func (v QueueView) BulkBar() BulkBar {
	return BulkBar{From: v.Key, Total: v.Total, Actions: BulkActions}
}

// BulkConfirmView is the confirmation page of a bulk action: the exact
// count of a snapshot and the action, with Confirm and Cancel.
type BulkConfirmView struct {
	SnapshotID int64
	Count      Count
	Action     string // "approve", "add topic “AI”"…, as a sentence's verb phrase
	Prep       string // the word before the count: "to" (add topic "AI" to 3 articles), "from", "on"; "" for none
	// Fields are posted back with Confirm: action, topic, quality (the
	// snapshot's stored action, which Run checks them against), from.
	Kind, Topic, Quality, From string
	CancelURL                  string // the queue
}

// BulkFormErrorView is the page of a refused bulk form: the status, what
// is wrong, and the queue the form came from.
type BulkFormErrorView struct {
	Code    int
	Message string
	BackURL string // the queue with its filters
}

// ConfirmURL is where Confirm posts.
func (v BulkConfirmView) ConfirmURL() string {
	return "/bulk/snapshots/" + strconv.FormatInt(v.SnapshotID, 10)
}

// BulkProgressView is the page of a bulk action still running: it
// reloads itself (the HTTP Refresh header) until the action is done.
type BulkProgressView struct {
	Action      string
	Done, Total int
}

// Percent is how far the action is, 0 to 100.
func (v BulkProgressView) Percent() int {
	if v.Total <= 0 {
		return 0
	}
	return v.Done * 100 / v.Total
}

// BulkHistoryView is the history of bulk actions, newest first.
type BulkHistoryView struct {
	Rows []BulkHistoryRow
}

// BulkHistoryRow is one bulk action of the history.
type BulkHistoryRow struct {
	ID                                   int64
	When                                 Date
	Actor                                string
	Action                               string // what it did, "approve", "undo of #12"
	Changed, Unchanged, Skipped, Refused int
	Undone                               string           // "undone by ann on 30 Nov 2026 08:10"; "" when not undone
	Undo                                 *BatchUndoTarget // the Undo button; nil when it cannot be undone
}

func intString(n int) string { return strconv.Itoa(n) }

// capitalize upper-cases the first letter of an ASCII phrase ("approve").
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
