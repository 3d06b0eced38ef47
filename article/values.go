package article

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The values newsdesk reads (quality, heat, published, topics) must mean the
// same to every program that reads the file: go.yaml.in/yaml/v3, which
// newsdesk uses (YAML 1.2, with some 1.1 leftovers such as 0777 octals), and
// YAML 1.1 readers such as PyYAML, which the pipeline uses. Where they
// disagree the file is refused at import, and the writer quotes a topic that
// any of them could read as something else.

// Tags yaml11Resolve returns, short forms as yaml.v3's Node.ShortTag writes them.
const (
	tagStr       = "!!str"
	tagBool      = "!!bool"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagNull      = "!!null"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
	tagValue     = "!!value"
)

// yaml11Resolvers are PyYAML's implicit resolvers (lib/yaml/resolver.py,
// class Resolver, PyYAML 6.0), in its order, with the first characters
// PyYAML looks them up by. The patterns are written there in re.X mode:
// blanks between tokens are dropped here, blanks inside [...] kept. Python's
// `$` also matches before a final "\n"; yaml11Resolve handles that.
//
// The bool pattern adds y, Y, n and N: the YAML 1.1 bool type
// (https://yaml.org/type/bool.html) lists them, and YAML 1.1 readers that
// follow it (gopkg.in/yaml.v2, and yaml.v3 decoding into a Go bool) read
// them as booleans, though PyYAML does not.
var yaml11Resolvers = []struct {
	tag   string
	first string
	re    *regexp.Regexp
}{
	{tagBool, "yYnNtTfFoO", regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N)$`)},
	{tagFloat, "-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?` +
		`|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?` +
		`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*` +
		`|[-+]?\.(?:inf|Inf|INF)` +
		`|\.(?:nan|NaN|NAN))$`)},
	{tagInt, "-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+` +
		`|[-+]?0[0-7_]+` +
		`|[-+]?(?:0|[1-9][0-9_]*)` +
		`|[-+]?0x[0-9a-fA-F_]+` +
		`|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{tagMerge, "<", regexp.MustCompile(`^(?:<<)$`)},
	{tagNull, "~nN", regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)},
	{tagTimestamp, "0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]` +
		`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?` +
		`(?:[Tt]|[ \t]+)[0-9][0-9]?` +
		`:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?` +
		`(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{tagValue, "=", regexp.MustCompile(`^(?:=)$`)},
}

// yaml11Resolve is the tag a YAML 1.1 reader gives a plain (unquoted,
// untagged) scalar with this text: "!!str" when it reads the text as the
// same string, else "!!bool", "!!int", "!!float", "!!null", "!!timestamp",
// "!!merge" (<<) or "!!value" (=). It follows PyYAML's
// Resolver.resolve (lib/yaml/resolver.py): the empty text is null, other
// text is tried against the resolvers registered for its first character,
// in order; plus the y/n booleans of the YAML 1.1 spec (see yaml11Resolvers).
//
// It is the one YAML 1.1 rule of the package: the import check of topics
// and the writer of topics (encodeString) both ask it.
func yaml11Resolve(plain string) string {
	// Python's re `$` matches before a final line break too.
	text := strings.TrimSuffix(plain, "\n")
	for _, r := range yaml11Resolvers {
		if plain == "" && r.tag != tagNull {
			continue
		}
		if plain != "" && !strings.Contains(r.first, plain[:1]) {
			continue
		}
		if r.re.MatchString(text) {
			return r.tag
		}
	}
	return tagStr
}

// yaml11Name says in words what a tag other than !!str is, for messages.
func yaml11Name(tag string) string {
	switch tag {
	case tagBool:
		return "a boolean"
	case tagInt:
		return "an integer"
	case tagFloat:
		return "a number"
	case tagNull:
		return "null (no value)"
	case tagTimestamp:
		return "a date"
	case tagMerge:
		return "a merge key"
	case tagValue:
		return "a value key (=)"
	}
	return tag
}

// isPlainRead reports whether a YAML 1.1 reader resolves n's tag from its
// text: a plain scalar without a tag, or any scalar with the non-specific
// tag "!" (PyYAML's parser resolves `! text` and `! "text"` like plain
// text, where YAML 1.2 and yaml.v3 read both as strings). yaml.v3 does not
// keep the "!" in the node, so it is looked up in the file's bytes.
func (d *doc) isPlainRead(raw []byte, n *yaml.Node) bool {
	if n.Style&yaml.TaggedStyle != 0 {
		return false
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return true
	}
	return d.hasNonSpecificTag(raw, n)
}

// hasNonSpecificTag reports whether the node's properties (anchor, tag),
// where yaml.v3 puts its position, include the tag "!".
func (d *doc) hasNonSpecificTag(raw []byte, n *yaml.Node) bool {
	if !strings.Contains(string(raw[d.fmStart:d.fmEnd]), "!") {
		return false
	}
	ix := newLineIndex(raw, d.layout)
	p, ok := ix.offset(raw, n.Line, n.Column)
	for ok && p < ix.end && (raw[p] == '&' || raw[p] == '!') {
		start := p
		for p < ix.end && !isBlank(raw[p]) {
			p++
		}
		if string(raw[start:p]) == "!" {
			return true
		}
		for p < ix.end && isBlank(raw[p]) {
			p++
		}
	}
	return false
}

// decimalRE is the only spelling of an integer that every YAML reader reads
// as the same number: YAML 1.2 core and JSON schemas, yaml.v3 and PyYAML.
// A leading zero is octal to yaml.v3 and PyYAML (010 is 8), 0o17 is octal to
// YAML 1.2 and text to PyYAML, 1_000 is text to YAML 1.2 readers, and
// 0x1F and 0b101 are text to JSON-schema readers.
var decimalRE = regexp.MustCompile(`^[-+]?(?:0|[1-9][0-9]*)$`)

// notDecimal says why an integer's spelling is refused, for messages.
func notDecimal(s string) string {
	digits := strings.TrimLeft(s, "+-")
	switch {
	case strings.HasPrefix(digits, "0o") || strings.HasPrefix(digits, "0O"):
		return "0o is octal to YAML 1.2 readers and text to YAML 1.1 readers such as PyYAML"
	case strings.HasPrefix(digits, "0x") || strings.HasPrefix(digits, "0b"):
		return "hexadecimal and binary numbers are not numbers to every YAML reader"
	case strings.Contains(digits, "_"):
		return "_ between digits is YAML 1.1 only; YAML 1.2 readers read text"
	case strings.HasPrefix(digits, "0"):
		return "a leading zero makes it octal to YAML readers"
	}
	return "YAML readers do not all read it as the same number"
}

// cannotLoad adds to a message that PyYAML fails on the tag rather than
// reading another value: it has no constructor for !!value, and !!merge is
// only allowed as a mapping key.
func cannotLoad(tag string) string {
	if tag == tagValue || tag == tagMerge {
		return ", which cannot load it"
	}
	return ""
}
