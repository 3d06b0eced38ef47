package handlers

import (
	"context"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// How far "save and next" walks the queue looking for the article it is
// on: at most this many pages of this many rows. The review page walks
// showPages only: the queue's link puts the article on the first of them
// (a queue page is db.DefaultLimit rows, fewer than nextPageSize).
const (
	nextPages    = 10
	showPages    = 2
	nextPageSize = 100
)

// queuePlace is where an article is in the queue it was opened from.
type queuePlace struct {
	nextID  int64  // the article "next" opens; 0 when there is none
	nextURL string // its review page, remembering the queue page it is on
	// Set only when counted: the article's 1-based position among the
	// queue's articles (0 when it is not among the rows walked), and
	// their number.
	progress *views.Progress
}

// findNext finds what "save and next" opens for editor (a user id): see
// placeFor. It claims nothing: the save runs between finding (before it,
// as the save may take the current article out of the queue, and with it
// its place) and claiming (claim, once the save is stored, so that a
// refused save leaves the editor's presence on the article they are
// still on).
func (a *Articles) findNext(ctx context.Context, from string, current, editor int64) (queuePlace, error) {
	return a.placeFor(ctx, from, current, editor, nextPages, false)
}

// claim records editor (a user id) on article id at once (their presence
// moves there, see PresenceStore.OpenArticle): another editor's "next" a
// moment later skips it instead of landing on the same one, and the write
// comes next to the save's rather than between the reads of the next page
// and the next save (every commit empties SQLite's reader caches; see
// BenchmarkPresence). Nothing happens for id or editor 0.
func (a *Articles) claim(ctx context.Context, id, editor int64) error {
	if id == 0 || editor == 0 {
		return nil
	}
	return recordPresence(ctx, func(ctx context.Context) error {
		return a.store.OpenArticle(ctx, id, editor, a.now())
	})
}

// placeInQueue is placeFor without skipping what others have open: for
// an article's progress in its queue.
func (a *Articles) placeInQueue(ctx context.Context, from string, current int64, pages int, count bool) (queuePlace, error) {
	return a.placeFor(ctx, from, current, 0, pages, count)
}

// placeFor walks the queue from (a queue query string) from its
// cursor, at most pages pages of nextPageSize rows, for current and the
// article "next" opens: the first after current that still needs review
// and that no editor other than editor (a user id; 0 for none) has open
// (see PresenceStore), so two editors working one queue do not collide.
// When current is not among the rows walked, the queue's first such
// article is next. nextURL remembers the queue page the next article is
// on; it is "" when there is none. With count it also gives current's
// position and the queue's size: the size comes from the store's counter
// tables (capped counting past what they cover, as on the queue page),
// the position from the walked page's offset, so neither scans the queue.
// The articles others have open cost one query, whatever the walk.
func (a *Articles) placeFor(ctx context.Context, from string, current, editor int64, pages int, count bool) (queuePlace, error) {
	var busy map[int64][]string
	if editor != 0 {
		var err error
		if busy, err = a.openByOthers(ctx, nil, editor); err != nil {
			return queuePlace{}, err
		}
	}
	f := fromFilters(from)
	f.query.Limit = nextPageSize
	f.query.Counts = db.CountsNone // only the rows are needed
	if count {
		f.query.Counts = db.CountsCapped
	}
	// A queue of approved or rejected articles has no pending ones: there
	// the next article is simply the next one.
	wantPending := f.query.Status == "" || f.query.Status == article.StatusPending
	var place queuePlace
	pos, found := 0, false
	var firstID int64
	firstURL := ""
	for i := range pages {
		page, err := a.list(ctx, &f)
		if err != nil {
			return place, err
		}
		if count && i == 0 {
			place.progress = &views.Progress{
				Total:  views.Count{N: page.Total, AtLeast: page.TotalCapped},
				Status: f.view.Status,
			}
			f.query.Counts = db.CountsNone // the counts are the same on every page
		}
		for j, s := range page.Items {
			switch {
			case s.ID == current:
				found, pos = true, page.Offset+j+1
			case wantPending && s.Status != article.StatusPending:
			case busy[s.ID] != nil: // another editor is on it
			case found:
				place.nextID, place.nextURL = s.ID, articleURL(s.ID, queueQuery(f.view, f.query.Cursor))
				place.setPos(pos)
				return place, nil
			case firstURL == "":
				firstID, firstURL = s.ID, articleURL(s.ID, queueQuery(f.view, f.query.Cursor))
			}
		}
		if page.Next == "" {
			break
		}
		f.query.Cursor = page.Next
	}
	place.setPos(pos)
	if !found {
		place.nextID, place.nextURL = firstID, firstURL
	}
	return place, nil
}

func (p *queuePlace) setPos(pos int) {
	if p.progress != nil {
		p.progress.Pos = pos
	}
}
