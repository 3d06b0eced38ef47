package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/newsdesk/newsdesk/db"
)

// Check verifies the database and returns every problem it finds, none
// when all is well, with the db.Problem kinds the SQLite store reports
// where they apply:
//   - "content hash": every article's stored bytes against its content
//     hash (sha256);
//   - "search index": every article has a search document
//     (articles_search) equal to the one its title, excerpt, provider and
//     effective topics make, and topics that are a JSON list;
//   - "keys": article keys that differ only in Unicode form (NFD and NFC),
//     which a newsroom copied from an older SQLite store may hold;
//   - "counts": every counter table against a fresh GROUP BY over the
//     articles, their topics and the audit;
//   - "schema": the schema version is this program's.
//
// SQLite's integrity_check and foreign_key_check have no equivalent
// here: PostgreSQL enforces foreign keys on every write, a search
// document cannot outlive its article (ON DELETE CASCADE), and page
// checksums and the storage's health are the server's business
// (data checksums, pg_amcheck). Check only reads: it works on a store
// opened read-only. The error is for a check that could not run (a
// closed store, a cancelled ctx, a server gone).
func (s *Store) Check(ctx context.Context) ([]db.Problem, error) {
	parts := []struct {
		name string
		run  func(context.Context) ([]db.Problem, error)
	}{
		{"schema", s.checkSchema},
		{"articles and search index", s.checkArticles},
		{"counts", s.checkCounts},
	}
	var all []db.Problem
	for _, p := range parts {
		found, err := p.run(ctx)
		all = append(all, found...)
		if err != nil {
			return all, fmt.Errorf("postgres: check: %s: %w", p.name, err)
		}
	}
	return all, nil
}

func (s *Store) checkSchema(ctx context.Context) ([]db.Problem, error) {
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return nil, err
	}
	if v == SchemaVersion() {
		return nil, nil
	}
	return []db.Problem{{Check: "schema", Table: "schema_version",
		Detail: fmt.Sprintf("the schema version is %d, this program's is %d", v, SchemaVersion())}}, nil
}

// checkPageRows is how many articles checkArticles reads at a time.
const checkPageRows = 500

// checkArticles reads every article with its stored bytes, a page at a
// time in id order, then the keys found not in NFC.
func (s *Store) checkArticles(ctx context.Context) ([]db.Problem, error) {
	var ps []db.Problem
	var notNFC []string
	for after := int64(0); ; {
		var n int
		// One snapshot per page: the document compared is the one of
		// the row read, even while editors save.
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
			func(tx pgx.Tx) error {
				var err error
				n, after, err = checkArticlePage(ctx, tx, after, &ps, &notNFC)
				return err
			})
		if err != nil {
			return ps, err
		}
		if n < checkPageRows {
			break
		}
	}
	for _, k := range notNFC {
		var twins int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM articles WHERE key = $1`, norm.NFC.String(k)).Scan(&twins); err != nil {
			return ps, err
		}
		if twins > 0 {
			ps = append(ps, db.NFCTwinProblem(k))
		}
	}
	return ps, nil
}

// checkArticlePage checks the articles with ids after after: their bytes,
// their topics and their search documents. It returns how many it read
// and the last id.
func checkArticlePage(ctx context.Context, tx pgx.Tx, after int64, ps *[]db.Problem, notNFC *[]string) (int, int64, error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.key, coalesce(c.raw, ''::bytea), a.content_hash,
		a.title, a.excerpt, a.provider_name, a.topics, a.edit_topics, s.article_id IS NOT NULL
		FROM articles a
		LEFT JOIN article_content c ON c.article_id = a.id
		LEFT JOIN articles_search s ON s.article_id = a.id
		WHERE a.id > $1 ORDER BY a.id LIMIT $2`, after, checkPageRows)
	if err != nil {
		return 0, after, err
	}
	var (
		id                                          int64
		key, hash, title, excerpt, provider, topics string
		raw                                         []byte
		editTopics                                  *string
		indexed                                     bool
		n                                           int
		ids                                         []int64
		docs, keys                                  []string
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &key, &raw, &hash, &title, &excerpt, &provider, &topics, &editTopics, &indexed},
		func() error {
			n, after = n+1, id
			if !norm.NFC.IsNormalString(key) {
				*notNFC = append(*notNFC, key)
			}
			if p := db.ContentHashProblem(key, raw, hash); p != nil {
				*ps = append(*ps, *p)
			}
			eff, err := db.EffectiveTopics(topics, editTopics)
			switch {
			case err != nil:
				*ps = append(*ps, db.TopicsProblem(key, err))
			case !indexed:
				*ps = append(*ps, db.MissingSearchProblem("articles_search", key))
			default:
				ids, keys = append(ids, id), append(keys, key)
				docs = append(docs, searchDocument(title, excerpt, provider, eff))
			}
			return nil
		})
	if err != nil || len(ids) == 0 {
		return n, after, err
	}
	// PostgreSQL compares the documents: both sides in its canonical
	// form (lexemes sorted, positions merged).
	rows, err = tx.Query(ctx, `SELECT w.i FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS w(id, doc, i)
		JOIN articles_search s ON s.article_id = w.id WHERE s.doc <> w.doc::tsvector ORDER BY w.i`, ids, docs)
	if err != nil {
		return n, after, err
	}
	var i int64
	_, err = pgx.ForEachRow(rows, []any{&i}, func() error {
		*ps = append(*ps, db.Problem{Check: "search index", Table: "articles_search", Key: keys[i-1],
			Detail: "the search document differs from the article's title, excerpt, provider and topics"})
		return nil
	})
	return n, after, err
}

