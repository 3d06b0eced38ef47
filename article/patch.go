package article

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrCannotPatch is wrapped by Patch errors that come from the file's shape
// (a block scalar quality, an aliased value with no one-line copy, a result
// that would not read back as asked) rather than from invalid input.
var ErrCannotPatch = errors.New("cannot patch")

// Patch writes the editor's values into the original bytes of an article.
// Only the text of the edited keys' values changes; a key the file lacks is
// added at the end of the front matter, in the mapping's own style (a line
// for a block mapping; a member with a comma for a flow mapping or a JSON
// object, whose keys and topics are then written as JSON). Every other byte,
// the BOM, the line endings and a missing final newline stay as they were,
// and a value already equal to the new one is left untouched (raw itself is
// returned when nothing changes).
//
// An alias elsewhere in the file that refers to an anchor inside an edited
// value keeps its old value: the alias is replaced by a copy of that value
// (see keepAliases). An alias that is itself the edited value is replaced.
//
// The result is parsed again and compared with the input before it is
// returned (see verify), so a file Patch cannot handle yields an error
// wrapping ErrCannotPatch, never a corrupted file. Invalid changes (a
// quality CheckQuality refuses, a topic CheckTopic refuses, more topics than
// CheckTopicCount allows) and a raw file Parse refuses yield other errors.
func Patch(raw []byte, c Changes) ([]byte, error) {
	if c.IsZero() {
		return raw, nil
	}
	if err := checkChanges(c); err != nil {
		return nil, err
	}
	a, d, err := parse("", raw)
	if err != nil {
		return nil, fmt.Errorf("patch: %w", err)
	}
	p := newPatcher(raw, d)
	want := expected(a, c)
	if c.Quality != nil && (!a.HasQuality || a.Quality != *c.Quality) {
		err = p.setScalar("quality", strconv.Itoa(*c.Quality))
	}
	if err == nil && c.Published != nil && a.Published != *c.Published {
		err = p.setScalar("published", strconv.FormatBool(*c.Published))
	}
	if err == nil && c.SetTopics && !slices.Equal(a.Topics, c.Topics) {
		err = p.setTopics(c.Topics)
	}
	if err == nil {
		err = p.addKeys()
	}
	if err != nil {
		return nil, err
	}
	if len(p.edits) == 0 {
		return raw, nil
	}
	out, err := p.apply()
	if err != nil {
		return nil, err
	}
	if err := verify(d, raw, out, want); err != nil {
		return nil, err
	}
	return out, nil
}

// checkChanges applies the rules of the review form (CheckQuality,
// CheckTopic, CheckTopicCount) to the values to write: a value import would
// refuse is an invalid change, not a shape of the file Patch cannot handle.
func checkChanges(c Changes) error {
	if c.Quality != nil {
		if err := CheckQuality(*c.Quality); err != nil {
			return fmt.Errorf("patch: %w", err)
		}
	}
	if !c.SetTopics {
		return nil
	}
	if err := CheckTopicCount(len(c.Topics)); err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	for i, t := range c.Topics {
		if err := CheckTopic(t); err != nil {
			return fmt.Errorf("patch: topic %d: %w", i+1, err)
		}
	}
	return nil
}

// patcher collects byte edits against the original file.
type patcher struct {
	raw   []byte
	d     *doc
	ix    lineIndex
	eol   string
	edits []edit
	added []member // keys the file lacks, written by addKeys
	flow  bool     // the front matter is a flow mapping {...}
	json  bool     // ... whose keys are all double-quoted: write JSON
	spent int      // bytes of alias copies written so far (see maxCopyBytes)
}

// member is a key to add, as a flow mapping member value and as block lines.
type member struct {
	key, flow, block string
}

func newPatcher(raw []byte, d *doc) *patcher {
	p := &patcher{raw: raw, d: d, ix: newLineIndex(raw, d.layout), eol: "\n"}
	if d.crlf {
		p.eol = "\r\n"
	}
	p.flow = d.root.Style&yaml.FlowStyle != 0
	p.json = p.flow && allKeysQuoted(d.root, yaml.DoubleQuotedStyle)
	return p
}

// edit replaces raw[start:end] with text; start == end inserts. Added keys
// (after) go behind other edits at the same offset, so a list that ends the
// front matter keeps its items before them.
type edit struct {
	start, end int
	text       string
	after      bool
}

