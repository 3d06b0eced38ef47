package article

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// YAMLDocument turns one (already patched) article file into one document
// of a multi-document YAML stream: a "---" line, a "# file: <name>"
// comment, the front matter verbatim (BOM dropped) and, when the body is not
// blank, a top-level key holding the body as a literal block. The key is
// "body", or "_body", "__body"... when the front matter already has that
// key. The chomping indicator follows the body's trailing line breaks, so
// the value decodes to the body exactly (YAML reads CRLF as LF). A body a
// literal block cannot hold (control characters, mixed line breaks) is
// written as a double-quoted string instead. When the front matter is a
// flow mapping (JSON, say), the body is its last member, double-quoted.
//
// The name on the "# file: " line is EscapeName(fileName, nil): an
// ordinary name (printable UTF-8, no '%', no white space at either end)
// stands as it is; in any other, '%' and each unsafe byte is written %XX,
// so the line is valid UTF-8 YAML for every name, two names never give the
// same line, and url.PathUnescape of the text after "# file: " is the name.
func YAMLDocument(fileName string, data []byte) []byte {
	l, err := splitFile(data)
	if err != nil { // not an article: keep everything as the body
		start := 0
		if bytes.HasPrefix(data, bom) {
			start = len(bom)
		}
		l = layout{fmStart: start, fmEnd: start, bodyStart: start}
	}
	eol := "\n"
	if l.crlf {
		eol = "\r\n"
	}
	fm, body := data[l.fmStart:l.fmEnd], string(data[l.bodyStart:])
	var b bytes.Buffer
	b.Grow(len(data) + len(fileName) + 64)
	// The stream's own lines end in "\n" whatever the file's line endings:
	// a reader splits the stream on "\n" and unescapes the name.
	b.WriteString("---\n# file: " + EscapeName(fileName, nil) + "\n")
	b.Write(fm)
	if strings.TrimSpace(body) == "" {
		return b.Bytes()
	}
	key, indent, flow, ok := bodyKey(fm)
	switch {
	case flow:
		if withBody, added := flowWithBody(data, key, body); added {
			b.Truncate(b.Len() - len(fm))
			b.Write(withBody)
			return b.Bytes()
		}
		fallthrough
	case !ok:
		b.WriteString("# body not included: it cannot be added to this front matter" + eol)
		return b.Bytes()
	}
	b.WriteString(indent + key + ": " + bodyValue(body, indent+"  ", eol) + eol)
	return b.Bytes()
}

// flowWithBody is the front matter of data, a flow mapping (JSON, say),
// with the body added as its last member, a double-quoted string, in the
// mapping's own layout (the patcher's way of adding a key).
func flowWithBody(data []byte, key, body string) ([]byte, bool) {
	d, err := parseDoc(data)
	if err != nil {
		return nil, false
	}
	p := newPatcher(data, d)
	p.added = []member{{key: key, flow: doubleQuote(body)}}
	if err := p.addFlowMembers(); err != nil {
		return nil, false
	}
	out, err := p.apply()
	if err != nil {
		return nil, false
	}
	l, err := splitFile(out)
	if err != nil {
		return nil, false
	}
	return out[l.fmStart:l.fmEnd], true
}

