package db

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Problem is one fault Check found.
type Problem struct {
	Check  string // what found it: "integrity", "foreign keys", "content hash", "search index", "keys"
	Table  string // the table at fault; "" when SQLite does not say
	Key    string // the article at fault; "" when the fault is not one article's
	Detail string // what is wrong, in words
}

// String is the problem on one line: "articles: article "k": detail".
func (p Problem) String() string {
	var b strings.Builder
	if p.Table != "" {
		b.WriteString(p.Table + ": ")
	}
	if p.Key != "" {
		b.WriteString("article " + strconv.Quote(p.Key) + ": ")
	}
	b.WriteString(p.Detail)
	return b.String()
}

// Check verifies the database and returns every problem it finds, none
// when all is well. It runs:
//   - PRAGMA integrity_check, which since SQLite 3.44 also checks the FTS5
//     index against its own content (the xIntegrity method; it is what
//     "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')"
//     does, without that statement's write transaction, so Check works on
//     a read-only store);
//   - PRAGMA foreign_key_check;
//   - every article's bytes against its content hash (sha256);
//   - the search index against the articles: one row for each article,
//     holding its title, excerpt, provider and effective topics, and no row
//     for an article that is gone;
//   - article keys that differ only in Unicode form (NFD and NFC), the
//     duplicates an older newsdesk made of a file named on a Mac.
//
// A part that SQLite cannot read because the file is damaged is itself a
// problem, and the other parts still run. The error is for a check that
// could not run at all (a closed store, a cancelled ctx).
func (s *Store) Check(ctx context.Context) ([]Problem, error) {
	parts := []struct {
		name string
		run  func(context.Context) ([]Problem, error)
	}{
		{"integrity", s.checkIntegrity},
		{"foreign keys", s.checkForeignKeys},
		{"articles and search index", s.checkArticles},
		{"search index", s.checkOrphanIndexRows},
		{"counts", s.checkCounts},
	}
	var all []Problem
	for _, p := range parts {
		found, err := p.run(ctx)
		all = append(all, found...)
		if err != nil {
			if !isCorrupt(err) {
				return all, fmt.Errorf("db: check %s: %s: %w", s.path, p.name, err)
			}
			all = append(all, Problem{Check: p.name, Detail: "could not be completed, SQLite cannot read the file: " + err.Error()})
		}
	}
	return all, nil
}

// IntegrityCheck runs Check and returns its problems as one error wrapping
// ErrCorrupt, or nil when there are none: for callers that only need to
// know whether the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	ps, err := s.Check(ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	// The first few name the fault; `newsdesk check` lists them all.
	const shown = 5
	lines := make([]string, 0, shown+1)
	for _, p := range ps[:min(len(ps), shown)] {
		lines = append(lines, p.String())
	}
	if len(ps) > shown {
		lines = append(lines, fmt.Sprintf("and %d more", len(ps)-shown))
	}
	return fmt.Errorf("db: check %s: %w: %d problems: %s", s.path, ErrCorrupt, len(ps), strings.Join(lines, "; "))
}

// Patterns in integrity_check's messages that name the b-tree at fault:
// "Tree 5 page 9 cell 2: ...", "row 3 missing from index x", "wrong # of
// entries in index x", "fts5: checksum mismatch for table "x"",
// "malformed inverted index for FTS5 table main.x".
var (
	treeRe  = regexp.MustCompile(`\bTree (\d+)\b`)
	indexRe = regexp.MustCompile(`\b(?:from|in) index (\w+)`)
	tableRe = regexp.MustCompile(`\btable "?(?:main\.)?(\w+)"?`)
)

