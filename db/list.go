package db

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// Sort is the order of the review queue. Ties are broken by id, descending.
type Sort string

const (
	SortNewest  Sort = "newest"  // published_at, newest first
	SortHeat    Sort = "heat"    // heat, hottest first
	SortQuality Sort = "quality" // effective quality, best first; none last
)

// sortColumn is the column each sort orders by; each has an index with
// and without status in front (see 0001_init.sql).
var sortColumn = map[Sort]string{
	SortNewest:  "a.published_at",
	SortHeat:    "a.heat",
	SortQuality: "a.eff_quality",
}

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ListQuery selects and orders articles for the queue and for export.
type ListQuery struct {
	Text                   string         // full text; user text, may be hostile
	Status                 article.Status // "" = all
	Category, Topic        string         // Topic matches case-insensitively
	Provider               string         // provider name
	Published              *bool          // effective published
	MinQuality, MaxQuality *int           // effective quality; an article without one matches neither
	Sort                   Sort           // "" = newest
	Cursor                 string         // from Page.Next, Prev or Last; "" = the first page
	Limit                  int            // 0 = DefaultLimit, at most MaxLimit
	Counts                 CountMode      // how to count per status; the zero value is CountsExact
}

// Summary is one row of the queue.
type Summary struct {
	ID           int64
	Key          string
	Title        string
	Category     string
	ProviderName string
	PublishedAt  time.Time
	Quality      int // effective
	HasQuality   bool
	Heat         int
	Topics       []string // effective
	Status       article.Status
	Published    bool // effective
	// Version is the article's version as the row was read: a bulk action
	// on the ticked rows leaves alone an article changed since.
	Version int64
}

// Page is one page of the queue.
type Page struct {
	Items []Summary
	Next  string // cursor of the next page, "" on the last
	Prev  string // cursor of the previous page, "" on the first
	Last  string // cursor of the last page; "" on it, and when Total is not exact
	// Offset is the position of Items[0] among the matching articles,
	// from 0: "51–100" is Offset 50 with 50 items. It is carried by the
	// cursor, so rows added or removed before the page since the cursor
	// was made shift it; it is made consistent at the ends (0 on the
	// first page, Total-len(Items) on the last when Total is exact).
	Offset int
	// Counts are per status, with the other filters applied; every status
	// is present, except with CountsNone (nil).
	Counts map[article.Status]int
	// Capped marks the counts that are a lower bound: CountCap, and more
	// match (only with CountsCapped).
	Capped map[article.Status]bool
	// Total is the number of articles matching all filters, status
	// included; TotalCapped says it is a lower bound (CountCap per status).
	Total       int
	TotalCapped bool
}

// List returns one page of articles matching q, in q.Sort order, with its
// per-status counts (see CountMode) and cursors for the next, previous and
// last pages. Paging is keyset, never OFFSET: a cursor holds the sort
// value and id of a row, so every page, the last one included, is an
// index range scan however deep it is. Errors: ErrBadCursor (wrapped) for
// a cursor List did not make for q.Sort; an unknown sort or status.
func (s *Store) List(ctx context.Context, q ListQuery) (Page, error) {
	sort, err := q.sort()
	if err != nil {
		return Page{}, err
	}
	f, err := q.where(false)
	if err != nil {
		return Page{}, err
	}
	cur, err := decodeCursor(q.Cursor, sort)
	if err != nil {
		return Page{}, err
	}
	// The generation before the transaction's first read: counts cached
	// in it are as new as the snapshot, or the cache is already stale.
	at, err := s.results.snapshot(ctx)
	if err != nil {
		return Page{}, err
	}
	// One read transaction, so counts and items come from one snapshot.
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Page{}, fmt.Errorf("db: list articles: %w", err)
	}
	var missed []string
	defer func() {
		sqlTx.Rollback()
		s.rStmts.learn(ctx, missed)
	}()
	tx := readTx{sqlTx, s.rStmts, &missed}
	if err := q.searchPlan(ctx, tx, &f, s.results, at); err != nil {
		return Page{}, err
	}

	c, err := q.cachedCounts(ctx, tx, f, s.results, at)
	if err != nil {
		return Page{}, err
	}
	total, capped := c.Total(q.Status)
	var page Page
	exact := c.Known && !capped // whether total is exact
	if q.Counts != CountsNone {
		page.Counts, page.Capped, page.Total, page.TotalCapped = c.N, c.Capped, total, capped
	}
	if c.Known && total == 0 {
		return page, nil // nothing to page through: skip the page query
	}
	if c.Known && (capped || total > filterDriveMax) {
		f.preferSortIndex()
	}
	if q.Status != "" {
		f.add("a.status = ?", string(q.Status))
	}
	w := window{tx: tx, f: f, sort: sort, limit: q.limit()}
	if cur.dir == dirLast && exact {
		// The last page holds what the pages before it leave, so that Last
		// and Next, page after page, end on the same rows ("51–66 of 66").
		if rows := total - cur.pos; rows > 0 && rows < w.limit {
			w.limit = rows
		}
	}
	if err := w.read(ctx, cur); err != nil {
		return Page{}, err
	}
	page.Items, page.Offset = w.items, w.offset
	if exact {
		page.Offset = clampOffset(w, total)
	}
	if n := len(w.items); n > 0 {
		if w.hasPrev {
			page.Prev = encodeCursor(sort, dirBefore, &w.items[0], page.Offset)
		}
		if w.hasNext {
			page.Next = encodeCursor(sort, dirAfter, &w.items[n-1], page.Offset+n)
			if exact && q.Counts != CountsNone {
				page.Last = encodeCursor(sort, dirLast, nil, lastPageStart(total, q.limit()))
			}
		}
	}
	return page, nil
}

