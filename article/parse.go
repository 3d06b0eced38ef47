package article

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// ParseError says why a file was refused: which file, which line of it when
// one is known (0 when not), and the reason in words an editor understands.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Reason)
	return b.String()
}

func perr(line int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// fmError is a problem at a line of the front matter as YAML counts lines;
// parse turns it into a ParseError on the line an editor sees.
type fmError struct {
	line   int // 1-based line of the front matter
	reason string
}

func (e *fmError) Error() string { return fmt.Sprintf("front matter line %d: %s", e.line, e.reason) }

// nodeErr reports a problem at a node of the front matter.
func nodeErr(n *yaml.Node, format string, args ...any) *fmError {
	return &fmError{line: n.Line, reason: fmt.Sprintf(format, args...)}
}

// editorLine maps a front-matter line YAML counted to a line of the file.
// The two differ by more than the fence line when the front matter holds
// characters YAML takes as line breaks and editors do not (a lone CR, NEL,
// U+2028, U+2029).
func editorLine(raw []byte, yamlLine int) int {
	l, err := splitFile(raw)
	if err != nil {
		return yamlLine + fmLineOffset
	}
	ix := newLineIndex(raw, l)
	if yamlLine < 1 || yamlLine >= len(ix.starts) {
		return yamlLine + fmLineOffset
	}
	return lineAt(raw, ix.lineStart(yamlLine))
}

// doc is a file split into its parts, with the front matter parsed once into
// a node tree: the tree gives the typed fields and the positions Patch needs.
type doc struct {
	layout
	root *yaml.Node // the top-level mapping of the front matter
}

// Parse validates one article file and returns its fields. fileName is the
// base name; the key is that name without its extension. raw is kept as is
// in Article.Raw.
func Parse(fileName string, raw []byte) (*Article, error) {
	a, _, err := parse(fileName, raw)
	return a, err
}

func parse(fileName string, raw []byte) (*Article, *doc, error) {
	d, err := parseDoc(raw)
	if err == nil {
		var a *Article
		if a, err = d.article(fileName, raw); err == nil {
			return a, d, nil
		}
	}
	var fe *fmError
	if errors.As(err, &fe) {
		err = &ParseError{File: fileName, Line: editorLine(raw, fe.line), Reason: fe.reason}
	}
	if pe, ok := err.(*ParseError); ok {
		pe.File = fileName
	}
	return nil, nil, err
}

// ReadFile reads and parses one article file, refusing a file larger than
// maxSize (DefaultMaxFileSize when maxSize <= 0) without reading it whole.
func ReadFile(path string, maxSize int64) (*Article, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	name := filepath.Base(path)
	f, size, err := openRegular(path, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > maxSize {
		return nil, tooLarge(name, size, maxSize)
	}
	// The limit holds even when the file grows between Stat and Read.
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxSize {
		return nil, tooLarge(name, int64(len(data)), maxSize)
	}
	return Parse(name, data)
}

// openRegular opens path when it is a regular file and returns its size.
// It checks before opening, because opening a FIFO for reading waits for a
// writer and would hang an import, and again after, in case the file was
// replaced in between.
func openRegular(path, name string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		err = notRegular(name)
	}
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	if st, err = f.Stat(); err == nil && !st.Mode().IsRegular() {
		err = notRegular(name)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func notRegular(name string) error {
	return &ParseError{File: name, Reason: "not a regular file"}
}

func tooLarge(name string, size, max int64) error {
	return &ParseError{File: name, Reason: fmt.Sprintf("file is %d bytes, more than the limit of %d bytes", size, max)}
}

// KeyOf is the article key of a file: its base name without the
// extension, in Unicode normalization form NFC, "dir/abc.md" -> "abc". A
// name that is all extension (".md") keeps its name, so no key is ever
// empty. NFC makes the name macOS writes (decomposed, NFD: "e" and a
// combining accent) and the name other systems write (precomposed "é") the
// same key (Unicode Standard Annex #15; golang.org/x/text/unicode/norm).
func KeyOf(fileName string) string {
	base := filepath.Base(fileName)
	if key := strings.TrimSuffix(base, filepath.Ext(base)); key != "" {
		return norm.NFC.String(key)
	}
	return norm.NFC.String(base)
}

func parseDoc(raw []byte) (*doc, error) {
	if err := checkBytes(raw); err != nil {
		return nil, err
	}
	l, err := splitFile(raw)
	if err != nil {
		return nil, err
	}
	top, err := parseYAML(raw[l.fmStart:l.fmEnd])
	if err != nil {
		return nil, err
	}
	if top.Kind != yaml.DocumentNode || len(top.Content) == 0 {
		return nil, perr(1+fmLineOffset, "front matter is empty; it must be a mapping with at least a title")
	}
	root := top.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nodeErr(root, "front matter must be a YAML mapping (key: value), got %s", describe(root))
	}
	if err := checkTree(top); err != nil {
		return nil, err
	}
	if err := checkRootKeys(root); err != nil {
		return nil, err
	}
	return &doc{layout: l, root: root}, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML decodes into a node tree only: no alias is expanded here.
// A panic inside the YAML library on hostile input becomes a refusal of
// the file rather than the end of an import.
func parseYAML(fm []byte) (top *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			top, err = nil, perr(0, "invalid YAML in front matter (%v)", r)
		}
	}()
	top = new(yaml.Node)
	if err := yaml.Unmarshal(fm, top); err != nil {
		return nil, yamlError(fm, err.Error())
	}
	return top, nil
}

// parserProblems are the yaml.v3 parser (not scanner) errors: their
// "line N" is the 0-based line of the problem, where scanner errors give
// it 1-based. An error on the first line carries no line at all.
var parserProblems = []string{
	"did not find expected <", "did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or", "found undefined tag handle",
	"found duplicate %", "found incompatible YAML document",
}

// yamlError turns a YAML syntax error into an error on its line.
func yamlError(fm []byte, msg string) error {
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1 // the front matter's first line, unless YAML says otherwise
	if m := yamlLineRE.FindStringSubmatch("yaml: " + msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0])-len("yaml: "):]
		for _, p := range parserProblems {
			if strings.HasPrefix(msg, p) {
				line++
				break
			}
		}
	} else if strings.Contains(msg, "control characters") {
		return perr(lineAt(fm, firstUnprintable(fm))+fmLineOffset, "invalid YAML: %s", msg)
	}
	if tab := tabLine(fm, line, msg); tab > 0 {
		return &fmError{line: tab, reason: "a tab is used for indentation; YAML allows only spaces"}
	}
	return &fmError{line: line, reason: "invalid YAML: " + msg}
}

