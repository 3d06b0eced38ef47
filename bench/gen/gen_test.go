package gen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

var testEnd = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// TestWriteImportsCleanly writes 1,000 articles for each of two seeds,
// parses every file with the parser import uses, and checks the set has
// what a benchmark needs: unique keys, a spread of sizes, the format's
// variations, dates in range, and determinism.
func TestWriteImportsCleanly(t *testing.T) {
	const n = 1000
	keys := map[string]string{}
	for _, seed := range []uint64{1, 42} {
		opts := Options{Seed: seed, End: testEnd}
		dir := filepath.Join(t.TempDir(), "out")
		st, err := Write(context.Background(), dir, n, opts)
		if err != nil || st.Files != n {
			t.Fatalf("seed %d: Write: %+v, %v", seed, st, err)
		}
		var f features
		g := New(opts)
		for i := range n {
			name, want := g.Article(i)
			a, err := article.ReadFile(filepath.Join(dir, name), 0)
			if err != nil {
				t.Fatalf("seed %d: %v\n%s", seed, err, want)
			}
			if prev, dup := keys[a.Key]; dup {
				t.Fatalf("seed %d: key %q of %s already taken by %s", seed, a.Key, name, prev)
			}
			keys[a.Key] = name
			if !bytes.Equal(a.Raw, want) {
				t.Fatalf("seed %d: %s: a second generator made other bytes", seed, name)
			}
			f.add(t, name, a)
		}
		f.check(t, seed, n)
	}
}

// features tallies what the generated files show.
type features struct {
	minSize, maxSize, total               int
	crlf, flow, emptyBody, noQuality, cjk int
	published, withRelated, maxTopics     int
	exts, providers, topics, categories   map[string]int
}

func (f *features) add(t *testing.T, name string, a *article.Article) {
	t.Helper()
	if f.exts == nil {
		f.exts, f.providers, f.topics, f.categories = map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
		f.minSize = 1 << 30
	}
	size := len(a.Raw)
	f.minSize, f.maxSize, f.total = min(f.minSize, size), max(f.maxSize, size), f.total+size
	count := func(c *int, ok bool) {
		if ok {
			*c++
		}
	}
	count(&f.crlf, bytes.Contains(a.Raw, []byte("\r\n")))
	count(&f.flow, bytes.Contains(a.Raw, []byte("provider: {")))
	count(&f.emptyBody, strings.TrimSpace(a.Body) == "")
	count(&f.noQuality, !a.HasQuality)
	count(&f.published, a.Published)
	count(&f.withRelated, len(a.Related) > 0)
	count(&f.cjk, strings.ContainsFunc(a.Title, func(r rune) bool { return r >= 0x3040 && r <= 0x9fff }))
	f.maxTopics = max(f.maxTopics, len(a.Topics))
	f.exts[filepath.Ext(name)]++
	f.providers[a.Provider.Name]++
	f.categories[a.Category]++
	for _, tp := range a.Topics {
		f.topics[tp]++
	}
	if a.Title == "" || a.Provider.Domain == "" || !a.HasSecured || a.WebURL == "" {
		t.Errorf("%s: missing fields: %+v", name, a)
	}
	if d := testEnd.Sub(a.PublishedAt); d <= 0 || d > Days*24*time.Hour {
		t.Errorf("%s: published %v, not in the %d days before %v", name, a.PublishedAt, Days, testEnd)
	}
	if !strings.HasPrefix(name, a.PublishedAt.UTC().Format(time.DateOnly)+"-") || !namePattern.MatchString(name) {
		t.Errorf("%s: name does not start with the date %v or is not a generated name", name, a.PublishedAt)
	}
	if len(a.Topics) > 8 || len(a.Related) > 3 {
		t.Errorf("%s: %d topics, %d related", name, len(a.Topics), len(a.Related))
	}
}