func cannot(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCannotPatch}, args...)...)
}

// pair finds key among the top-level keys themselves; a value that only
// comes from a merge key ("<<") is overridden by adding the key instead.
func (p *patcher) pair(key string) (k, v *yaml.Node) {
	m := p.d.root.Content
	for i := 0; i+1 < len(m); i += 2 {
		if !isMerge(m[i]) && m[i].Value == key {
			return m[i], m[i+1]
		}
	}
	return nil, nil
}

func (p *patcher) setScalar(key, text string) error {
	k, v := p.pair(key)
	if k == nil {
		p.added = append(p.added, member{key, text, key + ": " + text + p.eol})
		return nil
	}
	if err := p.keepAliases(v); err != nil {
		return err
	}
	start, end, err := p.tokenSpan(v)
	if err != nil {
		return err
	}
	p.edits = append(p.edits, edit{start: start, end: end, text: text})
	return nil
}

// addKeys writes the keys the file lacks at the end of the front matter:
// as members of a flow mapping (addFlowMembers), or as lines with the
// indentation of the top-level keys, where no value can swallow them.
func (p *patcher) addKeys() error {
	if len(p.added) == 0 {
		return nil
	}
	if p.flow {
		return p.addFlowMembers()
	}
	indent := p.rootIndent()
	for _, m := range p.added {
		lines := indent + strings.ReplaceAll(m.block, p.eol, p.eol+indent)
		lines = strings.TrimSuffix(lines, indent)
		p.edits = append(p.edits, edit{p.d.fmEnd, p.d.fmEnd, lines, true})
	}
	return nil
}

func (p *patcher) rootIndent() string {
	if len(p.d.root.Content) == 0 {
		return ""
	}
	return strings.Repeat(" ", p.d.root.Content[0].Column-1)
}

// tokenSpan is the byte range of a scalar or alias value, after its anchor
// and tag, which stay in place.
func (p *patcher) tokenSpan(v *yaml.Node) (start, end int, err error) {
	pos, ok := p.ix.offset(p.raw, v.Line, v.Column)
	if !ok {
		return 0, 0, cannot("position of line %d is outside the front matter", v.Line+fmLineOffset)
	}
	if v.Kind == yaml.AliasNode {
		end = pos + 1 + len(v.Value)
		if p.raw[pos] != '*' || end > p.ix.end {
			return 0, 0, cannot("alias on line %d not found", v.Line+fmLineOffset)
		}
		return pos, end, nil
	}
	start = p.skipProps(pos)
	end, err = p.scalarEnd(v, start)
	return start, end, err
}

// scalarEnd finds where a scalar that starts at s ends: quoted scalars end
// at their closing quote, plain ones must sit on one line. Block scalars and
// multi-line plain scalars are not rewritten.
func (p *patcher) scalarEnd(v *yaml.Node, s int) (int, error) {
	switch {
	case v.Kind != yaml.ScalarNode:
		return 0, cannot("value on line %d is not a scalar", v.Line+fmLineOffset)
	case v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if e, ok := quotedEnd(p.raw[:p.ix.end], s); ok {
			return e, nil
		}
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, cannot("value on line %d is a block scalar", v.Line+fmLineOffset)
	default:
		if e := s + len(v.Value); e <= p.ix.end && string(p.raw[s:e]) == v.Value {
			return e, nil
		}
		if e, ok := foldedEnd(p.raw[:p.ix.end], s, v.Value); ok {
			return e, nil
		}
	}
	return 0, cannot("value on line %d spans lines in a way Patch does not rewrite", v.Line+fmLineOffset)
}

// foldedEnd returns the offset after a plain scalar that spans lines and
// starts at s. YAML folds such a scalar's line breaks and the blanks around
// them into a space or newlines (YAML 1.2, 7.3.3 and 6.5), so value and
// source agree character for character except that each run of blanks and
// breaks in one is such a run in the other. A plain scalar never ends in a
// blank, so the match ends right after its last character.
func foldedEnd(b []byte, s int, value string) (int, bool) {
	i, j := s, 0
	for j < len(value) {
		if isBlank(value[j]) {
			if i >= len(b) || !isBlank(b[i]) {
				return 0, false
			}
			for j < len(value) && isBlank(value[j]) {
				j++
			}
			for i < len(b) && isBlank(b[i]) {
				i++
			}
			continue
		}
		if i >= len(b) || b[i] != value[j] {
			return 0, false
		}
		i, j = i+1, j+1
	}
	return i, j > 0
}