// lastPageStart is the position of the last page's first row when pages
// of limit rows start at row 0: 50 for 66 rows of 50 a page.
func lastPageStart(total, limit int) int {
	if total <= 0 {
		return 0
	}
	return (total - 1) / limit * limit
}

// clampOffset makes a page's position agree with what is known for sure:
// nothing before the first page, nothing after the last, total rows in all.
func clampOffset(w window, total int) int {
	off, n := w.offset, len(w.items)
	if !w.hasNext || off+n > total {
		off = total - n
	}
	if w.hasPrev {
		off = max(off, 1)
	}
	return max(off, 0)
}

// window reads one page of rows in one of the ways a cursor asks.
type window struct {
	tx    readTx
	f     where // every filter, status included
	sort  Sort
	limit int

	items            []Summary // in sort order
	offset           int       // position of items[0], as the cursor says
	hasPrev, hasNext bool
}

// read fills w for cur: the first page (no cursor), the rows after or
// before a row, or the last page. The rows before a row, and the last
// page, are the first rows of the reverse order, reversed. When the rows
// before a row no longer fill a page (rows were removed since the cursor
// was made), that page is the first one, read as such so it is full; when
// nothing is left after a row, the last page is shown instead.
func (w *window) read(ctx context.Context, cur cursor) error {
	switch cur.dir {
	case dirAfter:
		if err := w.forward(ctx, &cur); err != nil || len(w.items) > 0 {
			return err
		}
		if err := w.backward(ctx, nil); err != nil {
			return err
		}
		w.offset = max(cur.pos-len(w.items), 0)
		return nil
	case dirBefore:
		if err := w.backward(ctx, &cur); err != nil || w.hasPrev {
			return err
		}
		if len(w.items) == w.limit { // exactly the first page
			w.offset = 0
			return nil
		}
		return w.forward(ctx, nil)
	case dirLast:
		if err := w.backward(ctx, nil); err != nil {
			return err
		}
		w.offset = max(cur.pos, 1)
		if !w.hasPrev {
			w.offset = 0
		}
		return nil
	}
	return w.forward(ctx, nil)
}

// forward reads the page after cur's row, or the first page when cur is
// nil.
func (w *window) forward(ctx context.Context, cur *cursor) error {
	f := w.f
	w.offset, w.hasPrev = 0, false
	if cur != nil {
		f.conds = slices.Clip(f.conds)
		f.args = slices.Clip(f.args)
		f.add("("+sortColumn[w.sort]+", a.id) < (?, ?)", cur.value, cur.id)
		w.offset, w.hasPrev = cur.pos, true
	}
	items, err := summaries(ctx, w.tx, f, w.sort, w.limit+1)
	if err != nil {
		return err
	}
	w.hasNext = len(items) > w.limit
	w.items = items[:min(len(items), w.limit)]
	return nil
}

// backward reads the page before cur's row, or the last page when cur is
// nil: the first rows of the reverse order, reversed.
func (w *window) backward(ctx context.Context, cur *cursor) error {
	f := w.f
	w.hasNext = false
	if cur != nil {
		f.conds = slices.Clip(f.conds)
		f.args = slices.Clip(f.args)
		f.add("("+sortColumn[w.sort]+", a.id) > (?, ?)", cur.value, cur.id)
		w.hasNext = true
	}
	items, err := orderedSummaries(ctx, w.tx, f, w.sort, true, w.limit+1)
	if err != nil {
		return err
	}
	w.hasPrev = len(items) > w.limit
	items = items[:min(len(items), w.limit)]
	slices.Reverse(items)
	w.items = items
	if cur != nil {
		w.offset = max(cur.pos-len(items), 0)
	}
	return nil
}