// tabLine finds the line behind yaml.v3's errors about a tab in
// indentation, which do not name the tab: "found character that cannot
// start any token" stands on the tab's line; "found a tab character that
// violates indentation" stands on the line where the scalar before the tab
// starts, and the tab follows on a later line. It returns 0 when msg is
// another error or no such tab is found.
func tabLine(fm []byte, line int, msg string) int {
	from, to := line, line
	switch {
	case strings.HasPrefix(msg, "found character that cannot start any token"):
	case strings.HasPrefix(msg, "found a tab character"):
		to = maxInt
	default:
		return 0
	}
	n := 1
	for p := 0; p < len(fm) && n <= to; n++ {
		end := p
		for end < len(fm) && breakWidth(fm[end:]) == 0 {
			end++
		}
		if n >= from && tabIndented(fm[p:end]) {
			return n
		}
		if end < len(fm) {
			end += breakWidth(fm[end:])
		}
		p = end
	}
	return 0
}

// tabIndented reports whether a tab stands in a line's indentation: among
// the leading spaces and the block indicators ("- ", "? ", ": ") before its
// content.
func tabIndented(line []byte) bool {
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\t':
			return true
		case c == ' ':
		case (c == '-' || c == '?' || c == ':') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
		default:
			return false
		}
	}
	return false
}

// firstUnprintable finds the first character the YAML reader refuses.
func firstUnprintable(b []byte) int {
	for i, r := range string(b) {
		ok := r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
			(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000
		if !ok {
			return i
		}
	}
	return len(b)
}

// checkRootKeys refuses top-level keys that are not plain text (aliases,
// tagged collections): the known keys are found by their text, and a key
// hidden behind an alias would make that lookup disagree with YAML.
func checkRootKeys(root *yaml.Node) error {
	for i := 0; i < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind != yaml.ScalarNode {
			return nodeErr(k, "top-level key must be plain text, got %s", describe(k))
		}
	}
	return nil
}

