package review

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Change is one save as the audit records it: the entries it wrote, which
// share the version the save produced, the actor and the time.
type Change struct {
	Version int64 // the article version it produced; 0 when recorded before the audit kept versions
	Actor   string
	UserID  int64 // 0 for imports and for users since deleted
	At      time.Time
	Entries []db.AuditEntry // one per field, in the order written
}

// Import reports whether an import made the change.
func (c Change) Import() bool { return c.Actor == db.ImportActor }

// Changes groups an article's audit, newest first as db.Store.History
// returns it, into changes, newest first. Entries recorded before the
// audit kept versions group by actor and time alone.
func Changes(history []db.AuditEntry) []Change {
	var out []Change
	for _, e := range history {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Version == e.Version && last.Actor == e.Actor && last.UserID == e.UserID && last.At.Equal(e.At) {
				last.Entries = append([]db.AuditEntry{e}, last.Entries...)
				continue
			}
		}
		out = append(out, Change{Version: e.Version, Actor: e.Actor, UserID: e.UserID, At: e.At, Entries: []db.AuditEntry{e}})
	}
	return out
}

// editable are the fields an editor sets and an undo writes back.
func editable(field string) bool {
	switch field {
	case "quality", "topics", "published", "status", "note":
		return true
	}
	return false
}

// fields are the entries of c that an undo writes back.
func (c Change) fields() []db.AuditEntry {
	var out []db.AuditEntry
	for _, e := range c.Entries {
		if editable(e.Field) {
			out = append(out, e)
		}
	}
	return out
}

// Target names the change to undo.
type Target struct {
	// Version is the article version the change produced.
	Version int64
	// Latest undoes the change only while it is still the article's latest
	// (the flash's Undo and the `u` key: "my last change"). Without it, an
	// older change from the history is undone when the fields it changed
	// still hold the values it set.
	Latest bool
}

// ErrNoSuchChange is returned by Undo when no change of the article
// produced the target version.
var ErrNoSuchChange = errors.New("no such change")

// ChangedSinceError refuses an undo because the article (or, for an older
// change, one of its fields) changed after the change to undo. Nothing was
// written.
type ChangedSinceError struct {
	Actor string    // who made the later change
	At    time.Time // when
	// Undone is set when that later change reverted the change exactly:
	// it is undone already.
	Undone bool
}