func (q ListQuery) limit() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return min(q.Limit, MaxLimit)
}

func (q ListQuery) sort() (Sort, error) {
	if q.Sort == "" {
		return SortNewest, nil
	}
	if _, ok := sortColumn[q.Sort]; !ok {
		return "", fmt.Errorf("db: unknown sort %q", q.Sort)
	}
	return q.Sort, nil
}

// The conditions of the category, provider and topic filters (each takes
// one argument; the topic's is a topicFold). As they are, SQLite may
// drive a page query from one of them: read every article it matches and
// sort them, cheap when they are few. With a unary plus in front (see
// preferSortIndex) the index of the sort drives instead, and a page stops
// after its last row: cheap when they are many.
const (
	categoryFilter = "a.category = ?"
	providerFilter = "a.provider_name = ?"
	topicFilter    = `a.id IN (SELECT at.article_id FROM article_topics at
			JOIN topics t ON t.id = at.topic_id WHERE t.fold = ?)`
)

// filterDriveMax is the most articles a query may match for List to let
// a category, provider or topic filter drive its page query. Reading and
// sorting costs about 8 µs an article; scanning the sort index reads
// about 50 × partition / matches entries, about 1 µs each. Measured at
// 100,000 articles, first page newest first: provider "Nature" on all
// statuses (14,000 articles) 131 ms read and sorted, 1.8 ms scanned; topic
// "AI Ethics" (10,000) 86 ms and 4 ms. They break even near 200.
const filterDriveMax = 200

// topicProbe is topicFilter for a scan of the sort index: one probe of
// article_topics' primary key per row read, where "+topicFilter" first
// built the set of all the topic's articles (7,500 ids for a common
// topic: 1.71 ms against 0.52 ms a page in sqlite3 at 100,000 articles).
// Same argument.
const topicProbe = `EXISTS (SELECT 1 FROM article_topics at WHERE at.article_id = a.id
			AND at.topic_id = (SELECT id FROM topics WHERE fold = ?))`

// preferSortIndex puts a unary plus before the category and provider
// conditions of w, so that SQLite does not drive the query from their
// indexes (SQLite documentation, "The SQLite Query Optimizer Overview":
// the unary + disqualifies a term from use by an index), and makes the
// topic condition a probe (topicProbe), which cannot drive.
func (w *where) preferSortIndex() {
	for i, c := range w.conds {
		switch c {
		case categoryFilter, providerFilter:
			w.conds[i] = "+" + c
		case topicFilter:
			w.conds[i] = topicProbe
		}
	}
}

// where is a conjunction of SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// where turns the filters of q (not Sort, Cursor and Limit) into
// conditions on articles a. Status is added only when withStatus is set:
// List counts per status before it filters on one.
func (q ListQuery) where(withStatus bool) (where, error) {
	var f where
	if q.Status != "" {
		if _, err := article.ParseStatus(string(q.Status)); err != nil {
			return f, fmt.Errorf("db: %w", err)
		}
		if withStatus {
			f.add("a.status = ?", string(q.Status))
		}
	}
	if match := ftsQuery(q.Text); match != "" {
		f.add(searchFilter, match)
	}
	if q.Category != "" {
		f.add(categoryFilter, q.Category)
	}
	if q.Provider != "" {
		f.add(providerFilter, q.Provider)
	}
	if q.Topic != "" {
		f.add(topicFilter, topicFold(q.Topic))
	}
	if q.Published != nil {
		f.add("a.eff_published = ?", boolInt(*q.Published))
	}
	// eff_quality is -1 without a quality; a range never matches it.
	if q.MinQuality != nil {
		f.add("a.eff_quality >= ?", max(*q.MinQuality, 0))
	}
	if q.MaxQuality != nil {
		f.add("a.eff_quality BETWEEN 0 AND ?", *q.MaxQuality)
	}
	return f, nil
}

// summaries runs the page query. Effective topics come from the row's own
// JSON (edit_topics, else topics), so a page needs no second query.
func summaries(ctx context.Context, tx readTx, f where, sort Sort, limit int) ([]Summary, error) {
	return orderedSummaries(ctx, tx, f, sort, false, limit)
}

