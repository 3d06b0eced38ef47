package db

import (
	"context"
	"fmt"
	"maps"

	"github.com/newsdesk/newsdesk/article"
)

// CountCap bounds the counts List makes by counting rows (see
// CountsCapped): past it a count is shown as "10,000+".
const CountCap = 10_000

// CountMode says how List counts the articles matching a query per status.
// Where the counter tables cover the filters (see ListQuery.counterQuery)
// every mode but CountsNone reads them and is exact at no cost.
type CountMode int

const (
	// CountsExact counts exactly; a filter the counter tables do not
	// cover costs a scan of the matching articles (the export page).
	CountsExact CountMode = iota
	// CountsCapped counts what the counter tables do not cover up to
	// CountCap+1 rows per status, and reports a count past CountCap as
	// CountCap with Page.Capped set (the queue).
	CountsCapped
	// CountsNone skips the counts: Page.Counts is nil, Page.Total 0, and
	// no last-page cursor is made ("save and next").
	CountsNone
)

// counterQuery returns the query that reads q's per-status counts from the
// counter tables of 0004_counts.sql, and false when they do not cover q's
// filters: they count by one of category, provider or topic, and by
// effective published; a text search, a quality range or two of
// category, provider and topic need the articles themselves.
func (q ListQuery) counterQuery() (string, []any, bool) {
	keys := 0
	for _, v := range []string{q.Category, q.Provider, q.Topic} {
		if v != "" {
			keys++
		}
	}
	if keys > 1 || ftsQuery(q.Text) != "" || q.MinQuality != nil || q.MaxQuality != nil {
		return "", nil, false
	}
	var f where
	from := "count_status c"
	switch {
	case q.Category != "":
		from = "count_category c"
		f.add("c.category = ?", q.Category)
	case q.Provider != "":
		from = "count_provider c"
		f.add("c.provider_name = ?", q.Provider)
	case q.Topic != "":
		from = "count_topic c JOIN topics t ON t.id = c.topic_id"
		f.add("t.fold = ?", topicFold(q.Topic))
	}
	if q.Published != nil {
		f.add("c.eff_published = ?", boolInt(*q.Published))
	}
	return `SELECT c.status, sum(c.n) FROM ` + from + f.sql() + ` GROUP BY c.status`, f.args, true
}

// cachedCounts is counts, from the cache when the database has not
// changed since generation at (see resultCache): a repeated search, the
// next page of one, and every queue page between two saves cost nothing.
func (q ListQuery) cachedCounts(ctx context.Context, tx readTx, f where, cache *resultCache, at int64) (StatusCounts, error) {
	key := fmt.Sprintf("counts|%d|%q|%q|%q|%q|%s|%s|%s", q.Counts, ftsQuery(q.Text), q.Category, q.Provider,
		topicFold(q.Topic), optString(q.Published), optString(q.MinQuality), optString(q.MaxQuality))
	if v, ok := cache.get(at, key); ok {
		return v.(StatusCounts).clone(), nil
	}
	c, err := q.counts(ctx, tx, f, q.Counts)
	if err == nil {
		cache.put(at, key, c.clone())
	}
	return c, err
}

// optString shows an optional filter value in a cache key.
func optString[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// clone copies c, so a cached value is never changed by a caller.
func (c StatusCounts) clone() StatusCounts {
	out := StatusCounts{N: maps.Clone(c.N), Capped: maps.Clone(c.Capped), Known: c.Known}
	return out
}

// counts returns the per-status counts of the articles matching f (q's
// filters but status) as mode asks; see CountMode. With CountsNone it
// still reads the counter tables when they cover q, as that costs
// nothing, for List to plan the page query with.
func (q ListQuery) counts(ctx context.Context, tx readTx, f where, mode CountMode) (StatusCounts, error) {
	c := NewStatusCounts()
	query, args, covered := q.counterQuery()
	var err error
	switch {
	case covered:
		err = groupCounts(ctx, tx, c, query, args)
	case mode == CountsNone:
		return c, nil
	case mode == CountsCapped:
		err = statusByStatus(ctx, tx, c, f, q.textOnly(), CountCap+1)
	case q.textOnly():
		err = statusByStatus(ctx, tx, c, f, true, -1)
	default:
		err = groupCounts(ctx, tx, c, `SELECT a.status, count(*) FROM articles a`+f.sql()+` GROUP BY a.status`, f.args)
	}
	if err != nil {
		return c, fmt.Errorf("db: count articles: %w", err)
	}
	c.Known = true
	return c, nil
}

// groupCounts reads rows of (status, count) into c.
func groupCounts(ctx context.Context, tx readTx, c StatusCounts, query string, args []any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		c.N[article.Status(st)] = n
	}
	return rows.Err()
}

// textOnly reports whether a text search is q's only filter besides
// status and published.
func (q ListQuery) textOnly() bool {
	return ftsQuery(q.Text) != "" && q.Category == "" && q.Provider == "" && q.Topic == "" &&
		q.MinQuality == nil && q.MaxQuality == nil
}

// statusByStatus counts, per status, the articles matching f up to limit
// of them (-1: all): with CountCap+1, each count stops after that many
// rows, so a search matching most of the table costs no more than one
// matching a tenth of it, and a count past CountCap is marked capped.
//
// A text search alone is counted along the index of the newest-first
// order, as its page is: the search condition cannot drive (see
// searchFilter), and with planner statistics (ANALYZE) SQLite otherwise
// scans the table itself, whose rows it takes for small: each row read
// follows the stored file's overflow pages to reach the status. Measured
// at 100,000 articles, one common word: 113 ms scanning the table, 20 ms
// along the index.
func statusByStatus(ctx context.Context, tx readTx, c StatusCounts, f where, textOnly bool, limit int) error {
	order := ""
	if textOnly {
		order = " ORDER BY " + sortColumn[SortNewest] + " DESC, a.id DESC"
	}
	for _, st := range article.Statuses {
		g := f
		g.conds = append(g.conds[:len(g.conds):len(g.conds)], "a.status = ?")
		g.args = append(g.args[:len(g.args):len(g.args)], string(st))
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles a`+g.sql()+order+` LIMIT ?)`,
			append(g.args, limit)...).Scan(&n)
		if err != nil {
			return err
		}
		c.N[st] = n
		if limit > 0 && n >= limit {
			c.N[st], c.Capped[st] = CountCap, true
		}
	}
	return nil
}
