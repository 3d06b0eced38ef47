package article

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Anchors inside an edited value that aliases elsewhere refer to: the
// aliases are replaced by copies of the values they stand for, so they keep
// those values when the anchored value is rewritten. An alias refers to the
// closest anchor of its name before it (YAML 1.2, section 7.1); yaml.v3's
// Node.Alias already points there, so a name defined twice is no trap.

// maxCopyBytes bounds the text written in place of aliases in one Patch: a
// file that aliases a large value many times is refused, not blown up.
const maxCopyBytes = 1 << 20

// keepAliases replaces every alias outside v that refers to an anchor in v
// (v's own or one inside it) with a copy of its value. The anchors stay
// where they are. A value the copy cannot reproduce is refused with an
// error wrapping ErrCannotPatch.
func (p *patcher) keepAliases(v *yaml.Node) error {
	anchored := map[*yaml.Node]bool{}
	forEach(v, nil, func(n *yaml.Node) {
		if n.Anchor != "" {
			anchored[n] = true
		}
	})
	if len(anchored) == 0 {
		return nil
	}
	var err error
	walkFlow(p.d.root, v, false, func(n *yaml.Node, flow bool) {
		if err != nil || n.Kind != yaml.AliasNode || !anchored[n.Alias] {
			return
		}
		start, end, e := p.tokenSpan(n)
		var b strings.Builder
		if e == nil {
			e = p.writeCopy(&b, n.Alias, flow)
		}
		if e != nil {
			err = cannot("the alias *%s on line %d would change with the edited value and cannot be replaced by a copy: %v",
				n.Value, n.Line+fmLineOffset, e)
			return
		}
		p.spent += b.Len()
		p.edits = append(p.edits, edit{start: start, end: end, text: b.String()})
	})
	return err
}

// forEach visits n and its descendants, except the subtree skip, without
// following aliases.
func forEach(n, skip *yaml.Node, f func(*yaml.Node)) {
	walkFlow(n, skip, false, func(n *yaml.Node, _ bool) { f(n) })
}

// walkFlow is forEach telling f whether a node sits inside a flow
// collection, where a plain scalar must not hold flow indicators.
func walkFlow(n, skip *yaml.Node, flow bool, f func(n *yaml.Node, flow bool)) {
	if n == skip {
		return
	}
	f(n, flow)
	inner := flow || (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && n.Style&yaml.FlowStyle != 0
	for _, c := range n.Content {
		walkFlow(c, skip, inner, f)
	}
}

// writeCopy writes n as YAML text on one line that reads back as the same
// value: scalars as the file writes them when that text is on one line and
// fits the context, else double-quoted; collections in flow style. Aliases
// inside n are expanded, anchors dropped, tags kept as the file spells them.
func (p *patcher) writeCopy(b *strings.Builder, n *yaml.Node, flow bool) error {
	if p.spent+b.Len() > maxCopyBytes {
		return cannot("the value is more than %d bytes long", maxCopyBytes)
	}
	if n.Kind == yaml.AliasNode {
		return p.writeCopy(b, n.Alias, flow)
	}
	tag, err := p.tagText(n)
	if err != nil {
		return err
	}
	b.WriteString(tag)
	switch n.Kind {
	case yaml.ScalarNode:
		text, err := p.scalarCopy(n, flow)
		b.WriteString(text)
		return err
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := p.writeCopy(b, c, true); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.MappingNode:
		b.WriteByte('{')
		for i, c := range n.Content {
			switch {
			case i%2 == 1:
				b.WriteString(": ")
			case i > 0:
				b.WriteString(", ")
			}
			if err := p.writeCopy(b, c, true); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return cannot("a %s cannot be copied", describe(n))
	}
	return nil
}

// scalarCopy is the text of scalar n, without anchor and tag: its own text
// when on one line (a plain scalar in a flow context only without flow
// indicators, which yaml.v3 reads there as structure, "?" among them), else
// "null" for an empty null, else the value double-quoted, which reads back
// as the same string.
func (p *patcher) scalarCopy(n *yaml.Node, flow bool) (string, error) {
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	start, end, err := p.tokenSpan(n)
	if err == nil && start < end && p.ix.lineOf(start) == p.ix.lineOf(end-1) {
		if src := string(p.raw[start:end]); quoted || !flow || !strings.ContainsAny(src, ",[]{}?") {
			return src, nil
		}
	}
	switch {
	case n.Value == "" && n.ShortTag() == "!!null":
		return "null", nil
	case quoted || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || n.ShortTag() == "!!str":
		return doubleQuote(n.Value), nil
	}
	return "", cannot("the value on line %d has no one-line form", n.Line+fmLineOffset)
}

// tagText is n's explicit tag as the file spells it ("!!int ", "!x "), or
// "" when n has none.
func (p *patcher) tagText(n *yaml.Node) (string, error) {
	if n.Style&yaml.TaggedStyle == 0 {
		return "", nil
	}
	pos, ok := p.ix.offset(p.raw, n.Line, n.Column)
	if !ok {
		return "", cannot("position of line %d is outside the front matter", n.Line+fmLineOffset)
	}
	end := p.propsEnd(pos)
	for _, tok := range strings.Fields(string(p.raw[pos:end])) {
		if strings.HasPrefix(tok, "!") {
			return tok + " ", nil
		}
	}
	return "", cannot("the tag of the value on line %d not found", n.Line+fmLineOffset)
}
