package db

// The SQLite side of `newsdesk copy` (package db/transfer, which decides
// the tables, their order, the batches, the resume and the verification):
// table readers and writers that know nothing of which table they move
// beyond its name, key and columns. The PostgreSQL side is
// db/postgres/copy.go, with the same methods.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CopyTable is one table as `newsdesk copy` moves it. Both stores have the
// same table and column names, so one CopyTable serves both sides.
type CopyTable struct {
	Name string
	// Key is the table's integer primary key columns: rows are read in
	// this order, and a copy resumes after the last key it wrote.
	Key []string
	// Columns are the columns copied, in this order; generated columns
	// are not among them (the target computes them).
	Columns []string
}

// Validate refuses a table without key or columns, and names that
// CopyIdent refuses.
func (t CopyTable) Validate() error {
	for _, n := range append(append([]string{t.Name}, t.Key...), t.Columns...) {
		if err := CopyIdent(n); err != nil {
			return err
		}
	}
	if len(t.Key) == 0 || len(t.Columns) == 0 {
		return fmt.Errorf("copy: table %s: no key or no columns", t.Name)
	}
	return nil
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// CopyIdent refuses a table or column name that is not a plain lower-case
// SQL identifier, as every name of the schema is: the copy writes names
// into SQL text.
func CopyIdent(name string) error {
	if !identRE.MatchString(name) {
		return fmt.Errorf("copy: %q is not a table or column name", name)
	}
	return nil
}

// KeyOf is the key of row, a row of t: the values of t.Key, in order.
func (t CopyTable) KeyOf(row []any) []any {
	key := make([]any, len(t.Key))
	for i, k := range t.Key {
		key[i] = row[slices.Index(t.Columns, k)]
	}
	return key
}

// Setting is one row of the settings table.
type Setting struct {
	Key       string
	Value     []byte
	CreatedAt int64 // unix ms
}

// ArticleHash is one article's stored content hash beside the sha256 of
// its stored bytes, as the copy's verification compares them.
type ArticleHash struct {
	ID     int64
	Key    string
	Stored string // articles.content_hash
	Actual string // ContentHash of article_content.raw; "" when the row is missing
}

// CopySearchInput is what the search index of either store holds for an
// article, from a row of the articles table with columns cols: its id,
// title, excerpt, provider name and effective topics (edit_topics when
// set, else topics). The error names a column that is missing or a
// topics value that is not a JSON array.
func CopySearchInput(cols []string, row []any) (id int64, title, excerpt, provider string, topics []string, err error) {
	vals := make(map[string]any, 6)
	for _, name := range []string{"id", "title", "excerpt", "provider_name", "topics", "edit_topics"} {
		i := slices.Index(cols, name)
		if i < 0 {
			return 0, "", "", "", nil, fmt.Errorf("articles: no column %s", name)
		}
		vals[name] = row[i]
	}
	switch v := vals["id"].(type) {
	case int64:
		id = v
	case int32:
		id = int64(v)
	default:
		return 0, "", "", "", nil, fmt.Errorf("articles: id %v is not an integer", v)
	}
	eff := vals["edit_topics"]
	if eff == nil {
		eff = vals["topics"]
	}
	if topics, err = decodeTopics(copyText(eff)); err != nil {
		return 0, "", "", "", nil, fmt.Errorf("article %d: topics: %w", id, err)
	}
	return id, copyText(vals["title"]), copyText(vals["excerpt"]), copyText(vals["provider_name"]), topics, nil
}

// copyText is a text column's value as read by either driver.
func copyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// CopyColumns returns the columns of table that a copy writes, in the
// table's order: every column but the generated ones. An unknown table
// has none.
func (s *Store) CopyColumns(ctx context.Context, table string) ([]string, error) {
	// table_xinfo lists generated columns too, with hidden 2 (virtual)
	// or 3 (stored); table_info would hide them, and 1 is a virtual
	// table's hidden column.
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("db: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// CopyCount returns the number of rows of table.
func (s *Store) CopyCount(ctx context.Context, table string) (int64, error) {
	if err := CopyIdent(table); err != nil {
		return 0, err
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count %s: %w", table, err)
	}
	return n, nil
}

// CopyLastKey returns the greatest key of t's rows, or nil when it has
// none: where an interrupted copy into this store resumes.
func (s *Store) CopyLastKey(ctx context.Context, t CopyTable) ([]any, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	desc := make([]string, len(t.Key))
	for i, k := range t.Key {
		desc[i] = k + " DESC"
	}
	key := make([]any, len(t.Key))
	ptrs := make([]any, len(t.Key))
	for i := range key {
		ptrs[i] = &key[i]
	}
	err := s.r.QueryRowContext(ctx, `SELECT `+strings.Join(t.Key, ", ")+` FROM `+t.Name+
		` ORDER BY `+strings.Join(desc, ", ")+` LIMIT 1`).Scan(ptrs...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("db: last key of %s: %w", t.Name, err)
	}
	return key, nil
}

// CopyRead returns up to limit rows of t whose key is greater than after
// (from the first row when after is nil), in key order, each as the
// values of t.Columns: int64, string, []byte or nil. limit <= 0 reads
// every row.
func (s *Store) CopyRead(ctx context.Context, t CopyTable, after []any, limit int) ([][]any, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	q, args := CopyReadSQL(t, after, limit, func(int) string { return "?" })
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		row := make([]any, len(t.Columns))
		ptrs := make([]any, len(row))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("db: read %s: %w", t.Name, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: read %s: %w", t.Name, err)
	}
	return out, nil
}

// CopyReadSQL is the query of a copy's read of t: rows after the key
// after (a row-value comparison, which SQLite and PostgreSQL both serve
// from the primary key's index), in key order, at most limit when limit
// > 0. param(i) is the dialect's i-th parameter (1-based).
func CopyReadSQL(t CopyTable, after []any, limit int, param func(i int) string) (string, []any) {
	var b strings.Builder
	b.WriteString("SELECT " + strings.Join(t.Columns, ", ") + " FROM " + t.Name)
	var args []any
	if after != nil {
		ps := make([]string, len(after))
		for i := range after {
			ps[i] = param(i + 1)
		}
		b.WriteString(" WHERE (" + strings.Join(t.Key, ", ") + ") > (" + strings.Join(ps, ", ") + ")")
		args = append(args, after...)
	}
	b.WriteString(" ORDER BY " + strings.Join(t.Key, ", "))
	if limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", limit)
	}
	return b.String(), args
}

// CopyWrite inserts rows (values of t.Columns) into t in one transaction.
// Foreign keys are checked at the commit, not per row, so rows of one
// call may refer to each other in any order (batches.undone_by names a
// later batch). The counter tables follow through their triggers; rows
// of articles also get their search index rows, in the same transaction.
// A row whose key exists already fails the whole call.
func (s *Store) CopyWrite(ctx context.Context, t CopyTable, rows [][]any) error {
	if err := t.Validate(); err != nil {
		return err
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")
	insert := `INSERT INTO ` + t.Name + ` (` + strings.Join(t.Columns, ", ") + `) VALUES (` + marks + `)`
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, insert)
		if err != nil {
			return err
		}
		defer st.Close()
		exec := func(q string, args ...any) (sql.Result, error) { return tx.ExecContext(ctx, q, args...) }
		for _, row := range rows {
			if _, err := st.ExecContext(ctx, row...); err != nil {
				return fmt.Errorf("key %v: %w", t.KeyOf(row), err)
			}
			if t.Name != "articles" {
				continue
			}
			id, title, excerpt, provider, topics, err := CopySearchInput(t.Columns, row)
			if err != nil {
				return err
			}
			if err := insertFTS(exec, id, ftsColumns(title, excerpt, provider, topics)); err != nil {
				return fmt.Errorf("article %d: search index: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: write %s: %w", t.Name, err)
	}
	return nil
}

// CopyHighWater returns the highest id table has used: its greatest id,
// or for an AUTOINCREMENT table (bulk_snapshots) the greater of that and
// the id SQLite remembers in sqlite_sequence, since those ids are never
// reused even after their rows are deleted.
func (s *Store) CopyHighWater(ctx context.Context, table string) (int64, error) {
	if err := CopyIdent(table); err != nil {
		return 0, err
	}
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT max(
		coalesce((SELECT max(id) FROM `+table+`), 0),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))`, table).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: highest id of %s: %w", table, err)
	}
	return n, nil
}

// CopySetHighWater makes the next id of an AUTOINCREMENT table greater
// than n. Other tables take the greatest id plus one, which the copied
// rows already set.
func (s *Store) CopySetHighWater(ctx context.Context, table string, n int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var ddl string
		err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&ddl)
		if err != nil || !strings.Contains(strings.ToUpper(ddl), "AUTOINCREMENT") {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?`, n, table)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, table, n)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("db: set highest id of %s: %w", table, err)
	}
	return nil
}

