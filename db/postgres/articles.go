package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// querier is what the pool and a transaction have in common: the store's
// reads run on either.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// flagRow scans a row whose *bool destinations are 0/1 integer columns
// (has_secured, published): db's scanners read them into bools, as SQLite's
// driver converts, while pgx scans an integer only into a number.
type flagRow struct{ row pgx.Row }

func (r flagRow) Scan(dest ...any) error {
	n := 0
	for _, d := range dest {
		if _, ok := d.(*bool); ok {
			n++
		}
	}
	if n == 0 {
		return r.row.Scan(dest...)
	}
	ints, flags := make([]int64, n), make([]*bool, 0, n)
	swapped := slices.Clone(dest)
	for i, d := range dest {
		if b, ok := d.(*bool); ok {
			swapped[i] = &ints[len(flags)]
			flags = append(flags, b)
		}
	}
	if err := r.row.Scan(swapped...); err != nil {
		return err
	}
	for i, b := range flags {
		*b = ints[i] != 0
	}
	return nil
}

// getRecord reads article id with q; forUpdate locks its articles row
// until the transaction ends, as a writer must before deciding from it.
// The lock is FOR NO KEY UPDATE (PostgreSQL documentation, "Row-Level
// Locks"): a save never changes the row's id or key, and unlike FOR
// UPDATE it lets other transactions insert rows that reference the
// article (a presence, whose foreign key takes FOR KEY SHARE) while the
// save runs, so an editor opening the article is not dropped. Writers
// still exclude each other. A missing id is an error wrapping
// db.ErrNotFound.
func getRecord(ctx context.Context, q querier, id int64, forUpdate bool) (*db.Record, error) {
	query := `SELECT ` + db.RecordColumns + db.RecordFrom + ` WHERE id = $1`
	if forUpdate {
		query += ` FOR NO KEY UPDATE OF articles`
	}
	return recordOrNotFound(q.QueryRow(ctx, query, id), "article %d", id)
}

func recordOrNotFound(row pgx.Row, format string, arg any) (*db.Record, error) {
	r, err := db.ScanRecord(flagRow{row})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: "+format+": %w", arg, db.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: "+format+": %w", arg, err)
	}
	return r, nil
}

// Get returns the article with the given id; a missing one is an error
// wrapping db.ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*db.Record, error) {
	return getRecord(ctx, s.pool, id, false)
}

// GetByKey returns the article with the given key (file name without
// extension); a missing one is an error wrapping db.ErrNotFound.
func (s *Store) GetByKey(ctx context.Context, key string) (*db.Record, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+db.RecordColumns+db.RecordFrom+` WHERE key = $1`, key)
	return recordOrNotFound(row, "article %q", key)
}

// Update applies an editor's edit to article id in one transaction, with
// the article's row locked: a stale Version returns a *db.ConflictError
// with the current record and writes nothing; an edit that changes nothing
// writes nothing and returns the record at the same version; otherwise
// every changed field is written with one audit row, and the version goes
// up by one. An invalid edit is refused before any read; a missing article
// is an error wrapping db.ErrNotFound; an error from e.Check is returned
// wrapped, unchanged for errors.Is/As.
func (s *Store) Update(ctx context.Context, id int64, e db.Edit) (*db.Record, error) {
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("postgres: update article %d: %w", id, err)
	}
	var out *db.Record
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := getRecord(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Version != e.Version {
			return &db.ConflictError{Current: cur}
		}
		next, changes := db.ApplyEdit(cur, e)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		if e.Check != nil {
			if err := e.Check(next); err != nil {
				return err
			}
		}
		if err := saveEdited(ctx, tx, next, changes, e, 0, s.now()); err != nil {
			return err
		}
		out, err = getRecord(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: update article %d: %w", id, err)
	}
	return out, nil
}

// saveEdited writes an edit decided by db.ApplyEdit: next's editor values,
// status and note on its row with the version raised by one and
// updated_at now, one audit row per change (carrying the new version, and
// batchID unless 0), and, when the topics changed, the article_topics rows
// and the search document. The caller holds the row (getRecord with
// forUpdate) and has checked the version. next needs its Article's title,
// excerpt and provider, not its content.
func saveEdited(ctx context.Context, tx pgx.Tx, next *db.Record, changes []db.Change, e db.Edit, batchID int64, now time.Time) error {
	quality, topics, published := db.EditedValues(next)
	var version int64
	err := tx.QueryRow(ctx, `UPDATE articles SET edit_quality = $1, edit_topics = $2, edit_published = $3,
		status = $4, note = $5, version = version + 1, updated_at = $6 WHERE id = $7 RETURNING version`,
		quality, topics, published, string(next.Status), next.Note, millis(now), next.ID).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("article %d: %w", next.ID, db.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, next.ID, e.ActorID, e.Actor, now, version, batchID, changes); err != nil {
		return err
	}
	if !slices.ContainsFunc(changes, func(c db.Change) bool { return c.Field == "topics" }) {
		return nil
	}
	if err := setTopics(ctx, tx, next.ID, next.Topics); err != nil {
		return err
	}
	a := &next.Article
	return writeSearch(ctx, tx, next.ID, a.Title, a.Excerpt, a.Provider.Name, next.Topics)
}