// EscapeName writes a file name as printable UTF-8 on one line that gives
// the name back exactly: '%', each byte that is not part of valid UTF-8,
// each character YAML does not take as it is in a one-line scalar or
// comment (controls, line breaks, DEL, C1 controls, U+2028, U+2029, the
// BOM, U+FFFE, U+FFFF), white space at either end (readers trim it), and
// each character for which also reports true (also may be nil) become %XX
// per byte, upper-case hex: the percent-encoding of RFC 3986, section
// 2.1. Every other character stays, so an ordinary name, non-ASCII too, is
// unchanged. As '%' itself is always escaped, two names never give the
// same result, and url.PathUnescape gives the name back.
func EscapeName(name string, also func(rune) bool) string {
	start := len(name) - len(strings.TrimLeftFunc(name, unicode.IsSpace))
	end := len(strings.TrimRightFunc(name, unicode.IsSpace))
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == '%' || (r == utf8.RuneError && size == 1) || escapeRune(r) != "" ||
			i < start || i >= end || (also != nil && also(r)) {
			for _, c := range []byte(name[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		} else {
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

// bodyKey picks a top-level key the front matter does not use, and the
// indentation of its top-level keys; flow says the front matter is a flow
// mapping, which takes the key as a member. ok is false when no key can be
// added.
func bodyKey(fm []byte) (key, indent string, flow, ok bool) {
	var top yaml.Node
	if len(fm) == 0 {
		return "body", "", false, true
	}
	if err := yaml.Unmarshal(fm, &top); err != nil || len(top.Content) == 0 {
		return "", "", false, false
	}
	root := top.Content[0]
	if root.Kind != yaml.MappingNode {
		return "", "", false, false
	}
	flow = root.Style&yaml.FlowStyle != 0
	if len(root.Content) > 0 {
		indent = strings.Repeat(" ", root.Content[0].Column-1)
	}
	for key = "body"; indexOfKey(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}) >= 0; key = "_" + key {
	}
	return key, indent, flow, true
}

// bodyValue writes the body as a literal block when YAML reads it back
// unchanged, else as a double-quoted string.
func bodyValue(body, indent, eol string) string {
	if !literalSafe(body, eol) {
		return doubleQuote(body)
	}
	lines := strings.Split(body, eol)
	breaks := 0 // trailing line breaks decide the chomping indicator
	for len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
		breaks++
	}
	header := "|"
	for _, ln := range lines { // content starting with a blank needs an explicit indentation
		if ln != "" {
			if ln[0] == ' ' || ln[0] == '\t' {
				header += "2"
			}
			break
		}
	}
	switch {
	case breaks == 0:
		header += "-"
	case breaks > 1:
		header += "+"
		lines = append(lines, make([]string, breaks-1)...)
	}
	var b strings.Builder
	b.WriteString(header)
	for _, ln := range lines {
		b.WriteString(eol)
		if ln != "" {
			b.WriteString(indent + ln)
		}
	}
	return b.String()
}

// literalSafe reports whether a literal block holds body as it is: only
// printable characters and tabs, and line breaks that are all eol.
func literalSafe(body, eol string) bool {
	rest := strings.ReplaceAll(body, eol, "")
	return !strings.ContainsFunc(rest, func(r rune) bool { return r != '\t' && escapeRune(r) != "" })
}

// encodeString writes a topic as a YAML scalar that every YAML reader
// reads back as s: plain only when yaml.v3 would write it plain too (so
// "a: b", "#x", " x", "- x", "3.10", "yes" or "123" get quoted, YAML 1.2
// and yaml.v3's 1.1 leftovers), when a YAML 1.1 reader such as PyYAML reads
// it as a string as well (yaml11Resolve: "=", "12:30", "2001-12-14 1:2:3 -5"
// get quoted), and, inside a flow list, when it holds no flow indicator or
// "?" (",[]{}" end a plain scalar there, ":" and "#" may, and yaml.v3 and
// PyYAML stop at "?"). Otherwise it is double-quoted, on one line, with
// escapes YAML 1.1 and 1.2 both know. Unicode stays as it is.
func encodeString(s string, flow bool) string {
	if s != "" && yaml11Resolve(s) == tagStr && !(flow && strings.ContainsAny(s, ",[]{}:#?")) {
		if out, err := yaml.Marshal(s); err == nil && string(out) == s+"\n" {
			return s
		}
	}
	return doubleQuote(s)
}

// doubleQuote writes a YAML double-quoted scalar on one line.
func doubleQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case escapeRune(r) != "":
			b.WriteString(escapeRune(r))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapeRune is the escape of a character YAML does not take as it is in a
// one-line scalar (controls, line breaks, BOM, non-characters), or "".
func escapeRune(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return fmt.Sprintf(`\x%02x`, r)
	case r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return ""
}