// quotedEnd returns the offset after the quoted scalar that starts at s.
func quotedEnd(b []byte, s int) (int, bool) {
	if s >= len(b) || (b[s] != '"' && b[s] != '\'') {
		return 0, false
	}
	q := b[s]
	for i := s + 1; i < len(b); i++ {
		switch {
		case q == '"' && b[i] == '\\':
			i++
		case b[i] == q && q == '\'' && i+1 < len(b) && b[i+1] == '\'':
			i++ // '' is an escaped quote
		case b[i] == q:
			return i + 1, true
		}
	}
	return 0, false
}

// skipProps moves past an anchor (&a) and a tag (!t) and the blanks,
// comments and line breaks after them, to the value itself.
func (p *patcher) skipProps(pos int) int {
	end := p.propsEnd(pos)
	if end == pos {
		return pos
	}
	return p.skipBlank(end)
}

// propsEnd is the offset after the anchor and tag at pos (pos when none).
func (p *patcher) propsEnd(pos int) int {
	b := p.raw[:p.ix.end]
	end := pos
	for i := pos; i < len(b) && (b[i] == '&' || b[i] == '!'); {
		for i < len(b) && !isBlank(b[i]) {
			i++
		}
		end = i
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
	}
	return end
}

// skipBlank skips spaces, tabs, line breaks and comments.
func (p *patcher) skipBlank(i int) int {
	b := p.raw[:p.ix.end]
	for i < len(b) {
		switch {
		case isBlank(b[i]):
			i++
		case b[i] == '#':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// setTopics rewrites the topics value in the style the file uses: a flow
// list stays a flow list, a block list keeps its indentation, and an empty
// [] (or an alias) that gets topics becomes a block list indented like the
// file's other block lists.
func (p *patcher) setTopics(topics []string) error {
	k, v := p.pair("topics")
	if k == nil {
		if len(topics) > 0 {
			p.added = append(p.added, member{"topics", p.flowList(topics), "topics:" + p.eol + p.blockItems(p.seqIndent(), topics)})
		}
		return nil
	}
	if err := p.keepAliases(v); err != nil {
		return err
	}
	switch {
	case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0:
		return p.replaceBlock(k, v, topics)
	case v.Kind != yaml.SequenceNode && v.Kind != yaml.AliasNode:
		return cannot("topics on line %d is not a list", v.Line+fmLineOffset)
	}
	start, end, err := p.nodeSpan(v)
	if err != nil {
		return err
	}
	emptyBefore := v.Kind == yaml.AliasNode || len(v.Content) == 0
	if len(topics) > 0 && emptyBefore && !p.flow && p.ix.lineOf(start) == k.Line {
		return p.toBlock(start, end, topics)
	}
	p.edits = append(p.edits, edit{start: start, end: end, text: p.flowList(topics)})
	return nil
}

// toBlock turns "topics: []" into a block list: the inline value goes (with
// the blanks before it; a comment after it stays), the items follow the line.
func (p *patcher) toBlock(start, end int, topics []string) error {
	for start > 0 && (p.raw[start-1] == ' ' || p.raw[start-1] == '\t') {
		start--
	}
	after := p.ix.lineEnd(p.ix.lineOf(end - 1))
	indent := p.rootIndent() + p.seqIndent()
	p.edits = append(p.edits, edit{start: start, end: end}, edit{start: after, end: after, text: p.blockItems(indent, topics)})
	return nil
}

// replaceBlock replaces exactly the lines of a block list's items. Lines
// before the first item (the key line, comments) and blank or comment lines
// after the last item stay; they belong to the key line or to what follows.
func (p *patcher) replaceBlock(k, v *yaml.Node, topics []string) error {
	pos, ok := p.ix.offset(p.raw, v.Line, v.Column)
	if !ok {
		return cannot("topics position outside the front matter")
	}
	dash := p.skipProps(pos)
	if dash >= p.ix.end || p.raw[dash] != '-' {
		return cannot("first topic of the list on line %d not found", v.Line+fmLineOffset)
	}
	from := p.ix.lineStart(p.ix.lineOf(dash))
	indent := string(p.raw[from:dash])
	if strings.Trim(indent, " ") != "" {
		return cannot("topics list on line %d does not start its own line", v.Line+fmLineOffset)
	}
	to, err := p.blockEnd(k, v, len(indent))
	if err != nil {
		return err
	}
	if len(topics) > 0 {
		p.edits = append(p.edits, edit{start: from, end: to, text: p.blockItems(indent, topics)})
		return nil
	}
	// No topics: "topics: []" on the key line, after the anchor or tag if any.
	at := p.propsEnd(pos)
	if at == pos {
		if at, err = p.colonEnd(k); err != nil {
			return err
		}
	}
	p.edits = append(p.edits, edit{start: at, end: at, text: " []"}, edit{start: from, end: to})
	return nil
}

// blockEnd is the offset after the last line of a block list: the line of
// its last item when that item is a scalar or alias Patch can measure;
// otherwise (block scalars, multi-line plain scalars) the lines up to the
// next key, less the blank lines and the comment lines no deeper than the
// dashes that end them: a deeper "#" line is text of a block scalar.
func (p *patcher) blockEnd(k, v *yaml.Node, dashIndent int) (int, error) {
	last := v.Content[len(v.Content)-1]
	if _, end, err := p.tokenSpan(last); err == nil {
		return p.ix.lineEnd(p.ix.lineOf(end - 1)), nil
	}
	end := p.ix.end
	for i, c := range p.d.root.Content {
		if c == k && i+2 < len(p.d.root.Content) {
			next := p.d.root.Content[i+2]
			if next.Line < 1 || next.Line >= len(p.ix.starts) {
				return 0, cannot("key after topics not found")
			}
			end = p.ix.lineStart(next.Line)
		}
	}
	lastStart, _ := p.ix.offset(p.raw, last.Line, last.Column)
	for l := p.ix.lineOf(end - 1); end > lastStart && p.ix.lineStart(l) > lastStart; l-- {
		line := string(p.raw[p.ix.lineStart(l):p.ix.lineEnd(l)])
		text := strings.TrimLeft(line, " ")
		blank := strings.TrimSpace(text) == ""
		if !blank && (!strings.HasPrefix(text, "#") || len(line)-len(text) > dashIndent) {
			break
		}
		end = p.ix.lineStart(l)
	}
	return end, nil
}

// colonEnd is the offset after the ':' that follows key k.
func (p *patcher) colonEnd(k *yaml.Node) (int, error) {
	_, end, err := p.tokenSpan(k)
	if err != nil {
		return 0, err
	}
	for end < p.ix.end && (p.raw[end] == ' ' || p.raw[end] == '\t') {
		end++
	}
	if end >= p.ix.end || p.raw[end] != ':' {
		return 0, cannot("':' after key %q on line %d not found", k.Value, k.Line+fmLineOffset)
	}
	return end + 1, nil
}

// seqIndent is how far the file indents block lists under their key,
// learnt from its other top-level block lists; two spaces when it has none.
func (p *patcher) seqIndent() string {
	m := p.d.root.Content
	for i := 0; i+1 < len(m); i += 2 {
		k, v := m[i], m[i+1]
		if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && v.Anchor == "" &&
			v.Style&yaml.TaggedStyle == 0 && v.Line > k.Line && v.Column >= k.Column {
			return strings.Repeat(" ", v.Column-k.Column)
		}
	}
	return "  "
}

func (p *patcher) blockItems(indent string, topics []string) string {
	var b strings.Builder
	for _, t := range topics {
		b.WriteString(indent + "- " + encodeString(t, false) + p.eol)
	}
	return b.String()
}

// flowList writes topics as a flow list: JSON strings in a JSON front
// matter, else each quoted only where YAML needs it (encodeString).
func (p *patcher) flowList(topics []string) string {
	enc := make([]string, len(topics))
	for i, t := range topics {
		if p.json {
			enc[i] = jsonString(t)
		} else {
			enc[i] = encodeString(t, true)
		}
	}
	return "[" + strings.Join(enc, ", ") + "]"
}

// apply merges the edits into a copy of the original bytes.
func (p *patcher) apply() ([]byte, error) {
	sort.SliceStable(p.edits, func(i, j int) bool {
		a, b := p.edits[i], p.edits[j]
		return a.start < b.start || a.start == b.start && !a.after && b.after
	})
	var out bytes.Buffer
	out.Grow(len(p.raw) + 256)
	at := 0
	for _, e := range p.edits {
		if e.start < at || e.end < e.start {
			return nil, cannot("overlapping edits")
		}
		out.Write(p.raw[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(p.raw[at:])
	return out.Bytes(), nil
}

// want is what the patched file must say.
type want struct {
	quality    int
	hasQuality bool
	published  bool
	topics     []string
}

func expected(a *Article, c Changes) want {
	w := want{a.Quality, a.HasQuality, a.Published, a.Topics}
	if c.Quality != nil {
		w.quality, w.hasQuality = *c.Quality, true
	}
	if c.Published != nil {
		w.published = *c.Published
	}
	if c.SetTopics {
		w.topics = c.Topics
	}
	return w
}

// editable are the keys Patch may change; verify compares all others.
var editable = map[string]bool{"quality": true, "topics": true, "published": true}

// verify parses the result and checks it says what was asked, with every
// other top-level value, the bytes before the front matter and the body
// unchanged, and a JSON front matter still JSON. It guards against the cases
// the position arithmetic above gets wrong, so they fail loudly instead of
// exporting a damaged file.
func verify(d *doc, raw, out []byte, w want) error {
	a, d2, err := parse("", out)
	if err != nil {
		return cannot("the patched file does not parse (%v)", err)
	}
	switch {
	case a.Quality != w.quality || a.HasQuality != w.hasQuality:
		return cannot("quality reads %d after patching", a.Quality)
	case a.Published != w.published:
		return cannot("published reads %t after patching", a.Published)
	case !slices.Equal(a.Topics, w.topics):
		return cannot("topics read %q after patching", a.Topics)
	case !bytes.Equal(raw[:d.fmStart], out[:d2.fmStart]) || !bytes.Equal(raw[d.fmEnd:], out[d2.fmEnd:]):
		return cannot("the fences or the body changed")
	case d.root.Style&yaml.FlowStyle != 0 && json.Valid(raw[d.fmStart:d.fmEnd]) && !json.Valid(out[d2.fmStart:d2.fmEnd]):
		return cannot("the front matter is JSON and would no longer be")
	}
	old, now := d.root.Content, d2.root.Content
	cmp := comparer{}
	for i := 0; i+1 < len(old); i += 2 {
		if editable[old[i].Value] {
			continue
		}
		if j := indexOfKey(now, old[i]); j < 0 || !cmp.same(old[i+1], now[j+1]) {
			return cannot("key %q changed while patching", old[i].Value)
		}
	}
	for i := 0; i+1 < len(now); i += 2 {
		if !editable[now[i].Value] && indexOfKey(old, now[i]) < 0 {
			return cannot("key %q appeared while patching", now[i].Value)
		}
	}
	return nil
}

func indexOfKey(m []*yaml.Node, k *yaml.Node) int {
	for i := 0; i+1 < len(m); i += 2 {
		if m[i].Kind == k.Kind && m[i].Value == k.Value {
			return i
		}
	}
	return -1
}

// comparer compares values before and after patching.
type comparer struct {
	seen map[[2]*yaml.Node]bool // alias targets already compared
}

// same compares values as written, ignoring positions and comments: kind,
// tag, text, anchor and style must match. An alias must still be an alias
// of the same name to a value that is the same, or (where keepAliases copied
// the value in) a node without anchor that decodes to what the alias
// decoded to.
func (c *comparer) same(a, b *yaml.Node) bool {
	if a.Kind == yaml.AliasNode && b.Kind != yaml.AliasNode {
		return b.Anchor == "" && sameDecoded(a.Alias, b)
	}
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Style != b.Style || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.AliasNode {
		pair := [2]*yaml.Node{a.Alias, b.Alias}
		if c.seen[pair] {
			return true
		}
		if c.seen == nil {
			c.seen = map[[2]*yaml.Node]bool{}
		}
		c.seen[pair] = true
		return a.Alias != nil && b.Alias != nil && c.same(a.Alias, b.Alias)
	}
	for i := range a.Content {
		if !c.same(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// sameDecoded reports whether two nodes decode (with yaml.v3, into Go
// values) to equal values.
func sameDecoded(a, b *yaml.Node) bool {
	var va, vb any
	if a == nil || a.Decode(&va) != nil || b.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
