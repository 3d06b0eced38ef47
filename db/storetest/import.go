package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Import/NewUnchangedUpdated", importNewUnchangedUpdated)
	add("Import/KeepsEditorValues", importKeepsEditorValues)
	add("Import/NoDuplicates", importNoDuplicates)
	add("Import/SameKeyTwiceInOneBatch", importSameKeyTwice)
	add("Import/RollsBackWholeBatch", importRollsBack)
	add("Import/RenameKeepsIdentity", importRename)
	add("Import/LegacyNFDKey", importLegacyNFDKey)
	add("Import/RefusesWhatCannotBeKept", importRefused)
	add("Import/AuditsTheEffectiveValue", importAuditsEffectiveValue)
	add("Import/AuditRebuildsEveryVersion", importAuditRebuildsEveryVersion)
	add("Import/ManyInOneBatch", importManyInOneBatch)
}

func importNewUnchangedUpdated(t *testing.T, s db.Database) {
	a := seedArticle(t, 1)
	out := artImport(t, s, a)
	if len(out) != 1 || out[0].Result != db.ImportNew || out[0].Key != a.Key || out[0].Kept != nil || out[0].Err != nil {
		t.Fatalf("first import = %+v, want new", out)
	}
	r := artGet(t, s, a.Key)
	if r.Status != article.StatusPending || r.Version != 1 || string(r.Article.Raw) != string(a.Raw) ||
		r.ContentHash != db.ContentHash(a.Raw) || len(r.ContentHash) != 64 {
		t.Errorf("new record: status %s version %d hash %q, raw equal %v", r.Status, r.Version, r.ContentHash, string(r.Article.Raw) == string(a.Raw))
	}
	if !r.Article.PublishedAt.Equal(a.PublishedAt) || r.Article.Title != a.Title || r.Article.Provider != a.Provider ||
		!slices.Equal(r.Article.Topics, a.Topics) || len(a.Images) == 0 || !slices.Equal(r.Article.Images, a.Images) ||
		len(r.Article.Related) != len(a.Related) {
		t.Errorf("stored article differs:\n got %+v\nwant %+v", r.Article, *a)
	}

	out = artImport(t, s, seedArticle(t, 1))
	if out[0].Result != db.ImportUnchanged || out[0].PreviousFileName != "" {
		t.Fatalf("same bytes again = %+v, want unchanged", out[0])
	}
	if r2 := artGet(t, s, a.Key); r2.Version != 1 || !r2.UpdatedAt.Equal(r.UpdatedAt) {
		t.Errorf("unchanged import wrote: version %d", r2.Version)
	}
	if h := artHistory(t, s, r.ID); len(h) != 0 {
		t.Errorf("unchanged import audited %+v", h)
	}

	changed := seedArticle(t, 1)
	changed.Title = "A new title"
	changed.Quality, changed.HasQuality = 12, true
	changed.Raw = artRender(changed)
	out = artImport(t, s, changed)
	if out[0].Result != db.ImportUpdated || len(out[0].Kept) != 0 {
		t.Fatalf("changed file = %+v, want updated, nothing kept", out[0])
	}
	r = artGet(t, s, a.Key)
	if r.Version != 2 || r.Article.Title != "A new title" || r.Quality != 12 || !r.HasQuality || r.Edited.Quality {
		t.Errorf("after update: version %d title %q quality %d/%v", r.Version, r.Article.Title, r.Quality, r.HasQuality)
	}
	if string(r.Article.Raw) != string(changed.Raw) || r.ContentHash != db.ContentHash(changed.Raw) {
		t.Error("raw bytes or hash not updated")
	}
	fields := map[string]db.AuditEntry{}
	for _, e := range artHistory(t, s, r.ID) {
		if e.Actor != db.ImportActor || e.UserID != 0 || e.Version != 2 {
			t.Errorf("audit %+v, want actor import at version 2", e)
		}
		fields[e.Field] = e
	}
	if e := fields["quality"]; e.Old != "53" || e.New != "12" {
		t.Errorf("quality audit = %+v", e)
	}
	if e := fields["content_hash"]; e.Old != db.ContentHash(a.Raw) || e.New != r.ContentHash {
		t.Errorf("content_hash audit = %+v", e)
	}
	if len(fields) != 2 {
		t.Errorf("audit %v, want quality and content_hash", fields)
	}
	// The search follows the new title.
	p, err := s.List(context.Background(), db.ListQuery{Text: "new title"})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != r.ID {
		t.Errorf("search for the new title: %+v, %v", p.Items, err)
	}
}

