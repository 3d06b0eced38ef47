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
	Cursor                 string         // from Page.Next
	Limit                  int            // 0 = DefaultLimit, at most MaxLimit
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
}

// Page is one page of the queue.
type Page struct {
	Items  []Summary
	Next   string                 // cursor of the next page, "" on the last
	Counts map[article.Status]int // per status, with the other filters applied
	Total  int                    // items matching all filters, status included
}

// List returns one page of articles matching q, in q.Sort order, with
// keyset pagination: the cursor holds the last row's sort value and id, so
// every page is an index range scan however deep it is.
func (s *Store) List(ctx context.Context, q ListQuery) (Page, error) {
	sort, err := q.sort()
	if err != nil {
		return Page{}, err
	}
	f, err := q.where(false)
	if err != nil {
		return Page{}, err
	}
	var after []any // sort value and id of the last row shown
	if q.Cursor != "" {
		v, id, err := decodeCursor(q.Cursor, sort)
		if err != nil {
			return Page{}, err
		}
		after = []any{v, id}
	}
	limit := q.limit()
	// One read transaction, so counts and items come from one snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Page{}, fmt.Errorf("db: list articles: %w", err)
	}
	defer tx.Rollback()

	counts, err := countByStatus(ctx, tx, f)
	if err != nil {
		return Page{}, err
	}
	page := Page{Counts: counts}
	for st, n := range counts {
		if q.Status == "" || q.Status == st {
			page.Total += n
		}
	}
	if page.Total == 0 {
		return page, nil // nothing to page through: skip the page query
	}
	if q.Status != "" {
		f.add("a.status = ?", string(q.Status))
	}
	if after != nil {
		f.add("("+sortColumn[sort]+", a.id) < (?, ?)", after...)
	}
	page.Items, err = summaries(ctx, tx, f, sort, limit+1)
	if err != nil {
		return Page{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.Next = encodeCursor(sort, page.Items[limit-1])
	}
	return page, nil
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
		f.add("a.category = ?", q.Category)
	}
	if q.Provider != "" {
		f.add("a.provider_name = ?", q.Provider)
	}
	if q.Topic != "" {
		f.add(`a.id IN (SELECT at.article_id FROM article_topics at
			JOIN topics t ON t.id = at.topic_id WHERE t.fold = ?)`, topicFold(q.Topic))
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

// countByStatus returns the number of articles matching f per status,
// every status present.
func countByStatus(ctx context.Context, tx *sql.Tx, f where) (map[article.Status]int, error) {
	counts := make(map[article.Status]int, len(article.Statuses))
	for _, st := range article.Statuses {
		counts[st] = 0
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.status, count(*) FROM articles a`+f.sql()+` GROUP BY a.status`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("db: count articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("db: count articles: %w", err)
		}
		counts[article.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: count articles: %w", err)
	}
	return counts, nil
}

// summaries runs the page query. Effective topics come from the row's own
// JSON (edit_topics, else topics), so a page needs no second query.
func summaries(ctx context.Context, tx *sql.Tx, f where, sort Sort, limit int) ([]Summary, error) {
	query, args := pageQuery(f, sort, limit)
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
			&sm.Quality, &sm.Heat, &topics, &status, &sm.Published); err != nil {
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

// pageQuery is the SQL of one page; the plan test explains it.
func pageQuery(f where, sort Sort, limit int) (string, []any) {
	return `SELECT a.id, a.key, a.title, a.category, a.provider_name, a.published_at,
		a.eff_quality, a.heat, coalesce(a.edit_topics, a.topics), a.status, a.eff_published
		FROM articles a` + f.sql() + ` ORDER BY ` + sortColumn[sort] + ` DESC, a.id DESC LIMIT ?`,
		append(slices.Clip(f.args), limit)
}

// A cursor is base64url of "sort|value|id": the sort it belongs to, and
// the sort value and id of the last row shown.
func encodeCursor(sort Sort, last Summary) string {
	var v int64
	switch sort {
	case SortNewest:
		v = toUnix(last.PublishedAt)
	case SortHeat:
		v = int64(last.Heat)
	case SortQuality:
		v = int64(last.Quality)
		if !last.HasQuality {
			v = -1
		}
	}
	raw := string(sort) + "|" + strconv.FormatInt(v, 10) + "|" + strconv.FormatInt(last.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(c string, sort Sort) (value, id int64, err error) {
	bad := func(why string) error { return fmt.Errorf("db: %w: %s", ErrBadCursor, why) }
	if len(c) > 128 {
		return 0, 0, bad("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, bad("not base64url")
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return 0, 0, bad("malformed")
	}
	if Sort(parts[0]) != sort {
		return 0, 0, bad("made for another sort")
	}
	value, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil || id <= 0 {
		return 0, 0, bad("malformed")
	}
	return value, id, nil
}
