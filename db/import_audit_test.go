package db

import (
	"context"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
)

// auditedFields are the fields whose audit rows record the effective
// values editors see (Record.AuditValue).
var auditedFields = []string{"quality", "topics", "published", "status", "note"}

// importRows are the audit rows the import that made version wrote, by
// field.
func importRows(t *testing.T, s *Store, id, version int64) map[string]AuditEntry {
	t.Helper()
	h, err := s.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]AuditEntry{}
	for _, e := range h {
		if e.Actor == ImportActor && e.Version == version {
			out[e.Field] = e
		}
	}
	return out
}

// A re-import that changes the file's value of a field an editor set
// changes nothing editors see: it writes no row under the field's name,
// only a file-side row ("file:quality") with the file's old and new
// values. Without an editor's value the file's value is the effective
// one, and the row is under the field's name.
func TestImportAuditsTheEffectiveValue(t *testing.T) {
	ctx := context.Background()
	base := genArticle(7)
	base.Quality, base.HasQuality, base.Published, base.Topics = 50, true, false, []string{"AI"}
	base.Raw = renderRaw(base)
	tests := []struct {
		name     string
		field    string
		edit     Edit // the editor's value; zero for none
		upstream func(a *article.Article)
		old, new string // the file's values, as the audit writes them
	}{
		{"quality, the file's own", "quality", Edit{}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"quality under an editor's", "quality", Edit{Quality: ptr(80)}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"quality dropped under an editor's", "quality", Edit{Quality: ptr(80)}, func(a *article.Article) { a.HasQuality, a.Quality = false, 0 }, "50", ""},
		{"quality under an editor's that the file now agrees with", "quality", Edit{Quality: ptr(60)}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"topics, the file's own", "topics", Edit{}, func(a *article.Article) { a.Topics = []string{"AI", "Space"} }, `["AI"]`, `["AI","Space"]`},
		{"topics under an editor's", "topics", Edit{Topics: []string{"Robotics"}, SetTopics: true}, func(a *article.Article) { a.Topics = []string{"AI", "Space"} }, `["AI"]`, `["AI","Space"]`},
		{"published, the file's own", "published", Edit{}, func(a *article.Article) { a.Published = true }, "false", "true"},
		{"published under an editor's that the file now agrees with", "published", Edit{Published: ptr(true)}, func(a *article.Article) { a.Published = true }, "false", "true"},
	}
	for _, tt := range tests {
		edited := tt.edit.Quality != nil || tt.edit.SetTopics || tt.edit.Published != nil
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			mustImport(t, s, base)
			r := mustGetByKey(t, s, base.Key)
			if edited {
				e := tt.edit
				e.Version, e.Actor = r.Version, "alice"
				if r, err := s.Update(ctx, r.ID, e); err != nil || r.Version != 2 {
					t.Fatalf("edit: %v", err)
				}
			}
			before := mustGetByKey(t, s, base.Key)
			next := *base
			tt.upstream(&next)
			next.Raw = renderRaw(&next)
			if out := mustImport(t, s, &next); out[0].Result != ImportUpdated {
				t.Fatalf("re-import: %+v", out[0])
			}
			after := mustGetByKey(t, s, base.Key)
			rows := importRows(t, s, after.ID, after.Version)
			if _, ok := rows["content_hash"]; !ok {
				t.Errorf("no content_hash row: %v", rows)
			}
			wasV, _ := before.AuditValue(tt.field)
			nowV, _ := after.AuditValue(tt.field)
			field, other := tt.field, "file:"+tt.field
			if edited {
				field, other = other, field
				if nowV != wasV {
					t.Fatalf("the editor's %s moved: %q -> %q", tt.field, wasV, nowV)
				}
			}
			e, ok := rows[field]
			if !ok || e.Old != tt.old || e.New != tt.new {
				t.Errorf("row %q = %+v (found %v), want %q -> %q; all rows: %v", field, e, ok, tt.old, tt.new, rows)
			}
			if e, ok := rows[other]; ok {
				t.Errorf("a row under %q: %+v", other, e)
			}
			if len(rows) != 2 {
				t.Errorf("import rows %v, want %s and content_hash", rows, field)
			}
		})
	}
}

