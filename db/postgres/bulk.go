package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// Bulk actions: snapshots (see migrations/0007_bulk.sql), batches and
// their undo, deciding as the SQLite store does (db.PlanChunk and the
// other helpers of db/shared_bulk.go); the SQL and the locking are this
// store's own.
//
// Locking. A batch locks every article of its snapshot (FOR NO KEY UPDATE,
// in id order: it never changes a key, so presence rows that reference the
// articles can still be written meanwhile) before it writes anything, then reads and writes them chunk by
// chunk. Locking them all first is what keeps it free of deadlocks: a
// write to an article also updates shared count rows (the count triggers
// of 0004 and 0009), so a batch that held count rows while it waited for
// the next chunk's articles could wait on a save that waits on those
// rows. Once a batch holds its articles, a save of one of them waits for
// the batch to end and then finds a newer version (a conflict); a save
// that took an article first makes the batch wait, and the batch then
// finds the newer version and skips the article. Two batches lock in the
// same order, so the second waits for the first. The one deadlock left
// is rare (a batch and a save creating the same new topic, the save
// also moving a count row the batch holds): PostgreSQL breaks it, and
// inTx runs the loser again.

// SnapshotQuery stores, as a snapshot owned by userID and taken for
// action, every article that matches q's filters now (Sort, Cursor and
// Limit are ignored). Expired snapshots are removed on the way. When no
// article matches, no snapshot is stored: the result has ID 0, Count 0.
// The error is an invalid status in q, or the database's.
func (s *Store) SnapshotQuery(ctx context.Context, q db.ListQuery, userID int64, action string) (db.SnapshotInfo, error) {
	f, err := listWhere(q, true)
	if err != nil {
		return db.SnapshotInfo{}, fmt.Errorf("postgres: snapshot: %w", err)
	}
	return s.snapshot(ctx, userID, action, `a.id, a.version FROM articles a`, f)
}

// SnapshotSeen stores the given articles (at most db.MaxSnapshotIDs; ids
// of no article are left out, a repeated id counts once, with its first
// version) each with the version the editor saw, not the one it has now:
// an article changed after the page was drawn is then skipped by
// BulkApply, never overwritten. The snapshot is taken for action; none is
// stored when no id is of an article (ID 0, Count 0).
func (s *Store) SnapshotSeen(ctx context.Context, seen []db.Seen, userID int64, action string) (db.SnapshotInfo, error) {
	if len(seen) > db.MaxSnapshotIDs {
		return db.SnapshotInfo{}, fmt.Errorf("postgres: snapshot of %d articles: at most %d ids", len(seen), db.MaxSnapshotIDs)
	}
	ids, versions := make([]int64, len(seen)), make([]int64, len(seen))
	for i, it := range seen {
		ids[i], versions[i] = it.ID, it.Version
	}
	// Two arrays as parameters: one statement, whatever their number.
	// DISTINCT ON keeps the first pair of a repeated id (ORDER BY ord).
	f := &where{}
	from := `a.id, s.version FROM (SELECT DISTINCT ON (id) id, version
		FROM unnest(` + f.arg(ids) + `::bigint[], ` + f.arg(versions) + `::bigint[]) WITH ORDINALITY AS s (id, version, ord)
		ORDER BY id, ord) s JOIN articles a ON a.id = s.id`
	return s.snapshot(ctx, userID, action, from, f)
}

// SnapshotTopic stores the articles whose effective topics include topic
// (case-insensitively, by db.TopicFold) now, for action; none when no
// article has it (ID 0, Count 0).
func (s *Store) SnapshotTopic(ctx context.Context, topic string, userID int64, action string) (db.SnapshotInfo, error) {
	f := &where{}
	f.add(topicFilter, db.TopicFold(topic))
	return s.snapshot(ctx, userID, action, `a.id, a.version FROM articles a`, f)
}

