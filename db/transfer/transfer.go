// Package transfer moves a newsroom between stores: `newsdesk copy`, from
// SQLite to PostgreSQL or back. Both stores have the same tables with the
// same column names, so the copy is generic: table by table in foreign-key
// order, in batches keyed by the primary key, each batch in a transaction
// of its own. Each store reads and writes its own SQL (db/copy.go,
// db/postgres/copy.go); this package decides what moves, in which order,
// how an interrupted copy resumes, and how the result is verified.
//
// What moves: users (password hashes, roles, session epochs, last login),
// topics, articles with their original bytes, their topics, the audit,
// bulk batches and bulk snapshots (an editor's open confirmation page
// still works after the move), and settings (the session keys: sessions
// stay valid). What does not: presence and login throttling, which are
// transient; the counter tables and the search index, which the target
// rebuilds as the rows arrive (its triggers, and its writer for the
// search index) and the verification checks.
//
// Resume: the target's settings hold a marker naming the source. A copy
// into a target that is not empty is refused unless the marker names the
// same source; then it resumes each table after the greatest key the
// target has, since every batch was committed whole or not at all.
//
// The source must not change during a copy (stop the servers first): the
// verification compares every row of both sides and fails otherwise.
package transfer

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
)

// Side is one end of a copy: a store seen as tables of rows. Both stores
// implement it; their docstrings give the details.
type Side interface {
	CopyColumns(ctx context.Context, table string) ([]string, error)
	CopyCount(ctx context.Context, table string) (int64, error)
	CopyLastKey(ctx context.Context, t db.CopyTable) ([]any, error)
	CopyRead(ctx context.Context, t db.CopyTable, after []any, limit int) ([][]any, error)
	CopyWrite(ctx context.Context, t db.CopyTable, rows [][]any) error
	CopyHighWater(ctx context.Context, table string) (int64, error)
	CopySetHighWater(ctx context.Context, table string, n int64) error
	CopySettings(ctx context.Context) ([]db.Setting, error)
	CopyPutSettings(ctx context.Context, settings []db.Setting) error
	CopyHashes(ctx context.Context, after int64, limit int) ([]db.ArticleHash, error)
	CopyCountProblems(ctx context.Context) ([]db.Problem, error)
}

var (
	_ Side = (*db.Store)(nil)
	_ Side = (*postgres.Store)(nil)
)

// table is one table a copy moves.
type table struct {
	name string
	key  []string // integer primary key columns
	// whole: copied in one transaction, because its rows refer to each
	// other in both directions (batches.undone_by names a later batch).
	// Such a table is small: one row per bulk action.
	whole bool
	// ids: the key is an id the store hands out (an identity column, an
	// SQLite rowid), whose high-water mark moves with the rows.
	ids bool
}

var byID = []string{"id"}

// tables are the tables a copy moves, in an order where every row's
// foreign keys point at rows already copied. Settings move separately
// (see copySettings).
var tables = []table{
	{name: "users", key: byID, ids: true},
	{name: "topics", key: byID, ids: true},
	{name: "articles", key: byID, ids: true},
	{name: "article_content", key: []string{"article_id"}},
	{name: "article_topics", key: []string{"article_id", "topic_id"}},
	{name: "batches", key: byID, ids: true, whole: true},
	{name: "audit", key: byID, ids: true},
	{name: "bulk_snapshots", key: byID, ids: true},
	{name: "bulk_snapshot_items", key: []string{"snapshot_id", "article_id"}},
}

// MarkerKey is the settings key of the marker a copy leaves in its target:
// JSON naming the source and the state ("copying", then "done").
const MarkerKey = "copy.marker"

type marker struct {
	Source string `json:"source"`
	State  string `json:"state"`
}

// DefaultBatch is the number of rows a batch moves when Options.Batch is 0.
const DefaultBatch = 1000

// Options tune a copy.
type Options struct {
	// Source names the source in the target's marker, so that a re-run
	// resumes only a copy of the same source. It must not hold a password.
	Source string
	// Batch is the number of rows per transaction; 0 means DefaultBatch.
	Batch int
	// Progress, when set, is called as each table starts (done is what
	// the target holds already) and after each batch it writes.
	Progress func(table string, done, total int64)
}

// TableCount is how many rows of a table the source has, and how many
// this run copied (fewer when it resumed an interrupted copy).
type TableCount struct {
	Name   string
	Rows   int64
	Copied int64
}

