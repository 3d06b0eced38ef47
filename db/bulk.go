package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshots (see 0007_bulk.sql): the articles a bulk action applies to,
// each with the version it had when the editor saw the count.
const (
	// SnapshotTTL is how long a snapshot can be confirmed.
	SnapshotTTL = time.Hour
	// MaxSnapshotIDs is the most articles SnapshotSeen takes (a form's selection).
	MaxSnapshotIDs = 1000
)

// Errors of snapshots and batches.
var (
	// ErrSnapshotExpired: the snapshot is older than SnapshotTTL. A used
	// snapshot is deleted: it is ErrNotFound.
	ErrSnapshotExpired = errors.New("snapshot expired")
	// ErrNotOwner: the snapshot belongs to another user.
	ErrNotOwner = errors.New("snapshot of another user")
	// ErrBatchUndone: the batch was undone already.
	ErrBatchUndone = errors.New("batch undone already")
	// ErrRefused, from a BulkStep, leaves its article alone, counted in
	// BatchCounts.Refused, and the batch goes on.
	ErrRefused = errors.New("refused")
	// ErrActionMismatch: the snapshot was taken for another action than
	// the one asked to run on it.
	ErrActionMismatch = errors.New("snapshot taken for another action")
)

// SnapshotInfo is a stored snapshot.
type SnapshotInfo struct {
	ID        int64
	UserID    int64
	CreatedAt time.Time
	Count     int
	// Action is the action the snapshot was taken for, as its taker
	// encoded it (opaque here); BulkApply runs only Batch.Action equal to it.
	Action string
}

// SnapshotQuery stores, as a snapshot owned by userID and taken for
// action, every article that matches q's filters now (Sort, Cursor and
// Limit are ignored). Expired snapshots are removed on the way. When no
// article matches, no snapshot is stored: the result has ID 0, Count 0.
func (s *Store) SnapshotQuery(ctx context.Context, q ListQuery, userID int64, action string) (SnapshotInfo, error) {
	f, err := q.where(true)
	if err != nil {
		return SnapshotInfo{}, err
	}
	return s.snapshot(ctx, userID, action, `SELECT ?, a.id, a.version FROM articles a`+f.sql(), f.args)
}

// Seen is an article as an editor saw it: its id and the version the
// page showed.
type Seen struct {
	ID, Version int64
}

// SnapshotSeen stores the given articles (at most MaxSnapshotIDs; ids of
// no article are left out, a repeated id counts once) each with the
// version the editor saw, not the one it has now: an article changed
// after the page was drawn is then skipped by BulkApply, never
// overwritten. The snapshot is taken for action; none is stored when no
// id is of an article (ID 0, Count 0).
func (s *Store) SnapshotSeen(ctx context.Context, seen []Seen, userID int64, action string) (SnapshotInfo, error) {
	if len(seen) > MaxSnapshotIDs {
		return SnapshotInfo{}, fmt.Errorf("db: snapshot of %d articles: at most %d ids", len(seen), MaxSnapshotIDs)
	}
	// [[id, version], ...] as one JSON parameter: one statement, whatever
	// their number; the first pair of a repeated id wins.
	pairs := make([][2]int64, 0, len(seen))
	done := make(map[int64]bool, len(seen))
	for _, it := range seen {
		if !done[it.ID] {
			done[it.ID] = true
			pairs = append(pairs, [2]int64{it.ID, it.Version})
		}
	}
	list, err := encodeJSON(pairs)
	if err != nil {
		return SnapshotInfo{}, err
	}
	return s.snapshot(ctx, userID, action, `SELECT ?, a.id, j.value ->> 1 FROM json_each(?) j
		JOIN articles a ON a.id = j.value ->> 0`, []any{list})
}

// SnapshotTopic stores the articles whose effective topics include topic
// (case-insensitively) now, for action; none when no article has it
// (ID 0, Count 0).
func (s *Store) SnapshotTopic(ctx context.Context, topic string, userID int64, action string) (SnapshotInfo, error) {
	return s.snapshot(ctx, userID, action, `SELECT ?, a.id, a.version FROM articles a WHERE `+topicFilter,
		[]any{topicFold(topic)})
}

