package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// sortColumn is the column each sort orders by; each has an index with
// and without status in front (0001_init.sql).
var sortColumn = map[db.Sort]string{
	db.SortNewest:  "a.published_at",
	db.SortHeat:    "a.heat",
	db.SortQuality: "a.eff_quality",
}

// List returns one page of articles matching q, in q.Sort order, with its
// per-status counts (see db.CountMode) and cursors for the next, previous
// and last pages, exactly as the SQLite store's List: the same cursors,
// keyset paging (every page an index range scan), counts from the counter
// tables where they cover q. Counts and items come from one snapshot (a
// REPEATABLE READ read-only transaction). Errors: db.ErrBadCursor
// (wrapped) for a cursor List did not make for q.Sort; an unknown sort or
// status.
func (s *Store) List(ctx context.Context, q db.ListQuery) (db.Page, error) {
	sort, err := q.SortOrder()
	if err != nil {
		return db.Page{}, err
	}
	if err := q.CheckStatus(); err != nil {
		return db.Page{}, err
	}
	cur, err := db.DecodeCursor(q.Cursor, sort)
	if err != nil {
		return db.Page{}, err
	}
	var page db.Page
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			page, err = listPage(ctx, tx, q, sort, cur)
			return err
		})
	return page, err
}

// listPage is List in its transaction.
func listPage(ctx context.Context, tx pgx.Tx, q db.ListQuery, sort db.Sort, cur db.Cursor) (db.Page, error) {
	// The counts leave the search's form to the planner: a probe per
	// row (commonSearchFilter) would probe every article.
	c, err := countStatuses(ctx, tx, q, buildWhere(q, false, filterForms{search: searchFilter, topic: topicFilter}))
	if err != nil {
		return db.Page{}, err
	}
	total, capped := c.Total(q.Status)
	var page db.Page
	exact := c.Known && !capped // whether total is exact
	if q.Counts != db.CountsNone {
		page.Counts, page.Capped, page.Total, page.TotalCapped = c.N, c.Capped, total, capped
	}
	if c.Known && total == 0 {
		return page, nil // nothing to page through: skip the page query
	}
	forms, err := searchForms(ctx, tx, q.Text)
	if err != nil {
		return db.Page{}, err
	}
	f := pageWhere(q, c, forms)
	pager := db.Pager{Fetch: keysetFetch(tx, f, sort), Sort: sort, Limit: q.PageLimit(),
		Total: total, Exact: exact, LastLink: q.Counts != db.CountsNone}
	if err := pager.Read(ctx, cur, &page); err != nil {
		return db.Page{}, err
	}
	return page, nil
}

// pageWhere is the filter of q's page query, status included, with the
// form of the topic condition that suits the number of articles q
// matches (see topicProbe): c are q's counts, forms has the search
// condition's form (searchForms).
func pageWhere(q db.ListQuery, c db.StatusCounts, forms filterForms) *where {
	if total, capped := c.Total(q.Status); c.Known && (capped || total > filterDriveMax) {
		forms.topic = topicProbe
	}
	return buildWhere(q, true, forms)
}

// keysetFetch is the PostgreSQL store's db.PageFetch over the filter f
// (status included).
func keysetFetch(tx pgx.Tx, f *where, sort db.Sort) db.PageFetch {
	return func(ctx context.Context, from *db.Cursor, reverse bool, limit int) ([]db.Summary, error) {
		page := f
		if from != nil {
			op := " < "
			if reverse {
				op = " > "
			}
			page = f.clone()
			page.add("("+sortColumn[sort]+", a.id)"+op+"(?, ?)", from.Value, from.ID)
		}
		return summaries(ctx, tx, page, sort, reverse, limit)
	}
}

// where is a conjunction of SQL conditions and their arguments. A
// condition is written with ? for each of its arguments, in order (and no
// other ?); add numbers them $1, $2... across the conjunction, as
// PostgreSQL wants.
type where struct {
	conds []string
	args  []any
}

