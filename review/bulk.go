package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// BulkKind names what a bulk action does to every article of a snapshot.
type BulkKind string

// The bulk actions.
const (
	BulkApprove     BulkKind = "approve"
	BulkReject      BulkKind = "reject"
	BulkPublish     BulkKind = "publish"
	BulkUnpublish   BulkKind = "unpublish"
	BulkAddTopic    BulkKind = "add-topic"
	BulkRemoveTopic BulkKind = "remove-topic"
	BulkSetQuality  BulkKind = "set-quality"
	// BulkRenameTopic replaces Topic by To on every article of the snapshot, keeping its place in the list;
	// when To is a topic in use already (compared as the store compares topics, case-insensitively), the two merge
	// (no duplicate). When To is not in use, the topic itself is renamed, so the store's spelling becomes To.
	BulkRenameTopic BulkKind = "rename-topic"

	// BulkUndo is the kind of the batch that undoes another.
	BulkUndo BulkKind = "undo"
)

// BulkKinds are the actions an editor picks on the queue, in menu order.
var BulkKinds = []BulkKind{BulkApprove, BulkReject, BulkPublish, BulkUnpublish, BulkAddTopic, BulkRemoveTopic, BulkSetQuality}

// BulkAction is one bulk action: Topic for add-topic, remove-topic and
// rename-topic (with To), Quality for set-quality.
type BulkAction struct {
	Kind      BulkKind
	Topic, To string
	Quality   int
}

// Snapshot is a stored set of articles, as they were when it was taken
// (see db.SnapshotTTL): the articles a bulk action applies to.
type Snapshot struct {
	ID    int64
	Count int
	// Action is the action it was taken for, the only one Bulk runs on it.
	Action BulkAction
}

// BatchOutcome counts what a batch did, article by article.
type BatchOutcome struct {
	BatchID   int64
	Changed   int
	Unchanged int // had the values already
	Skipped   int // changed by someone since the snapshot (or the batch): left alone
	Refused   int // the result could not be exported (see Save) or breaks a topic rule: left alone
	// Refusals name the first refused articles (at most db.MaxRefusals),
	// each with why.
	Refusals []Refusal
}

// Refusal is an article a bulk action left alone, and why: "it would
// have too many topics: ...", "its file cannot carry the change: ...".
type Refusal struct {
	ID            int64
	Title, Reason string
}

// ErrActionMismatch (wrapped) refuses to run on a snapshot an action other
// than the one it was taken for.
var ErrActionMismatch = db.ErrActionMismatch

// BulkStore is what bulk actions need of the store (part of Store).
type BulkStore interface {
	SnapshotQuery(ctx context.Context, q db.ListQuery, userID int64, action string) (db.SnapshotInfo, error)
	SnapshotSeen(ctx context.Context, seen []db.Seen, userID int64, action string) (db.SnapshotInfo, error)
	SnapshotTopic(ctx context.Context, topic string, userID int64, action string) (db.SnapshotInfo, error)
	Snapshot(ctx context.Context, id, userID int64) (db.SnapshotInfo, error)
	BulkApply(ctx context.Context, snapshotID int64, b db.Batch, step db.BulkStep) (db.BatchCounts, error)
	UndoBatch(ctx context.Context, batchID int64, b db.Batch, step db.UndoStep) (db.BatchCounts, error)
	Batch(ctx context.Context, id int64) (db.BatchInfo, error)
	Batches(ctx context.Context, limit int) ([]db.BatchInfo, error)
}

// SnapshotQuery stores every article matching q now (its filters; Sort,
// Cursor and Limit are ignored), for actorID to run a on, and only a.
// No article is a Snapshot of ID 0 (none stored). Errors: a *FieldError
// for an invalid action, or the store's.
func (s *Service) SnapshotQuery(ctx context.Context, q db.ListQuery, a BulkAction, actorID int64) (Snapshot, error) {
	bs, key, a, err := s.snapshotFor(a)
	if err != nil {
		return Snapshot{}, err
	}
	return snapshot(a)(bs.SnapshotQuery(ctx, q, actorID, key))
}

