package article

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ErrCannotPatch is wrapped by Patch errors that come from the file's shape
// (an anchored value used elsewhere, a style Patch does not rewrite) rather
// than from invalid input.
var ErrCannotPatch = errors.New("cannot patch")

// Patch writes the editor's values into the original bytes of an article.
// Only the text of the edited keys' values changes; a key the file lacks is
// added at the end of the front matter. Every other byte, the BOM, the line
// endings and a missing final newline stay as they were, and a value already
// equal to the new one is left untouched. The result is parsed again and
// compared with the input before it is returned, so a file Patch cannot
// handle yields an error, never a corrupted file.
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
	p := &patcher{raw: raw, d: d, ix: newLineIndex(raw, d.layout), eol: "\n"}
	if d.crlf {
		p.eol = "\r\n"
	}
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
	if err != nil {
		return nil, err
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

func checkChanges(c Changes) error {
	if c.Quality != nil && (*c.Quality < MinQuality || *c.Quality > MaxQuality) {
		return fmt.Errorf("patch: quality must be from %d to %d, got %d", MinQuality, MaxQuality, *c.Quality)
	}
	for i, t := range c.Topics {
		if !utf8.ValidString(t) {
			return fmt.Errorf("patch: topic %d is not valid UTF-8", i+1)
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
		return p.insert(key + ": " + text + p.eol)
	}
	if err := p.checkAnchors(key, v); err != nil {
		return err
	}
	start, end, err := p.tokenSpan(v)
	if err != nil {
		return err
	}
	p.edits = append(p.edits, edit{start: start, end: end, text: text})
	return nil
}

// insert adds lines for an absent key at the end of the front matter, with
// the indentation of the top-level keys, where no value can swallow them.
func (p *patcher) insert(lines string) error {
	if p.d.root.Style&yaml.FlowStyle != 0 {
		return cannot("the front matter is a flow mapping {...}; keys cannot be added to it")
	}
	indent := p.rootIndent()
	lines = indent + strings.ReplaceAll(lines, p.eol, p.eol+indent)
	lines = strings.TrimSuffix(lines, indent)
	p.edits = append(p.edits, edit{p.d.fmEnd, p.d.fmEnd, lines, true})
	return nil
}

func (p *patcher) rootIndent() string {
	if len(p.d.root.Content) == 0 {
		return ""
	}
	return strings.Repeat(" ", p.d.root.Content[0].Column-1)
}

// checkAnchors refuses to replace a value holding an anchor that an alias
// outside it refers to: rewriting it would change or break that other value.
func (p *patcher) checkAnchors(key string, v *yaml.Node) error {
	anchored := map[*yaml.Node]bool{}
	forEach(v, nil, func(n *yaml.Node) {
		if n.Anchor != "" {
			anchored[n] = true
		}
	})
	if len(anchored) == 0 {
		return nil
	}
	var user *yaml.Node
	forEach(p.d.root, v, func(n *yaml.Node) {
		if user == nil && n.Kind == yaml.AliasNode && anchored[n.Alias] {
			user = n
		}
	})
	if user != nil {
		return cannot("the %s value defines anchor &%s, which the alias on line %d uses; edit that file by hand",
			key, user.Value, user.Line+fmLineOffset)
	}
	return nil
}

// forEach visits n and its descendants, except the subtree skip, without
// following aliases.
func forEach(n, skip *yaml.Node, f func(*yaml.Node)) {
	if n == skip {
		return
	}
	f(n)
	for _, c := range n.Content {
		forEach(c, skip, f)
	}
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
	}
	return 0, cannot("value on line %d spans lines in a way Patch does not rewrite", v.Line+fmLineOffset)
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
	flowRoot := p.d.root.Style&yaml.FlowStyle != 0
	if k == nil {
		if len(topics) == 0 {
			return nil
		}
		return p.insert("topics:" + p.eol + p.blockItems(p.seqIndent(), topics))
	}
	if err := p.checkAnchors("topics", v); err != nil {
		return err
	}
	switch {
	case v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0:
		return p.replaceBlock(k, v, topics)
	case v.Kind != yaml.SequenceNode && v.Kind != yaml.AliasNode:
		return cannot("topics on line %d is not a list", v.Line+fmLineOffset)
	}
	start, end, err := p.inlineSpan(v)
	if err != nil {
		return err
	}
	emptyBefore := v.Kind == yaml.AliasNode || len(v.Content) == 0
	if len(topics) > 0 && emptyBefore && !flowRoot && p.ix.lineOf(start) == k.Line {
		return p.toBlock(start, end, topics)
	}
	p.edits = append(p.edits, edit{start: start, end: end, text: flowList(topics)})
	return nil
}

// inlineSpan is the byte range of an alias or a flow list: from its first
// character to the end of its last item, then past blanks and comments to
// the closing bracket.
func (p *patcher) inlineSpan(v *yaml.Node) (start, end int, err error) {
	if v.Kind == yaml.AliasNode {
		return p.tokenSpan(v)
	}
	pos, ok := p.ix.offset(p.raw, v.Line, v.Column)
	if !ok {
		return 0, 0, cannot("topics position outside the front matter")
	}
	start = p.skipProps(pos)
	if p.raw[start] != '[' {
		return 0, 0, cannot("topics list on line %d not found", v.Line+fmLineOffset)
	}
	end = start + 1
	if n := len(v.Content); n > 0 {
		if _, end, err = p.tokenSpan(v.Content[n-1]); err != nil {
			return 0, 0, err
		}
	}
	end = p.skipBlank(end)
	if end < p.ix.end && p.raw[end] == ',' { // a trailing comma is allowed
		end = p.skipBlank(end + 1)
	}
	if end >= p.ix.end || p.raw[end] != ']' {
		return 0, 0, cannot("end of the topics list on line %d not found", v.Line+fmLineOffset)
	}
	return start, end + 1, nil
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

func flowList(topics []string) string {
	enc := make([]string, len(topics))
	for i, t := range topics {
		enc[i] = encodeString(t, true)
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
// unchanged. It guards against the cases the position arithmetic above
// gets wrong, so they fail loudly instead of exporting a damaged file.
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
	}
	old, now := d.root.Content, d2.root.Content
	for i := 0; i+1 < len(old); i += 2 {
		if editable[old[i].Value] {
			continue
		}
		if j := indexOfKey(now, old[i]); j < 0 || !sameNode(old[i+1], now[j+1]) {
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

// sameNode compares values, ignoring positions and comments. Aliases are
// compared by name: checkAnchors makes sure their anchors did not move.
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Style != b.Style || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
