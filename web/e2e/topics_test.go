package e2e

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
)

// The test files whose topics list styles the rename and merge must keep:
// flow.yaml has `topics: [AI, "Machine Learning", 'quoted, comma']` on one
// line, the seed a block list, crlf.md the same block list with CRLF line
// endings.
const (
	flowKey = "flow"
	crlfKey = "crlf"
)

// TestTopicsRenameMergeExport: on the topics page an editor finds a topic,
// renames it and merges another into it, in the browser. The count is the
// snapshot: an article that gets the topic between the count and the
// confirmation keeps it. Each export holds the new names in each file's
// own list style with every other byte as imported, and Undo from the
// flash brings back the files as they were.
func TestTopicsRenameMergeExport(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	before := exportAll(t, a)
	for key, data := range before {
		if !bytes.Equal(data, a.Files[key]) {
			t.Fatalf("%s: exported before any edit, it differs from the imported file", key)
		}
	}
	ai, err := a.Store.TopicByName(ctx, "AI")
	if err != nil {
		t.Fatal(err)
	}

	ed := newTab(t, a, "editor")
	ed.loginAs(editorName, editorPassword)
	ed.click(`nav[aria-label="Main"] a[href="/topics"]`, 200)
	ed.typeInto(`[data-testid="topics-q"]`, "ai")
	ed.click(`[data-testid="topics-filter-submit"]`, 200)
	if got := ed.texts(`[data-testid="topic-link"]`); !slices.Contains(got, "AI") || slices.Contains(got, "Ethics") {
		t.Fatalf("topics found by “ai”: %q", got)
	}
	ed.step("topics-filtered")

	// Rename: the row's link fills the form in; the count comes first.
	ed.click(`[data-topic="AI"] [data-testid="topic-rename"]`, 200)
	if got := ed.value(`[data-testid="rename-from"]`); got != "AI" {
		t.Fatalf("rename form's topic = %q, want AI", got)
	}
	ed.typeInto(`[data-testid="rename-to"]`, "Artificial Intelligence")
	ed.click(`[data-testid="rename-submit"]`, 200)
	if got, want := ed.text(`[data-testid="rename-summary"]`), "Rename “AI” to “Artificial Intelligence”: "+articles(ai.Total); got != want {
		t.Fatalf("confirmation = %q, want %q", got, want)
	}
	ed.step("rename-confirm")
	late := importLate(t, a, "late", "---\ntitle: Late\ntopics: [AI]\n---\n")
	ed.click(`[data-testid="rename-confirm-submit"]`, 200)
	if got, want := ed.text(`[data-testid="flash"]`), "Renamed “AI” to “Artificial Intelligence” on "+articles(ai.Total)+"."; got != want {
		t.Errorf("flash = %q, want %q", got, want)
	}
	ed.step("renamed")
	if got := a.record(t, late).Topics; !slices.Equal(got, []string{"AI"}) {
		t.Errorf("the article that got AI after the count has %q, want [AI]", got)
	}

	renamed := exportAll(t, a)
	wantExport(t, a, renamed, map[string]string{
		flowKey: "", // the flow list is written again as a whole, on its line: checked below
		seedKey: strings.Replace(string(a.Files[seedKey]), "\n  - AI\n", "\n  - Artificial Intelligence\n", 1),
		crlfKey: strings.Replace(string(a.Files[crlfKey]), "\r\n  - AI\r\n", "\r\n  - Artificial Intelligence\r\n", 1),
	}, func(ts []string) []string { return replaced(ts, "AI", "Artificial Intelligence") })
	flowLine := topicsLine(t, renamed[flowKey])
	if !strings.HasPrefix(flowLine, "topics: [Artificial Intelligence, ") || !strings.HasSuffix(flowLine, "]") {
		t.Errorf("flow.yaml's topics are no longer a flow list on one line: %q", flowLine)
	}
	if want := strings.Replace(string(a.Files[flowKey]), topicsLine(t, a.Files[flowKey]), flowLine, 1); string(renamed[flowKey]) != want {
		t.Errorf("flow.yaml changed outside its topics line:\n%s", lineDiff(want, string(renamed[flowKey])))
	}

	// Undo from the flash: every file exports as imported again.
	ed.click(`[data-testid="flash-box"] form[action^="/bulk/"] button[type="submit"]`, 200)
	ed.step("rename-undone")
	wantAsImported(t, a, exportAll(t, a))

	// Merge, in a browser without JavaScript: "AI Ethics" into "AI" (typed
	// in lower case: the existing spelling wins). The block lists lose
	// their "AI Ethics" line; AI stays where it was.
	nojs := newTab(t, a, "no-js", withoutJavaScript)
	nojs.loginAs(otherName, otherPassword)
	ethics, err := a.Store.TopicByName(ctx, "AI Ethics")
	if err != nil {
		t.Fatal(err)
	}
	nojs.open("/topics")
	nojs.click(`[data-topic="AI Ethics"] [data-testid="topic-rename"]`, 200)
	nojs.typeInto(`[data-testid="rename-to"]`, "ai")
	nojs.click(`[data-testid="rename-submit"]`, 200)
	if got, want := nojs.text(`[data-testid="rename-summary"]`), "Merge “AI Ethics” into “AI”: "+articles(ethics.Total); got != want {
		t.Fatalf("confirmation = %q, want %q", got, want)
	}
	nojs.click(`[data-testid="rename-confirm-submit"]`, 200)
	if got, want := nojs.text(`[data-testid="flash"]`), "Merged “AI Ethics” into “AI” on "+articles(ethics.Total)+"."; got != want {
		t.Errorf("flash = %q, want %q", got, want)
	}
	if got := nojs.texts(`[data-testid="topic-link"]`); slices.Contains(got, "AI Ethics") {
		t.Errorf("the list still has AI Ethics: %q", got)
	}
	nojs.step("merged")
	wantExport(t, a, exportAll(t, a), map[string]string{
		seedKey: strings.Replace(string(a.Files[seedKey]), "\n  - AI Ethics\n", "\n", 1),
		crlfKey: strings.Replace(string(a.Files[crlfKey]), "\r\n  - AI Ethics\r\n", "\r\n", 1),
	}, func(ts []string) []string { return merged(ts, "AI Ethics", "AI") })

	nojs.click(`[data-testid="flash-box"] form[action^="/bulk/"] button[type="submit"]`, 200)
	wantAsImported(t, a, exportAll(t, a))
}

