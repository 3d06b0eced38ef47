package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Articles/MissingIsNotFound", articlesMissingIsNotFound)
	add("Articles/RecordRoundTrips", articlesRecordRoundTrips)
	add("Articles/ZeroPublishedAtRoundTrips", articlesZeroPublishedAt)
	add("Articles/Update", articlesUpdate)
	add("Articles/UpdateConflictWritesNothing", articlesConflictWritesNothing)
	add("Articles/UpdateRefusesBrokenValues", articlesRefusesBrokenValues)
	add("Articles/UpdateCheckAborts", articlesCheckAborts)
	add("Articles/UpdateTopicsFoldCase", articlesTopicsFoldCase)
	add("Articles/UpdateTopicsRespelledIsNoChange", articlesTopicsRespelled)
	add("Articles/ClearQuality", articlesClearQuality)
	add("Articles/AuditVersionNamesTheSave", articlesAuditVersion)
	add("Articles/AuditValueMatchesTheAudit", articlesAuditValue)
	add("Articles/ConcurrentSavesOneWins", articlesConcurrentSaves)
}

func articlesMissingIsNotFound(t *testing.T, s db.Database) {
	ctx := context.Background()
	if _, err := s.Get(ctx, 42); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("Get: %v, want ErrNotFound", err)
	}
	if _, err := s.GetByKey(ctx, "nope"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("GetByKey: %v, want ErrNotFound", err)
	}
	if _, err := s.History(ctx, 42); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("History: %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, 42, db.Edit{Version: 1, Actor: "a", Note: artPtr("x")}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("Update: %v, want ErrNotFound", err)
	}
}

// Every field of an article comes back as imported, by id and by key.
func articlesRecordRoundTrips(t *testing.T, s db.Database) {
	ctx := context.Background()
	arts := []*article.Article{seedArticle(t, 0), seedArticle(t, 10), seedArticle(t, 12)}
	before := time.Now().Add(-time.Second)
	artImport(t, s, arts...)
	for _, a := range arts {
		r := artGet(t, s, a.Key)
		byID, err := s.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Article
		if got.Key != a.Key || got.FileName != a.FileName || got.Category != a.Category || got.Title != a.Title ||
			got.Excerpt != a.Excerpt || !got.PublishedAt.Equal(a.PublishedAt) || got.OriginalURL != a.OriginalURL ||
			got.WebURL != a.WebURL || got.Type != a.Type || got.Heat != a.Heat || got.Provider != a.Provider ||
			!slices.Equal(got.Images, a.Images) || len(got.Related) != len(a.Related) || got.HasSecured != a.HasSecured ||
			got.Body != a.Body || got.Quality != a.Quality || got.HasQuality != a.HasQuality ||
			got.Published != a.Published || !slices.Equal(got.Topics, a.Topics) || string(got.Raw) != string(a.Raw) {
			t.Errorf("%s: stored article differs:\n got %+v\nwant %+v", a.Key, got, *a)
		}
		if r.Status != article.StatusPending || r.Version != 1 || r.Edited != (db.EditedFields{}) || r.Note != "" ||
			r.Quality != a.Quality || r.HasQuality != a.HasQuality || r.Published != a.Published || !slices.Equal(r.Topics, a.Topics) {
			t.Errorf("%s: record %+v", a.Key, r)
		}
		if r.ContentHash != db.ContentHash(a.Raw) || r.ImportedAt.Before(before) || !r.UpdatedAt.Equal(r.ImportedAt) {
			t.Errorf("%s: hash %s imported %v updated %v", a.Key, r.ContentHash, r.ImportedAt, r.UpdatedAt)
		}
		if byID.ID != r.ID || byID.Article.Title != r.Article.Title || byID.Version != r.Version {
			t.Errorf("Get(%d) = %+v, GetByKey gave %+v", r.ID, byID, r)
		}
	}
}