// checkIntegrity runs PRAGMA integrity_check. On a damaged file SQLite may
// return some messages and then fail; the messages are kept, and the
// failure is returned for Check to report.
func (s *Store) checkIntegrity(ctx context.Context) ([]Problem, error) {
	rows, err := s.integrityCheck(ctx)
	var ps []Problem
	var roots map[int]string // root page -> table or index, read on first need
	for _, row := range rows {
		for _, line := range strings.Split(row, "\n") {
			line = strings.TrimSpace(line)
			if line == "ok" || line == "" || strings.HasPrefix(line, "*** in database") {
				continue
			}
			p := Problem{Check: "integrity", Detail: line}
			if m := tableRe.FindStringSubmatch(line); m != nil {
				p.Table = m[1]
			} else if m := indexRe.FindStringSubmatch(line); m != nil {
				p.Table = m[1]
			} else if m := treeRe.FindStringSubmatch(line); m != nil {
				if roots == nil {
					roots = s.rootPages(ctx)
				}
				n, _ := strconv.Atoi(m[1])
				p.Table = roots[n]
			}
			ps = append(ps, p)
		}
	}
	return ps, err
}

// integrityCheck returns the rows of PRAGMA integrity_check, run after a
// read of articles_fts in the same read transaction. FTS5 keeps the
// index's structure per connection and reloads it when a statement opens
// the table after another connection (the writer) changed it, but
// integrity_check's FTS5 step opens nothing: it would compare the index
// with the copy this pooled reader kept from an earlier statement and
// report a checksum mismatch for a sound database. One transaction, so no
// save can come between the two.
func (s *Store) integrityCheck(ctx context.Context) ([]string, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	// A damaged index is integrity_check's to report.
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts WHERE rowid = 0`).Scan(&n)
	if err != nil && !isCorrupt(err) {
		return nil, err
	}
	return queryStrings(ctx, tx, `PRAGMA integrity_check`)
}

// rootPages maps the root page of every table and index to its name, to
// name the tree of an integrity_check message; empty when the schema
// cannot be read.
func (s *Store) rootPages(ctx context.Context) map[int]string {
	m := map[int]string{}
	rows, err := s.r.QueryContext(ctx, `SELECT rootpage, name FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		return m
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var name string
		if rows.Scan(&n, &name) == nil {
			m[n] = name
		}
	}
	return m
}

func (s *Store) checkForeignKeys(ctx context.Context) ([]Problem, error) {
	rows, err := s.r.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []Problem
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64 // NULL for a WITHOUT ROWID table
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return ps, err
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		ps = append(ps, Problem{Check: "foreign keys", Table: table,
			Detail: fmt.Sprintf("%s refers to a row of %s that does not exist", row, parent)})
	}
	return ps, rows.Err()
}

// checkColumns is the number of columns checkArticles selects.
const checkColumns = 13

// checkArticles reads every article with its search index row, a page
// (exportPageRows) at a time in key order, checking the bytes against the
// hash and the index against the article, and then the keys found in NFD
// form. An article whose row SQLite cannot read is named (see unreadable)
// and the check goes on after it.
func (s *Store) checkArticles(ctx context.Context) ([]Problem, error) {
	var c articleCheck
	after, first := "", true
	for {
		n, last, err := c.page(ctx, s.r, after, first)
		if err != nil && isCorrupt(err) {
			rec, ok := s.unreadable(ctx, last)
			if !ok {
				return c.problems, err
			}
			c.problems = append(c.problems, Problem{Check: "integrity", Table: "articles", Key: rec.Key, Detail: rec.Err.Error()})
			after, first = rec.Key, false
			continue
		}
		if err != nil {
			return c.problems, err
		}
		if n < exportPageRows {
			break
		}
		after, first = last, false
	}
	dups, err := s.nfcTwins(ctx, c.notNFC)
	return append(c.problems, dups...), err
}

// articleCheck gathers what checkArticles finds.
type articleCheck struct {
	problems []Problem
	notNFC   []string // keys not in Unicode NFC
}