// snapshot creates a snapshot of userID for action and fills it with the
// rows of `SELECT <items> <f's conditions>`: items is the (article id,
// version) columns and the FROM clause, whose placeholders are f's. An
// empty one is not kept (ID 0).
func (s *Store) snapshot(ctx context.Context, userID int64, action, items string, f *where) (db.SnapshotInfo, error) {
	now := s.now()
	info := db.SnapshotInfo{UserID: userID, CreatedAt: fromMillis(millis(now)), Action: action}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Expired snapshots go now: cheap (an index range), and no
		// background task is needed.
		if _, err := tx.Exec(ctx, `DELETE FROM bulk_snapshots WHERE created_at < $1`, millis(now.Add(-db.SnapshotTTL))); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO bulk_snapshots (user_id, created_at, count, action) VALUES ($1, $2, 0, $3) RETURNING id`,
			userID, millis(now), action).Scan(&info.ID)
		if err != nil {
			return err
		}
		g := f.clone() // a retried transaction starts again from f
		id := g.arg(info.ID)
		tag, err := tx.Exec(ctx, `INSERT INTO bulk_snapshot_items (snapshot_id, article_id, version)
			SELECT `+id+`::bigint, `+items+g.sql(), g.args...)
		if err != nil {
			return err
		}
		info.Count = int(tag.RowsAffected())
		if info.Count == 0 { // nothing to confirm: keep no snapshot
			_, err = tx.Exec(ctx, `DELETE FROM bulk_snapshots WHERE id = $1`, info.ID)
			info.ID = 0
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE bulk_snapshots SET count = $1 WHERE id = $2`, info.Count, info.ID)
		return err
	})
	if err != nil {
		return db.SnapshotInfo{}, fmt.Errorf("postgres: snapshot: %w", err)
	}
	return info, nil
}

// Snapshot returns snapshot id if userID owns it and it has not expired.
// Errors (wrapped): db.ErrNotFound (also for a used one), db.ErrNotOwner,
// db.ErrSnapshotExpired.
func (s *Store) Snapshot(ctx context.Context, id, userID int64) (db.SnapshotInfo, error) {
	info, err := readSnapshot(ctx, s.pool, id, false)
	if err != nil {
		return info, fmt.Errorf("postgres: %w", err)
	}
	if err := db.SnapshotUsable(info, userID, s.now()); err != nil {
		return info, fmt.Errorf("postgres: %w", err)
	}
	return info, nil
}

// readSnapshot reads snapshot id; forUpdate locks it until the
// transaction ends, so that of two runs of it the second finds it gone.
func readSnapshot(ctx context.Context, q querier, id int64, forUpdate bool) (db.SnapshotInfo, error) {
	query := `SELECT id, user_id, created_at, count, action FROM bulk_snapshots WHERE id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var info db.SnapshotInfo
	var at int64
	err := q.QueryRow(ctx, query, id).Scan(&info.ID, &info.UserID, &at, &info.Count, &info.Action)
	if errors.Is(err, pgx.ErrNoRows) {
		return info, fmt.Errorf("snapshot %d: %w", id, db.ErrNotFound)
	}
	if err != nil {
		return info, fmt.Errorf("snapshot %d: %w", id, err)
	}
	info.CreatedAt = fromMillis(at)
	return info, nil
}

// BulkApply runs one bulk action on snapshot snapshotID of b.UserID, in
// one transaction: each article whose version is still the snapshot's
// gets step's edit, written and audited as a save writes it (same audit
// rows, version + 1) plus the batch's id; the others are counted in
// Skipped, refusals in Refused (see db.PlanChunk). The snapshot is used
// up. Errors (wrapped): those of Snapshot, db.ErrActionMismatch when
// b.Action is not the snapshot's, and any from step; nothing is written
// then. A transaction PostgreSQL aborts (a deadlock) runs again, step and
// b.Progress with it.
func (s *Store) BulkApply(ctx context.Context, snapshotID int64, b db.Batch, step db.BulkStep) (db.BatchCounts, error) {
	var out db.BatchCounts
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		info, err := readSnapshot(ctx, tx, snapshotID, true)
		if err != nil {
			return err
		}
		if err := db.SnapshotUsable(info, b.UserID, s.now()); err != nil {
			return err
		}
		if info.Action != b.Action {
			return fmt.Errorf("snapshot %d: %w", snapshotID, db.ErrActionMismatch)
		}
		items, err := snapshotItems(ctx, tx, snapshotID)
		if err != nil {
			return err
		}
		if out, err = s.runBatch(ctx, tx, b, 0, items, func(cur *db.Record, _ int) (db.Edit, error) { return step(cur) }); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM bulk_snapshots WHERE id = $1`, snapshotID)
		return err
	})
	if err != nil {
		return db.BatchCounts{}, fmt.Errorf("postgres: bulk %s: %w", b.Kind, err)
	}
	return out, nil
}