func importKeepsEditorValues(t *testing.T, s db.Database) {
	ctx := context.Background()
	tests := []struct {
		name     string
		edit     db.Edit
		upstream func(a *article.Article)
		wantKept []string
		check    func(t *testing.T, r *db.Record)
	}{
		{
			name: "every editor value kept over changed upstream",
			edit: db.Edit{Quality: artPtr(80), Topics: []string{"Robotics"}, SetTopics: true, Published: artPtr(true),
				Status: artPtr(article.StatusApproved), Note: artPtr("checked")},
			upstream: func(a *article.Article) { a.Quality, a.Topics, a.Published = 60, []string{"AI", "Space"}, false },
			wantKept: []string{"quality", "topics", "status"},
			check: func(t *testing.T, r *db.Record) {
				if r.Quality != 80 || !slices.Equal(r.Topics, []string{"Robotics"}) || !r.Published ||
					r.Status != article.StatusApproved || r.Note != "checked" {
					t.Errorf("editor values lost: %+v", r)
				}
				if r.Article.Quality != 60 || !slices.Equal(r.Article.Topics, []string{"AI", "Space"}) {
					t.Errorf("upstream values not updated: %d %v", r.Article.Quality, r.Article.Topics)
				}
			},
		},
		{
			name:     "published kept over a flipped upstream",
			edit:     db.Edit{Published: artPtr(true)},
			upstream: func(a *article.Article) { a.Published = false; a.Title = "other" },
			wantKept: nil, // upstream published did not change
		},
		{
			name:     "upstream now agrees with the editor",
			edit:     db.Edit{Quality: artPtr(70)},
			upstream: func(a *article.Article) { a.Quality = 70 },
			wantKept: nil,
			check: func(t *testing.T, r *db.Record) {
				if r.Quality != 70 || !r.Edited.Quality {
					t.Errorf("quality %d edited %v", r.Quality, r.Edited.Quality)
				}
			},
		},
		{
			name:     "upstream drops quality the editor set",
			edit:     db.Edit{Quality: artPtr(30)},
			upstream: func(a *article.Article) { a.HasQuality, a.Quality = false, 0 },
			wantKept: []string{"quality"},
			check: func(t *testing.T, r *db.Record) {
				if r.Quality != 30 || !r.HasQuality || r.Article.HasQuality {
					t.Errorf("quality %d/%v upstream has %v", r.Quality, r.HasQuality, r.Article.HasQuality)
				}
			},
		},
		{
			name:     "untouched values follow upstream",
			edit:     db.Edit{Note: artPtr("just a note")},
			upstream: func(a *article.Article) { a.Quality, a.Topics, a.Published = 10, []string{"Space"}, true },
			wantKept: nil,
			check: func(t *testing.T, r *db.Record) {
				if r.Quality != 10 || !slices.Equal(r.Topics, []string{"Space"}) || !r.Published || r.Note != "just a note" {
					t.Errorf("effective values %+v", r)
				}
				p, err := s.List(ctx, db.ListQuery{Topic: "AI"})
				if err != nil || slices.ContainsFunc(p.Items, func(x db.Summary) bool { return x.ID == r.ID }) {
					t.Errorf("the topic filter AI still finds the article: %v", err)
				}
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := artWith(t, 200+i, 50, false, "AI")
			artImport(t, s, base)
			r := artGet(t, s, base.Key)
			e := tt.edit
			e.Version, e.Actor = r.Version, "alice"
			if _, err := s.Update(ctx, r.ID, e); err != nil {
				t.Fatal(err)
			}
			next := *base
			tt.upstream(&next)
			next.Raw = artRender(&next)
			out := artImport(t, s, &next)
			if out[0].Result != db.ImportUpdated || !slices.Equal(out[0].Kept, tt.wantKept) {
				t.Errorf("outcome %+v, want updated with kept %v", out[0], tt.wantKept)
			}
			r = artGet(t, s, base.Key)
			if r.Version != 3 {
				t.Errorf("version %d, want 3 (import, edit, import)", r.Version)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func importNoDuplicates(t *testing.T, s db.Database) {
	var arts, again []*article.Article
	for i := range 120 {
		arts, again = append(arts, seedArticle(t, i)), append(again, seedArticle(t, i))
	}
	artImport(t, s, arts...)
	// Again, plus a duplicate key inside one batch.
	out := artImport(t, s, append(again, seedArticle(t, 5))...)
	if len(out) != 121 {
		t.Fatalf("%d outcomes for 121 articles", len(out))
	}
	for _, o := range out {
		if o.Result != db.ImportUnchanged {
			t.Errorf("%s: %s, want unchanged", o.Key, o.Result)
		}
	}
	if got := artExport(t, s, db.ListQuery{}); len(got) != 120 {
		t.Errorf("%d articles stored, want 120", len(got))
	}
	fs, err := s.Topics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, a := range arts {
		want += len(a.Topics)
	}
	n := 0
	for _, f := range fs {
		n += f.Count
	}
	if n != want {
		t.Errorf("topic counts sum to %d, want %d", n, want)
	}
	p, err := s.List(context.Background(), db.ListQuery{Text: "number 7"})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("search for one article: %d items, %v", len(p.Items), err)
	}
}

// A key twice in one batch: the second file is merged with the first as if
// it came in the next batch.
func importSameKeyTwice(t *testing.T, s db.Database) {
	a := artWith(t, 3, 50, false, "AI")
	b := artWith(t, 3, 60, false, "AI", "Zanzibar")
	other := seedArticle(t, 4)
	out := artImport(t, s, a, other, b, seedArticle(t, 5), artWith(t, 3, 60, false, "AI", "Zanzibar"))
	want := []db.ImportResult{db.ImportNew, db.ImportNew, db.ImportUpdated, db.ImportNew, db.ImportUnchanged}
	for i, o := range out {
		if o.Result != want[i] {
			t.Errorf("outcome %d (%s) = %s, want %s", i, o.Key, o.Result, want[i])
		}
	}
	r := artGet(t, s, a.Key)
	if r.Version != 2 || r.Quality != 60 || !slices.Equal(r.Topics, []string{"AI", "Zanzibar"}) || string(r.Article.Raw) != string(b.Raw) {
		t.Errorf("record %+v, want the second file at version 2", r)
	}
	if got := artExport(t, s, db.ListQuery{}); len(got) != 3 {
		t.Errorf("%d articles stored, want 3", len(got))
	}
	if n := artTopicCount(t, s, "Zanzibar"); n != 1 {
		t.Errorf("topic Zanzibar counts %d, want 1", n)
	}
}

func importRollsBack(t *testing.T, s db.Database) {
	ctx := context.Background()
	_, err := s.Import(ctx, []*article.Article{seedArticle(t, 1), {Title: "no key"}})
	if err == nil {
		t.Fatal("import of an article without key succeeded")
	}
	if _, err := s.Import(ctx, []*article.Article{seedArticle(t, 2), nil}); err == nil {
		t.Fatal("import of a nil article succeeded")
	}
	if got := artExport(t, s, db.ListQuery{}); len(got) != 0 {
		t.Errorf("%d articles stored after failed batches", len(got))
	}
	if _, err := s.GetByKey(ctx, seedArticle(t, 1).Key); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("GetByKey after a failed batch: %v", err)
	}
	if out, err := s.Import(ctx, nil); err != nil || len(out) != 0 {
		t.Errorf("empty import: %v, %v", out, err)
	}
}

// The same key from a file of another name (another extension) is the
// same article: it takes the new name, which export uses, and the
// outcome names the old one.
func importRename(t *testing.T, s db.Database) {
	a := seedArticle(t, 6)
	artImport(t, s, a)
	r := artGet(t, s, a.Key)
	txt := *a
	txt.FileName = a.Key + ".txt"
	out := artImport(t, s, &txt)
	if out[0].Result != db.ImportUnchanged || out[0].PreviousFileName != a.FileName {
		t.Fatalf("outcome %+v, want unchanged from %s", out[0], a.FileName)
	}
	now := artGet(t, s, a.Key)
	if now.ID != r.ID || now.Article.FileName != txt.FileName || now.Version != 1 {
		t.Errorf("record %+v", now)
	}
	h := artHistory(t, s, r.ID)
	if len(h) != 1 || h[0].Field != "file_name" || h[0].Old != a.FileName || h[0].New != txt.FileName ||
		h[0].Actor != db.ImportActor || h[0].Version != 1 {
		t.Errorf("history %+v", h)
	}
	if got := artExport(t, s, db.ListQuery{}); len(got) != 1 || got[0].FileName != txt.FileName {
		t.Errorf("export %+v", got)
	}
}

// An article stored under the NFD form of its key (a Mac's file name, by an
// older newsdesk) is found by the NFC key and takes it.
func importLegacyNFDKey(t *testing.T, s db.Database) {
	nfd := seedArticle(t, 7)
	nfd.Key, nfd.FileName = "cafe\u0301", "cafe\u0301.md"
	artImport(t, s, nfd)
	r := artGet(t, s, nfd.Key)
	nfc := *nfd
	nfc.Key, nfc.FileName = "café", "café.md"
	out := artImport(t, s, &nfc)
	if out[0].Result != db.ImportUnchanged || out[0].PreviousFileName != nfd.FileName {
		t.Fatalf("outcome %+v, want unchanged, renamed", out[0])
	}
	now := artGet(t, s, "café")
	if now.ID != r.ID || now.Article.Key != "café" || now.Article.FileName != "café.md" {
		t.Errorf("record %+v", now)
	}
	var fields []string
	for _, e := range artHistory(t, s, r.ID) {
		fields = append(fields, e.Field)
	}
	if !slices.Equal(fields, []string{"file_name", "key"}) {
		t.Errorf("audit fields %q, want file_name and key, newest first", fields)
	}
	if _, err := s.GetByKey(context.Background(), nfd.Key); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("old key still found: %v", err)
	}
}

// A changed file into which the editors' values cannot be written is
// refused, and the stored article stays as it was.
func importRefused(t *testing.T, s db.Database) {
	a := artWith(t, 8, 50, false, "AI")
	artImport(t, s, a)
	r := artEdit(t, s, a.Key, "alice", db.Edit{Topics: []string{"Robotics"}, SetTopics: true})
	// The same file, its topics now written with an explicit key, which
	// Patch cannot rewrite.
	next, err := article.Parse(a.FileName, []byte("---\ntitle: T2\n? topics\n: - a\n  - b\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := artImport(t, s, next, seedArticle(t, 9))
	if out[0].Result != db.ImportRefused || out[0].Err == nil {
		t.Fatalf("outcome %+v, want refused with Err", out[0])
	}
	if out[1].Result != db.ImportNew {
		t.Errorf("the rest of the batch: %+v", out[1])
	}
	now := artGet(t, s, a.Key)
	if now.Version != r.Version || string(now.Article.Raw) != string(a.Raw) || !slices.Equal(now.Topics, []string{"Robotics"}) {
		t.Errorf("refused import wrote: %+v", now)
	}
	if h := artHistory(t, s, r.ID); len(h) != 1 {
		t.Errorf("refused import audited: %+v", h)
	}
}

// importRows are the audit rows the import that made version wrote, by
// field.
func importRows(t *testing.T, s db.Database, id, version int64) map[string]db.AuditEntry {
	t.Helper()
	out := map[string]db.AuditEntry{}
	for _, e := range artHistory(t, s, id) {
		if e.Actor == db.ImportActor && e.Version == version {
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
func importAuditsEffectiveValue(t *testing.T, s db.Database) {
	ctx := context.Background()
	tests := []struct {
		name     string
		field    string
		edit     db.Edit // the editor's value; zero for none
		upstream func(a *article.Article)
		old, new string // the file's values, as the audit writes them
	}{
		{"quality, the file's own", "quality", db.Edit{}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"quality under an editor's", "quality", db.Edit{Quality: artPtr(80)}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"quality dropped under an editor's", "quality", db.Edit{Quality: artPtr(80)}, func(a *article.Article) { a.HasQuality, a.Quality = false, 0 }, "50", ""},
		{"quality under an editor's that the file now agrees with", "quality", db.Edit{Quality: artPtr(60)}, func(a *article.Article) { a.Quality = 60 }, "50", "60"},
		{"topics, the file's own", "topics", db.Edit{}, func(a *article.Article) { a.Topics = []string{"AI", "Space"} }, `["AI"]`, `["AI","Space"]`},
		{"topics under an editor's", "topics", db.Edit{Topics: []string{"Robotics"}, SetTopics: true}, func(a *article.Article) { a.Topics = []string{"AI", "Space"} }, `["AI"]`, `["AI","Space"]`},
		{"published, the file's own", "published", db.Edit{}, func(a *article.Article) { a.Published = true }, "false", "true"},
		{"published under an editor's that the file now agrees with", "published", db.Edit{Published: artPtr(true)}, func(a *article.Article) { a.Published = true }, "false", "true"},
	}
	for i, tt := range tests {
		edited := tt.edit.Quality != nil || tt.edit.SetTopics || tt.edit.Published != nil
		t.Run(tt.name, func(t *testing.T) {
			base := artWith(t, 300+i, 50, false, "AI")
			artImport(t, s, base)
			r := artGet(t, s, base.Key)
			if edited {
				e := tt.edit
				e.Version, e.Actor = r.Version, "alice"
				if r, err := s.Update(ctx, r.ID, e); err != nil || r.Version != 2 {
					t.Fatalf("edit: %v", err)
				}
			}
			before := artGet(t, s, base.Key)
			next := *base
			tt.upstream(&next)
			next.Raw = artRender(&next)
			if out := artImport(t, s, &next); out[0].Result != db.ImportUpdated {
				t.Fatalf("re-import: %+v", out[0])
			}
			after := artGet(t, s, base.Key)
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

// auditedFields are the fields whose audit rows record the effective
// values editors see (Record.AuditValue).
var auditedFields = []string{"quality", "topics", "published", "status", "note"}

// Whatever mix of imports and edits an article goes through, its values
// at any version can be rebuilt from the audit the way the conflict page
// and undo do: take the current values and set back, newest first, the
// old value of every row of a field written after that version.
func importAuditRebuildsEveryVersion(t *testing.T, s db.Database) {
	ctx := context.Background()
	file := artWith(t, 9, 50, false, "AI")
	var id int64
	seen := map[int64]map[string]string{} // version -> field -> value
	snapshot := func(step string) {
		r := artGet(t, s, file.Key)
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
			file.Raw = artRender(file)
			if out := artImport(t, s, file); out[0].Result == db.ImportRefused {
				t.Fatalf("import refused: %v", out[0].Err)
			}
		}
	}
	edit := func(actor string, e db.Edit) func() {
		return func() { artEdit(t, s, file.Key, actor, e) }
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"first import", reimport(func(*article.Article) {})},
		{"alice notes", edit("alice", db.Edit{Note: artPtr("n")})},
		{"the file's quality, nobody's value", reimport(func(a *article.Article) { a.Quality = 60 })},
		{"alice sets quality and published", edit("alice", db.Edit{Quality: artPtr(80), Published: artPtr(true)})},
		{"the file changes all three", reimport(func(a *article.Article) {
			a.Quality, a.Published, a.Topics = 70, true, []string{"AI", "Space"}
		})},
		{"bob sets topics, unpublishes", edit("bob", db.Edit{Topics: []string{"Robotics"}, SetTopics: true, Published: artPtr(false)})},
		{"the file drops quality, changes the rest", reimport(func(a *article.Article) {
			a.HasQuality, a.Quality, a.Published, a.Topics = false, 0, false, []string{"Space"}
		})},
		{"alice gives quality back to the file", edit("alice", db.Edit{ClearQuality: true})},
		{"the file's quality again", reimport(func(a *article.Article) { a.HasQuality, a.Quality = true, 40 })},
		{"bob approves", edit("bob", db.Edit{Status: artPtr(article.StatusApproved)})},
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
	hist := artHistory(t, s, id)
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
		if _, ok := db.FileSide(e.Field); ok {
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

// A large batch of new, changed and unchanged files, with new topics
// spelled several ways, lands whole: every article, topic count and
// search document.
func importManyInOneBatch(t *testing.T, s db.Database) {
	ctx := context.Background()
	var first []*article.Article
	for i := range 300 {
		first = append(first, seedArticle(t, i))
	}
	artImport(t, s, first...)
	var batch []*article.Article
	for i := range 600 {
		a := seedArticle(t, i)
		if i%2 == 1 && i < 300 {
			a.Topics = []string{fmt.Sprintf("New Topic %d", i%7), fmt.Sprintf("new topic %d", i%7)}
			a.Raw = artRender(a)
		}
		batch = append(batch, a)
	}
	out := artImport(t, s, batch...)
	counts := map[db.ImportResult]int{}
	for _, o := range out {
		counts[o.Result]++
	}
	if counts[db.ImportNew] != 300 || counts[db.ImportUpdated] != 150 || counts[db.ImportUnchanged] != 150 {
		t.Errorf("outcomes %v", counts)
	}
	for k := range 7 {
		want := 0
		for i := 1; i < 300; i += 2 {
			if i%7 == k {
				want++
			}
		}
		if n := artTopicCount(t, s, fmt.Sprintf("NEW TOPIC %d", k)); n != want {
			t.Errorf("topic %d counts %d, want %d", k, n, want)
		}
	}
	p, err := s.List(ctx, db.ListQuery{Text: "number 599"})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("search for the last new article: %+v, %v", p.Items, err)
	}
	p, err = s.List(ctx, db.ListQuery{Topic: "new topic 3"})
	if err != nil || p.Total == 0 {
		t.Errorf("topic filter: %d, %v", p.Total, err)
	}
}