// snapshot creates a snapshot of userID for action and fills it with
// selectItems, a SELECT of (snapshot id, article id, version) whose first
// parameter is the snapshot id and the rest args. An empty one is not
// kept (ID 0).
func (s *Store) snapshot(ctx context.Context, userID int64, action, selectItems string, args []any) (SnapshotInfo, error) {
	now := s.now()
	info := SnapshotInfo{UserID: userID, CreatedAt: fromMillis(toMillis(now)), Action: action}
	err := s.inWriteTx(ctx, func(w *writer) error {
		// Expired snapshots go now: cheap (an index range), and no
		// background task is needed.
		if _, err := w.exec(`DELETE FROM bulk_snapshots WHERE created_at < ?`, toMillis(now.Add(-SnapshotTTL))); err != nil {
			return err
		}
		res, err := w.exec(`INSERT INTO bulk_snapshots (user_id, created_at, count, action) VALUES (?, ?, 0, ?)`, userID, toMillis(now), action)
		if err != nil {
			return err
		}
		if info.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		res, err = w.tx.ExecContext(ctx, `INSERT INTO bulk_snapshot_items (snapshot_id, article_id, version) `+selectItems,
			append([]any{info.ID}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		info.Count = int(n)
		if n == 0 { // nothing to confirm: keep no snapshot
			_, err = w.exec(`DELETE FROM bulk_snapshots WHERE id = ?`, info.ID)
			info.ID = 0
			return err
		}
		_, err = w.exec(`UPDATE bulk_snapshots SET count = ? WHERE id = ?`, n, info.ID)
		return err
	})
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("db: snapshot: %w", err)
	}
	return info, nil
}

// Snapshot returns snapshot id if userID owns it and it has not expired.
// Errors: ErrNotFound, ErrNotOwner, ErrSnapshotExpired (wrapped).
func (s *Store) Snapshot(ctx context.Context, id, userID int64) (SnapshotInfo, error) {
	var info SnapshotInfo
	var at int64
	err := s.readQueryRow(ctx, `SELECT id, user_id, created_at, count, action FROM bulk_snapshots WHERE id = ?`, id).
		Scan(&info.ID, &info.UserID, &at, &info.Count, &info.Action)
	if errors.Is(err, sql.ErrNoRows) {
		return info, fmt.Errorf("db: snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return info, fmt.Errorf("db: snapshot %d: %w", id, err)
	}
	info.CreatedAt = fromMillis(at)
	return info, s.usable(info, userID)
}

// usable checks that userID may use snapshot info now.
func (s *Store) usable(info SnapshotInfo, userID int64) error {
	if info.UserID != userID {
		return fmt.Errorf("db: snapshot %d: %w", info.ID, ErrNotOwner)
	}
	if s.now().Sub(info.CreatedAt) > SnapshotTTL {
		return fmt.Errorf("db: snapshot %d: %w", info.ID, ErrSnapshotExpired)
	}
	return nil
}

// Batch describes a bulk action as the batches table and the audit
// record it.
type Batch struct {
	// Action must equal the snapshot's SnapshotInfo.Action for
	// BulkApply to run (UndoBatch ignores it).
	Action string
	Kind   string // "approve", "undo"...
	Params string // JSON of the action's parameters; "" for none
	UserID int64  // users.id of the actor; 0 for none
	Actor  string // username, kept even if the user goes
	// Full loads each article whole (its stored file, for an export
	// check); otherwise without its content, which is all a status
	// change needs and several times faster.
	Full bool
	// RenameFrom and RenameTo, when set, respell topic RenameFrom as
	// RenameTo first when they differ only in case (see renameTopic),
	// and a step's topic list that differs in case alone is a change.
	RenameFrom, RenameTo string
	// Progress, when set, is called from inside the transaction every
	// few hundred articles and at the end with the articles done and
	// their total.
	Progress func(done, total int)
}

// BatchCounts is what a batch did.
type BatchCounts struct {
	BatchID   int64
	Changed   int // articles changed
	Unchanged int // articles that already had the values
	Skipped   int // articles changed by someone since the snapshot (or the batch undone): left alone
	Refused   int // articles the step refused (ErrRefused, Edit.Check): left alone
	// Refusals are the first MaxRefusals refused articles, with why.
	Refusals []Refusal
}

// MaxRefusals is how many refused articles BatchCounts names.
const MaxRefusals = 5

// Refusal is an article a batch left alone because its step or its
// Edit.Check refused the change.
type Refusal struct {
	ID    int64
	Title string
	Err   error // the step's ErrRefused (wrapped), or the Check's error
}

func (c *BatchCounts) refuse(r *Record, err error) {
	c.Refused++
	if len(c.Refusals) < MaxRefusals {
		c.Refusals = append(c.Refusals, Refusal{ID: r.ID, Title: r.Article.Title, Err: err})
	}
}

// BulkStep returns the edit of one article of a batch: cur is the article
// as it is (without content unless Batch.Full). Version and actor are
// filled in by the batch. ErrRefused (wrapped) or an error from
// Edit.Check leaves the article alone, counted in Refused; any other
// error from the step aborts the whole batch, and nothing is written.
// Steps run one at a time, in order; the Edit's Check, though, runs
// side by side with other articles' checks (see checkAll): it must be
// safe for concurrent use.
type BulkStep func(cur *Record) (Edit, error)

// BatchInfo is one row of the history of bulk actions.
type BatchInfo struct {
	BatchCounts
	Kind, Params string
	UserID       int64
	Actor        string
	At           time.Time
	Undoes       int64 // the batch this one undid; 0 for none
	UndoneBy     int64 // the batch that undid this one; 0 for none
	UndoneAt     time.Time
}

// BulkApply runs one bulk action on snapshot snapshotID of b.UserID, in
// one write transaction: each article whose version is still the
// snapshot's gets step's edit, written and audited as a save writes it
// (same audit rows, version + 1) plus the batch's id; the others are
// counted in Skipped. The snapshot is used up. Errors: those of Snapshot,
// ErrActionMismatch when b.Action is not the snapshot's, and any from
// step (nothing is written then).
func (s *Store) BulkApply(ctx context.Context, snapshotID int64, b Batch, step BulkStep) (BatchCounts, error) {
	var out BatchCounts
	err := s.inWriteTx(ctx, func(w *writer) error {
		var info SnapshotInfo
		var at int64
		err := w.queryRow(`SELECT id, user_id, created_at, count, action FROM bulk_snapshots WHERE id = ?`, snapshotID).
			Scan(&info.ID, &info.UserID, &at, &info.Count, &info.Action)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("snapshot %d: %w", snapshotID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		info.CreatedAt = fromMillis(at)
		if err := s.usable(info, b.UserID); err != nil {
			return err
		}
		if info.Action != b.Action {
			return fmt.Errorf("snapshot %d: %w", snapshotID, ErrActionMismatch)
		}
		items, err := w.snapshotItems(snapshotID)
		if err != nil {
			return err
		}
		if out, err = w.runBatch(b, 0, items, func(cur *Record, _ int) (Edit, error) { return step(cur) }, s.now()); err != nil {
			return err
		}
		_, err = w.exec(`DELETE FROM bulk_snapshots WHERE id = ?`, snapshotID)
		return err
	})
	if err != nil {
		return BatchCounts{}, fmt.Errorf("db: bulk %s: %w", b.Kind, err)
	}
	return out, nil
}

func (w *writer) snapshotItems(snapshotID int64) ([]Seen, error) {
	rows, err := w.query(`SELECT article_id, version FROM bulk_snapshot_items WHERE snapshot_id = ? ORDER BY article_id`, snapshotID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Seen
	for rows.Next() {
		var it Seen
		if err := rows.Scan(&it.ID, &it.Version); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// UndoStep returns the edit that reverts what a batch did to one article:
// cur is the article as it is, entries the batch's audit rows of it.
type UndoStep func(cur *Record, entries []AuditEntry) (Edit, error)

// UndoBatch reverts batch batchID in one write transaction, as a batch of
// its own (b, whose Kind is usually "undo"): each article the batch
// changed whose version is still the one the batch produced gets step's
// edit; the others are counted in Skipped. The batch is marked undone.
// Errors: ErrNotFound, ErrBatchUndone (wrapped), any from step.
func (s *Store) UndoBatch(ctx context.Context, batchID int64, b Batch, step UndoStep) (BatchCounts, error) {
	var out BatchCounts
	err := s.inWriteTx(ctx, func(w *writer) error {
		var undoneBy sql.NullInt64
		err := w.queryRow(`SELECT undone_by FROM batches WHERE id = ?`, batchID).Scan(&undoneBy)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("batch %d: %w", batchID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if undoneBy.Valid {
			return fmt.Errorf("batch %d: %w", batchID, ErrBatchUndone)
		}
		items, entries, err := w.batchEntries(batchID)
		if err != nil {
			return err
		}
		if out, err = w.runBatch(b, batchID, items, func(cur *Record, i int) (Edit, error) { return step(cur, entries[i]) }, s.now()); err != nil {
			return err
		}
		_, err = w.exec(`UPDATE batches SET undone_by = ?, undone_at = ? WHERE id = ?`, out.BatchID, toMillis(s.now()), batchID)
		return err
	})
	if err != nil {
		return BatchCounts{}, fmt.Errorf("db: undo batch %d: %w", batchID, err)
	}
	return out, nil
}

// batchEntries reads the audit rows of a batch, grouped by article: the
// items (article, version the batch produced) and their entries.
func (w *writer) batchEntries(batchID int64) ([]Seen, [][]AuditEntry, error) {
	rows, err := w.query(`SELECT id, article_id, coalesce(user_id, 0), at, actor, field, old_value, new_value,
		coalesce(version, 0) FROM audit WHERE batch_id = ? ORDER BY article_id, id`, batchID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var items []Seen
	var entries [][]AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.ArticleID, &e.UserID, &at, &e.Actor, &e.Field, &e.Old, &e.New, &e.Version); err != nil {
			return nil, nil, err
		}
		e.At = fromMillis(at)
		if n := len(items); n > 0 && items[n-1].ID == e.ArticleID {
			entries[n-1] = append(entries[n-1], e)
			continue
		}
		items = append(items, Seen{e.ArticleID, e.Version})
		entries = append(entries, []AuditEntry{e})
	}
	return items, entries, rows.Err()
}

// progressEvery is how many articles a batch does between progress calls.
const progressEvery = 500

// runBatch records batch b (undoing batch undoes, or 0) and applies step
// to items, in w's transaction; the search index is written once at the
// end, for the articles whose topics changed.
func (w *writer) runBatch(b Batch, undoes int64, items []Seen, step func(cur *Record, i int) (Edit, error), now time.Time) (BatchCounts, error) {
	var out BatchCounts
	var uid, und any
	if b.UserID != 0 {
		uid = b.UserID
	}
	if undoes != 0 {
		und = undoes
	}
	params := b.Params
	if params == "" {
		params = "{}"
	}
	res, err := w.exec(`INSERT INTO batches (kind, params, user_id, actor, at, undoes) VALUES (?, ?, ?, ?, ?, ?)`,
		b.Kind, params, uid, b.Actor, toMillis(now), und)
	if err != nil {
		return out, err
	}
	if out.BatchID, err = res.LastInsertId(); err != nil {
		return out, err
	}
	if b.RenameFrom != "" {
		if err := w.renameTopic(b.RenameFrom, b.RenameTo); err != nil {
			return out, err
		}
	}
	columns := `SELECT ` + lightColumns + ` FROM articles`
	if b.Full {
		columns = `SELECT ` + recordColumns + recordFrom
	}
	for lo := 0; lo < len(items); lo += batchChunk {
		if b.Progress != nil && lo%progressEvery == 0 {
			b.Progress(lo, len(items))
		}
		hi := min(lo+batchChunk, len(items))
		if err := w.runChunk(b, columns, items[lo:hi], lo, step, &out, now); err != nil {
			return out, err
		}
	}
	if err := w.flushFTS(); err != nil {
		return out, err
	}
	if b.Progress != nil {
		b.Progress(len(items), len(items))
	}
	_, err = w.exec(`UPDATE batches SET changed = ?, unchanged = ?, skipped = ?, refused = ? WHERE id = ?`,
		out.Changed, out.Unchanged, out.Skipped, out.Refused, out.BatchID)
	return out, err
}

// batchChunk is how many articles a batch reads in one query and checks
// side by side (see checkAll); progressEvery is a multiple of it.
const batchChunk = 250

// pendingSave is an article of a chunk whose edit changes it, waiting for
// its Check.
type pendingSave struct {
	next    *Record
	changes []change
	e       Edit
	refused error // from e.Check
}

// runChunk applies step to items (items[0] is the batch's article first),
// adding to out: it reads the chunk's articles in one query, lets
// PlanChunk decide (the steps in order, the edits' checks side by side:
// the export check parses the file twice, the bulk of a full action's
// time), and writes the articles that pass, in order.
func (w *writer) runChunk(b Batch, columns string, items []Seen, first int, step func(cur *Record, i int) (Edit, error), out *BatchCounts, now time.Time) error {
	recs, err := w.readChunk(columns, items)
	if err != nil {
		return err
	}
	saves, err := PlanChunk(b, items, recs, first, step, out)
	if err != nil {
		return err
	}
	for _, sv := range saves {
		if err := w.bulkSave(sv, out.BatchID, now); err != nil {
			return fmt.Errorf("article %d: %w", sv.Next.ID, err)
		}
		out.Changed++
	}
	return nil
}

// readChunk reads the articles of items that exist, by id, with columns
// (a SELECT of scanRecord's columns, without WHERE).
func (w *writer) readChunk(columns string, items []Seen) (map[int64]*Record, error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	list, err := encodeJSON(ids)
	if err != nil {
		return nil, err
	}
	rows, err := w.query(columns+` WHERE articles.id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	recs := make(map[int64]*Record, len(items))
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		recs[r.ID] = r
	}
	return recs, rows.Err()
}

// checkAll runs the edits' Check functions, on as many goroutines as
// there are processors, and marks the ones that fail refused. A Check is
// a pure function of the record (review's export check is), so the
// articles of a chunk can be checked in any order: only the writes must
// be in order, and they are, after.
func checkAll(pend []pendingSave) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(pend)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(pend); i = int(next.Add(1)) - 1 {
				if p := &pend[i]; p.e.Check != nil {
					p.refused = p.e.Check(p.next)
				}
			}
		})
	}
	wg.Wait()
}

// respell is the change of a topic list that differs from the current one
// in case alone, which applyEdit, comparing as the store identifies
// topics, does not count: a rename that only respells a topic ("ai" to
// "AI") must still reach each article's list, so exports spell it anew.
func respell(cur *Record, e Edit) (*Record, []change) {
	if !e.SetTopics || slices.Equal(cur.Topics, e.Topics) {
		return cur, nil
	}
	next := *cur
	next.Topics, next.Edited.Topics = slices.Clone(e.Topics), true
	return &next, []change{{"topics", encodeTopics(cur.Topics), encodeTopics(e.Topics)}}
}

// lightColumns is recordColumns without the article's content (body,
// images, related, raw: empty values in their place), read from articles
// alone.
const lightColumns = `id, key, file_name, category, title, excerpt, published_at,
	original_url, web_url, type, heat, provider_name, provider_domain, has_secured,
	'', '[]', '[]', x'', content_hash, quality, published, topics,
	edit_quality, edit_topics, edit_published, status, note, version, imported_at, updated_at`

// bulkSave is saveEdit for an article of a batch: the same row update and
// audit rows, the audit rows carrying the batch, and the search index
// written at the end of the batch (see deferFTS).
func (w *writer) bulkSave(sv BulkSave, batchID int64, now time.Time) error {
	next, e := sv.Next, sv.Edit
	if err := w.writeEdited(next, now); err != nil {
		return err
	}
	var uid any
	if e.ActorID != 0 {
		uid = e.ActorID
	}
	for _, c := range sv.Changes {
		_, err := w.exec(`INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version, batch_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			next.ID, uid, e.Actor, toMillis(now), c.Field, c.Old, c.New, e.Version+1, batchID)
		if err != nil {
			return err
		}
		if c.Field == "topics" {
			if err := w.setTopics(next.ID, next.Topics, true); err != nil {
				return err
			}
			a := &next.Article
			w.deferFTS(next.ID, a.Title, a.Excerpt, a.Provider.Name, next.Topics, true)
		}
	}
	return nil
}

// renameTopic respells topic from as to when the two differ only in case
// (the store identifies topics case-insensitively, so this is the only
// way to change a topic's spelling). Otherwise it does nothing: the steps
// move the articles to topic to, created on first use with that spelling,
// and the old topic is left with no articles; renaming its row instead
// would move, under the old spelling of their lists, the articles that
// got the topic after the snapshot.
func (w *writer) renameTopic(from, to string) error {
	if topicFold(from) != topicFold(to) {
		return nil
	}
	_, err := w.exec(`UPDATE topics SET name = ? WHERE fold = ?`, strings.TrimSpace(to), topicFold(from))
	return err
}

// batchColumns is the column list scanBatch reads.
const batchColumns = `id, kind, params, coalesce(user_id, 0), actor, at, changed, unchanged,
	skipped, refused, coalesce(undoes, 0), coalesce(undone_by, 0), coalesce(undone_at, 0)`

func scanBatch(row scanner) (BatchInfo, error) {
	var b BatchInfo
	var at, undoneAt int64
	err := row.Scan(&b.BatchID, &b.Kind, &b.Params, &b.UserID, &b.Actor, &at, &b.Changed, &b.Unchanged,
		&b.Skipped, &b.Refused, &b.Undoes, &b.UndoneBy, &undoneAt)
	b.At = fromMillis(at)
	if b.UndoneBy != 0 {
		b.UndoneAt = fromMillis(undoneAt)
	}
	return b, err
}

// Batch returns batch id. Errors: ErrNotFound (wrapped).
func (s *Store) Batch(ctx context.Context, id int64) (BatchInfo, error) {
	b, err := scanBatch(s.readQueryRow(ctx, `SELECT `+batchColumns+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("db: batch %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("db: batch %d: %w", id, err)
	}
	return b, nil
}

// Batches returns the latest bulk actions, newest first, at most limit.
func (s *Store) Batches(ctx context.Context, limit int) ([]BatchInfo, error) {
	rows, err := s.readQuery(ctx, `SELECT `+batchColumns+` FROM batches ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: batches: %w", err)
	}
	defer rows.Close()
	var out []BatchInfo
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("db: batches: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: batches: %w", err)
	}
	return out, nil
}