// article fills the typed fields and applies the validation rules.
func (d *doc) article(fileName string, raw []byte) (*Article, error) {
	m := d.root
	a := &Article{
		Key:         KeyOf(fileName),
		FileName:    fileName,
		Category:    str(get(m, "category")),
		Excerpt:     str(get(m, "excerpt")),
		PublishedAt: timeOf(get(m, "publishedDateTime")),
		OriginalURL: str(get(m, "originalUrl")),
		WebURL:      str(get(m, "webUrl")),
		Type:        str(get(m, "type")),
		Provider:    providerOf(get(m, "provider")),
		Images:      imagesOf(get(m, "images")),
		Related:     relatedOf(get(m, "related")),
		HasSecured:  get(m, "secured") != nil,
		Body:        string(raw[d.bodyStart:]),
		Raw:         raw,
	}
	var err error
	if a.Title, err = titleOf(lookup(m, "title")); err != nil {
		return nil, err
	}
	if a.Quality, a.HasQuality, err = qualityOf(lookup(m, "quality")); err != nil {
		return nil, err
	}
	if a.Heat, err = heatOf(lookup(m, "heat")); err != nil {
		return nil, err
	}
	if a.Published, err = publishedOf(lookup(m, "published")); err != nil {
		return nil, err
	}
	k, v := lookup(m, "topics")
	if a.Topics, err = d.topicsOf(raw, k, v); err != nil {
		return nil, err
	}
	return a, nil
}

// The validated keys report errors on the key's line: for a value spread
// over lines (or an alias), that is the line an editor looks for.

func titleOf(k, n *yaml.Node) (string, error) {
	if n == nil {
		return "", perr(0, "title is missing")
	}
	v := deref(n)
	if !isStr(v) {
		return "", nodeErr(k, "title must be a non-empty string, got %s", describe(v))
	}
	if strings.TrimSpace(v.Value) == "" {
		return "", nodeErr(k, "title must not be empty")
	}
	// A YAML escape ("\0", "\x07") can put a control character in a
	// string; in a title it is a damaged file, and a NUL would reach pages
	// and exports as it is. Tabs and line breaks are text.
	if i := strings.IndexFunc(v.Value, isControlInText); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v.Value[i:])
		return "", nodeErr(k, "title contains a control character (%U)", r)
	}
	return v.Value, nil
}

// isControlInText reports whether r is a control character other than
// tab, line feed and carriage return.
func isControlInText(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func qualityOf(k, n *yaml.Node) (int, bool, error) {
	if n == nil {
		return 0, false, nil
	}
	v := deref(n)
	q, ok := intOf(v)
	if ok && !decimalRE.MatchString(v.Value) {
		return 0, false, nodeErr(k, "quality must be written as a plain decimal number, got %s (%s)", clip(v.Value, 40), notDecimal(v.Value))
	}
	if !ok || q < MinQuality || q > MaxQuality {
		return 0, false, nodeErr(k, "quality must be an integer from %d to %d, got %s", MinQuality, MaxQuality, describe(v))
	}
	return int(q), true, nil
}

func heatOf(k, n *yaml.Node) (int, error) {
	if n == nil {
		return 0, nil
	}
	v := deref(n)
	h, ok := intOf(v)
	if ok && !decimalRE.MatchString(v.Value) {
		return 0, nodeErr(k, "heat must be written as a plain decimal number, got %s (%s)", clip(v.Value, 40), notDecimal(v.Value))
	}
	if !ok || h < 0 || h > int64(maxInt) {
		return 0, nodeErr(k, "heat must be an integer >= 0, got %s", describe(v))
	}
	return int(h), nil
}

const maxInt = int(^uint(0) >> 1)

func publishedOf(k, n *yaml.Node) (bool, error) {
	if n == nil {
		return false, nil
	}
	// Only the spellings every YAML reader takes for the same boolean: an
	// explicit !!bool tag on yes, on or y is read differently (PyYAML has
	// no y; yaml.v3 takes y only when decoding into a Go bool).
	v := deref(n)
	b, ok := boolOf(v)
	if !ok || !slices.Contains(boolSpellings, v.Value) {
		return false, nodeErr(k, "published must be true or false, got %s", describe(v))
	}
	return b, nil
}

// boolSpellings are the booleans of the YAML 1.2 core schema, which YAML 1.1
// readers read alike.
var boolSpellings = []string{"true", "True", "TRUE", "false", "False", "FALSE"}

// topicsOf reads the topics: a list of at most MaxTopics strings, each one
// a valid topic (CheckTopic) that every YAML reader reads as that string.
// The count is checked first, so a file with a huge list is refused before
// any per-topic work.
func (d *doc) topicsOf(raw []byte, k, n *yaml.Node) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	v := deref(n)
	if v.Kind != yaml.SequenceNode {
		return nil, nodeErr(k, "topics must be a list of strings, got %s", describe(v))
	}
	if err := CheckTopicCount(len(v.Content)); err != nil {
		return nil, nodeErr(k, "%v", err)
	}
	topics := make([]string, 0, len(v.Content))
	for i, item := range v.Content {
		t := deref(item)
		if !isStr(t) {
			return nil, nodeErr(item, "topic %d must be a string, got %s", i+1, describe(t))
		}
		if tag := yaml11Resolve(t.Value); tag != tagStr && d.isPlainRead(raw, t) {
			return nil, nodeErr(item, "topic %d %s is %s to YAML 1.1 readers such as PyYAML%s; put it in quotes: %s",
				i+1, clip(t.Value, 40), yaml11Name(tag), cannotLoad(tag), doubleQuote(t.Value))
		}
		var te *TopicError
		if err := CheckTopic(t.Value); errors.As(err, &te) {
			return nil, nodeErr(item, "topic %d %s %s", i+1, quoteTopic(t.Value), te.Reason)
		}
		topics = append(topics, t.Value)
	}
	return topics, nil
}