// snapshotFor checks a and returns the store and a's key, as stored with
// a snapshot.
func (s *Service) snapshotFor(a BulkAction) (BulkStore, string, BulkAction, error) {
	a, err := a.Validate()
	if err != nil {
		return nil, "", a, err
	}
	return s.store, a.key(), a, nil
}

// actionKey is a snapshot's action column: the validated action, as JSON.
type actionKey struct {
	Kind    BulkKind `json:"kind"`
	Topic   string   `json:"topic,omitempty"`
	To      string   `json:"to,omitempty"`
	Quality int      `json:"quality,omitempty"`
}

// key encodes a validated action for its snapshot; equal actions have
// equal keys.
func (a BulkAction) key() string {
	k := actionKey{Kind: a.Kind, Topic: a.Topic, To: a.To}
	if a.Kind == BulkSetQuality {
		k.Quality = a.Quality
	}
	b, _ := json.Marshal(k) // cannot fail for strings and ints
	return string(b)
}

// actionOfKey decodes key; a key that does not decode is an action of no
// kind, which nothing runs.
func actionOfKey(key string) BulkAction {
	var k actionKey
	_ = json.Unmarshal([]byte(key), &k)
	return BulkAction(k)
}

// SnapshotSeen stores the ticked articles, each with the version the
// editor's page showed (at most db.MaxSnapshotIDs; ids of no article are
// left out): one changed since that page is skipped by Bulk, never
// overwritten. The snapshot is for a only. No id, or an invalid a, is a
// *FieldError; ids of no article are a Snapshot of ID 0 (none stored).
func (s *Service) SnapshotSeen(ctx context.Context, seen []db.Seen, a BulkAction, actorID int64) (Snapshot, error) {
	switch {
	case len(seen) == 0:
		return Snapshot{}, &FieldError{Field: "ids", Message: "No article is selected: tick the articles to change, or use “all matching”."}
	case len(seen) > db.MaxSnapshotIDs:
		return Snapshot{}, &FieldError{Field: "ids", Message: fmt.Sprintf("%d articles are selected; at most %d can be sent at once: use “all matching” instead.", len(seen), db.MaxSnapshotIDs)}
	}
	bs, key, a, err := s.snapshotFor(a)
	if err != nil {
		return Snapshot{}, err
	}
	return snapshot(a)(bs.SnapshotSeen(ctx, seen, actorID, key))
}

// SnapshotTopic stores the articles that have a.Topic now
// (case-insensitively), for a, a rename (Kind BulkRenameTopic), only.
func (s *Service) SnapshotTopic(ctx context.Context, a BulkAction, actorID int64) (Snapshot, error) {
	if a.Kind != BulkRenameTopic {
		return Snapshot{}, &FieldError{Field: "action", Message: "A topic's articles are taken for a rename only."}
	}
	bs, key, a, err := s.snapshotFor(a)
	if err != nil {
		return Snapshot{}, err
	}
	return snapshot(a)(bs.SnapshotTopic(ctx, a.Topic, actorID, key))
}

func snapshot(a BulkAction) func(info db.SnapshotInfo, err error) (Snapshot, error) {
	return func(info db.SnapshotInfo, err error) (Snapshot, error) {
		return Snapshot{ID: info.ID, Count: info.Count, Action: a}, err
	}
}

// CheckSnapshot returns snapshot id if actorID may confirm it. Errors
// (wrapped): db.ErrNotFound, db.ErrNotOwner, db.ErrSnapshotExpired.
func (s *Service) CheckSnapshot(ctx context.Context, id, actorID int64) (Snapshot, error) {
	bs := s.store
	info, err := bs.Snapshot(ctx, id, actorID)
	return Snapshot{ID: info.ID, Count: info.Count, Action: actionOfKey(info.Action)}, err
}