func articlesZeroPublishedAt(t *testing.T, s db.Database) {
	a := seedArticle(t, 3)
	a.PublishedAt = time.Time{}
	a.Raw = artRender(a)
	artImport(t, s, a)
	if r := artGet(t, s, a.Key); !r.Article.PublishedAt.IsZero() {
		t.Errorf("PublishedAt = %v, want zero", r.Article.PublishedAt)
	}
}

func articlesUpdate(t *testing.T, s db.Database) {
	ctx := context.Background()
	tests := []struct {
		name        string
		edit        db.Edit
		wantVersion int64
		wantAudit   []db.AuditEntry // Field, Old, New; newest first
		check       func(t *testing.T, r *db.Record)
	}{
		{
			name:        "quality",
			edit:        db.Edit{Quality: artPtr(80)},
			wantVersion: 2,
			wantAudit:   []db.AuditEntry{{Field: "quality", Old: "56", New: "80"}},
			check: func(t *testing.T, r *db.Record) {
				if r.Quality != 80 || !r.Edited.Quality || r.Article.Quality != 56 {
					t.Errorf("quality %d edited %v upstream %d", r.Quality, r.Edited.Quality, r.Article.Quality)
				}
			},
		},
		{
			name: "everything at once bumps the version once",
			edit: db.Edit{Quality: artPtr(10), Topics: []string{"Robotics", "AI"}, SetTopics: true, Published: artPtr(true),
				Status: artPtr(article.StatusRejected), Note: artPtr("off topic")},
			wantVersion: 2,
			wantAudit: []db.AuditEntry{
				{Field: "note", Old: "", New: "off topic"},
				{Field: "status", Old: "pending", New: "rejected"},
				{Field: "published", Old: "false", New: "true"},
				{Field: "topics", Old: `["AI","Space"]`, New: `["Robotics","AI"]`},
				{Field: "quality", Old: "56", New: "10"},
			},
			check: func(t *testing.T, r *db.Record) {
				if r.Edited != (db.EditedFields{Quality: true, Topics: true, Published: true}) ||
					r.Status != article.StatusRejected || r.Note != "off topic" || !slices.Equal(r.Topics, []string{"Robotics", "AI"}) {
					t.Errorf("record %+v", r)
				}
			},
		},
		{
			name: "same values as effective write nothing",
			edit: db.Edit{Quality: artPtr(56), Topics: []string{"AI", "Space"}, SetTopics: true, Published: artPtr(false),
				Status: artPtr(article.StatusPending), Note: artPtr("")},
			wantVersion: 1,
			check: func(t *testing.T, r *db.Record) {
				if r.Edited != (db.EditedFields{}) || !r.UpdatedAt.Equal(r.ImportedAt) {
					t.Errorf("edited %+v, updated %v: want nothing written", r.Edited, r.UpdatedAt)
				}
			},
		},
		{
			name:        "clearing topics",
			edit:        db.Edit{SetTopics: true},
			wantVersion: 2,
			wantAudit:   []db.AuditEntry{{Field: "topics", Old: `["AI","Space"]`, New: `[]`}},
			check: func(t *testing.T, r *db.Record) {
				if len(r.Topics) != 0 || !r.Edited.Topics {
					t.Errorf("topics %v edited %v", r.Topics, r.Edited.Topics)
				}
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := artWith(t, 100+i, 56, false, "AI", "Space")
			artImport(t, s, a)
			r := artGet(t, s, a.Key)
			e := tt.edit
			e.Version, e.Actor, e.ActorID = 1, "alice", 0
			got, err := s.Update(ctx, r.ID, e)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.wantVersion {
				t.Errorf("version %d, want %d", got.Version, tt.wantVersion)
			}
			if again, _ := s.Get(ctx, r.ID); again.Version != got.Version {
				t.Errorf("stored version %d, returned %d", again.Version, got.Version)
			}
			h := artHistory(t, s, r.ID)
			if len(h) != len(tt.wantAudit) {
				t.Fatalf("history %+v, want %+v", h, tt.wantAudit)
			}
			for i, w := range tt.wantAudit {
				g := h[i]
				if g.Field != w.Field || g.Old != w.Old || g.New != w.New || g.Actor != "alice" || g.UserID != 0 ||
					g.ArticleID != r.ID || g.At.IsZero() || g.Version != 2 {
					t.Errorf("audit[%d] = %+v, want %+v at version 2", i, g, w)
				}
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func articlesConflictWritesNothing(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := seedArticle(t, 4)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	if _, err := s.Update(ctx, r.ID, db.Edit{Version: 1, Actor: "alice", Note: artPtr("first")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(ctx, r.ID, db.Edit{Version: 1, Actor: "bob", Quality: artPtr(1), Topics: []string{"Xylophones"},
		SetTopics: true, Note: artPtr("stale")})
	var ce *db.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale update: %v, want *ConflictError wrapping ErrConflict", err)
	}
	if ce.Current == nil || ce.Current.Version != 2 || ce.Current.Note != "first" || ce.Current.ID != r.ID {
		t.Errorf("conflict carries %+v, want the current record at version 2", ce.Current)
	}
	now := artGet(t, s, a.Key)
	if now.Version != 2 || now.Note != "first" || now.Edited.Quality || now.Edited.Topics {
		t.Errorf("stale update wrote: %+v", now)
	}
	if h := artHistory(t, s, r.ID); len(h) != 1 {
		t.Errorf("history has %d rows, want 1", len(h))
	}
	if n := artTopicCount(t, s, "Xylophones"); n != 0 {
		t.Errorf("stale update counted in topic Xylophones: %d", n)
	}
}

func articlesRefusesBrokenValues(t *testing.T, s db.Database) {
	ctx := context.Background()
	artImport(t, s, seedArticle(t, 1))
	r := artGet(t, s, seedArticle(t, 1).Key)
	for name, e := range map[string]db.Edit{
		"quality too high":        {Quality: artPtr(101)},
		"quality negative":        {Quality: artPtr(-1)},
		"quality set and cleared": {Quality: artPtr(5), ClearQuality: true},
		"unknown status":          {Status: artPtr(article.Status("published"))},
		"empty topic":             {Topics: []string{"AI", " "}, SetTopics: true},
		"no actor":                {Note: artPtr("x"), Actor: "-"},
	} {
		t.Run(name, func(t *testing.T) {
			e.Version = 1
			if e.Actor == "-" {
				e.Actor = ""
			} else {
				e.Actor = "alice"
			}
			if _, err := s.Update(ctx, r.ID, e); err == nil {
				t.Error("accepted")
			}
		})
	}
	if now := artGet(t, s, r.Article.Key); now.Version != 1 {
		t.Errorf("version %d after refused edits", now.Version)
	}
	// Refused before any read: a missing article is not what it says.
	if _, err := s.Update(ctx, 4242, db.Edit{Version: 1, Quality: artPtr(101), Actor: "a"}); err == nil || errors.Is(err, db.ErrNotFound) {
		t.Errorf("invalid edit of a missing article: %v, want the validation error", err)
	}
}

// Edit.Check sees the record as the edit leaves it; its error aborts the
// update, comes back unchanged for errors.Is, and nothing is written.
func articlesCheckAborts(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := seedArticle(t, 2)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	refuse := errors.New("cannot export")
	var seen *db.Record
	_, err := s.Update(ctx, r.ID, db.Edit{Version: 1, Actor: "alice", Quality: artPtr(77), Note: artPtr("n"),
		Check: func(next *db.Record) error { seen = next; return refuse }})
	if !errors.Is(err, refuse) {
		t.Fatalf("Update: %v, want the check's error", err)
	}
	if seen == nil || seen.Quality != 77 || !seen.Edited.Quality || seen.Note != "n" || seen.Version != 1 {
		t.Errorf("check saw %+v", seen)
	}
	if now := artGet(t, s, a.Key); now.Version != 1 || now.Edited.Quality || now.Note != "" {
		t.Errorf("aborted update wrote: %+v", now)
	}
	if h := artHistory(t, s, r.ID); len(h) != 0 {
		t.Errorf("aborted update audited: %+v", h)
	}
	// A check that passes lets the update through.
	got, err := s.Update(ctx, r.ID, db.Edit{Version: 1, Actor: "alice", Quality: artPtr(77),
		Check: func(*db.Record) error { return nil }})
	if err != nil || got.Version != 2 || got.Quality != 77 {
		t.Errorf("Update with a passing check: %+v, %v", got, err)
	}
}

// Topics equal but for case are one topic: "ai" and "AI" count once.
func articlesTopicsFoldCase(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := artWith(t, 1, 50, false, "Space")
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	got, err := s.Update(ctx, r.ID, db.Edit{Version: 1, Actor: "alice", Topics: []string{"Zebras", "ai", "AI"}, SetTopics: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Topics, []string{"Zebras", "ai", "AI"}) {
		t.Errorf("record topics %q, want the list as saved", got.Topics)
	}
	for name, want := range map[string]int{"Zebras": 1, "AI": 1, "Space": 0} {
		if n := artTopicCount(t, s, name); n != want {
			t.Errorf("topic %s counts %d articles, want %d", name, n, want)
		}
	}
}

// Topics are one topic whatever their case, so a save that only respells
// them, as the review form does when it takes the store's spelling
// ("ai" -> "AI"), is no topics edit: the file keeps its spelling and its
// bytes on export.
func articlesTopicsRespelled(t *testing.T, s db.Database) {
	ctx := context.Background()
	first, a := artWith(t, 1, 50, false, "AI", "Space"), artWith(t, 2, 50, false, "ai", "space")
	artImport(t, s, first, a)
	r := artGet(t, s, a.Key)
	r, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "alice",
		Topics: []string{"AI", "Space"}, SetTopics: true, Status: artPtr(article.StatusApproved)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Edited.Topics || !slices.Equal(r.Topics, []string{"ai", "space"}) {
		t.Errorf("topics %q, edited %t: want the file's [ai space], not edited", r.Topics, r.Edited.Topics)
	}
	for _, e := range artExport(t, s, db.ListQuery{Status: article.StatusApproved}) {
		if e.Changes.SetTopics {
			t.Errorf("export rewrites topics as %q", e.Changes.Topics)
		}
	}
	if h := artHistory(t, s, r.ID); len(h) != 1 || h[0].Field != "status" {
		t.Errorf("audit %+v, want the status change only", h)
	}
}

// ClearQuality gives the quality back to the file: audited when the
// effective value changes, nothing at all when no editor's value is set.
func articlesClearQuality(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := artWith(t, 3, 40, false, "AI")
	artImport(t, s, a)
	r := artEdit(t, s, a.Key, "alice", db.Edit{Quality: artPtr(90)})
	r, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "bob", ClearQuality: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Quality != 40 || r.Edited.Quality || r.Version != 3 {
		t.Errorf("after clear: quality %d edited %v version %d", r.Quality, r.Edited.Quality, r.Version)
	}
	if h := artHistory(t, s, r.ID); len(h) != 2 || h[0].Field != "quality" || h[0].Old != "90" || h[0].New != "40" || h[0].Actor != "bob" {
		t.Errorf("history %+v", h)
	}
	again, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "bob", ClearQuality: true})
	if err != nil || again.Version != r.Version {
		t.Errorf("clearing nothing: version %d, %v; want %d", again.Version, err, r.Version)
	}
	if got := artExport(t, s, db.ListQuery{}); len(got) != 1 || got[0].Changes.Quality != nil {
		t.Errorf("export after clear: %+v", got)
	}
}

// Every audit row carries the version its change produced: the rows of
// one save share it, an import's update gets its own, and an import's
// rename (which raises no version) the one it found.
func articlesAuditVersion(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := seedArticle(t, 1)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	saved, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Quality: artPtr(12), Status: artPtr(article.StatusApproved),
		Note: artPtr("n"), Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r.ID, db.Edit{Version: saved.Version, Published: artPtr(!saved.Published), Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	changed := *a
	changed.Heat++
	changed.FileName = a.Key + ".markdown"
	changed.Raw = append(artRender(&changed), '\n')
	artImport(t, s, &changed)
	now := artGet(t, s, a.Key)
	if now.Version != saved.Version+2 {
		t.Fatalf("article at version %d after save, save and import; want %d", now.Version, saved.Version+2)
	}
	want := map[string]int64{ // field -> version
		"quality": saved.Version, "status": saved.Version, "note": saved.Version,
		"published":    saved.Version + 1,
		"file_name":    saved.Version + 1, // the rename comes before the update, at the version it found
		"content_hash": now.Version,
	}
	for _, e := range artHistory(t, s, r.ID) {
		if v, ok := want[e.Field]; ok && e.Version != v {
			t.Errorf("%s by %s audited at version %d, want %d", e.Field, e.Actor, e.Version, v)
		}
		delete(want, e.Field)
	}
	if len(want) > 0 {
		t.Errorf("history lacks %v", want)
	}
}

// AuditValue writes the current values as the audit does, so an undo can
// compare them with what a change set.
func articlesAuditValue(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := seedArticle(t, 2)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	saved, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, Quality: artPtr(33), Topics: []string{"Space", "Ökonomie"},
		SetTopics: true, Published: artPtr(!r.Published), Status: artPtr(article.StatusRejected),
		Note: artPtr("a note, with \"quotes\""), Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	hist := artHistory(t, s, r.ID)
	if len(hist) != 5 {
		t.Fatalf("%d audit rows, want 5", len(hist))
	}
	for _, e := range hist {
		if got, ok := saved.AuditValue(e.Field); !ok || got != e.New {
			t.Errorf("AuditValue(%s) = %q, %v; the audit says %q", e.Field, got, ok, e.New)
		}
		if got, ok := r.AuditValue(e.Field); !ok || got != e.Old {
			t.Errorf("before: AuditValue(%s) = %q, %v; the audit says %q", e.Field, got, ok, e.Old)
		}
	}
	if _, ok := r.AuditValue("content_hash"); ok {
		t.Error("AuditValue answers for a field editors do not set")
	}
	ts, err := db.AuditTopics(`["Space","Ökonomie"]`)
	if err != nil || len(ts) != 2 || ts[1] != "Ökonomie" {
		t.Errorf("AuditTopics = %q, %v", ts, err)
	}
}

// Editors saving the same version at once: one save wins, every other one
// is a conflict carrying the winner's record, and nothing is lost or
// written twice.
func articlesConcurrentSaves(t *testing.T, s db.Database) {
	ctx := context.Background()
	a := seedArticle(t, 5)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Update(ctx, r.ID, db.Edit{Version: r.Version, Actor: "editor", Quality: artPtr(i), Note: artPtr("by " + strconv.Itoa(i))})
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		var ce *db.ConflictError
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("saves %d and %d both won", won, i)
		case !errors.As(err, &ce) || ce.Current.Version != 2:
			t.Errorf("save %d: %v, want a conflict at version 2", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no save won")
	}
	now := artGet(t, s, a.Key)
	if now.Version != 2 || now.Quality != won || now.Note != "by "+strconv.Itoa(won) {
		t.Errorf("record %+v, want save %d at version 2", now, won)
	}
	if h := artHistory(t, s, r.ID); len(h) != 2 {
		t.Errorf("history %+v, want the winner's two rows", h)
	}
}
