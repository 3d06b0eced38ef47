package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

// shownForm is the review form of r as its page posts it, with changes.
func shownForm(r *db.Record, version int64, changes url.Values) url.Values {
	form := url.Values{
		"version": {strconv.FormatInt(version, 10)},
		"quality": {strconv.Itoa(r.Quality)},
		"topics":  r.Topics,
		"status":  {string(r.Status)},
		"note":    {r.Note},
		"action":  {"save"},
	}
	if r.Published {
		form.Set("published", "on")
	}
	for k, v := range changes {
		form[k] = v
	}
	return form
}

// resolveForm is what the conflict page's "Save these values" posts with
// the given picks (field -> "mine" or "theirs").
func resolveForm(t *testing.T, d *goquery.Document, picks map[string]string) url.Values {
	t.Helper()
	form := d.Find(`form[data-testid="resolve-form"]`)
	if form.Length() != 1 {
		t.Fatal("no resolve form on the page")
	}
	v := url.Values{}
	form.Find(`input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Add(n, val)
	})
	for field, side := range picks {
		r := form.Find(`[data-testid="conflict-` + field + `"] [data-testid="choose-` + side + `"]`)
		if r.Length() != 1 {
			t.Fatalf("no %s choice for %s", side, field)
		}
		n, _ := r.Attr("name")
		val, _ := r.Attr("value")
		v.Set(n, val)
	}
	btn := form.Find(`[data-testid="resolve"]`)
	n, _ := btn.Attr("name")
	val, _ := btn.Attr("value")
	v.Set(n, val)
	return v
}

func outcomes(d *goquery.Document) map[string]string {
	out := map[string]string{}
	d.Find(`[data-testid^="conflict-"][data-outcome]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-testid")
		o, _ := s.Attr("data-outcome")
		out[strings.TrimPrefix(id, "conflict-")] = o
	})
	return out
}

// A stale save is resolved field by field: a field one side changed takes
// that side, a field both changed takes the side the editor picks; the
// result is saved on the current version, audited as alice's.
func TestConflictResolvesFieldByField(t *testing.T) {
	seed := []string{"AI Ethics", "AI", "AI in Healthcare"}
	tests := []struct {
		name         string
		bob, alice   url.Values
		wantOutcomes map[string]string
		picks        map[string]string
		want         func(r *db.Record) bool
	}{
		{
			name:  "different fields",
			bob:   url.Values{"quality": {"70"}},
			alice: url.Values{"note": {"checked"}, "published": {"on"}},
			wantOutcomes: map[string]string{"quality": "theirs", "topics": "unchanged", "published": "mine",
				"status": "unchanged", "note": "mine"},
			want: func(r *db.Record) bool {
				return r.Quality == 70 && r.Note == "checked" && r.Published && slices.Equal(r.Topics, seed)
			},
		},
		{
			name:  "same field, keep mine",
			bob:   url.Values{"quality": {"70"}, "status": {"rejected"}},
			alice: url.Values{"quality": {"80"}},
			wantOutcomes: map[string]string{"quality": "choose", "topics": "unchanged", "published": "unchanged",
				"status": "theirs", "note": "unchanged"},
			picks: map[string]string{"quality": "mine"},
			want:  func(r *db.Record) bool { return r.Quality == 80 && r.Status == article.StatusRejected },
		},
		{
			name:  "same field, take theirs",
			bob:   url.Values{"quality": {"70"}},
			alice: url.Values{"quality": {"80"}, "status": {"approved"}},
			picks: map[string]string{"quality": "theirs"},
			want:  func(r *db.Record) bool { return r.Quality == 70 && r.Status == article.StatusApproved },
		},
		{
			name:         "topics, keep mine",
			bob:          url.Values{"topics": {"AI"}},
			alice:        url.Values{"topics": {"Health", "AI"}},
			wantOutcomes: map[string]string{"topics": "choose"},
			picks:        map[string]string{"topics": "mine"},
			want:         func(r *db.Record) bool { return slices.Equal(r.Topics, []string{"Health", "AI"}) },
		},
		{
			name:  "topics, take theirs; note, keep mine",
			bob:   url.Values{"topics": {"AI"}, "note": {"bob's"}},
			alice: url.Values{"topics": {"Health"}, "note": {"alice's"}},
			picks: map[string]string{"topics": "theirs", "note": "mine"},
			want:  func(r *db.Record) bool { return slices.Equal(r.Topics, []string{"AI"}) && r.Note == "alice's" },
		},
		{
			name:         "both set the same value",
			bob:          url.Values{"quality": {"70"}},
			alice:        url.Values{"quality": {"70"}, "note": {"agreed"}},
			wantOutcomes: map[string]string{"quality": "mine", "note": "mine"},
			want:         func(r *db.Record) bool { return r.Quality == 70 && r.Note == "agreed" },
		},
		{
			name:         "published both ways",
			bob:          url.Values{"published": {"on"}, "note": {"live"}},
			alice:        url.Values{"note": {"not yet"}},
			wantOutcomes: map[string]string{"published": "theirs", "note": "choose"},
			picks:        map[string]string{"note": "theirs"},
			want:         func(r *db.Record) bool { return r.Published && r.Note == "live" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, alice, id := seedEnv(t)
			bob := loginBob(t, env)
			loaded := env.Record(t, id)
			webtest.WantStatus(t, bob.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, tt.bob)), http.StatusSeeOther)
			theirs := env.Record(t, id)

			res := alice.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, tt.alice))
			webtest.WantStatus(t, res, http.StatusConflict)
			if r := env.Record(t, id); r.Version != theirs.Version {
				t.Fatalf("the stale save wrote version %d", r.Version)
			}
			d := alice.Doc(res)
			got := outcomes(d)
			for field, want := range tt.wantOutcomes {
				if got[field] != want {
					t.Errorf("%s: outcome %q, want %q (all: %v)", field, got[field], want, got)
				}
			}
			for field, o := range got {
				if o == "choose" && tt.picks[field] == "" {
					t.Errorf("%s asks for a choice the test does not make", field)
				}
			}
			res = alice.PostForm(webtest.ArticlePath(id), resolveForm(t, d, tt.picks))
			webtest.WantStatus(t, res, http.StatusSeeOther)
			r := env.Record(t, id)
			if !tt.want(r) {
				t.Errorf("saved q=%d topics=%q pub=%v status=%s note=%q", r.Quality, r.Topics, r.Published, r.Status, r.Note)
			}
			if r.Version > theirs.Version {
				hist, err := env.Store.History(t.Context(), id)
				if err != nil || hist[0].Actor != "alice" {
					t.Errorf("the resolution's audit: %+v %v", hist[0], err)
				}
			}
		})
	}
}