// counterTable is one counter table of 0004_counts.sql: its name, the
// column it counts by ("" for count_status), and the GROUP BY over the
// articles it must equal, as rows of (key, status, eff_published, n).
type counterTable struct {
	name, column, fresh string
}

var counterTables = []counterTable{
	{"count_status", "", `SELECT '', status, eff_published, count(*) FROM articles GROUP BY 2, 3`},
	{"count_category", "category", `SELECT category, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3`},
	{"count_provider", "provider_name", `SELECT provider_name, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3`},
	{"count_topic", "topic_id", `SELECT at.topic_id::text, a.status, a.eff_published, count(*)
		FROM article_topics at JOIN articles a ON a.id = at.article_id GROUP BY 1, 2, 3`},
}

// counterDiffQuery returns the rows where t disagrees with a fresh count:
// (key, status, eff_published, counter's n, fresh n). A missing row
// counts as 0 on either side, so a zero row left by the triggers agrees
// with no articles.
func counterDiffQuery(t counterTable) string {
	key := "''"
	if t.column != "" {
		key = t.column + "::text"
	}
	return `WITH live(k, status, eff_published, n) AS (` + t.fresh + `)
		SELECT k, status, eff_published, sum(counted)::bigint, sum(fresh)::bigint FROM (
			SELECT ` + key + ` AS k, status, eff_published, n AS counted, 0 AS fresh FROM ` + t.name + `
			UNION ALL
			SELECT k, status, eff_published, 0, n FROM live
		) u GROUP BY 1, 2, 3 HAVING sum(counted) <> sum(fresh) ORDER BY k COLLATE "C", status, eff_published`
}

// dashboardCounter is one counter table of 0009_dashboard.sql: key is its
// key columns as one text, fresh the GROUP BY over the audit or the
// articles it must equal, as rows of (key, status, n).
type dashboardCounter struct {
	name, key, fresh string
}

var dashboardCounters = []dashboardCounter{
	{"count_review", `'day ' || day || ', user ' || user_id || ' ' || actor`,
		`SELECT 'day ' || (at / 86400000) || ', user ' || coalesce(user_id, 0) || ' ' || actor, new_value, count(*)
		FROM audit WHERE field = 'status' GROUP BY 1, 2`},
	{"count_review_user", `'user ' || user_id || ' ' || actor`,
		`SELECT 'user ' || coalesce(user_id, 0) || ' ' || actor, new_value, count(*)
		FROM audit WHERE field = 'status' GROUP BY 1, 2`},
	{"count_quality", `'quality bucket ' || bucket`,
		`SELECT 'quality bucket ' || CASE WHEN eff_quality < 0 THEN -1 ELSE least(eff_quality / 10, 9) END, status, count(*)
		FROM articles GROUP BY 1, 2`},
}

// dashboardDiffQuery is counterDiffQuery for a dashboardCounter: rows of
// (key, status, counter's n, fresh n) where they differ.
func dashboardDiffQuery(t dashboardCounter) string {
	return `WITH live(k, status, n) AS (` + t.fresh + `)
		SELECT k, status, sum(counted)::bigint, sum(fresh)::bigint FROM (
			SELECT ` + t.key + ` AS k, status, n AS counted, 0 AS fresh FROM ` + t.name + `
			UNION ALL
			SELECT k, status, 0, n FROM live
		) u GROUP BY 1, 2 HAVING sum(counted) <> sum(fresh) ORDER BY k COLLATE "C", status`
}

// checkCounts compares every counter table with a fresh GROUP BY (what
// the triggers keep them equal to), one Problem per differing row. Each
// comparison is one statement, so one snapshot: writes by other
// instances meanwhile cannot make a false problem.
func (s *Store) checkCounts(ctx context.Context) ([]db.Problem, error) {
	var ps []db.Problem
	for _, t := range counterTables {
		type diff struct {
			key, status               string
			published, counted, fresh int
		}
		var d diff
		var diffs []diff
		rows, err := s.pool.Query(ctx, counterDiffQuery(t))
		if err == nil {
			_, err = pgx.ForEachRow(rows, []any{&d.key, &d.status, &d.published, &d.counted, &d.fresh}, func() error {
				diffs = append(diffs, d)
				return nil
			})
		}
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
		for _, d := range diffs { // after the rows are closed: one connection at a time
			ps = append(ps, db.CounterProblem(t.name, s.counterKeyText(ctx, t, d.key), d.status, d.published == 1, d.counted, d.fresh))
		}
	}
	for _, t := range dashboardCounters {
		var key, status string
		var counted, fresh int
		rows, err := s.pool.Query(ctx, dashboardDiffQuery(t))
		if err == nil {
			_, err = pgx.ForEachRow(rows, []any{&key, &status, &counted, &fresh}, func() error {
				ps = append(ps, db.DashboardCounterProblem(t.name, key, status, counted, fresh))
				return nil
			})
		}
		if err != nil {
			return ps, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return ps, nil
}

// counterKeyText names the key of a counter row for a problem: `category
// "tech", `; a topic by its name when it still exists.
func (s *Store) counterKeyText(ctx context.Context, t counterTable, key string) string {
	return db.CounterKeyText(t.column, key, func(id string) (name string, ok bool) {
		return name, s.pool.QueryRow(ctx, `SELECT name FROM topics WHERE id = $1::bigint`, id).Scan(&name) == nil
	})
}
