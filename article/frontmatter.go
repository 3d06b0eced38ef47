package article

import (
	"bytes"
	"unicode/utf8"
)

var bom = []byte("\xef\xbb\xbf")

// layout is where the parts of an article file lie in its bytes. Offsets
// index the whole file, BOM included, so edits never shift what they do not
// touch.
type layout struct {
	fmStart   int  // first byte of the front matter, after the opening fence line
	fmEnd     int  // first byte of the closing fence line
	bodyStart int  // first byte after the closing fence line
	crlf      bool // the opening fence line ends in CRLF: the file's line ending
}

// fmLineOffset turns a YAML line of the front matter into a line of the
// file: the opening fence is line 1, so the front matter starts on line 2.
const fmLineOffset = 1

// checkBytes refuses what is not a text file before YAML sees it, so the
// reasons are about the file rather than about YAML.
func checkBytes(raw []byte) error {
	if len(raw) == 0 || bytes.Equal(raw, bom) {
		return perr(0, "file is empty")
	}
	if enc := unicodeEncoding(raw); enc != "" {
		return perr(0, "file is %s: save it as UTF-8", enc)
	}
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		return perr(lineAt(raw, i), "binary file: contains NUL bytes")
	}
	if !utf8.Valid(raw) {
		return perr(lineAt(raw, firstInvalidUTF8(raw)), "file is not valid UTF-8 text")
	}
	return nil
}

// unicodeEncoding names the UTF-16 or UTF-32 encoding of a text file, or
// "". It follows the detection table of the YAML 1.2.2 spec (5.2,
// Character Encodings): the byte order marks, then the pattern of NUL
// bytes the first characters leave. Without a BOM all four of the first
// bytes must fit the pattern, so a binary file with an early NUL is not
// taken for text: an article starts with "---", which is ASCII.
func unicodeEncoding(raw []byte) string {
	switch {
	case bytes.HasPrefix(raw, []byte{0, 0, 0xFE, 0xFF}):
		return "UTF-32 (big-endian)"
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE, 0, 0}):
		return "UTF-32 (little-endian)"
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		return "UTF-16 (big-endian)"
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		return "UTF-16 (little-endian)"
	case len(raw) < 4:
		return ""
	}
	nul := [4]bool{raw[0] == 0, raw[1] == 0, raw[2] == 0, raw[3] == 0}
	switch nul {
	case [4]bool{true, true, true, false}:
		return "UTF-32 (big-endian)"
	case [4]bool{false, true, true, true}:
		return "UTF-32 (little-endian)"
	case [4]bool{true, false, true, false}:
		return "UTF-16 (big-endian)"
	case [4]bool{false, true, false, true}:
		return "UTF-16 (little-endian)"
	}
	return ""
}

func firstInvalidUTF8(raw []byte) int {
	for i := 0; i < len(raw); {
		r, w := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && w == 1 {
			return i
		}
		i += w
	}
	return len(raw)
}

// lineAt is the 1-based line of byte offset i, counting '\n' like editors do.
func lineAt(raw []byte, i int) int {
	return bytes.Count(raw[:i], []byte("\n")) + 1
}

// splitFile finds the front-matter fences. Only the first closing fence
// counts, so the body may hold "---" lines of its own. A line that starts a
// second YAML document inside the front matter ("--- x") is refused, because
// YAML would otherwise silently ignore everything after it.
func splitFile(raw []byte) (layout, error) {
	p := 0
	if bytes.HasPrefix(raw, bom) {
		p = len(bom)
	}
	line, next := nextLine(raw, p)
	if !isFence(line, "---") {
		if cr := bytes.IndexByte(line, '\r'); cr >= 0 && isFence(line[:cr], "---") && loneCRFirst(line) {
			return layout{}, crOnly()
		}
		return layout{}, perr(1, `file must start with a front-matter fence "---"`)
	}
	l := layout{fmStart: next, crlf: bytes.HasSuffix(raw[p:next], []byte("\r\n"))}
	for n := 2; next < len(raw); n++ {
		p = next
		line, next = nextLine(raw, p)
		if isFence(line, "---") || isFence(line, "...") {
			l.fmEnd, l.bodyStart = p, next
			return l, nil
		}
		if isDocMarker(line) {
			return layout{}, perr(n, "front matter must be one YAML document; this line starts another")
		}
	}
	if loneCRFirst(raw[l.fmStart:]) {
		return layout{}, crOnly()
	}
	return layout{}, perr(1, `front-matter fence "---" is never closed`)
}