func (f *features) check(t *testing.T, seed uint64, n int) {
	t.Helper()
	t.Logf("seed %d: size min %d, avg %d, max %d bytes; CRLF %d, flow %d, empty body %d, no quality %d, CJK %d, published %d, related %d; %d providers, %d topics, %d categories; extensions %v",
		seed, f.minSize, f.total/n, f.maxSize, f.crlf, f.flow, f.emptyBody, f.noQuality, f.cjk, f.published, f.withRelated,
		len(f.providers), len(f.topics), len(f.categories), f.exts)
	between := func(what string, got, lo, hi int) {
		if got < lo || got > hi {
			t.Errorf("seed %d: %s = %d, want %d..%d", seed, what, got, lo, hi)
		}
	}
	between("average size", f.total/n, 3300, 4800)
	between("smallest size", f.minSize, 700, 1500)
	between("largest size", f.maxSize, 10_000, 20_000)
	between("CRLF files", f.crlf, n*2/100, n*9/100)
	between("flow-style files", f.flow, n*14/100, n*26/100)
	between("empty bodies", f.emptyBody, n*8/100, n*22/100)
	between("files without quality", f.noQuality, n*3/100, n*14/100)
	between("published files", f.published, n*3/100, n*12/100)
	between("Chinese or Japanese titles", f.cjk, 3, n*6/100)
	between("providers", len(f.providers), 25, len(providers))
	between("topics", len(f.topics), 200, 400)
	between("categories", len(f.categories), len(categories), len(categories))
	between("most topics on one article", f.maxTopics, 8, 8)
	between("extensions", len(f.exts), 4, 5)
	for _, want := range []string{"Łódź", "Zürich", "自行车", "计划"} {
		if f.topics[want] == 0 && seed == 1 {
			t.Errorf("seed %d: no article has the topic %q", seed, want)
		}
	}
	// Zipf-like: the biggest provider has several times the median's share.
	counts := make([]int, 0, len(f.providers))
	for _, c := range f.providers {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	if top, median := counts[len(counts)-1], counts[len(counts)/2]; top < 4*median {
		t.Errorf("seed %d: provider counts %v are not skewed", seed, counts)
	}
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 7, End: testEnd}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Write(context.Background(), dir, 300, opts); err != nil {
			t.Fatal(err)
		}
	}
	names := readNames(t, a)
	if !slices.Equal(names, readNames(t, b)) {
		t.Fatal("two runs with one seed wrote different file names")
	}
	for _, name := range names {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs between two runs with one seed", name)
		}
	}
	// Another seed is another set; a smaller count is a prefix of the set.
	g1, g2 := New(opts), New(Options{Seed: 8, End: testEnd})
	n1, d1 := g1.Article(5)
	if n2, _ := g2.Article(5); n1 == n2 {
		t.Errorf("seeds 7 and 8 give one name %s", n1)
	}
	if x, _ := os.ReadFile(filepath.Join(a, n1)); !bytes.Equal(x, d1) {
		t.Errorf("article 5 made alone differs from the one Write made")
	}
}

func TestTagIsOneToOne(t *testing.T) {
	g := New(Options{Seed: 99})
	seen := make([]bool, 1<<24)
	for i := range 1 << 24 {
		v := g.tag(i)
		if seen[v] {
			t.Fatalf("tag %06x repeats at index %d", v, i)
		}
		seen[v] = true
	}
}

func TestWriteFolderRules(t *testing.T) {
	opts := Options{Seed: 1, End: testEnd}
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(dir string) string // returns the path to pass
		wantErr string
		want    Stats // files and what happened to an earlier set
	}{
		{"missing folder is created", func(dir string) string { return filepath.Join(dir, "a", "b") }, "", Stats{Files: 20}},
		{"empty folder", func(dir string) string { return dir }, "", Stats{Files: 20}},
		{"a file", func(dir string) string {
			p := filepath.Join(dir, "f.md")
			os.WriteFile(p, []byte("x"), 0o644)
			return p
		}, "is a file, not a folder", Stats{}},
		{"foreign file", func(dir string) string {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
			return dir
		}, `holds "notes.txt", which newsdesk gen did not write`, Stats{}},
		{"generated-looking files without the marker", func(dir string) string {
			Write(ctx, dir, 5, opts)
			os.Remove(filepath.Join(dir, Marker))
			return dir
		}, "already holds 5 files and no .newsdesk-gen marker", Stats{}},
		{"earlier set of another seed is replaced", func(dir string) string {
			Write(ctx, dir, 50, Options{Seed: 2, End: testEnd})
			return dir
		}, "", Stats{Files: 20, Removed: 50}},
		{"rerun rewrites in place", func(dir string) string {
			Write(ctx, dir, 20, opts)
			return dir
		}, "", Stats{Files: 20, Rewritten: 20}},
		{"smaller rerun removes the rest", func(dir string) string {
			Write(ctx, dir, 50, opts)
			return dir
		}, "", Stats{Files: 20, Rewritten: 20, Removed: 30}},
		{"earlier set with a foreign folder", func(dir string) string {
			Write(ctx, dir, 5, opts)
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			return dir
		}, `holds "sub"`, Stats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t.TempDir())
			st, err := Write(ctx, dir, 20, opts)
			var de *DirError
			if tt.wantErr != "" {
				if !errors.As(err, &de) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want a DirError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st.Bytes = 0
			if st != tt.want {
				t.Errorf("stats %+v, want %+v", st, tt.want)
			}
			names := readNames(t, dir)
			if len(names) != tt.want.Files+1 || !slices.Contains(names, Marker) {
				t.Errorf("folder holds %d entries, want %d articles and the marker", len(names), tt.want.Files)
			}
			// What is there is exactly this set.
			g := New(opts)
			for i := range tt.want.Files {
				name, data := g.Article(i)
				if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s: %v, or not this set's bytes", name, err)
				}
			}
		})
	}
}

func TestWriteStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := Write(ctx, t.TempDir(), 1000, Options{Seed: 1, End: testEnd})
	if !errors.Is(err, context.Canceled) || st.Files != 0 {
		t.Fatalf("Write after cancel: %+v, %v", st, err)
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Harbour authority opens ferry terminal", "harbour-authority-opens-ferry-terminal"},
		{"Łódź: council approves tram depot", "lodz-council-approves-tram-depot"},
		{"Zürich, Ærøskøbing and Straßburg", "zurich-aeroskobing-and-strassburg"},
		{"“We listened”: schools on the £40m phone ban", "we-listened-schools-on-the-40m-phone-ban"},
		{"市议会批准新的自行车道计划", "市议会批准新的自行车道计划"},
		{"教育改革案、国会で審議入り", "教育改革案-国会で審議入り"},
		{"!!!", "article"},
		{strings.Repeat("word ", 30), "word-word-word-word-word-word-word-word-word-word-word-word"},
	}
	for _, tt := range tests {
		if got := slugify(tt.in); got != tt.want {
			t.Errorf("slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScalarReadsBackAsTheSameString(t *testing.T) {
	tests := []struct {
		in      string
		wantRaw string
	}{
		{"Public Health", "Public Health"},
		{"Women's Sport", "Women's Sport"},
		{"Farm & Field", "Farm & Field"},
		{"Łódź", "Łódź"},
		{"自行车", "自行车"},
		{"5G", `"5G"`},
		{"No", `"No"`},
		{"a, b", `"a, b"`},
		{"x: y", `"x: y"`},
		{`say "hi"`, `"say \"hi\""`},
	}
	for _, tt := range tests {
		if got := scalar(tt.in); got != tt.wantRaw {
			t.Errorf("scalar(%q) = %s, want %s", tt.in, got, tt.wantRaw)
		}
		raw := "---\ntitle: t\ntopics: [" + scalar(tt.in) + "]\nprovider:\n  name: " + scalar(tt.in) + "\n---\n"
		a, err := article.Parse("s.md", []byte(raw))
		if err != nil || len(a.Topics) != 1 || a.Topics[0] != tt.in || a.Provider.Name != tt.in {
			t.Errorf("%q written as %s does not read back: %v %+v", tt.in, scalar(tt.in), err, a)
		}
	}
}

func readNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func BenchmarkArticle(b *testing.B) {
	g := New(Options{Seed: 1, End: testEnd})
	bytes := 0
	for i := 0; b.Loop(); i++ {
		_, data := g.Article(i % MaxArticles)
		bytes += len(data)
	}
	b.SetBytes(int64(bytes / b.N))
}

func TestWriteWrapped(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  string
	}{
		{"one two three", 0, "one two three"},
		{"one two three", 20, "one two three"},
		{"one two three", 7, "one two\nthree"},
		{"one two three", 3, "one\ntwo\nthree"},
		{"a verylongword b", 4, "a\nverylongword\nb"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		writeWrapped(&b, tt.text, tt.width)
		if b.String() != tt.want {
			t.Errorf("writeWrapped(%q, %d) = %q, want %q", tt.text, tt.width, b.String(), tt.want)
		}
	}
}
