package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	cur, err := DecodeCursor(q.Cursor, sort)
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
	pager := Pager{Fetch: keysetFetch(tx, f, sort), Sort: sort, Limit: q.limit(),
		Total: total, Exact: exact, LastLink: q.Counts != CountsNone}
	if err := pager.Read(ctx, cur, &page); err != nil {
		return Page{}, err
	}
	return page, nil
}

// keysetFetch is the SQLite store's PageFetch over the filter f (status
// included).
func keysetFetch(tx readTx, f where, sort Sort) PageFetch {
	return func(ctx context.Context, from *Cursor, reverse bool, limit int) ([]Summary, error) {
		page := f // f stays as it is for the next call
		if from != nil {
			op := " < "
			if reverse {
				op = " > "
			}
			page.conds = slices.Clip(page.conds)
			page.args = slices.Clip(page.args)
			page.add("("+sortColumn[sort]+", a.id)"+op+"(?, ?)", from.Value, from.ID)
		}
		return orderedSummaries(ctx, tx, page, sort, reverse, limit)
	}
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

// orderedSummaries runs the page query, in sort order or its reverse.
// Effective topics come from the row's own JSON (edit_topics, else
// topics), so a page needs no second query.
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
