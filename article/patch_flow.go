package article

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Flow mappings: a front matter written as {...}, one JSON object among
// them. Keys are added as members in the mapping's own layout, and a JSON
// object stays JSON (verify checks that).

// nodeSpan is the byte range of a scalar, an alias or a flow collection,
// after its anchor and tag: a flow collection runs from its opening bracket
// past its last item, blanks, comments and a trailing comma to its closing
// bracket. A block collection is refused: it has no end of its own.
func (p *patcher) nodeSpan(v *yaml.Node) (start, end int, err error) {
	if v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode {
		return p.tokenSpan(v)
	}
	if v.Style&yaml.FlowStyle == 0 {
		return 0, 0, cannot("the list or mapping on line %d is not in flow style", v.Line+fmLineOffset)
	}
	open, closer := byte('['), byte(']')
	if v.Kind == yaml.MappingNode {
		open, closer = '{', '}'
	}
	pos, ok := p.ix.offset(p.raw, v.Line, v.Column)
	if !ok {
		return 0, 0, cannot("position of line %d is outside the front matter", v.Line+fmLineOffset)
	}
	start = p.skipProps(pos)
	if start >= p.ix.end || p.raw[start] != open {
		return 0, 0, cannot("%q of the value on line %d not found", open, v.Line+fmLineOffset)
	}
	end = start + 1
	if n := len(v.Content); n > 0 {
		if _, end, err = p.nodeSpan(v.Content[n-1]); err != nil {
			return 0, 0, err
		}
	}
	end = p.skipBlank(end)
	if end < p.ix.end && p.raw[end] == ',' { // a trailing comma is allowed
		end = p.skipBlank(end + 1)
	}
	if end >= p.ix.end || p.raw[end] != closer {
		return 0, 0, cannot("%q closing the value on line %d not found", closer, v.Line+fmLineOffset)
	}
	return start, end + 1, nil
}

// addFlowMembers adds p.added to the flow mapping at the root, after its
// last member. The layout follows the mapping's own:
//   - all on one line: ", key: value" after the last value;
//   - the closing "}" on a line of its own: one line per member before it,
//     indented like the other members, with a comma after the last value (and
//     after each new member when the file ends its members with commas);
//   - otherwise: ",", a line break and the member after the last value.
//
// Keys are quoted as the file's keys all are (double quotes in JSON).
func (p *patcher) addFlowMembers() error {
	m := p.d.root.Content
	if len(m) < 2 {
		return cannot("the front matter is an empty flow mapping")
	}
	lastK, lastV := m[len(m)-2], m[len(m)-1]
	vEnd, pad, err := p.memberEnd(lastK, lastV)
	if err != nil {
		return err
	}
	z, comma := p.skipBlank(vEnd), false
	if z < p.ix.end && p.raw[z] == ',' {
		z, comma = p.skipBlank(z+1), true
	}
	if z >= p.ix.end || p.raw[z] != '}' {
		return cannot("the '}' that closes the front matter was not found")
	}
	pos, _ := p.ix.offset(p.raw, p.d.root.Line, p.d.root.Column)
	openLine, closeLine := p.ix.lineOf(p.skipProps(pos)), p.ix.lineOf(z)
	members := make([]string, len(p.added))
	for i, a := range p.added {
		members[i] = p.flowKey(a.key) + p.keySep() + a.flow
	}
	switch {
	case openLine == closeLine:
		sep := p.memberSep()
		p.edits = append(p.edits, edit{vEnd, vEnd, pad + "," + sep + strings.Join(members, ","+sep), true})
	case closeLine > p.ix.lineOf(vEnd-1) && strings.Trim(string(p.raw[p.ix.lineStart(closeLine):z]), " \t") == "":
		indent := p.memberIndent()
		text := indent + strings.Join(members, ","+p.eol+indent)
		if comma {
			text += ","
		} else {
			p.edits = append(p.edits, edit{vEnd, vEnd, pad + ",", true})
		}
		at := p.ix.lineStart(closeLine)
		p.edits = append(p.edits, edit{at, at, text + p.eol, true})
	default:
		indent := p.memberIndent()
		text := pad + "," + p.eol + indent + strings.Join(members, ","+p.eol+indent)
		p.edits = append(p.edits, edit{vEnd, vEnd, text, true})
	}
	return nil
}

