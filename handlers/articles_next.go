package handlers

import (
	"context"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// How far "save and next" walks the queue looking for the article it is
// on: at most this many pages of this many rows.
const (
	nextPages    = 10
	nextPageSize = 100
)

// nextInQueue finds what "save and next" opens: the first article after
// current in the queue the editor came from (from, a queue query string)
// that still needs review. It returns the article's URL, remembering the
// queue page it is on, or "" when current was the last one. When current
// is not in the queue at all, the queue's first such article is next.
func (a *Articles) nextInQueue(ctx context.Context, from string, current int64) (string, error) {
	f := fromFilters(from)
	f.query.Limit = nextPageSize
	f.query.Counts = db.CountsNone // only the rows are needed
	// A queue of approved or rejected articles has no pending ones: there
	// the next article is simply the next one.
	wantPending := f.query.Status == "" || f.query.Status == article.StatusPending
	found, first := false, ""
	for range nextPages {
		page, err := a.list(ctx, &f)
		if err != nil {
			return "", err
		}
		for _, s := range page.Items {
			switch {
			case s.ID == current:
				found = true
			case wantPending && s.Status != article.StatusPending:
			case found:
				return articleURL(s.ID, queueQuery(f.view, f.query.Cursor)), nil
			case first == "":
				first = articleURL(s.ID, queueQuery(f.view, f.query.Cursor))
			}
		}
		if page.Next == "" {
			break
		}
		f.query.Cursor = page.Next
	}
	if found {
		return "", nil
	}
	return first, nil
}