// orderedSummaries is summaries in sort order, or its reverse.
func orderedSummaries(ctx context.Context, tx readTx, f where, sort Sort, reverse bool, limit int) ([]Summary, error) {
	query, args := orderedPageQuery(f, sort, reverse, limit)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: list articles: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var sm Summary
		var publishedAt int64
		var topics, status string
		if err := rows.Scan(&sm.ID, &sm.Key, &sm.Title, &sm.Category, &sm.ProviderName, &publishedAt,
			&sm.Quality, &sm.Heat, &topics, &status, &sm.Published, &sm.Version); err != nil {
			return nil, fmt.Errorf("db: list articles: %w", err)
		}
		sm.PublishedAt = fromUnix(publishedAt)
		sm.HasQuality = sm.Quality >= 0
		sm.Quality = max(sm.Quality, 0)
		sm.Status = article.Status(status)
		if sm.Topics, err = decodeTopics(topics); err != nil {
			return nil, fmt.Errorf("db: list articles: article %d topics: %w", sm.ID, err)
		}
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: list articles: %w", err)
	}
	return out, nil
}

// pageQuery is the SQL of one page in sort order.
func pageQuery(f where, sort Sort, limit int) (string, []any) {
	return orderedPageQuery(f, sort, false, limit)
}

// orderedPageQuery is the SQL of one page, in sort order or its reverse;
// the plan test explains it.
func orderedPageQuery(f where, sort Sort, reverse bool, limit int) (string, []any) {
	dir := " DESC"
	if reverse {
		dir = " ASC"
	}
	return `SELECT a.id, a.key, a.title, a.category, a.provider_name, a.published_at,
		a.eff_quality, a.heat, coalesce(a.edit_topics, a.topics), a.status, a.eff_published, a.version
		FROM articles a` + f.sql() + ` ORDER BY ` + sortColumn[sort] + dir + `, a.id` + dir + ` LIMIT ?`,
		append(slices.Clip(f.args), limit)
}

// Cursor directions: the rows after a row, the rows before a row, the
// last page.
const (
	dirAfter  = 'a'
	dirBefore = 'b'
	dirLast   = 'l'
)

// maxCursorPos bounds the position a cursor may carry: far more rows than
// a store holds, small enough that no sum overflows.
const maxCursorPos = 1 << 40

// cursor is a decoded page cursor. dir 0 is the first page.
type cursor struct {
	sort  Sort
	dir   byte
	value int64 // sort value of the row (dirAfter, dirBefore)
	id    int64 // id of the row (dirAfter, dirBefore)
	pos   int   // dirAfter: position of the page's first row; dirBefore: of the row; dirLast: an estimate of the page's
}

// encodeCursor writes a cursor as base64url of "sort|dir|value|id|pos":
// the sort value and id of row (nil for dirLast: 0 and 0), and pos (see
// cursor). It is ours: decodeCursor checks every part, and the value and
// id only ever become arguments of a keyset condition.
func encodeCursor(sort Sort, dir byte, row *Summary, pos int) string {
	var v, id int64
	if row != nil {
		v, id = sortValue(sort, *row), row.ID
	}
	raw := string(sort) + "|" + string(rune(dir)) + "|" + strconv.FormatInt(v, 10) + "|" +
		strconv.FormatInt(id, 10) + "|" + strconv.Itoa(pos)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// sortValue is a row's value in the column sort orders by.
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

// decodeCursor reads a cursor made by encodeCursor for sort; "" is the
// first page. Anything else is an error wrapping ErrBadCursor.
func decodeCursor(c string, sort Sort) (cursor, error) {
	bad := func(why string) error { return fmt.Errorf("db: %w: %s", ErrBadCursor, why) }
	if c == "" {
		return cursor{sort: sort}, nil
	}
	if len(c) > 128 {
		return cursor{}, bad("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return cursor{}, bad("not base64url")
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 5 || len(parts[1]) != 1 {
		return cursor{}, bad("malformed")
	}
	if Sort(parts[0]) != sort {
		return cursor{}, bad("made for another sort")
	}
	cur := cursor{sort: sort, dir: parts[1][0]}
	var err1, err2, err3 error
	cur.value, err1 = strconv.ParseInt(parts[2], 10, 64)
	cur.id, err2 = strconv.ParseInt(parts[3], 10, 64)
	cur.pos, err3 = strconv.Atoi(parts[4])
	if errors.Join(err1, err2, err3) != nil || cur.pos < 0 || cur.pos > maxCursorPos {
		return cursor{}, bad("malformed")
	}
	switch cur.dir {
	case dirAfter, dirBefore:
		if cur.id <= 0 {
			return cursor{}, bad("malformed")
		}
	case dirLast:
		if cur.id != 0 || cur.value != 0 {
			return cursor{}, bad("malformed")
		}
	default:
		return cursor{}, bad("unknown direction")
	}
	return cur, nil
}
