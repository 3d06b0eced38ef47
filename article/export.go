package article

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

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
// written as a double-quoted string instead.
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
	b.WriteString("---" + eol + "# file: " + commentText(fileName) + eol)
	b.Write(fm)
	if strings.TrimSpace(body) == "" {
		return b.Bytes()
	}
	key, indent, ok := bodyKey(fm)
	if !ok {
		b.WriteString("# body not included: the front matter is not a block mapping" + eol)
		return b.Bytes()
	}
	b.WriteString(indent + key + ": " + bodyValue(body, indent+"  ", eol) + eol)
	return b.Bytes()
}

// commentText keeps a file name on its comment line.
func commentText(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return escapeRune(r) != "" }) {
		return strconv.Quote(s)
	}
	return s
}

// bodyKey picks a top-level key the front matter does not use, and the
// indentation of its top-level keys. ok is false when no key can be added.
func bodyKey(fm []byte) (key, indent string, ok bool) {
	var top yaml.Node
	if len(fm) == 0 {
		return "body", "", true
	}
	if err := yaml.Unmarshal(fm, &top); err != nil || len(top.Content) == 0 {
		return "", "", false
	}
	root := top.Content[0]
	if root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return "", "", false
	}
	if len(root.Content) > 0 {
		indent = strings.Repeat(" ", root.Content[0].Column-1)
	}
	for key = "body"; indexOfKey(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}) >= 0; key = "_" + key {
	}
	return key, indent, true
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

// encodeString writes a topic as a YAML scalar: plain when the YAML library
// would write it plain too (so "yes", "123", "a: b", "#x" or " x" get quoted)
// and, inside a flow list, when it holds no flow indicator; double-quoted
// otherwise. Unicode stays as it is.
func encodeString(s string, flow bool) string {
	if s != "" && !(flow && strings.ContainsAny(s, ",[]{}:#")) {
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