// Report says what a copy did.
type Report struct {
	Tables   []TableCount
	Resumed  bool          // the target held a copy of the source, interrupted or finished
	Finished bool          // that copy had finished: this run only verified it
	Articles int64         // articles the source has
	Elapsed  time.Duration // the whole copy, verification included
}

// NotEmptyError is the refusal of a target that holds a newsroom already.
type NotEmptyError struct {
	Holds       []TableCount // the tables with rows, Rows being the target's
	Marker      string       // the source of the copy the target holds; "" when none
	Interrupted bool         // that copy did not finish
}

func (e *NotEmptyError) Error() string {
	var parts []string
	for _, t := range e.Holds {
		parts = append(parts, fmt.Sprintf("%d %s", t.Rows, t.Name))
	}
	if e.Marker != "" {
		what := "a copy"
		if e.Interrupted {
			what = "an interrupted copy"
		}
		return fmt.Sprintf("the target holds %s of %s (%s), not of this source; copy into an empty database",
			what, e.Marker, strings.Join(parts, ", "))
	}
	return fmt.Sprintf("the target is not empty: it holds %s; copy needs an empty target (a new database, or a newsdesk schema without articles or users)",
		strings.Join(parts, ", "))
}

// VerifyError is a copy whose result differs from its source.
type VerifyError struct {
	Problems []db.Problem
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("verification failed: %d problems; first: %s", len(e.Problems), e.Problems[0])
}