// memberEnd is the offset after a flow mapping member, and what a comma
// written there needs before it: after its value; for an empty value, as in
// {a: }, after the ':' and the blank after it, or after the ':' with a blank
// to write when none follows it ("a:," is one plain scalar to yaml.v3); for
// a key without value, as in {a}, after the key.
func (p *patcher) memberEnd(k, v *yaml.Node) (end int, pad string, err error) {
	start, end, err := p.nodeSpan(v)
	if err != nil || start < end {
		return end, "", err
	}
	c, err := p.colonEnd(k)
	switch {
	case err != nil:
		_, end, err = p.tokenSpan(k)
		return end, "", err
	case c < p.ix.end && (p.raw[c] == ' ' || p.raw[c] == '\t'):
		return c + 1, "", nil
	}
	return c, " ", nil
}

// memberIndent is the indentation of a new member line: the blanks before
// the last key that starts its line, else spaces up to the first key's
// column.
func (p *patcher) memberIndent() string {
	m := p.d.root.Content
	for i := len(m) - 2; i >= 0; i -= 2 {
		pos, ok := p.ix.offset(p.raw, m[i].Line, m[i].Column)
		if !ok {
			continue
		}
		if lead := string(p.raw[p.ix.lineStart(m[i].Line):pos]); strings.Trim(lead, " \t") == "" {
			return lead
		}
	}
	return strings.Repeat(" ", m[0].Column-1)
}

// memberSep is what follows the commas between the members of a one-line
// flow mapping: the blanks after the first member's comma, " " when none.
func (p *patcher) memberSep() string {
	m := p.d.root.Content
	if len(m) < 4 {
		return " "
	}
	end, _, err := p.memberEnd(m[0], m[1])
	if err != nil {
		return " "
	}
	c := p.skipBlank(end)
	next, ok := p.ix.offset(p.raw, m[2].Line, m[2].Column)
	if c >= next || p.raw[c] != ',' || !ok {
		return " "
	}
	if sep := string(p.raw[c+1 : next]); strings.Trim(sep, " ") == "" {
		return sep
	}
	return " "
}

// keySep is the text between a key and its value: the file's own (as in
// "quality":61), taken from the last member with a value on the key's
// line, when quoted keys make it safe; else ": ".
func (p *patcher) keySep() string {
	if p.flowKey("k") == "k" { // "k:1" would be one plain scalar
		return ": "
	}
	m := p.d.root.Content
	for i := len(m) - 2; i >= 0; i -= 2 {
		_, kEnd, err := p.tokenSpan(m[i])
		pos, ok := p.ix.offset(p.raw, m[i+1].Line, m[i+1].Column)
		if err != nil || !ok || pos <= kEnd {
			continue
		}
		if start, end, err := p.nodeSpan(m[i+1]); err != nil || start == end {
			continue
		}
		if sep := string(p.raw[kEnd:pos]); strings.Count(sep, ":") == 1 && strings.Trim(sep, " :") == "" {
			return sep
		}
	}
	return ": "
}

// flowKey writes a new key of the flow mapping at the root quoted the way
// all the other keys are, plain otherwise. Merge keys ("<<") do not count.
func (p *patcher) flowKey(key string) string {
	switch {
	case p.json:
		return jsonString(key)
	case allKeysQuoted(p.d.root, yaml.SingleQuotedStyle):
		return "'" + key + "'"
	}
	return key
}

// allKeysQuoted reports whether every key of m but merge keys has style.
func allKeysQuoted(m *yaml.Node, style yaml.Style) bool {
	n := 0
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if isMerge(k) {
			continue
		}
		if k.Style&style == 0 {
			return false
		}
		n++
	}
	return n > 0
}

// jsonString writes s as a JSON string (RFC 8259, section 7) that YAML
// reads back as s too: YAML's double-quoted scalars take the same escapes.
// Characters YAML wants escaped (controls, U+2028, U+2029, BOM,
// non-characters) get \uXXXX, the one escape both languages share.
func jsonString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case escapeRune(r) != "":
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