func (e *ChangedSinceError) Error() string {
	if e.Undone {
		return fmt.Sprintf("undone already by %s at %s", e.Actor, e.At.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("changed since by %s at %s", e.Actor, e.At.UTC().Format(time.RFC3339))
}

// NotUndoableError refuses an undo that can never be made, such as of an
// import's change. Reason is a sentence for the editor.
type NotUndoableError struct {
	Reason string
}

func (e *NotUndoableError) Error() string { return "cannot undo: " + e.Reason }

// UndoOutcome is what an undo did.
type UndoOutcome struct {
	Record *db.Record // the article after the undo
	Undone Change     // the change it reverted; its entries' Old values are the ones restored
}

// maxUndoTries bounds the retries of an undo that meets a save made
// between its read and its write.
const maxUndoTries = 3

// Undo reverts the change of article id named by t, as actor (actorID is
// users.id): it writes the values the change replaced back through Save,
// so the version check, the export check and the audit are those of any
// edit, and the undo is itself a change that can be undone. Errors
// (nothing is written): ErrNoSuchChange (wrapped), *ChangedSinceError,
// *NotUndoableError, a *FieldError when the file could no longer carry
// the old values, db.ErrNotFound (wrapped), or a store failure.
func (s *Service) Undo(ctx context.Context, id int64, t Target, actorID int64, actor string) (UndoOutcome, error) {
	for try := 0; try < maxUndoTries; try++ {
		cur, err := s.store.Get(ctx, id)
		if err != nil {
			return UndoOutcome{}, err
		}
		hist, err := s.store.History(ctx, id)
		if err != nil {
			return UndoOutcome{}, err
		}
		changes := Changes(hist)
		i := FindChange(changes, t.Version)
		if i < 0 {
			return UndoOutcome{}, fmt.Errorf("review: undo version %d of article %d: %w", t.Version, id, ErrNoSuchChange)
		}
		if err := CanUndo(cur, changes, i, t.Latest); err != nil {
			return UndoOutcome{}, err
		}
		edit, err := undoEdit(changes[i])
		if err != nil {
			return UndoOutcome{}, err
		}
		edit.Version, edit.ActorID, edit.Actor = cur.Version, actorID, actor
		out, err := s.Save(ctx, id, edit)
		if err != nil {
			return UndoOutcome{}, err
		}
		if out.Conflict || !out.Changed {
			continue // someone saved since our read: decide again on what is there now
		}
		return UndoOutcome{Record: out.Record, Undone: changes[i]}, nil
	}
	return UndoOutcome{}, fmt.Errorf("review: undo version %d of article %d: %w", t.Version, id, db.ErrConflict)
}

// FindChange is the index in changes of the change, other than an import's
// rename, that produced version; -1 when there is none.
func FindChange(changes []Change, version int64) int {
	if version <= 0 {
		return -1
	}
	for i, c := range changes {
		if c.Version == version && len(c.fields()) > 0 {
			return i
		}
	}
	for i, c := range changes {
		if c.Version == version {
			return i // a rename alone: CanUndo says why it cannot be undone
		}
	}
	return -1
}

// CanUndo reports whether changes[i] (of Changes(history of cur)) can be
// undone now: nil, or the error Undo would return. latest is Target.Latest.
func CanUndo(cur *db.Record, changes []Change, i int, latest bool) error {
	c := changes[i]
	switch {
	case c.Import():
		return &NotUndoableError{Reason: "changes made by an import cannot be undone."}
	case c.Version == 0:
		return &NotUndoableError{Reason: "this change was recorded before changes could be undone."}
	case len(c.fields()) == 0:
		return &NotUndoableError{Reason: "this change holds nothing an editor sets."}
	}
	if latest && cur.Version != c.Version {
		return changedSince(cur, c, changes[:i], nil)
	}
	var moved []string
	for _, e := range c.fields() {
		if now, _ := cur.AuditValue(e.Field); !sameAuditValue(e.Field, now, e.New) {
			moved = append(moved, e.Field)
		}
	}
	if len(moved) > 0 {
		return changedSince(cur, c, changes[:i], moved)
	}
	return nil
}

// changedSince names the newest of the later changes that touched one of
// fields (any later change when fields is nil).
func changedSince(cur *db.Record, c Change, later []Change, fields []string) error {
	for _, l := range later {
		if l.Version == c.Version && fields == nil {
			continue // an import's rename, which changes no value
		}
		if fields == nil || l.touches(fields) {
			return &ChangedSinceError{Actor: l.Actor, At: l.At, Undone: reverts(l, c)}
		}
	}
	// Not in the audit (nothing should get here): say when the article changed.
	return &ChangedSinceError{Actor: "someone", At: cur.UpdatedAt}
}

func (c Change) touches(fields []string) bool {
	for _, e := range c.Entries {
		for _, f := range fields {
			if e.Field == f {
				return true
			}
		}
	}
	return false
}

// Reverts reports whether changes[i] reverted an older change exactly and
// returns it: every field it set back to the value before that change.
// The history marks undos with it.
func Reverts(changes []Change, i int) (Change, bool) {
	for _, older := range changes[i+1:] {
		if reverts(changes[i], older) {
			return older, true
		}
		if changes[i].touchesAny(older) {
			return Change{}, false // an older change of the same fields: only the newest one can be reverted
		}
	}
	return Change{}, false
}

func (c Change) touchesAny(o Change) bool {
	for _, e := range o.fields() {
		if c.touches([]string{e.Field}) {
			return true
		}
	}
	return false
}

// reverts reports whether b sets exactly the fields a set, each back to
// its value before a.
func reverts(b, a Change) bool {
	af, bf := a.fields(), b.fields()
	if len(af) == 0 || len(af) != len(bf) || a.Version == 0 || b.Version <= a.Version {
		return false
	}
	for _, x := range af {
		found := false
		for _, y := range bf {
			if y.Field == x.Field {
				found = sameAuditValue(x.Field, y.Old, x.New) && sameAuditValue(x.Field, y.New, x.Old)
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// sameAuditValue compares two audit values of field; topics ignore case,
// as the store identifies them.
func sameAuditValue(field, a, b string) bool {
	if field != "topics" || a == b {
		return a == b
	}
	ta, errA := db.AuditTopics(a)
	tb, errB := db.AuditTopics(b)
	return errA == nil && errB == nil && equalFold(ta, tb)
}

// undoEdit is the edit that writes back the values c replaced.
func undoEdit(c Change) (Edit, error) {
	var e Edit
	for _, f := range c.fields() {
		bad := func(err error) error {
			return fmt.Errorf("review: undo: audit entry %d (%s %q): %w", f.ID, f.Field, f.Old, err)
		}
		switch f.Field {
		case "quality":
			if f.Old == "" { // the article had none: the file's own applies again
				e.ClearQuality = true
				continue
			}
			q, err := strconv.Atoi(f.Old)
			if err != nil {
				return Edit{}, bad(err)
			}
			e.Quality = &q
		case "topics":
			ts, err := db.AuditTopics(f.Old)
			if err != nil {
				return Edit{}, bad(err)
			}
			e.Topics, e.SetTopics = ts, true
		case "published":
			p, err := strconv.ParseBool(f.Old)
			if err != nil {
				return Edit{}, bad(err)
			}
			e.Published = &p
		case "status":
			st, err := article.ParseStatus(f.Old)
			if err != nil {
				return Edit{}, bad(err)
			}
			e.Status = &st
		case "note":
			n := f.Old
			e.Note = &n
		}
	}
	return e, nil
}