// The stored side names who changed it; a field nobody else changed names
// nobody.
func TestConflictNamesWhoChangedTheirs(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	loaded := env.Record(t, id)
	bob.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"quality": {"70"}}))
	d := alice.Doc(alice.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"quality": {"80"}, "note": {"n"}})))
	by := func(field string) string {
		return strings.TrimSpace(d.Find(`[data-testid="conflict-` + field + `"] [data-testid="changed-by"]`).Text())
	}
	if !strings.HasPrefix(by("quality"), "changed by bob") || by("note") != "" {
		t.Errorf("quality changed by %q, note by %q", by("quality"), by("note"))
	}
}

// A resolution posted after yet another save brings the conflict page
// back with the new state, based on what the editor resolved; nothing
// is written until the editor saves on the current version.
func TestConflictResolutionMeetsAnotherSave(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	carol := env.LoginNewUser(t, "carol", "editor")
	loaded := env.Record(t, id)
	bob.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"quality": {"70"}}))
	d := alice.Doc(alice.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"quality": {"80"}, "note": {"mine"}})))
	resolution := resolveForm(t, d, map[string]string{"quality": "mine"})

	v2 := env.Record(t, id)
	webtest.WantStatus(t, carol.PostForm(webtest.ArticlePath(id), shownForm(v2, v2.Version, url.Values{"quality": {"90"}, "status": {"rejected"}})), http.StatusSeeOther)

	res := alice.PostForm(webtest.ArticlePath(id), resolution)
	webtest.WantStatus(t, res, http.StatusConflict)
	if r := env.Record(t, id); r.Quality != 90 || r.Note != "" {
		t.Fatalf("the stale resolution wrote: q=%d note=%q", r.Quality, r.Note)
	}
	d = alice.Doc(res)
	if got := outcomes(d); got["quality"] != "choose" || got["status"] != "theirs" || got["note"] != "mine" {
		t.Errorf("outcomes after carol's save: %v", got)
	}
	if by := d.Find(`[data-testid="conflict-quality"] [data-testid="changed-by"]`).Text(); !strings.Contains(by, "carol") {
		t.Errorf("quality changed by %q, want carol", by)
	}
	res = alice.PostForm(webtest.ArticlePath(id), resolveForm(t, d, map[string]string{"quality": "theirs"}))
	webtest.WantStatus(t, res, http.StatusSeeOther)
	if r := env.Record(t, id); r.Quality != 90 || r.Note != "mine" || r.Status != article.StatusRejected {
		t.Errorf("saved q=%d note=%q status=%s", r.Quality, r.Note, r.Status)
	}
}

