package review

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

func writeStream(t *testing.T, names []string, skipped []Skipped) []byte {
	t.Helper()
	var buf bytes.Buffer
	s := NewStreamWriter(&buf)
	for i, n := range names {
		if err := s.Add(n, articleFor(i)); err != nil {
			t.Fatalf("Add(%q): %v", n, err)
		}
	}
	if err := s.Close(skipped); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStreamWriterHostileNames: the stream of every legal name is valid
// UTF-8, a yaml.v3 Decoder reads one document per article in order, and
// the "# file: " lines are distinct and give the names back.
func TestStreamWriterHostileNames(t *testing.T) {
	skipped := []Skipped{
		{Key: "gone", FileName: "gone\n# file: fake.md", Reason: "hash mismatch:\nstored bytes damaged"},
		{Key: "bad", FileName: "bad\xff.md", Reason: "cannot patch"},
	}
	stream := writeStream(t, hostileNames, skipped)
	if !utf8.Valid(stream) {
		t.Fatal("stream is not UTF-8")
	}
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	for i, n := range hostileNames {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("document %d (%q): %v", i, n, err)
		}
		if want := fmt.Sprintf("Article %d", i); m["title"] != want || m["body"] != fmt.Sprintf("Body of article %d.\n", i) {
			t.Errorf("document %d (%q) = %v, want title %q", i, n, m, want)
		}
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Errorf("after the articles: %v, %v; want the end (the trailer is comments only)", extra, err)
	}

	var files []string
	for _, line := range strings.Split(string(stream), "\n") {
		if name, ok := strings.CutPrefix(line, "# file: "); ok {
			back, err := url.PathUnescape(name)
			if err != nil {
				t.Errorf("line %q: %v", line, err)
			}
			files = append(files, back)
		}
	}
	if fmt.Sprint(files) != fmt.Sprint(hostileNames) {
		t.Errorf("file lines give\n%q\nwant\n%q", files, hostileNames)
	}
	for _, want := range []string{
		"# newsdesk: 2 articles not exported\n",
		"# - file: gone%0A# file: fake.md\n#   reason: hash mismatch: stored bytes damaged\n",
		"# - file: bad%FF.md\n#   reason: cannot patch\n",
	} {
		if !bytes.Contains(stream, []byte(want)) {
			t.Errorf("stream lacks %q", want)
		}
	}
}

// TestStreamWriterPyYAML: a YAML 1.1 reader (PyYAML) reads the same
// documents, when python3 with PyYAML is on the machine.
func TestStreamWriterPyYAML(t *testing.T) {
	if exec.Command("python3", "-c", "import yaml").Run() != nil {
		t.Skip("python3 with PyYAML not installed (Debian: python3-yaml)")
	}
	p := filepath.Join(t.TempDir(), "stream.yaml")
	if err := os.WriteFile(p, writeStream(t, hostileNames, []Skipped{{FileName: "x.md", Reason: "r"}}), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", "-c",
		"import sys, yaml; print('\\n'.join(d['title'] for d in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8'))))", p).CombinedOutput()
	if err != nil {
		t.Fatalf("PyYAML: %v\n%s", err, out)
	}
	var want strings.Builder
	for i := range hostileNames {
		fmt.Fprintf(&want, "Article %d\n", i)
	}
	if string(out) != want.String() {
		t.Errorf("PyYAML read titles\n%s", out)
	}
}

// TestStreamWriterAbort: a stream whose export stopped says so in a
// comment after the documents written.
func TestStreamWriterAbort(t *testing.T) {
	var buf bytes.Buffer
	s := NewStreamWriter(&buf)
	if err := s.Add("a.md", articleFor(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(errors.New("database\nlocked")); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "# newsdesk: export stopped before its end: database locked\n") {
		t.Errorf("stream ends %q", buf.String())
	}
}