func providerOf(n *yaml.Node) Provider {
	return Provider{Name: str(get(n, "name")), Domain: str(get(n, "domain"))}
}

func imagesOf(n *yaml.Node) []Image {
	var out []Image
	for _, it := range items(n) {
		out = append(out, Image{
			URL:      str(get(it, "url")),
			Width:    num(get(it, "width")),
			Height:   num(get(it, "height")),
			IsCached: flag(get(it, "isCached")),
		})
	}
	return out
}

func relatedOf(n *yaml.Node) []Related {
	var out []Related
	for _, it := range items(n) {
		out = append(out, Related{
			Title:       str(get(it, "title")),
			Excerpt:     str(get(it, "excerpt")),
			PublishedAt: timeOf(get(it, "publishedDateTime")),
			WebURL:      str(get(it, "webUrl")),
			Type:        str(get(it, "type")),
			Provider:    providerOf(get(it, "provider")),
			Quality:     num(get(it, "quality")),
		})
	}
	return out
}

// The lenient readers below serve keys the design does not validate: a value
// of an unexpected shape reads as the zero value instead of failing import.

func items(n *yaml.Node) []*yaml.Node {
	if n = deref(n); n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func str(n *yaml.Node) string {
	if n = deref(n); n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

func num(n *yaml.Node) int {
	if v, ok := intOf(deref(n)); ok && v >= -int64(maxInt) && v <= int64(maxInt) {
		return int(v)
	}
	return 0
}

func flag(n *yaml.Node) bool {
	b, _ := boolOf(deref(n))
	return b
}

func timeOf(n *yaml.Node) time.Time {
	t, err := time.Parse(time.RFC3339, str(n))
	if err != nil {
		return time.Time{}
	}
	return t
}

// get finds key in mapping m (through an alias), then in its merge keys
// ("<<"), with yaml.v3's precedence: the mapping's own keys win, then the
// merged mappings in order.
func get(m *yaml.Node, key string) *yaml.Node {
	_, v := lookupDepth(m, key, 0)
	return v
}

// lookup is get returning the key node too.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	return lookupDepth(m, key, 0)
}

// maxMergeDepth bounds merge chains; checkTree has refused cycles already.
const maxMergeDepth = 32

func lookupDepth(m *yaml.Node, key string, depth int) (k, v *yaml.Node) {
	if m = deref(m); m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth {
		return nil, nil
	}
	var merges *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; isMerge(k) {
			merges = m.Content[i+1]
		} else if k.Kind == yaml.ScalarNode && k.Value == key {
			return k, m.Content[i+1]
		}
	}
	if merges = deref(merges); merges == nil {
		return nil, nil
	}
	if merges.Kind != yaml.SequenceNode {
		return lookupDepth(merges, key, depth+1)
	}
	for _, src := range merges.Content {
		if k, v := lookupDepth(src, key, depth+1); v != nil {
			return k, v
		}
	}
	return nil, nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "" || k.Tag == "!" || k.ShortTag() == "!!merge")
}

func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

func isStr(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

func intOf(n *yaml.Node) (int64, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, false
	}
	if decimalRE.MatchString(n.Value) {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		return v, err == nil
	}
	var v int64 // other notations (010, 0x1F, 0o17, 1_000): read them as YAML does
	if err := n.Decode(&v); err != nil {
		return 0, false
	}
	return v, true
}

func boolOf(n *yaml.Node) (bool, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return false, false
	}
	switch n.Value {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	var b bool // an explicit !!bool tag on other text
	if err := n.Decode(&b); err != nil {
		return false, false
	}
	return b, true
}

// describe names a value for an error message: 150, string "yes", a list.
func describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case n.ShortTag() == "!!null":
		return "null"
	case n.ShortTag() == "!!str":
		return "string " + strconv.Quote(clip(n.Value, 40))
	}
	return clip(n.Value, 40)
}

func clip(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