func articles(n int) string { return review.Plural(n, "article") }

// importLate stores one more article, as an import while the editor looks
// at the confirmation, and returns its key.
func importLate(t *testing.T, a *app, key, file string) string {
	t.Helper()
	art, err := article.Parse(key+".md", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.Import(context.Background(), []*article.Article{art}); err != nil {
		t.Fatal(err)
	}
	return key
}

// memWriter keeps an export in memory, by article key.
type memWriter map[string][]byte

func (m memWriter) Add(name string, data []byte) error {
	m[article.KeyOf(name)] = bytes.Clone(data)
	return nil
}

func (memWriter) Close([]review.Skipped) error { return nil }

// exportAll exports every article, whatever its status, as
// `newsdesk export --status all` does, leaving out the ones the test
// imported itself.
func exportAll(t *testing.T, a *app) map[string][]byte {
	t.Helper()
	m := memWriter{}
	rep, err := review.New(a.Store).Export(context.Background(), db.ListQuery{}, m)
	if err != nil {
		t.Fatalf("export: %v (%v)", err, rep.Skipped)
	}
	maps.DeleteFunc(m, func(key string, _ []byte) bool { _, ok := a.Files[key]; return !ok })
	if len(m) != len(a.Files) {
		t.Fatalf("export wrote %d of the %d imported files", len(m), len(a.Files))
	}
	return m
}

// wantExport checks an export against the imported files: the files in
// exact hold those bytes ("" for any); every other file whose topics
// change (by change) differs from its import in its topics lines only,
// and holds the changed topics; every file whose topics stay is byte for
// byte as imported.
func wantExport(t *testing.T, a *app, got map[string][]byte, exact map[string]string, change func([]string) []string) {
	t.Helper()
	for key, in := range a.Files {
		out := got[key]
		orig, err := article.Parse(key+".md", in)
		if err != nil {
			t.Fatal(err)
		}
		want := change(slices.Clone(orig.Topics))
		if slices.Equal(want, orig.Topics) {
			if !bytes.Equal(in, out) {
				t.Errorf("%s: its topics did not change, yet the export differs:\n%s", key, lineDiff(string(in), string(out)))
			}
			continue
		}
		if w, ok := exact[key]; ok && w != "" && string(out) != w {
			t.Errorf("%s: export differs from the expected bytes:\n%s", key, lineDiff(w, string(out)))
		}
		if withoutKeys(string(in), "topics") != withoutKeys(string(out), "topics") {
			t.Errorf("%s: the export changed lines other than the topics:\n%s", key, lineDiff(string(in), string(out)))
		}
		exported, err := article.Parse(key+".md", out)
		if err != nil {
			t.Errorf("%s: the export does not parse: %v", key, err)
			continue
		}
		if !slices.Equal(exported.Topics, want) {
			t.Errorf("%s: exported topics %q, want %q", key, exported.Topics, want)
		}
	}
	for key := range exact {
		if _, ok := a.Files[key]; !ok {
			t.Errorf("no imported file %s", key)
		}
	}
}

// wantAsImported: after an undo, every file exports as it was imported.
func wantAsImported(t *testing.T, a *app, got map[string][]byte) {
	t.Helper()
	for key, in := range a.Files {
		if !bytes.Equal(in, got[key]) {
			t.Errorf("%s: after the undo the export differs from the import:\n%s", key, lineDiff(string(in), string(got[key])))
		}
	}
}

// topicsLine is the file's line that starts with "topics:", without its
// line ending.
func topicsLine(t *testing.T, file []byte) string {
	t.Helper()
	for line := range strings.Lines(string(file)) {
		if strings.HasPrefix(line, "topics:") {
			return strings.TrimRight(line, "\r\n")
		}
	}
	t.Fatalf("no topics line in %q", file)
	return ""
}

// replaced is ts with from (compared as the store compares topics) renamed.
func replaced(ts []string, from, to string) []string {
	i := slices.IndexFunc(ts, func(x string) bool { return strings.EqualFold(x, from) })
	if i < 0 {
		return ts
	}
	ts[i] = to
	return dedupe(ts)
}

// merged is ts with from merged into to: to keeps its place when it is
// there already, else takes from's.
func merged(ts []string, from, to string) []string {
	if !slices.ContainsFunc(ts, func(x string) bool { return strings.EqualFold(x, from) }) {
		return ts
	}
	if !slices.ContainsFunc(ts, func(x string) bool { return strings.EqualFold(x, to) }) {
		return replaced(ts, from, to)
	}
	return slices.DeleteFunc(ts, func(x string) bool { return strings.EqualFold(x, from) })
}

// dedupe drops case-insensitive repeats, keeping the first, as the review
// form and the store do.
func dedupe(ts []string) []string {
	seen := map[string]bool{}
	return slices.DeleteFunc(ts, func(x string) bool {
		k := strings.ToLower(x)
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}