// page checks the articles after key after (from the start when first)
// and returns how many rows it read and the last key read.
func (c *articleCheck) page(ctx context.Context, pool *sql.DB, after string, first bool) (int, string, error) {
	cond, args := "", []any{exportPageRows}
	if !first {
		cond, args = "WHERE a.key > ?", []any{after, exportPageRows}
	}
	rows, err := pool.QueryContext(ctx, `SELECT a.key, coalesce(c.raw, X''), a.content_hash,
		a.title, a.excerpt, a.provider_name, a.topics, a.edit_topics,
		f.rowid IS NOT NULL, coalesce(f.title, ''), coalesce(f.excerpt, ''), coalesce(f.provider, ''), coalesce(f.topics, '')
		FROM articles a INDEXED BY sqlite_autoindex_articles_1
		LEFT JOIN article_content c ON c.article_id = a.id
		LEFT JOIN articles_fts f ON f.rowid = a.id `+cond+` ORDER BY a.key LIMIT ?`, args...)
	if err != nil {
		return 0, after, err
	}
	defer rows.Close()
	n, last := 0, after
	for rows.Next() {
		var (
			key, hash, title, excerpt, provider, topics string
			raw                                         []byte
			editTopics                                  sql.NullString
			indexed                                     bool
			fts                                         [4]string
		)
		n++
		err := rows.Scan(&key, &raw, &hash, &title, &excerpt, &provider, &topics, &editTopics,
			&indexed, &fts[0], &fts[1], &fts[2], &fts[3])
		if err != nil {
			p, err := unreadableRow(rows, checkColumns, err)
			if err != nil {
				return n, last, err
			}
			c.problems, last = append(c.problems, p), p.Key
			continue
		}
		last = key
		if !norm.NFC.IsNormalString(key) {
			c.notNFC = append(c.notNFC, key)
		}
		if p := ContentHashProblem(key, raw, hash); p != nil {
			c.problems = append(c.problems, *p)
		}
		var edited *string
		if editTopics.Valid {
			edited = &editTopics.String
		}
		eff, err := EffectiveTopics(topics, edited)
		if err != nil {
			c.problems = append(c.problems, TopicsProblem(key, err))
			continue
		}
		if !indexed {
			c.problems = append(c.problems, MissingSearchProblem("articles_fts", key))
			continue
		}
		want := ftsColumns(title, excerpt, provider, eff)
		for i, col := range []string{"title", "excerpt", "provider", "topics"} {
			if fts[i] != want[i] {
				c.problems = append(c.problems, Problem{Check: "search index", Table: "articles_fts", Key: key,
					Detail: fmt.Sprintf("indexed %s %s differs from the article's %s", col, clip(fts[i]), clip(want[i]))})
			}
		}
	}
	return n, last, rows.Err()
}

// unreadableRow is the problem of a row Scan refused, naming its key
// when that much can be read (the key is the first column).
func unreadableRow(rows *sql.Rows, columns int, scanErr error) (Problem, error) {
	dest := make([]any, columns)
	for i := range dest {
		dest[i] = new(any)
	}
	var key string
	dest[0] = &key
	if err := rows.Scan(dest...); err != nil {
		return Problem{}, fmt.Errorf("a row without a readable key: %w", scanErr)
	}
	return Problem{Check: "integrity", Table: "articles", Key: key,
		Detail: fmt.Sprintf("row cannot be read: %v", scanErr)}, nil
}

// nfcTwins reports each key of keys (not in NFC) whose NFC form is the key
// of another article: the same file imported twice by an older newsdesk.
func (s *Store) nfcTwins(ctx context.Context, keys []string) ([]Problem, error) {
	var ps []Problem
	for _, k := range keys {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE key = ?`, norm.NFC.String(k)).Scan(&n); err != nil {
			return ps, err
		}
		if n > 0 {
			ps = append(ps, NFCTwinProblem(k))
		}
	}
	return ps, nil
}

func (s *Store) checkOrphanIndexRows(ctx context.Context) ([]Problem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rowid FROM articles_fts WHERE rowid NOT IN (SELECT id FROM articles)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []Problem
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return ps, err
		}
		ps = append(ps, Problem{Check: "search index", Table: "articles_fts",
			Detail: fmt.Sprintf("row %d belongs to no article", id)})
	}
	return ps, rows.Err()
}

// queryStrings returns the first column of every row of query, run on a
// pool, a connection or a transaction.
func queryStrings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// clip quotes a value for a message, cut to 60 bytes.
func clip(s string) string {
	if len(s) > 60 {
		return strconv.Quote(truncateUTF8(s, 60)) + "…"
	}
	return strconv.Quote(s)
}
