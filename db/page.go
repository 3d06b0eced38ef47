package db

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Cursor directions, as Cursor.Dir holds them: the rows after a row, the
// rows before a row, the last page; 0 is the first page.
const (
	CursorAfter  byte = 'a'
	CursorBefore byte = 'b'
	CursorLast   byte = 'l'
)

// maxCursorPos bounds the position a cursor may carry: far more rows than
// a store holds, small enough that no sum overflows.
const maxCursorPos = 1 << 40

// Cursor is a decoded page cursor (see List).
type Cursor struct {
	Dir   byte  // 0 (first page), CursorAfter, CursorBefore or CursorLast
	Value int64 // sort value of the row (CursorAfter, CursorBefore)
	ID    int64 // id of the row (CursorAfter, CursorBefore)
	// Pos: CursorAfter, the position of the page's first row; CursorBefore,
	// of the row; CursorLast, an estimate of the page's. At most 1<<40.
	Pos int
}

// EncodeCursor makes the cursor of direction dir at row (nil for
// CursorLast) and position pos, for sort: base64url of
// "sort|dir|value|id|pos", at most 128 bytes. It is ours: DecodeCursor
// checks every part, and the value and id only ever become arguments of a
// keyset condition.
func EncodeCursor(sort Sort, dir byte, row *Summary, pos int) string {
	var v, id int64
	if row != nil {
		v, id = sortValue(sort, *row), row.ID
	}
	raw := string(sort) + "|" + string(rune(dir)) + "|" + strconv.FormatInt(v, 10) + "|" +
		strconv.FormatInt(id, 10) + "|" + strconv.Itoa(pos)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// sortValue is a row's value in the column sort orders by (published_at in
// unix seconds, heat, or eff_quality with -1 for none): what a cursor
// holds.
func sortValue(sort Sort, s Summary) int64 {
	switch sort {
	case SortHeat:
		return int64(s.Heat)
	case SortQuality:
		if !s.HasQuality {
			return -1
		}
		return int64(s.Quality)
	}
	return toUnix(s.PublishedAt)
}

// DecodeCursor reads a cursor EncodeCursor made for sort; "" is the first
// page. Anything else is an error wrapping ErrBadCursor.
func DecodeCursor(c string, sort Sort) (Cursor, error) {
	bad := func(why string) error { return fmt.Errorf("db: %w: %s", ErrBadCursor, why) }
	if c == "" {
		return Cursor{}, nil
	}
	if len(c) > 128 {
		return Cursor{}, bad("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return Cursor{}, bad("not base64url")
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 5 || len(parts[1]) != 1 {
		return Cursor{}, bad("malformed")
	}
	if Sort(parts[0]) != sort {
		return Cursor{}, bad("made for another sort")
	}
	cur := Cursor{Dir: parts[1][0]}
	var err1, err2, err3 error
	cur.Value, err1 = strconv.ParseInt(parts[2], 10, 64)
	cur.ID, err2 = strconv.ParseInt(parts[3], 10, 64)
	cur.Pos, err3 = strconv.Atoi(parts[4])
	if errors.Join(err1, err2, err3) != nil || cur.Pos < 0 || cur.Pos > maxCursorPos {
		return Cursor{}, bad("malformed")
	}
	switch cur.Dir {
	case CursorAfter, CursorBefore:
		if cur.ID <= 0 {
			return Cursor{}, bad("malformed")
		}
	case CursorLast:
		if cur.ID != 0 || cur.Value != 0 {
			return Cursor{}, bad("malformed")
		}
	default:
		return Cursor{}, bad("unknown direction")
	}
	return cur, nil
}

// PageFetch runs a store's page query: at most limit rows of the list in
// sort order, or in its reverse when reverse is set. With from, only the
// rows past from's row in that direction: the keyset condition
// (sort column, id) < (from.Value, from.ID), or > when reverse.
type PageFetch func(ctx context.Context, from *Cursor, reverse bool, limit int) ([]Summary, error)

// Pager reads the page a cursor asks for through a store's PageFetch:
// both stores page the same way.
type Pager struct {
	Fetch PageFetch
	Sort  Sort
	Limit int // rows a page
	// Total is how many rows the list holds when Exact; Exact is false
	// when the count is unknown or capped.
	Total int
	Exact bool
	// LastLink offers a cursor to the last page (only when Exact).
	LastLink bool
}

// Read fills page's Items, Offset and cursors (Prev, Next, Last) for
// cur. The errors are Fetch's.
func (p Pager) Read(ctx context.Context, cur Cursor, page *Page) error {
	w := window{fetch: p.Fetch, limit: p.Limit}
	if cur.Dir == CursorLast && p.Exact {
		// The last page holds what the pages before it leave, so that Last
		// and Next, page after page, end on the same rows ("51–66 of 66").
		if rows := p.Total - cur.Pos; rows > 0 && rows < w.limit {
			w.limit = rows
		}
	}
	if err := w.read(ctx, cur); err != nil {
		return err
	}
	page.Items, page.Offset = w.items, w.offset
	if p.Exact {
		page.Offset = w.clampOffset(p.Total)
	}
	if n := len(w.items); n > 0 {
		if w.hasPrev {
			page.Prev = EncodeCursor(p.Sort, CursorBefore, &w.items[0], page.Offset)
		}
		if w.hasNext {
			page.Next = EncodeCursor(p.Sort, CursorAfter, &w.items[n-1], page.Offset+n)
			if p.Exact && p.LastLink {
				page.Last = EncodeCursor(p.Sort, CursorLast, nil, lastPageStart(p.Total, p.Limit))
			}
		}
	}
	return nil
}

// lastPageStart is the position of the last page's first row when pages
// of limit rows start at row 0: 50 for 66 rows of 50 a page.
func lastPageStart(total, limit int) int {
	if total <= 0 {
		return 0
	}
	return (total - 1) / limit * limit
}

// window reads one page of rows in one of the ways a cursor asks.
type window struct {
	fetch PageFetch
	limit int

	items            []Summary // in sort order
	offset           int       // position of items[0], as the cursor says
	hasPrev, hasNext bool
}

// clampOffset makes the page's position agree with what is known for
// sure when total rows match: nothing before the first page, nothing
// after the last.
func (w *window) clampOffset(total int) int {
	off, n := w.offset, len(w.items)
	if !w.hasNext || off+n > total {
		off = total - n
	}
	if w.hasPrev {
		off = max(off, 1)
	}
	return max(off, 0)
}

// read fills w for cur: the first page (no cursor), the rows after or
// before a row, or the last page. The rows before a row, and the last
// page, are the first rows of the reverse order, reversed. When the rows
// before a row no longer fill a page (rows were removed since the cursor
// was made), that page is the first one, read as such so it is full; when
// nothing is left after a row, the last page is shown instead.
func (w *window) read(ctx context.Context, cur Cursor) error {
	switch cur.Dir {
	case CursorAfter:
		if err := w.forward(ctx, &cur); err != nil || len(w.items) > 0 {
			return err
		}
		if err := w.backward(ctx, nil); err != nil {
			return err
		}
		w.offset = max(cur.Pos-len(w.items), 0)
		return nil
	case CursorBefore:
		if err := w.backward(ctx, &cur); err != nil || w.hasPrev {
			return err
		}
		if len(w.items) == w.limit { // exactly the first page
			w.offset = 0
			return nil
		}
		return w.forward(ctx, nil)
	case CursorLast:
		if err := w.backward(ctx, nil); err != nil {
			return err
		}
		w.offset = max(cur.Pos, 1)
		if !w.hasPrev {
			w.offset = 0
		}
		return nil
	}
	return w.forward(ctx, nil)
}

// forward reads the page after cur's row, or the first page when cur is
// nil.
func (w *window) forward(ctx context.Context, cur *Cursor) error {
	w.offset, w.hasPrev = 0, false
	if cur != nil {
		w.offset, w.hasPrev = cur.Pos, true
	}
	items, err := w.fetch(ctx, cur, false, w.limit+1)
	if err != nil {
		return err
	}
	w.hasNext = len(items) > w.limit
	w.items = items[:min(len(items), w.limit)]
	return nil
}

// backward reads the page before cur's row, or the last page when cur is
// nil: the first rows of the reverse order, reversed.
func (w *window) backward(ctx context.Context, cur *Cursor) error {
	w.hasNext = cur != nil
	items, err := w.fetch(ctx, cur, true, w.limit+1)
	if err != nil {
		return err
	}
	w.hasPrev = len(items) > w.limit
	items = items[:min(len(items), w.limit)]
	slices.Reverse(items)
	w.items = items
	if cur != nil {
		w.offset = max(cur.Pos-len(items), 0)
	}
	return nil
}
