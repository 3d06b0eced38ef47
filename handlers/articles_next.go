package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/labstack/echo/v4"
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

// nextCandidates is how many free articles "save and next" keeps, in
// queue order: it claims the first no other editor claims before it
// (claimFirst), so that this many editors saving at the same moment each
// get an article of their own.
const nextCandidates = 8

// claimBudget bounds the time "save and next" spends claiming: past it,
// no further candidate is tried. Each claim waits at most presenceWait.
const claimBudget = 500 * time.Millisecond

// candidate is an article "next" may open.
type candidate struct {
	id  int64
	url string // its review page, remembering the queue page it is on
}

// queuePlace is where an article is in the queue it was opened from.
type queuePlace struct {
	nextID  int64  // the article "next" opens; 0 when there is none
	nextURL string // its review page, remembering the queue page it is on
	// later are the free articles after next, in queue order, when more
	// than one was asked for (findNext): where "next" goes when other
	// editors claim the ones before first.
	later []candidate
	// Set only when counted: the article's 1-based position among the
	// queue's articles (0 when it is not among the rows walked), and
	// their number.
	progress *views.Progress
}

// candidates are the articles "next" may open, first choice first.
func (p *queuePlace) candidates() []candidate {
	if p.nextID == 0 {
		return nil
	}
	return append([]candidate{{p.nextID, p.nextURL}}, p.later...)
}

// setNext makes free (in queue order) the articles "next" may open.
func (p *queuePlace) setNext(free []candidate) {
	if len(free) > 0 {
		p.nextID, p.nextURL, p.later = free[0].id, free[0].url, free[1:]
	}
}

// findNext finds what "save and next" opens for editor (a user id): see
// placeFor; up to nextCandidates articles, in case others claim the
// first ones. It claims nothing: the save runs between finding (before
// it, as the save may take the current article out of the queue, and
// with it its place) and claiming (claimFirst, once the save is stored,
// so that a refused save leaves the editor's presence on the article
// they are still on).
func (a *Articles) findNext(ctx context.Context, from string, current, editor int64) (queuePlace, error) {
	return a.walkQueue(ctx, from, current, editor, nextPages, nextCandidates, false)
}

// claimFirst claims for editor (a user id) the first of cands that no
// other editor has open (PresenceStore.ClaimArticle) and returns its
// index, trying them in order: of several editors saving at the same
// moment, each ends on an article of their own, and their presence moves
// there at once, before the browser asks for the page (another editor's
// "next" a moment later skips it; and the write comes next to the
// save's, not between the reads of the next page and the next save:
// every commit empties SQLite's reader caches, see BenchmarkPresence).
// A candidate another editor has, or
// that is gone, is skipped; so is one whose claim waited presenceWait in
// vain (the writer, or the article, is busy), but the first such is
// where the editor goes, unclaimed (the page's visit records them), when
// no other could be claimed. A store failure is logged and ends the
// tries the same way, as does claimBudget. -1 when every candidate was
// taken (or there was none).
func (a *Articles) claimFirst(c echo.Context, cands []candidate, editor int64) int {
	ctx := c.Request().Context()
	fallback, start := -1, time.Now()
	for i, cand := range cands {
		if i > 0 && time.Since(start) > claimBudget {
			break
		}
		claimed, err := a.claimArticle(ctx, cand.id, editor)
		switch {
		case claimed:
			return i
		case err == nil, errors.Is(err, db.ErrNotFound): // taken, or deleted since the walk
		case errors.Is(err, errBusy):
			if fallback < 0 {
				fallback = i
			}
		default:
			a.logStored(c, "claiming the next article", err)
			if fallback < 0 {
				fallback = i
			}
			return fallback
		}
	}
	return fallback
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
	return a.walkQueue(ctx, from, current, editor, pages, 1, count)
}

// walkQueue is placeFor keeping up to want free articles (queuePlace.later
// has the ones after the first).
func (a *Articles) walkQueue(ctx context.Context, from string, current, editor int64, pages, want int, count bool) (queuePlace, error) {
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
	var after, first []candidate // the free articles after current; the queue's first ones
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
				after = append(after, candidate{s.ID, articleURL(s.ID, queueQuery(f.view, f.query.Cursor))})
				if len(after) == want {
					place.setNext(after)
					place.setPos(pos)
					return place, nil
				}
			case len(first) < want:
				first = append(first, candidate{s.ID, articleURL(s.ID, queueQuery(f.view, f.query.Cursor))})
			}
		}
		if page.Next == "" {
			break
		}
		f.query.Cursor = page.Next
	}
	place.setPos(pos)
	if found {
		place.setNext(after)
	} else {
		place.setNext(first)
	}
	return place, nil
}

func (p *queuePlace) setPos(pos int) {
	if p.progress != nil {
		p.progress.Pos = pos
	}
}
