package db

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

func TestGetMissingIsNotFound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.Get(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: %v, want ErrNotFound", err)
	}
	if _, err := s.GetByKey(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetByKey: %v, want ErrNotFound", err)
	}
	if _, err := s.History(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("History: %v, want ErrNotFound", err)
	}
	if _, err := s.Update(ctx, 42, Edit{Version: 1, Actor: "a", Note: ptr("x")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update: %v, want ErrNotFound", err)
	}
}

func TestZeroPublishedAtRoundTrips(t *testing.T) {
	s := newStore(t)
	a := genArticle(3)
	a.PublishedAt = time.Time{}
	a.Raw = renderRaw(a)
	mustImport(t, s, a)
	if r := mustGetByKey(t, s, a.Key); !r.Article.PublishedAt.IsZero() {
		t.Errorf("PublishedAt = %v, want zero", r.Article.PublishedAt)
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	a := genArticle(2) // quality 6, topics [AI in Healthcare, Space], published false
	a.Quality, a.HasQuality, a.Published, a.Topics = 56, true, false, []string{"AI", "Space"}
	a.Raw = renderRaw(a)

	tests := []struct {
		name        string
		edit        Edit
		wantVersion int64
		wantAudit   []AuditEntry // Field, Old, New; newest first
		check       func(t *testing.T, r *Record)
	}{
		{
			name:        "quality",
			edit:        Edit{Quality: ptr(80)},
			wantVersion: 2,
			wantAudit:   []AuditEntry{{Field: "quality", Old: "56", New: "80"}},
			check: func(t *testing.T, r *Record) {
				if r.Quality != 80 || !r.Edited.Quality || r.Article.Quality != 56 {
					t.Errorf("quality %d edited %v upstream %d", r.Quality, r.Edited.Quality, r.Article.Quality)
				}
			},
		},
		{
			name:        "everything at once bumps the version once",
			edit:        Edit{Quality: ptr(10), Topics: []string{"Robotics", "AI"}, SetTopics: true, Published: ptr(true), Status: ptr(article.StatusRejected), Note: ptr("off topic")},
			wantVersion: 2,
			wantAudit: []AuditEntry{
				{Field: "note", Old: "", New: "off topic"},
				{Field: "status", Old: "pending", New: "rejected"},
				{Field: "published", Old: "false", New: "true"},
				{Field: "topics", Old: `["AI","Space"]`, New: `["Robotics","AI"]`},
				{Field: "quality", Old: "56", New: "10"},
			},
			check: func(t *testing.T, r *Record) {
				if r.Edited != (EditedFields{true, true, true}) || r.Status != article.StatusRejected || r.Note != "off topic" {
					t.Errorf("record %+v", r)
				}
			},
		},
		{
			name:        "same values as effective write nothing",
			edit:        Edit{Quality: ptr(56), Topics: []string{"AI", "Space"}, SetTopics: true, Published: ptr(false), Status: ptr(article.StatusPending), Note: ptr("")},
			wantVersion: 1,
			check: func(t *testing.T, r *Record) {
				if r.Edited != (EditedFields{}) {
					t.Errorf("edited %+v, want none", r.Edited)
				}
			},
		},
		{
			name:        "clearing topics",
			edit:        Edit{SetTopics: true},
			wantVersion: 2,
			wantAudit:   []AuditEntry{{Field: "topics", Old: `["AI","Space"]`, New: `[]`}},
			check: func(t *testing.T, r *Record) {
				if len(r.Topics) != 0 || !r.Edited.Topics {
					t.Errorf("topics %v edited %v", r.Topics, r.Edited.Topics)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustImport(t, s, a)
			r := mustGetByKey(t, s, a.Key)
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
			h, err := s.History(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != len(tt.wantAudit) {
				t.Fatalf("history %+v, want %+v", h, tt.wantAudit)
			}
			for i, w := range tt.wantAudit {
				g := h[i]
				if g.Field != w.Field || g.Old != w.Old || g.New != w.New || g.Actor != "alice" || g.ArticleID != r.ID || g.At.IsZero() {
					t.Errorf("audit[%d] = %+v, want %+v", i, g, w)
				}
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestUpdateConflictWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(4)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: 1, Actor: "alice", Note: ptr("first")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(ctx, r.ID, Edit{Version: 1, Actor: "bob", Quality: ptr(1), Topics: []string{"X"}, SetTopics: true, Note: ptr("stale")})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v, want *ConflictError wrapping ErrConflict", err)
	}
	if ce.Current == nil || ce.Current.Version != 2 || ce.Current.Note != "first" {
		t.Errorf("conflict carries %+v, want the current record at version 2", ce.Current)
	}
	now := mustGetByKey(t, s, a.Key)
	if now.Version != 2 || now.Note != "first" || now.Edited.Quality || now.Edited.Topics {
		t.Errorf("stale update wrote: %+v", now)
	}
	if h, _ := s.History(ctx, r.ID); len(h) != 1 {
		t.Errorf("history has %d rows, want 1", len(h))
	}
	if n := countRows(t, s, "article_topics WHERE topic_id IN (SELECT id FROM topics WHERE name = 'X')"); n != 0 {
		t.Errorf("stale update touched article_topics")
	}
}

func TestUpdateRefusesBrokenValues(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, genArticle(1))
	r := mustGetByKey(t, s, genArticle(1).Key)
	for name, e := range map[string]Edit{
		"quality too high": {Quality: ptr(101)},
		"quality negative": {Quality: ptr(-1)},
		"unknown status":   {Status: ptr(article.Status("published"))},
		"empty topic":      {Topics: []string{"AI", " "}, SetTopics: true},
		"no actor":         {Note: ptr("x"), Actor: "-"},
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
	if now := mustGetByKey(t, s, r.Article.Key); now.Version != 1 {
		t.Errorf("version %d after refused edits", now.Version)
	}
}

func TestUpdateTopicsSyncsTopicTables(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: 1, Actor: "alice", Topics: []string{"Zebras", "ai", "AI"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, err := s.r.Query(`SELECT t.name FROM article_topics at JOIN topics t ON t.id = at.topic_id
		WHERE at.article_id = ? ORDER BY at.position`, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	// "ai" and "AI" are one topic; it keeps its first spelling ever seen.
	if !slices.Equal(names, []string{"Zebras", "AI"}) && !slices.Equal(names, []string{"Zebras", "ai"}) {
		t.Errorf("article_topics = %v", names)
	}
}

// Topics are one topic whatever their case (filters, facets and
// article_topics fold them), so a save that only respells them, as the
// review form does when it takes the store's spelling ("ai" -> "AI"), is
// no topics edit: the file's spelling stays, and so do its bytes on export.
func TestUpdateTopicsRespelledIsNoChange(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	first, a := genArticle(1), genArticle(2)
	first.Topics = []string{"AI", "Space"}
	first.Raw = renderRaw(first)
	a.Topics = []string{"ai", "space"}
	a.Raw = renderRaw(a)
	mustImport(t, s, first, a)
	r := mustGetByKey(t, s, a.Key)
	r, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "alice",
		Topics: []string{"AI", "Space"}, SetTopics: true, Status: ptr(article.StatusApproved)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Edited.Topics || !slices.Equal(r.Topics, []string{"ai", "space"}) {
		t.Errorf("topics %q, edited %t: want the file's [ai space], not edited", r.Topics, r.Edited.Topics)
	}
	err = s.Export(ctx, ListQuery{Status: article.StatusApproved}, func(e ExportRecord) error {
		if e.Changes.SetTopics {
			t.Errorf("export rewrites topics as %q", e.Changes.Topics)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Field != "status" {
		t.Errorf("audit %+v, want the status change only", h)
	}
}