// CopySettings returns every row of settings, by key.
func (s *Store) CopySettings(ctx context.Context) ([]Setting, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key, value, created_at FROM settings ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("db: settings: %w", err)
	}
	defer rows.Close()
	var out []Setting
	for rows.Next() {
		var st Setting
		if err := rows.Scan(&st.Key, &st.Value, &st.CreatedAt); err != nil {
			return nil, fmt.Errorf("db: settings: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// CopyPutSettings stores settings in one transaction, replacing the rows
// of the same keys.
func (s *Store) CopyPutSettings(ctx context.Context, settings []Setting) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, st := range settings {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
				st.Key, st.Value, st.CreatedAt)
			if err != nil {
				return fmt.Errorf("%s: %w", st.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: put settings: %w", err)
	}
	return nil
}

// CopyHashes returns up to limit articles with an id greater than after,
// by id, each with its stored content hash and the hash of its stored
// bytes.
func (s *Store) CopyHashes(ctx context.Context, after int64, limit int) ([]ArticleHash, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.key, a.content_hash, c.raw
		FROM articles a LEFT JOIN article_content c ON c.article_id = a.id
		WHERE a.id > ? ORDER BY a.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("db: content hashes: %w", err)
	}
	defer rows.Close()
	var out []ArticleHash
	for rows.Next() {
		var h ArticleHash
		var raw []byte
		if err := rows.Scan(&h.ID, &h.Key, &h.Stored, &raw); err != nil {
			return nil, fmt.Errorf("db: content hashes: %w", err)
		}
		if raw != nil {
			h.Actual = ContentHash(raw)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// CopyCountProblems compares every counter table (0004_counts.sql,
// 0009_dashboard.sql) with a fresh count, as Check does: one Problem per
// differing row.
func (s *Store) CopyCountProblems(ctx context.Context) ([]Problem, error) {
	return s.checkCounts(ctx)
}