// A resolution that leaves a due choice out is refused, never saved with
// an empty field.
func TestConflictChoiceIsRequired(t *testing.T) {
	env, alice, id := seedEnv(t)
	bob := loginBob(t, env)
	loaded := env.Record(t, id)
	bob.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"note": {"bob's"}, "topics": {"AI"}}))
	d := alice.Doc(alice.PostForm(webtest.ArticlePath(id), shownForm(loaded, 1, url.Values{"note": {"alice's"}, "topics": {"Health"}})))
	if n := d.Find(`[data-testid="choose-mine"][required]`).Length(); n != 2 {
		t.Errorf("%d required choices, want 2", n)
	}
	for _, pick := range []map[string]string{{"topics": "mine"}, {"note": "mine"}} {
		res := alice.PostForm(webtest.ArticlePath(id), resolveForm(t, d, pick))
		webtest.WantStatus(t, res, http.StatusBadRequest)
	}
	if r := env.Record(t, id); r.Note != "bob's" || !slices.Equal(r.Topics, []string{"AI"}) {
		t.Errorf("stored after refused resolutions: note %q topics %q", r.Note, r.Topics)
	}
}

// A re-import that changes the file under an editor's value changes
// nothing editors see, so a stale save afterwards is compared with what
// its editor really saw. carol sets a value over the file's, alice loads
// the article, a re-import changes the file's value (carol's stays in
// force), bob changes the value, alice saves only a note on her old
// version: the field is bob's to keep ("theirs"), never "only you changed
// it", and the resolution keeps bob's value. Without an editor's value
// the file's change is one alice did not see either.
func TestConflictAfterAReimport(t *testing.T) {
	file := webtest.PlainArticle("Solar farms") // quality 50, topics [Health], unpublished
	tests := []struct {
		name             string
		carol, bob       url.Values
		fileFrom, fileTo string
		outcome          string // the field's outcome on alice's conflict page
		want             func(r *db.Record) bool
		history          string // the import's line about the field in the history
	}{
		{
			name:  "published, under carol's",
			carol: url.Values{"published": {"on"}}, bob: url.Values{"published": {}},
			fileFrom: "published: false", fileTo: "published: true", outcome: "theirs",
			want:    func(r *db.Record) bool { return !r.Published },
			history: "import changed the file’s published from no to yes",
		},
		{
			name:  "quality, under carol's",
			carol: url.Values{"quality": {"70"}}, bob: url.Values{"quality": {"40"}},
			fileFrom: "quality: 50", fileTo: "quality: 60", outcome: "theirs",
			want:    func(r *db.Record) bool { return r.Quality == 40 },
			history: "import changed the file’s quality from 50 to 60",
		},
		{
			name:  "topics, under carol's",
			carol: url.Values{"topics": {"Health", "AI"}}, bob: url.Values{"topics": {"AI"}},
			fileFrom: "topics: [Health]", fileTo: "topics: [Health, Space]", outcome: "theirs",
			want:    func(r *db.Record) bool { return slices.Equal(r.Topics, []string{"AI"}) },
			history: "import changed the file’s topics from [Health] to [Health] [Space]",
		},
		{
			name:  "published, the file's own",
			carol: url.Values{"note": {"carol's"}}, bob: url.Values{"published": {}},
			fileFrom: "published: false", fileTo: "published: true", outcome: "unchanged", // alice saw no, as now
			want:    func(r *db.Record) bool { return !r.Published },
			history: "import changed published from no to yes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := webtest.New(t)
			id := env.ImportText(t, map[string]string{"a.md": file})["a"]
			alice, bob := loginAlice(t, env), loginBob(t, env)
			carol := env.LoginNewUser(t, "carol", db.RoleEditor)
			r := env.Record(t, id)
			webtest.WantStatus(t, carol.PostForm(webtest.ArticlePath(id), shownForm(r, r.Version, tt.carol)), http.StatusSeeOther)

			webtest.WantStatus(t, alice.Get(webtest.ArticlePath(id)), http.StatusOK)
			loaded := env.Record(t, id)
			env.ImportText(t, map[string]string{"a.md": strings.Replace(file, tt.fileFrom, tt.fileTo, 1)})
			r = env.Record(t, id)
			if r.Version != loaded.Version+1 {
				t.Fatalf("the re-import made version %d, want %d", r.Version, loaded.Version+1)
			}
			webtest.WantStatus(t, bob.PostForm(webtest.ArticlePath(id), shownForm(r, r.Version, tt.bob)), http.StatusSeeOther)
			bobs := env.Record(t, id)

			res := alice.PostForm(webtest.ArticlePath(id), shownForm(loaded, loaded.Version, url.Values{"note": {"alice's"}}))
			webtest.WantStatus(t, res, http.StatusConflict)
			d := alice.Doc(res)
			field := strings.TrimSuffix(strings.Fields(tt.name)[0], ",")
			if got := outcomes(d); got[field] != tt.outcome || got["note"] != "mine" {
				t.Errorf("outcomes %v, want %s %s and note mine", got, field, tt.outcome)
			}
			webtest.WantStatus(t, alice.PostForm(webtest.ArticlePath(id), resolveForm(t, d, nil)), http.StatusSeeOther)
			if r := env.Record(t, id); !tt.want(r) || r.Note != "alice's" || r.Version != bobs.Version+1 {
				t.Errorf("saved q=%d topics=%q pub=%v note=%q v%d; bob's value lost or alice's note missing",
					r.Quality, r.Topics, r.Published, r.Note, r.Version)
			}

			var hist []string
			page := alice.GetDoc(webtest.ArticlePath(id))
			bracketItems(page)
			for _, h := range webtest.TestIDTexts(page, "history-entry") {
				hist = append(hist, strings.Join(strings.Fields(h), " "))
			}
			if !slices.Contains(hist, tt.history) {
				t.Errorf("history lacks %q:\n%s", tt.history, strings.Join(hist, "\n"))
			}
		})
	}
}