// add appends cond, whose ? placeholders stand for args in order.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	n := 0
	for _, part := range strings.SplitAfter(cond, "?") {
		if strings.HasSuffix(part, "?") && n < len(args) {
			b.WriteString(part[:len(part)-1])
			b.WriteString(w.arg(args[n]))
			n++
			continue
		}
		b.WriteString(part)
	}
	w.conds = append(w.conds, b.String())
}

// arg appends v to the arguments and returns its placeholder, for a LIMIT
// or another use after the conditions.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// clone is a copy of w that add can extend without changing w.
func (w *where) clone() *where {
	return &where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
}

// sql is " WHERE cond AND cond...", or "" without conditions.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// The conditions of the text and topic filters, on articles a.
const (
	// searchFilter takes the tsquery literal of searchQuery. The GIN index
	// articles_search_doc finds the matches; the planner joins them to
	// the page's rows as their number calls for.
	searchFilter = `a.id IN (SELECT sd.article_id FROM articles_search sd WHERE sd.doc @@ ?::tsquery)`
	// topicFilter takes a topic's db.TopicFold.
	topicFilter = `a.id IN (SELECT at.article_id FROM article_topics at
			JOIN topics t ON t.id = at.topic_id WHERE t.fold = ?)`
)

// The page query's forms of the topic and search conditions, which List
// picks by the number of articles they match, as the SQLite store does
// (db/list.go, preferSortIndex; db/search.go, searchPlan). PostgreSQL's
// planner cannot know, when it plans, how many articles one topic or one
// tsquery matches among all (the topic is a join away; a tsquery's
// estimate is rough), and a wrong guess costs a read of every match or of
// the whole sort index. With the number known:
//   - few matches: the topic's IN form above, and sparseSearchFilter,
//     whose matches are read by id and sorted;
//   - many: a form the planner cannot turn into a join, so the sort index
//     drives and a page stops after its last row: a probe per row
//     (topicProbe, commonSearchFilter), or, for a search matching a few
//     thousand, a hashed set of the matches built once
//     (denseSearchFilter), as a probe per row would read too many rows
//     before it finds a page of matches.
const (
	// topicProbe is topicFilter as one probe of article_topics' primary
	// key per row read. OFFSET 0 keeps the planner from turning the
	// EXISTS into a join. Same argument.
	topicProbe = `EXISTS (SELECT 1 FROM article_topics at WHERE at.article_id = a.id
			AND at.topic_id = (SELECT id FROM topics WHERE fold = ?) OFFSET 0)`
	// denseSearchFilter is searchFilter as a hashed subplan: the IN is
	// inside an expression, so it is no join, and PostgreSQL hashes the
	// matches of the GIN index once. Same argument.
	denseSearchFilter = `(a.id IN (SELECT sd.article_id FROM articles_search sd WHERE sd.doc @@ ?::tsquery)) IS TRUE`
	// commonSearchFilter is searchFilter as one probe of articles_search
	// per row read: its primary key, then the row's tsvector. Same
	// argument.
	commonSearchFilter = `EXISTS (SELECT 1 FROM articles_search sd WHERE sd.article_id = a.id
			AND sd.doc @@ ?::tsquery OFFSET 0)`
	// sparseSearchFilter reads the few matching articles by id. Same
	// argument.
	sparseSearchFilter = `a.id = ANY (ARRAY(SELECT sd.article_id FROM articles_search sd WHERE sd.doc @@ ?::tsquery))`
)

// filterDriveMax is the most articles a query may match for List to let
// the topic condition drive its page query, as in the SQLite store.
const filterDriveMax = 200

// The forms of the search condition by the number of its matches: up to
// sparseMatches, the matches read by id (sparseSearchFilter); up to
// denseMatches, a hash of them (denseSearchFilter); past it, a probe per
// row (commonSearchFilter). Building the hash costs about 1.5 µs a match,
// a probe about 3 µs, and a page of 50 probes limit/fraction rows: they
// cross near 3% of 100,000 articles. Measured with TestListPlans100k:
// "the", in 95% of the articles, 141 ms hashed against 1.8 ms probed; a
// word in 2% (1,900 articles), 6 ms hashed, 444 ms as the planner chose.
const (
	sparseMatches = 150
	denseMatches  = 3000
)