// loneCRFirst reports whether the first line break in b is a CR without an
// LF: the line ending of classic Mac OS files. The fences are found by LF,
// so such a file would seem to have no fence; it is refused with the real
// reason rather than read by rules two readers apply differently.
func loneCRFirst(b []byte) bool {
	i := bytes.IndexAny(b, "\r\n")
	return i >= 0 && b[i] == '\r' && (i+1 == len(b) || b[i+1] != '\n')
}

func crOnly() *ParseError {
	return perr(1, "file uses CR-only line endings; save it with LF or CRLF line endings")
}

// nextLine returns the line starting at p without its line ending, and the
// offset of the following line.
func nextLine(raw []byte, p int) (line []byte, next int) {
	i := bytes.IndexByte(raw[p:], '\n')
	if i < 0 {
		line, next = raw[p:], len(raw)
	} else {
		line, next = raw[p:p+i], p+i+1
	}
	return bytes.TrimSuffix(line, []byte("\r")), next
}

func isFence(line []byte, fence string) bool {
	return string(bytes.TrimRight(line, " \t")) == fence
}

func isDocMarker(line []byte) bool {
	if len(line) < 4 || (!bytes.HasPrefix(line, []byte("---")) && !bytes.HasPrefix(line, []byte("..."))) {
		return false
	}
	return line[3] == ' ' || line[3] == '\t'
}

// lineIndex maps YAML line numbers of the front matter to byte offsets in
// the file. It counts line breaks the way the YAML scanner does (CRLF, CR,
// LF, NEL, LS, PS), or node positions would drift after an exotic break.
type lineIndex struct {
	starts []int // starts[l] is the offset of YAML line l (1-based); starts[0] is unused
	end    int   // fmEnd: the front matter stops here
}

func newLineIndex(raw []byte, l layout) lineIndex {
	ix := lineIndex{starts: []int{0, l.fmStart}, end: l.fmEnd}
	for i := l.fmStart; i < l.fmEnd; {
		w := breakWidth(raw[i:l.fmEnd])
		if w == 0 {
			i++
			continue
		}
		i += w
		if i < l.fmEnd {
			ix.starts = append(ix.starts, i)
		}
	}
	return ix
}

// breakWidth is the length of the YAML line break at the start of b, or 0.
func breakWidth(b []byte) int {
	switch {
	case b[0] == '\n':
		return 1
	case b[0] == '\r':
		if len(b) > 1 && b[1] == '\n' {
			return 2
		}
		return 1
	case b[0] == 0xC2 && len(b) > 1 && b[1] == 0x85:
		return 2
	case b[0] == 0xE2 && len(b) > 2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9):
		return 3
	}
	return 0
}

// lineStart and lineEnd bound YAML line l; lineEnd includes the line break.
func (ix lineIndex) lineStart(l int) int { return ix.starts[l] }

func (ix lineIndex) lineEnd(l int) int {
	if l+1 < len(ix.starts) {
		return ix.starts[l+1]
	}
	return ix.end
}

// lineOf is the YAML line holding byte offset off.
func (ix lineIndex) lineOf(off int) int {
	lo, hi := 1, len(ix.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ix.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// offset turns a node position into a byte offset. YAML columns count
// characters, not bytes, so the line is walked rune by rune.
func (ix lineIndex) offset(raw []byte, line, col int) (int, bool) {
	if line < 1 || line >= len(ix.starts) || col < 1 {
		return 0, false
	}
	p := ix.starts[line]
	for ; col > 1; col-- {
		if p >= ix.end {
			return 0, false
		}
		_, w := utf8.DecodeRune(raw[p:ix.end])
		p += w
	}
	return p, true
}