// The history after a re-import under an editor's value: the import's
// line names the file's value, it is no change of the field, so a later
// save that sets the field back still reads as undoing the editor's
// change, and the Undo buttons are those of the editors' changes.
func TestHistoryAfterAReimportUnderAnEditorValue(t *testing.T) {
	u := newUndoEnv(t) // quality 50
	u.save(t, u.aliceU, db.Edit{Quality: intPtr(70)})
	u.env.ImportText(t, map[string]string{"a.md": strings.Replace(webtest.PlainArticle("Solar farms"), "quality: 50", "quality: 60", 1)})
	if r := u.env.Record(t, u.id); r.Quality != 70 {
		t.Fatalf("the re-import moved alice's quality to %d", r.Quality)
	}
	u.save(t, u.bobU, db.Edit{Quality: intPtr(50)})

	d := u.alice.GetDoc(webtest.ArticlePath(u.id))
	changes := webtest.ByTestID(d, "history-change")
	if changes.Length() != 3 {
		t.Fatalf("%d changes, want 3 (bob, import, alice): %q", changes.Length(), webtest.TestIDTexts(d, "history-change"))
	}
	if got := strings.Join(strings.Fields(changes.Eq(1).Find(`[data-testid="history-entry"]`).First().Text()), " "); got != "import changed the file’s quality from 50 to 60" {
		t.Errorf("the import's line reads %q", got)
	}
	if got := webtest.TestIDTexts(d, "history-reverts"); len(got) != 1 || !strings.Contains(got[0], "undid alice’s change of") {
		t.Errorf("bob's change marked %q, want it undid alice's", got)
	}
	wantUndo := []bool{true, false, false} // bob's; never an import's; alice's quality moved since
	changes.Each(func(i int, c *goquery.Selection) {
		if got := c.Find(`[data-testid="history-undo"]`).Length() == 1; got != wantUndo[i] {
			t.Errorf("change %d: Undo shown %v, want %v", i, got, wantUndo[i])
		}
	})
}