// Copy copies the newsroom in from into to, then verifies it (see Verify).
// to must be empty (no rows in any table copied; settings may hold its own
// session keys, which the source's replace), or hold a copy of the same
// opts.Source: an interrupted one is resumed; a finished one is verified
// again and not written to (it may be in use). It refuses a target with other rows with
// *NotEmptyError, a schema whose columns differ, and a result that
// differs from the source with *VerifyError. Cancelling ctx stops it
// between batches or in one, rolling that batch back; a later Copy
// resumes.
func Copy(ctx context.Context, from, to Side, opts Options) (*Report, error) {
	start := time.Now()
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	plan, err := planTables(ctx, from, to)
	if err != nil {
		return nil, err
	}
	state, err := claim(ctx, to, plan, opts.Source)
	if err != nil {
		return nil, err
	}
	rep := &Report{Resumed: state != "", Finished: state == "done"}
	if rep.Finished {
		// The target may be in use since: verify, never write.
		err = countOnly(ctx, from, plan, rep)
	} else {
		err = copyAll(ctx, from, to, plan, opts, rep)
	}
	if err != nil {
		return rep, err
	}
	problems, err := Verify(ctx, from, to, opts.Batch)
	if err != nil {
		return rep, err
	}
	if len(problems) > 0 {
		return rep, &VerifyError{Problems: problems}
	}
	if err := putMarker(ctx, to, marker{Source: opts.Source, State: "done"}); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// copyAll copies the settings and every table, then moves the id
// sequences, filling rep.
func copyAll(ctx context.Context, from, to Side, plan []db.CopyTable, opts Options, rep *Report) error {
	if err := copySettings(ctx, from, to); err != nil {
		return err
	}
	for i, t := range plan {
		tc, err := copyTable(ctx, from, to, t, tables[i], opts)
		rep.Tables = append(rep.Tables, tc)
		if t.Name == "articles" {
			rep.Articles = tc.Rows
		}
		if err != nil {
			return err
		}
	}
	for _, t := range tables {
		if !t.ids {
			continue
		}
		if err := moveHighWater(ctx, from, to, t.name); err != nil {
			return err
		}
	}
	return nil
}

// countOnly fills rep with the source's row counts, for a copy finished
// already.
func countOnly(ctx context.Context, from Side, plan []db.CopyTable, rep *Report) error {
	for _, t := range plan {
		n, err := from.CopyCount(ctx, t.Name)
		if err != nil {
			return err
		}
		rep.Tables = append(rep.Tables, TableCount{Name: t.Name, Rows: n})
		if t.Name == "articles" {
			rep.Articles = n
		}
	}
	return nil
}

// planTables reads the columns of every table on both sides: they must
// name the same columns (the order may differ; the source's is used).
func planTables(ctx context.Context, from, to Side) ([]db.CopyTable, error) {
	plan := make([]db.CopyTable, len(tables))
	for i, t := range tables {
		cols, err := from.CopyColumns(ctx, t.name)
		if err != nil {
			return nil, err
		}
		theirs, err := to.CopyColumns(ctx, t.name)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(slices.Sorted(slices.Values(cols)), slices.Sorted(slices.Values(theirs))) {
			return nil, fmt.Errorf("the schemas differ: table %s has columns %s in the source, %s in the target; run both with the same newsdesk version",
				t.name, strings.Join(cols, ", "), strings.Join(theirs, ", "))
		}
		plan[i] = db.CopyTable{Name: t.name, Key: t.key, Columns: cols}
		if err := plan[i].Validate(); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// claim decides whether the target to may receive the copy of source,
// and marks it. It returns the state of the copy of source that to holds
// already: "" for none, "copying" (interrupted) or "done".
func claim(ctx context.Context, to Side, plan []db.CopyTable, source string) (state string, err error) {
	m, err := readMarker(ctx, to)
	if err != nil {
		return "", err
	}
	if m != nil && m.Source == source {
		return m.State, nil
	}
	var holds []TableCount
	for _, t := range plan {
		n, err := to.CopyCount(ctx, t.Name)
		if err != nil {
			return "", err
		}
		if n > 0 {
			holds = append(holds, TableCount{Name: t.Name, Rows: n})
		}
	}
	// A marker without rows is a copy that stopped before its first
	// batch: nothing to protect.
	if len(holds) > 0 {
		e := &NotEmptyError{Holds: holds}
		if m != nil {
			e.Marker, e.Interrupted = m.Source, m.State != "done"
		}
		return "", e
	}
	return "", putMarker(ctx, to, marker{Source: source, State: "copying"})
}

func readMarker(ctx context.Context, s Side) (*marker, error) {
	settings, err := s.CopySettings(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range settings {
		if st.Key == MarkerKey {
			var m marker
			if err := json.Unmarshal(st.Value, &m); err != nil {
				return nil, fmt.Errorf("the target's copy marker cannot be read: %w", err)
			}
			return &m, nil
		}
	}
	return nil, nil
}

func putMarker(ctx context.Context, s Side, m marker) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.CopyPutSettings(ctx, []db.Setting{{Key: MarkerKey, Value: b, CreatedAt: time.Now().UnixMilli()}})
}

// copySettings puts every setting of the source but its own copy marker
// (a source may be an earlier copy's target) into the target, replacing
// the target's: the session keys move, so sessions stay valid. It is
// idempotent, so a resumed copy runs it again.
func copySettings(ctx context.Context, from, to Side) error {
	settings, err := sourceSettings(ctx, from)
	if err != nil {
		return err
	}
	return to.CopyPutSettings(ctx, settings)
}

func sourceSettings(ctx context.Context, from Side) ([]db.Setting, error) {
	settings, err := from.CopySettings(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(settings, func(s db.Setting) bool { return s.Key == MarkerKey }), nil
}

// copyTable copies the rows of t the target does not have yet, in batches
// after the greatest key it has, each batch in a transaction of its own.
func copyTable(ctx context.Context, from, to Side, t db.CopyTable, spec table, opts Options) (TableCount, error) {
	tc := TableCount{Name: t.Name}
	var err error
	if tc.Rows, err = from.CopyCount(ctx, t.Name); err != nil {
		return tc, err
	}
	done, err := to.CopyCount(ctx, t.Name)
	if err != nil {
		return tc, err
	}
	last, err := to.CopyLastKey(ctx, t)
	if err != nil {
		return tc, err
	}
	progress := func() {
		if opts.Progress != nil {
			opts.Progress(t.Name, done, tc.Rows)
		}
	}
	progress()
	if spec.whole {
		if last != nil { // its one transaction committed
			return tc, nil
		}
		rows, err := from.CopyRead(ctx, t, nil, 0)
		if err != nil || len(rows) == 0 {
			return tc, err
		}
		if err := to.CopyWrite(ctx, t, rows); err != nil {
			return tc, err
		}
		tc.Copied, done = int64(len(rows)), int64(len(rows))
		progress()
		return tc, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends readAhead when a write fails
	for c := range readAhead(ctx, from, t, last, opts.Batch) {
		if c.err != nil || len(c.rows) == 0 {
			return tc, c.err
		}
		if err := to.CopyWrite(ctx, t, c.rows); err != nil {
			return tc, err
		}
		tc.Copied += int64(len(c.rows))
		done += int64(len(c.rows))
		progress()
	}
	return tc, ctx.Err()
}

// chunk is one batch read, or the error that ended reading.
type chunk struct {
	rows [][]any
	err  error
}

// readAhead reads t's rows on side after the key after (nil: from the
// first), a batch at a time, in a goroutine of its own: the source reads
// the next batch while the target writes this one (each takes about as
// long), and the verification reads both sides at once. It reads one
// batch ahead at most, and stops after an error, a short batch, or when
// ctx ends.
func readAhead(ctx context.Context, side Side, t db.CopyTable, after []any, batch int) <-chan chunk {
	out := make(chan chunk, 1)
	go func() {
		defer close(out)
		for {
			rows, err := side.CopyRead(ctx, t, after, batch)
			select {
			case out <- chunk{rows, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(rows) < batch {
				return
			}
			after = t.KeyOf(rows[len(rows)-1])
		}
	}()
	return out
}

// moveHighWater carries the highest id the source handed out in table to
// the target, so the target's next id is past it: new rows never collide
// with copied ones, and ids the source used and deleted (snapshots) are
// not handed out again.
func moveHighWater(ctx context.Context, from, to Side, name string) error {
	n, err := from.CopyHighWater(ctx, name)
	if err != nil {
		return err
	}
	return to.CopySetHighWater(ctx, name, n)
}

// maxProblemsPerCheck bounds the problems one table or check reports, so
// a copy into the wrong database does not print a million lines.
const maxProblemsPerCheck = 20

// Verify compares the target with the source and returns every problem
// found (up to maxProblemsPerCheck per table and check), none when they
// agree:
//   - settings: each of the source's is on the target, equal;
//   - every row of every copied table, compared column by column in key
//     order, in batches of batch rows (missing, extra and differing rows
//     are named by key): row counts and the set of (id, content_hash) of
//     the articles are equal when this passes;
//   - on the target, every article's stored bytes against its content
//     hash (a source row whose bytes no longer match is reported by id);
//   - on the target, every counter table against a fresh count.
//
// The error is a failure to read, not a difference.
func Verify(ctx context.Context, from, to Side, batch int) ([]db.Problem, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	plan, err := planTables(ctx, from, to)
	if err != nil {
		return nil, err
	}
	problems, err := verifySettings(ctx, from, to)
	if err != nil {
		return nil, err
	}
	for _, t := range plan {
		ps, err := verifyRows(ctx, from, to, t, batch)
		if err != nil {
			return problems, err
		}
		problems = append(problems, ps...)
	}
	ps, err := verifyHashes(ctx, to, batch)
	if err != nil {
		return problems, err
	}
	problems = append(problems, ps...)
	ps, err = to.CopyCountProblems(ctx)
	if err != nil {
		return problems, err
	}
	return append(problems, ps...), nil
}

func verifySettings(ctx context.Context, from, to Side) ([]db.Problem, error) {
	want, err := sourceSettings(ctx, from)
	if err != nil {
		return nil, err
	}
	have, err := to.CopySettings(ctx)
	if err != nil {
		return nil, err
	}
	var ps []db.Problem
	for _, w := range want {
		i := slices.IndexFunc(have, func(h db.Setting) bool { return h.Key == w.Key })
		switch {
		case i < 0:
			ps = append(ps, db.Problem{Check: "copy", Table: "settings", Detail: fmt.Sprintf("key %s is missing on the target", w.Key)})
		case string(have[i].Value) != string(w.Value) || have[i].CreatedAt != w.CreatedAt:
			ps = append(ps, db.Problem{Check: "copy", Table: "settings", Detail: fmt.Sprintf("key %s differs on the target", w.Key)})
		}
	}
	return ps, nil
}

// verifyRows walks t on both sides in key order, as a merge join, and
// names the keys whose rows are missing, extra or different.
func verifyRows(ctx context.Context, from, to Side, t db.CopyTable, batch int) ([]db.Problem, error) {
	// Both sides read at once, each a batch ahead of the comparison.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src, dst := newCursor(ctx, from, t, batch), newCursor(ctx, to, t, batch)
	var ps []db.Problem
	var more int
	report := func(key []any, detail string) {
		if len(ps) < maxProblemsPerCheck {
			ps = append(ps, db.Problem{Check: "copy", Table: t.Name, Detail: keyText(t, key) + ": " + detail})
			return
		}
		more++
	}
	a, err := src.next()
	if err != nil {
		return nil, err
	}
	b, err := dst.next()
	if err != nil {
		return nil, err
	}
	for a != nil || b != nil {
		c := 0
		switch {
		case a == nil:
			c = 1
		case b == nil:
			c = -1
		default:
			c = compareKeys(t.KeyOf(a), t.KeyOf(b))
		}
		switch {
		case c < 0:
			report(t.KeyOf(a), "missing on the target")
		case c > 0:
			report(t.KeyOf(b), "on the target but not in the source")
		default:
			if cols := differing(t, a, b); len(cols) > 0 {
				report(t.KeyOf(a), "differs in "+strings.Join(cols, ", "))
			}
		}
		if c <= 0 {
			if a, err = src.next(); err != nil {
				return nil, err
			}
		}
		if c >= 0 {
			if b, err = dst.next(); err != nil {
				return nil, err
			}
		}
	}
	if more > 0 {
		ps = append(ps, db.Problem{Check: "copy", Table: t.Name, Detail: fmt.Sprintf("and %d more rows", more)})
	}
	return ps, nil
}

// cursor reads a table in key order, a batch ahead (see readAhead).
type cursor struct {
	chunks <-chan chunk
	buf    [][]any
}

func newCursor(ctx context.Context, side Side, t db.CopyTable, batch int) *cursor {
	return &cursor{chunks: readAhead(ctx, side, t, nil, batch)}
}

// next returns the next row, or nil after the last.
func (c *cursor) next() ([]any, error) {
	for len(c.buf) == 0 {
		ch, ok := <-c.chunks
		if !ok {
			return nil, nil
		}
		if ch.err != nil {
			return nil, ch.err
		}
		if len(ch.rows) == 0 {
			return nil, nil
		}
		c.buf = ch.rows
	}
	row := c.buf[0]
	c.buf = c.buf[1:]
	return row, nil
}

// compareKeys orders two keys of integer columns.
func compareKeys(a, b []any) int {
	for i := range a {
		if c := cmp.Compare(asInt(a[i]), asInt(b[i])); c != 0 {
			return c
		}
	}
	return 0
}

func asInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case int32:
		return int64(v)
	case int:
		return int64(v)
	}
	return 0
}

// differing names the columns whose values differ between two rows of t,
// read by either store: integers of any width, and text read as string or
// []byte, compare by value.
func differing(t db.CopyTable, a, b []any) []string {
	var cols []string
	for i, c := range t.Columns {
		if normal(a[i]) != normal(b[i]) {
			cols = append(cols, c)
		}
	}
	return cols
}

func normal(v any) any {
	switch v := v.(type) {
	case int32, int:
		return asInt(v)
	case []byte:
		return string(v)
	}
	return v
}

func keyText(t db.CopyTable, key []any) string {
	parts := make([]string, len(key))
	for i, k := range t.Key {
		parts[i] = fmt.Sprintf("%s %d", k, asInt(key[i]))
	}
	return strings.Join(parts, ", ")
}

// verifyHashes checks every article's stored bytes on s against its
// content hash, a batch at a time.
func verifyHashes(ctx context.Context, s Side, batch int) ([]db.Problem, error) {
	var ps []db.Problem
	var more int
	var after int64
	for {
		hs, err := s.CopyHashes(ctx, after, batch)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			after = h.ID
			if h.Actual == h.Stored {
				continue
			}
			if len(ps) == maxProblemsPerCheck {
				more++
				continue
			}
			detail := fmt.Sprintf("id %d: the stored bytes' sha256 is %s, the content hash says %s", h.ID, h.Actual, h.Stored)
			if h.Actual == "" {
				detail = fmt.Sprintf("id %d: the stored bytes are missing (no article_content row)", h.ID)
			}
			ps = append(ps, db.Problem{Check: "content hash", Table: "articles", Key: h.Key, Detail: detail})
		}
		if len(hs) < batch {
			break
		}
	}
	if more > 0 {
		ps = append(ps, db.Problem{Check: "content hash", Table: "articles", Detail: fmt.Sprintf("and %d more articles", more)})
	}
	return ps, nil
}