// Validate checks a against the article rules and returns it cleaned (the
// topic trimmed). Errors are *FieldError on "action", "topic" or "quality".
func (a BulkAction) Validate() (BulkAction, error) {
	a.Topic, a.To = strings.TrimSpace(a.Topic), strings.TrimSpace(a.To)
	checkTopic := func(field, t string) error {
		if err := article.CheckTopic(t); err != nil {
			return &FieldError{Field: field, Message: "The " + err.Error() + "."}
		}
		return nil
	}
	// Fields the kind does not use are cleared: the form posts them all,
	// and a snapshot's action (see key) must not depend on them.
	switch a.Kind {
	case BulkApprove, BulkReject, BulkPublish, BulkUnpublish:
		return BulkAction{Kind: a.Kind}, nil
	case BulkAddTopic, BulkRemoveTopic:
		a.To, a.Quality = "", 0
		return a, checkTopic("topic", a.Topic)
	case BulkRenameTopic:
		a.Quality = 0
		if err := checkTopic("topic", a.Topic); err != nil {
			return a, err
		}
		return a, checkTopic("to", a.To)
	case BulkSetQuality:
		a.Topic, a.To = "", ""
		if err := article.CheckQuality(a.Quality); err != nil {
			return a, &FieldError{Field: "quality", Message: "The q" + err.Error()[1:] + "."}
		}
		return a, nil
	}
	return a, &FieldError{Field: "action", Message: fmt.Sprintf("Unknown action %q: choose one from the list.", clip(string(a.Kind), 40))}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Describe says what a does, for confirmations and the history:
// "approve", "add topic “AI”", "set quality to 80".
func (a BulkAction) Describe() string {
	switch a.Kind {
	case BulkAddTopic:
		return "add topic “" + a.Topic + "”"
	case BulkRemoveTopic:
		return "remove topic “" + a.Topic + "”"
	case BulkRenameTopic:
		return "rename topic “" + a.Topic + "” to “" + a.To + "”"
	case BulkSetQuality:
		return fmt.Sprintf("set quality to %d", a.Quality)
	}
	return string(a.Kind)
}

// bulkParams is a batch's params column: the action's values.
type bulkParams struct {
	Topic   string `json:"topic,omitempty"`
	To      string `json:"to,omitempty"`
	Quality *int   `json:"quality,omitempty"`
	Undoes  int64  `json:"undoes,omitempty"`
}

// ActionOf reads back the action a batch of the history ran.
func ActionOf(b db.BatchInfo) BulkAction {
	var p bulkParams
	_ = json.Unmarshal([]byte(b.Params), &p) // written by Bulk; a bad value shows as the kind alone
	a := BulkAction{Kind: BulkKind(b.Kind), Topic: p.Topic, To: p.To}
	if p.Quality != nil {
		a.Quality = *p.Quality
	}
	return a
}

// Bulk applies a to every article of snapshot snapshotID (of actorID) in
// one store transaction, each article audited as a save is plus the
// batch's id: an article changed since the snapshot is skipped; one whose
// result could not be exported, or would break a topic rule, is refused;
// both are counted and left alone. Topics take the store's spelling, as
// in Save. progress, when not nil, is called with the articles done and
// their total while it runs. a must be the action the snapshot was taken
// for (Snapshot.Action). Errors: a *FieldError for an invalid action,
// db.ErrNotFound, db.ErrNotOwner, db.ErrSnapshotExpired,
// ErrActionMismatch (wrapped), or a store failure; nothing is written on
// any error.
func (s *Service) Bulk(ctx context.Context, snapshotID int64, a BulkAction, actorID int64, actor string, progress func(done, total int)) (BatchOutcome, error) {
	bs, key, a, err := s.snapshotFor(a)
	if err != nil {
		return BatchOutcome{}, err
	}
	if a.Kind == BulkAddTopic {
		if a.Topic, err = s.store.CanonicalTopic(ctx, a.Topic); err != nil {
			return BatchOutcome{}, err
		}
	}
	if a.Kind == BulkRenameTopic {
		to, err := s.store.CanonicalTopic(ctx, a.To)
		if err != nil {
			return BatchOutcome{}, err
		}
		if !article.SameTopic(to, a.Topic) {
			a.To = to // merge into the spelling of a topic in use; a respelling keeps the new one
		}
	}
	b := db.Batch{Action: key, Kind: string(a.Kind), Params: paramsOf(a, 0), UserID: actorID, Actor: actor, Progress: progress}
	if a.Kind == BulkRenameTopic {
		b.RenameFrom, b.RenameTo = a.Topic, a.To
	}
	step := bulkStep(a)
	// Status changes are not in the file: no export check, no content read.
	b.Full = a.Kind != BulkApprove && a.Kind != BulkReject
	counts, err := bs.BulkApply(ctx, snapshotID, b, func(cur *db.Record) (db.Edit, error) {
		e, err := step(cur)
		if err != nil {
			return e, fmt.Errorf("%w: %w", db.ErrRefused, err) // a topic rule: counted as refused, like an unexportable result
		}
		if b.Full {
			e.Check = exportCheck
		}
		return e, nil
	})
	if err != nil {
		return BatchOutcome{}, err
	}
	return outcome(counts), nil
}

func outcome(c db.BatchCounts) BatchOutcome {
	out := BatchOutcome{BatchID: c.BatchID, Changed: c.Changed, Unchanged: c.Unchanged, Skipped: c.Skipped, Refused: c.Refused}
	for _, r := range c.Refusals {
		out.Refusals = append(out.Refusals, Refusal{ID: r.ID, Title: r.Title, Reason: refusalReason(r.Err)})
	}
	return out
}

// refusalReason words why an article was left alone: a topic rule of the
// step (db.ErrRefused), or its file's export check.
func refusalReason(err error) string {
	if errors.Is(err, db.ErrRefused) {
		return "it would break a topic rule: " + strings.TrimPrefix(err.Error(), db.ErrRefused.Error()+": ")
	}
	return "its file cannot carry the change: " + err.Error()
}

func paramsOf(a BulkAction, undoes int64) string {
	p := bulkParams{Topic: a.Topic, To: a.To, Undoes: undoes}
	if a.Kind == BulkSetQuality {
		p.Quality = &a.Quality
	}
	b, _ := json.Marshal(p) // cannot fail for strings and ints
	return string(b)
}

// bulkStep is the store edit a makes of one article; an error when the
// result would break a topic rule (too many topics).
func bulkStep(a BulkAction) func(cur *db.Record) (db.Edit, error) {
	setStatus := func(st article.Status) func(*db.Record) (db.Edit, error) {
		return func(*db.Record) (db.Edit, error) { return db.Edit{Status: &st}, nil }
	}
	setPublished := func(p bool) func(*db.Record) (db.Edit, error) {
		return func(*db.Record) (db.Edit, error) { return db.Edit{Published: &p}, nil }
	}
	switch a.Kind {
	case BulkApprove:
		return setStatus(article.StatusApproved)
	case BulkReject:
		return setStatus(article.StatusRejected)
	case BulkPublish:
		return setPublished(true)
	case BulkUnpublish:
		return setPublished(false)
	case BulkSetQuality:
		return func(*db.Record) (db.Edit, error) { q := a.Quality; return db.Edit{Quality: &q}, nil }
	}
	// Topic actions: the list as the review form shows it, changed.
	change := topicChange(a)
	return func(cur *db.Record) (db.Edit, error) {
		ts := change(shownTopics(cur.Topics))
		if err := article.CheckTopicCount(len(ts)); err != nil {
			return db.Edit{}, err
		}
		return db.Edit{Topics: ts, SetTopics: true}, nil
	}
}

// topicChange is what a topic action does to a topic list (normalised,
// so without repeats).
func topicChange(a BulkAction) func([]string) []string {
	is := article.SameTopic
	has := func(ts []string, name string) bool {
		for _, t := range ts {
			if is(t, name) {
				return true
			}
		}
		return false
	}
	switch a.Kind {
	case BulkAddTopic:
		return func(ts []string) []string {
			if has(ts, a.Topic) {
				return ts
			}
			return append(ts, a.Topic)
		}
	case BulkRemoveTopic:
		return func(ts []string) []string {
			out := ts[:0:0]
			for _, t := range ts {
				if !is(t, a.Topic) {
					out = append(out, t)
				}
			}
			return out
		}
	default: // BulkRenameTopic: To in Topic's place; a To already there stays where it was
		return func(ts []string) []string {
			merge := has(ts, a.To) && !is(a.To, a.Topic)
			out := ts[:0:0]
			for _, t := range ts {
				switch {
				case is(t, a.Topic) && merge:
				case is(t, a.Topic):
					out = append(out, a.To)
				default:
					out = append(out, t)
				}
			}
			return out
		}
	}
}

// ErrUndoOfUndo refuses to undo a batch that is itself an undo: its
// original would still say "undone" while its changes came back. Make
// the change again instead.
var ErrUndoOfUndo = errors.New("an undo cannot be undone")

// UndoBatch reverts batch batchID in one store transaction, as a batch of
// its own (kind "undo", listed and audited): each article the batch
// changed gets back the values the batch replaced, if its version is
// still the one the batch produced; the others are skipped (someone
// changed them since) and counted. Errors: db.ErrNotFound,
// db.ErrBatchUndone, ErrUndoOfUndo (wrapped), or a store failure; nothing is written
// on any error.
func (s *Service) UndoBatch(ctx context.Context, batchID, actorID int64, actor string) (BatchOutcome, error) {
	bs := s.store
	orig, err := bs.Batch(ctx, batchID)
	if err != nil {
		return BatchOutcome{}, err
	}
	// Undoing a status change reads no content and checks no export, as
	// the change itself did not.
	act := ActionOf(orig)
	if act.Kind == BulkUndo {
		return BatchOutcome{}, fmt.Errorf("review: batch %d: %w", batchID, ErrUndoOfUndo)
	}
	full := act.Kind != BulkApprove && act.Kind != BulkReject
	b := db.Batch{Kind: string(BulkUndo), Params: paramsOf(BulkAction{}, batchID), UserID: actorID, Actor: actor, Full: full}
	if act.Kind == BulkRenameTopic && article.SameTopic(act.Topic, act.To) {
		// A respelling ("Ai" to "AI") changed the topic's own spelling: it
		// goes back too, and lists equal but for case still count as changed.
		b.RenameFrom, b.RenameTo = act.To, act.Topic
	}
	counts, err := bs.UndoBatch(ctx, batchID, b, func(cur *db.Record, entries []db.AuditEntry) (db.Edit, error) {
		e, err := undoEdit(Change{Version: cur.Version, Entries: entries})
		if err != nil {
			return db.Edit{}, err
		}
		out := db.Edit{Quality: e.Quality, ClearQuality: e.ClearQuality, Topics: e.Topics, SetTopics: e.SetTopics,
			Published: e.Published, Status: e.Status, Note: e.Note}
		if full {
			out.Check = exportCheck
		}
		return out, nil
	})
	if err != nil {
		return BatchOutcome{}, err
	}
	return outcome(counts), nil
}

// Batches returns the latest bulk actions, newest first, at most limit.
func (s *Service) Batches(ctx context.Context, limit int) ([]db.BatchInfo, error) {
	bs := s.store
	return bs.Batches(ctx, limit)
}