// snapshotItems are the articles of a snapshot, by id.
func snapshotItems(ctx context.Context, tx pgx.Tx, snapshotID int64) ([]db.Seen, error) {
	rows, err := tx.Query(ctx, `SELECT article_id, version FROM bulk_snapshot_items WHERE snapshot_id = $1 ORDER BY article_id`, snapshotID)
	if err != nil {
		return nil, err
	}
	var it db.Seen
	var items []db.Seen
	_, err = pgx.ForEachRow(rows, []any{&it.ID, &it.Version}, func() error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// UndoBatch reverts batch batchID in one transaction, as a batch of its
// own (b, whose Kind is usually "undo"): each article the batch changed
// whose version is still the one the batch produced gets step's edit; the
// others are counted in Skipped. The batch is marked undone. Errors
// (wrapped): db.ErrNotFound, db.ErrBatchUndone, any from step; nothing is
// written then.
func (s *Store) UndoBatch(ctx context.Context, batchID int64, b db.Batch, step db.UndoStep) (db.BatchCounts, error) {
	var out db.BatchCounts
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Locked: of two undos at once, the second finds it undone.
		var undoneBy *int64
		err := tx.QueryRow(ctx, `SELECT undone_by FROM batches WHERE id = $1 FOR UPDATE`, batchID).Scan(&undoneBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("batch %d: %w", batchID, db.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if undoneBy != nil {
			return fmt.Errorf("batch %d: %w", batchID, db.ErrBatchUndone)
		}
		items, entries, err := batchEntries(ctx, tx, batchID)
		if err != nil {
			return err
		}
		if out, err = s.runBatch(ctx, tx, b, batchID, items, func(cur *db.Record, i int) (db.Edit, error) { return step(cur, entries[i]) }); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE batches SET undone_by = $1, undone_at = $2 WHERE id = $3`, out.BatchID, millis(s.now()), batchID)
		return err
	})
	if err != nil {
		return db.BatchCounts{}, fmt.Errorf("postgres: undo batch %d: %w", batchID, err)
	}
	return out, nil
}

// batchEntries reads the audit rows of a batch, grouped by article in id
// order: the items (article, version the batch produced) and their
// entries.
func batchEntries(ctx context.Context, tx pgx.Tx, batchID int64) ([]db.Seen, [][]db.AuditEntry, error) {
	rows, err := tx.Query(ctx, `SELECT id, article_id, coalesce(user_id, 0), at, actor, field, old_value, new_value,
		coalesce(version, 0) FROM audit WHERE batch_id = $1 ORDER BY article_id, id`, batchID)
	if err != nil {
		return nil, nil, err
	}
	var items []db.Seen
	var entries [][]db.AuditEntry
	var e db.AuditEntry
	var at int64
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.ArticleID, &e.UserID, &at, &e.Actor, &e.Field, &e.Old, &e.New, &e.Version}, func() error {
		e.At = fromMillis(at)
		if n := len(items); n > 0 && items[n-1].ID == e.ArticleID {
			entries[n-1] = append(entries[n-1], e)
			return nil
		}
		items = append(items, db.Seen{ID: e.ArticleID, Version: e.Version})
		entries = append(entries, []db.AuditEntry{e})
		return nil
	})
	return items, entries, err
}

// runBatch records batch b (undoing batch undoes, or 0) and applies step
// to items (in id order) in tx: it locks them all, then reads, decides
// (db.PlanChunk) and writes them db.BatchChunk at a time.
func (s *Store) runBatch(ctx context.Context, tx pgx.Tx, b db.Batch, undoes int64, items []db.Seen, step func(cur *db.Record, i int) (db.Edit, error)) (db.BatchCounts, error) {
	var out db.BatchCounts
	now := s.now()
	if err := lockArticles(ctx, tx, items); err != nil {
		return out, err
	}
	err := tx.QueryRow(ctx, `INSERT INTO batches (kind, params, user_id, actor, at, undoes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		b.Kind, db.BatchParams(b), nullID(b.UserID), b.Actor, millis(now), nullID(undoes)).Scan(&out.BatchID)
	if err != nil {
		return out, err
	}
	if err := renameTopic(ctx, tx, b.RenameFrom, b.RenameTo); err != nil {
		return out, err
	}
	columns := `SELECT ` + lightColumns + ` FROM articles`
	if b.Full {
		columns = `SELECT ` + db.RecordColumns + db.RecordFrom
	}
	for lo := 0; lo < len(items); lo += db.BatchChunk {
		if b.Progress != nil && lo%db.ProgressEvery == 0 {
			b.Progress(lo, len(items))
		}
		chunk := items[lo:min(lo+db.BatchChunk, len(items))]
		recs, err := readChunk(ctx, tx, columns, chunk)
		if err != nil {
			return out, err
		}
		saves, err := db.PlanChunk(b, chunk, recs, lo, step, &out)
		if err != nil {
			return out, err
		}
		if err := writeChunk(ctx, tx, saves, b, out.BatchID, now); err != nil {
			return out, err
		}
		out.Changed += len(saves)
	}
	if b.Progress != nil {
		b.Progress(len(items), len(items))
	}
	_, err = tx.Exec(ctx, `UPDATE batches SET changed = $1, unchanged = $2, skipped = $3, refused = $4 WHERE id = $5`,
		out.Changed, out.Unchanged, out.Skipped, out.Refused, out.BatchID)
	return out, err
}

// writeChunk writes the saves of a chunk as saveEdited writes one save
// (the row with its version raised by one and updated_at now, the audit
// rows at the new version with the batch's id, the topics and the search
// document when the topics changed), but in two statements for the
// chunk's rows and audit instead of two round trips an article: a batch
// of 50,000 articles spent most of its time waiting for the server's
// answers. The caller holds the rows (lockArticles) and has checked
// their versions.
func writeChunk(ctx context.Context, tx pgx.Tx, saves []db.BulkSave, b db.Batch, batchID int64, now time.Time) error {
	if len(saves) == 0 {
		return nil
	}
	n := len(saves)
	ids, statuses, notes := make([]int64, n), make([]string, n), make([]string, n)
	qualities, published := make([]*int64, n), make([]*int64, n)
	topics := make([]*string, n)
	var aIDs, aVersions []int64
	var fields, olds, news []string
	for i, sv := range saves {
		r := sv.Next
		ids[i], statuses[i], notes[i] = r.ID, string(r.Status), r.Note
		q, t, p := db.EditedValues(r)
		qualities[i], topics[i], published[i] = intOrNull(q), textOrNull(t), intOrNull(p)
		for _, c := range sv.Changes {
			aIDs, aVersions = append(aIDs, r.ID), append(aVersions, sv.Edit.Version+1)
			fields, olds, news = append(fields, c.Field), append(olds, c.Old), append(news, c.New)
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE articles a SET edit_quality = u.q, edit_topics = u.t, edit_published = u.p,
		status = u.s, note = u.n, version = a.version + 1, updated_at = $1
		FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::integer[], $6::text[], $7::text[]) AS u (id, q, t, p, s, n)
		WHERE a.id = u.id`, millis(now), ids, qualities, topics, published, statuses, notes)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != int64(n) { // cannot happen: the rows are locked
		return fmt.Errorf("%d of %d articles written: %w", tag.RowsAffected(), n, db.ErrNotFound)
	}
	// WITH ORDINALITY keeps the changes' order in the ids, which History
	// and an undo's entries sort by.
	_, err = tx.Exec(ctx, `INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version, batch_id)
		SELECT c.a, $1, $2, $3, c.f, c.o, c.n, c.v, $4
		FROM unnest($5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS c (a, v, f, o, n, i)
		ORDER BY c.i`, nullID(b.UserID), b.Actor, millis(now), batchID, aIDs, aVersions, fields, olds, news)
	if err != nil {
		return err
	}
	for _, sv := range saves {
		if !slices.ContainsFunc(sv.Changes, func(c db.Change) bool { return c.Field == "topics" }) {
			continue
		}
		r := sv.Next
		if err := setTopics(ctx, tx, r.ID, r.Topics); err != nil {
			return fmt.Errorf("article %d: %w", r.ID, err)
		}
		if err := writeSearch(ctx, tx, r.ID, r.Article.Title, r.Article.Excerpt, r.Article.Provider.Name, r.Topics); err != nil {
			return err
		}
	}
	return nil
}

// intOrNull is an integer of db.EditedValues as a nullable parameter.
func intOrNull(v any) *int64 {
	if v == nil {
		return nil
	}
	var n int64
	switch x := v.(type) { // EditedValues gives an int
	case int:
		n = int64(x)
	case int64:
		n = x
	}
	return &n
}

// textOrNull is a string of db.EditedValues as a nullable parameter.
func textOrNull(v any) *string {
	if v == nil {
		return nil
	}
	s := v.(string)
	return &s
}

// lockArticles locks the articles of items that exist (FOR NO KEY UPDATE), in id
// order, as every writer of several articles does: see the top of this
// file.
func lockArticles(ctx context.Context, tx pgx.Tx, items []db.Seen) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	_, err := tx.Exec(ctx, `SELECT id FROM articles WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids)
	return err
}

// readChunk reads the articles of items that exist, by id, with columns
// (a SELECT of db.RecordColumns' columns, without WHERE).
func readChunk(ctx context.Context, tx pgx.Tx, columns string, items []db.Seen) (map[int64]*db.Record, error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	rows, err := tx.Query(ctx, columns+` WHERE articles.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	recs := make(map[int64]*db.Record, len(items))
	for rows.Next() {
		r, err := db.ScanRecord(flagRow{rows})
		if err != nil {
			return nil, err
		}
		recs[r.ID] = r
	}
	return recs, rows.Err()
}

// lightColumns is db.RecordColumns without the article's content (body,
// images, related, raw: empty values in their place), read from articles
// alone: all a status change needs, and several times faster to read.
const lightColumns = `id, key, file_name, category, title, excerpt, published_at,
	original_url, web_url, type, heat, provider_name, provider_domain, has_secured,
	''::text, '[]'::text, '[]'::text, ''::bytea, content_hash, quality, published, topics,
	edit_quality, edit_topics, edit_published, status, note, version, imported_at, updated_at`

// renameTopic respells topic from as to when the two differ only in case
// (the store identifies topics by fold, so this is the only way to change
// a topic's spelling); otherwise it does nothing, as the SQLite store's:
// the steps move the articles to topic to.
func renameTopic(ctx context.Context, tx pgx.Tx, from, to string) error {
	if from == "" || db.TopicFold(from) != db.TopicFold(to) {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE topics SET name = $1 WHERE fold = $2`, strings.TrimSpace(to), db.TopicFold(from))
	return err
}

// batchColumns is the column list db.ScanBatch reads.
const batchColumns = `id, kind, params, coalesce(user_id, 0), actor, at, changed, unchanged,
	skipped, refused, coalesce(undoes, 0), coalesce(undone_by, 0), coalesce(undone_at, 0)`

// Batch returns batch id. Errors: db.ErrNotFound (wrapped).
func (s *Store) Batch(ctx context.Context, id int64) (db.BatchInfo, error) {
	b, err := db.ScanBatch(s.pool.QueryRow(ctx, `SELECT `+batchColumns+` FROM batches WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, fmt.Errorf("postgres: batch %d: %w", id, db.ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("postgres: batch %d: %w", id, err)
	}
	return b, nil
}

// Batches returns the latest bulk actions, newest first, at most limit;
// a negative limit is no limit, as SQLite reads LIMIT -1.
func (s *Store) Batches(ctx context.Context, limit int) ([]db.BatchInfo, error) {
	var lim any = limit
	if limit < 0 {
		lim = nil // LIMIT NULL: all
	}
	rows, err := s.pool.Query(ctx, `SELECT `+batchColumns+` FROM batches ORDER BY id DESC LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: batches: %w", err)
	}
	defer rows.Close()
	var out []db.BatchInfo
	for rows.Next() {
		b, err := db.ScanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: batches: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: batches: %w", err)
	}
	return out, nil
}