// setTopics replaces the article_topics rows of an article by topics,
// creating the topics it names for the first time. Names equal but for
// case (the same article.TopicKey, the fold column) count once, at their
// first position; blank names are skipped, as the SQLite writer does.
func setTopics(ctx context.Context, tx pgx.Tx, articleID int64, topics []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM article_topics WHERE article_id = $1`, articleID); err != nil {
		return err
	}
	folds, names, positions := topicRows(topics)
	if len(folds) == 0 {
		return nil
	}
	ids, err := topicIDs(ctx, tx, folds, names)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO article_topics (article_id, topic_id, position)
		SELECT $1, unnest($2::bigint[]), unnest($3::bigint[])`, articleID, ids, positions)
	return err
}

// topicRows are the distinct topics of a list by fold, in list order, with
// their names and positions in the list.
func topicRows(topics []string) (folds, names []string, positions []int64) {
	for pos, name := range topics {
		f := db.TopicFold(name)
		if f == "" || slices.Contains(folds, f) {
			continue
		}
		folds, names, positions = append(folds, f), append(names, name), append(positions, int64(pos))
	}
	return folds, names, positions
}

// topicIDs returns the ids of the topics of the given folds, in their
// order, creating those that do not exist under their names (cleaned, as
// article.CleanTopic does). Topics are inserted in fold order, so that
// two transactions creating the same topics wait for each other rather
// than deadlock.
func topicIDs(ctx context.Context, tx pgx.Tx, folds, names []string) ([]int64, error) {
	order := make([]int, len(folds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(folds[a], folds[b]) })
	sf, sn := make([]string, len(folds)), make([]string, len(folds))
	for i, k := range order {
		sf[i], sn[i] = folds[k], article.CleanTopic(names[k])
	}
	// ON CONFLICT without a target: a name unique case-insensitively
	// (topics_name) but of another fold is found below, not an error.
	if _, err := tx.Exec(ctx, `INSERT INTO topics (name, fold)
		SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, sn, sf); err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	// A statement of its own: it sees the topics another transaction
	// committed while the insert waited for it.
	rows, err := tx.Query(ctx, `SELECT fold, id FROM topics WHERE fold = ANY($1)`, sf)
	if err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	byFold := map[string]int64{}
	var fold string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&fold, &id}, func() error {
		byFold[fold] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	ids := make([]int64, len(folds))
	for i, f := range folds {
		var ok bool
		if ids[i], ok = byFold[f]; ok {
			continue
		}
		// The insert met the name index (ASCII case folded, as SQLite's
		// NOCASE) rather than the fold's: the topic is the one whose name
		// is taken.
		err := tx.QueryRow(ctx, `SELECT id FROM topics WHERE `+nocase("name")+` = `+nocase("$1::text"), article.CleanTopic(names[i])).Scan(&ids[i])
		if err != nil {
			return nil, fmt.Errorf("topic %q: %w", names[i], err)
		}
	}
	return ids, nil
}

// writeAudit writes one audit row per change of an article, all at the
// article's version right after them (0 batchID and userID are NULL).
func writeAudit(ctx context.Context, tx pgx.Tx, articleID, userID int64, actor string, at time.Time,
	version, batchID int64, changes []db.Change) error {
	if len(changes) == 0 {
		return nil
	}
	fields, olds, news := make([]string, len(changes)), make([]string, len(changes)), make([]string, len(changes))
	for i, c := range changes {
		fields[i], olds[i], news[i] = c.Field, c.Old, c.New
	}
	// WITH ORDINALITY keeps the changes' order in the ids, which History
	// sorts by.
	_, err := tx.Exec(ctx, `INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version, batch_id)
		SELECT $1, $2, $3, $4, f, o, n, $5, $6
		FROM unnest($7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS c(f, o, n, i) ORDER BY i`,
		articleID, nullID(userID), actor, millis(at), version, nullID(batchID), fields, olds, news)
	return err
}

// nullID is an id column's value: NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