// searchForms are the forms of the filters of a page query for a search
// for text: the topic's is topicFilter (pageWhere may change it), the
// search's suits the number of matches (searchForm).
func searchForms(ctx context.Context, tx pgx.Tx, text string) (filterForms, error) {
	search, err := searchForm(ctx, tx, text)
	return filterForms{search: search, topic: topicFilter}, err
}

// searchForm is the form of the search condition for text by the number
// of its matches, counted in tx up to denseMatches+1 (a GIN index scan,
// then the rows up to that number), a few milliseconds at 100,000
// articles.
// Without a text search it is searchFilter, unused.
func searchForm(ctx context.Context, tx pgx.Tx, text string) (string, error) {
	match := searchQuery(text)
	if match == "" {
		return searchFilter, nil
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles_search WHERE doc @@ $1::tsquery LIMIT $2) m`,
		match, denseMatches+1).Scan(&n)
	switch {
	case err != nil:
		return "", fmt.Errorf("postgres: search %q: %w", match, err)
	case n <= sparseMatches:
		return sparseSearchFilter, nil
	case n <= denseMatches:
		return denseSearchFilter, nil
	}
	return commonSearchFilter, nil
}

// listWhere turns the filters of q (not Sort, Cursor and Limit) into
// conditions on articles a, as the SQLite store's do, leaving the
// planner to choose how to join the search and topic conditions. Status
// is added only when withStatus is set: List counts per status before it
// filters on one. The error is an unknown status.
func listWhere(q db.ListQuery, withStatus bool) (*where, error) {
	if err := q.CheckStatus(); err != nil {
		return nil, err
	}
	return buildWhere(q, withStatus, filterForms{search: searchFilter, topic: topicFilter}), nil
}

// filterForms are the SQL of the search and topic conditions, each
// taking one argument (see the consts above).
type filterForms struct{ search, topic string }

// buildWhere is listWhere for a valid q, with the given forms.
func buildWhere(q db.ListQuery, withStatus bool, forms filterForms) *where {
	f := &where{}
	if q.Status != "" && withStatus {
		f.add("a.status = ?", string(q.Status))
	}
	if match := searchQuery(q.Text); match != "" {
		f.add(forms.search, match)
	}
	if q.Category != "" {
		f.add("a.category = ?", q.Category)
	}
	if q.Provider != "" {
		f.add("a.provider_name = ?", q.Provider)
	}
	if q.Topic != "" {
		f.add(forms.topic, db.TopicFold(q.Topic))
	}
	if q.Published != nil {
		f.add("a.eff_published = ?", flagValue(*q.Published))
	}
	// eff_quality is -1 without a quality; a range never matches it.
	if q.MinQuality != nil {
		f.add("a.eff_quality >= ?", max(*q.MinQuality, 0))
	}
	if q.MaxQuality != nil {
		f.add("a.eff_quality BETWEEN 0 AND ?", *q.MaxQuality)
	}
	return f
}

// summaryColumns are the columns of a queue row, as scanSummary reads
// them. Effective topics come from the row's own JSON (edit_topics, else
// topics), so a page needs no second query.
const summaryColumns = `a.id, a.key, a.title, a.category, a.provider_name, a.published_at,
	a.eff_quality, a.heat, coalesce(a.edit_topics, a.topics), a.status, a.eff_published, a.version`

// summaries runs the page query: at most limit rows matching f, in sort
// order or its reverse.
func summaries(ctx context.Context, tx pgx.Tx, f *where, sort db.Sort, reverse bool, limit int) ([]db.Summary, error) {
	query, args := pageQuery(f, sort, reverse, limit)
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list articles: %w", err)
	}
	defer rows.Close()
	var out []db.Summary
	for rows.Next() {
		sm, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list articles: %w", err)
		}
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list articles: %w", err)
	}
	return out, nil
}

// pageQuery is the SQL of one page, in sort order or its reverse.
func pageQuery(f *where, sort db.Sort, reverse bool, limit int) (string, []any) {
	dir := " DESC"
	if reverse {
		dir = " ASC"
	}
	f = f.clone()
	return `SELECT ` + summaryColumns + ` FROM articles a` + f.sql() +
		` ORDER BY ` + sortColumn[sort] + dir + `, a.id` + dir + ` LIMIT ` + f.arg(limit), f.args
}

// scanSummary reads one row of summaryColumns.
func scanSummary(row pgx.Row) (db.Summary, error) {
	var sm db.Summary
	var publishedAt, quality, heat int64
	var published int32
	var topics, status string
	if err := row.Scan(&sm.ID, &sm.Key, &sm.Title, &sm.Category, &sm.ProviderName, &publishedAt,
		&quality, &heat, &topics, &status, &published, &sm.Version); err != nil {
		return sm, err
	}
	sm.PublishedAt = time.Unix(publishedAt, 0).UTC() // published_at is unix seconds
	sm.HasQuality = quality >= 0
	sm.Quality = int(max(quality, 0))
	sm.Heat = int(heat)
	sm.Status = article.Status(status)
	sm.Published = published != 0
	var err error
	if sm.Topics, err = db.SummaryTopics(topics); err != nil {
		return sm, fmt.Errorf("article %d topics: %w", sm.ID, err)
	}
	return sm, nil
}

// flagValue is a 0/1 flag column's value for b.
func flagValue(b bool) int {
	if b {
		return 1
	}
	return 0
}

// countStatuses counts the articles matching f (q's filters but status)
// per status as q.Counts asks (see db.CountMode). The counter tables
// answer when they cover q, whatever the mode, since that costs nothing
// and lets List skip the page query of an empty result.
func countStatuses(ctx context.Context, tx pgx.Tx, q db.ListQuery, f *where) (db.StatusCounts, error) {
	c := db.NewStatusCounts()
	var err error
	switch {
	case q.CountersCover():
		query, args := counterQuery(q)
		err = groupCounts(ctx, tx, c, query, args)
	case q.Counts == db.CountsNone:
		return c, nil
	default:
		err = groupCounts(ctx, tx, c, `SELECT a.status, count(*) FROM articles a`+f.sql()+` GROUP BY a.status`, f.args)
		if q.Counts == db.CountsCapped {
			capCounts(c)
		}
	}
	if err != nil {
		return c, fmt.Errorf("postgres: count articles: %w", err)
	}
	c.Known = true
	return c, nil
}

// counterQuery is the query of q's per-status counts from the counter
// tables, for a q they cover (db.ListQuery.CountersCover): by one of
// category, provider or topic, and by effective published.
func counterQuery(q db.ListQuery) (string, []any) {
	f := &where{}
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
		f.add("t.fold = ?", db.TopicFold(q.Topic))
	}
	if q.Published != nil {
		f.add("c.eff_published = ?", flagValue(*q.Published))
	}
	return `SELECT c.status, sum(c.n) FROM ` + from + f.sql() + ` GROUP BY c.status`, f.args
}

// groupCounts reads rows of (status, count) into c.
func groupCounts(ctx context.Context, tx pgx.Tx, c db.StatusCounts, query string, args []any) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int64 // sum(bigint) is numeric, which pgx scans into an int64 when whole
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		c.N[article.Status(st)] = int(n)
	}
	return rows.Err()
}

// capCounts shows the counts past db.CountCap as db.CountCap, marked
// capped, as db.CountsCapped asks. The SQLite store stops counting there;
// PostgreSQL counts every match in one grouped pass, because its three
// passes that stop at db.CountCap+1 rows (one per status) each find the
// matches again, and along a status's index they stop early only when
// most of its rows match. Measured with TestListPlans100k: a word in 10%
// of the articles, 24 ms counted at once against 151 ms per status; in
// 95%, 290 ms against 128 ms.
func capCounts(c db.StatusCounts) {
	for st, n := range c.N {
		if n > db.CountCap {
			c.N[st], c.Capped[st] = db.CountCap, true
		}
	}
}