// Whatever mix of imports and edits an article goes through, its values
// at any version can be rebuilt from the audit the way the conflict page
// and undo do: take the current values and set back, newest first, the
// old value of every row of a field written after that version. This
// holds only if every row under a field's name records effective values.
func TestAuditRebuildsEveryVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	file := genArticle(9)
	file.Quality, file.HasQuality, file.Published, file.Topics = 50, true, false, []string{"AI"}
	var id int64
	seen := map[int64]map[string]string{} // version -> field -> value
	snapshot := func(step string) {
		r := mustGetByKey(t, s, file.Key)
		id = r.ID
		if _, ok := seen[r.Version]; ok {
			t.Fatalf("%s: version %d again", step, r.Version)
		}
		seen[r.Version] = map[string]string{}
		for _, f := range auditedFields {
			seen[r.Version][f], _ = r.AuditValue(f)
		}
	}
	reimport := func(change func(a *article.Article)) func() {
		return func() {
			change(file)
			file.Raw = renderRaw(file)
			if out := mustImport(t, s, file); out[0].Result == ImportRefused {
				t.Fatalf("import refused: %v", out[0].Err)
			}
		}
	}
	edit := func(actor string, e Edit) func() {
		return func() {
			r := mustGetByKey(t, s, file.Key)
			e.Version, e.Actor = r.Version, actor
			if _, err := s.Update(ctx, r.ID, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"first import", reimport(func(*article.Article) {})},
		{"alice notes", edit("alice", Edit{Note: ptr("n")})},
		{"the file's quality, nobody's value", reimport(func(a *article.Article) { a.Quality = 60 })},
		{"alice sets quality and published", edit("alice", Edit{Quality: ptr(80), Published: ptr(true)})},
		{"the file changes all three", reimport(func(a *article.Article) {
			a.Quality, a.Published, a.Topics = 70, true, []string{"AI", "Space"}
		})},
		{"bob sets topics, unpublishes", edit("bob", Edit{Topics: []string{"Robotics"}, SetTopics: true, Published: ptr(false)})},
		{"the file drops quality, changes the rest", reimport(func(a *article.Article) {
			a.HasQuality, a.Quality, a.Published, a.Topics = false, 0, false, []string{"Space"}
		})},
		{"alice gives quality back to the file", edit("alice", Edit{ClearQuality: true})},
		{"the file's quality again", reimport(func(a *article.Article) { a.HasQuality, a.Quality = true, 40 })},
		{"bob approves", edit("bob", Edit{Status: ptr(article.StatusApproved)})},
		{"the file's published, under bob's", reimport(func(a *article.Article) { a.Published = true })},
	}
	for _, st := range steps {
		st.do()
		snapshot(st.name)
	}
	cur, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := s.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range seen {
		got := map[string]string{}
		for _, f := range auditedFields {
			got[f], _ = cur.AuditValue(f)
		}
		for _, e := range hist { // newest first
			if e.Version > v && slices.Contains(auditedFields, e.Field) {
				got[e.Field] = e.Old
			}
		}
		for _, f := range auditedFields {
			if got[f] != want[f] {
				t.Errorf("version %d: %s rebuilt as %q, was %q", v, f, got[f], want[f])
			}
		}
	}
	var fileSide []string
	for _, e := range hist {
		if _, ok := FileSide(e.Field); ok {
			fileSide = append(fileSide, e.Field)
		}
	}
	// Newest first, each import's rows in reverse: published under bob's;
	// published and topics under bob's, quality under alice's; published
	// and quality under alice's.
	want := []string{"file:published", "file:published", "file:topics", "file:quality", "file:published", "file:quality"}
	if !slices.Equal(fileSide, want) {
		t.Errorf("file-side rows %q, want %q", fileSide, want)
	}
}
