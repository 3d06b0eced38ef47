package db

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// searchText is what search stores and looks for in place of a text: the
// same function processes the indexed columns (ftsColumns) and every term
// of a query (ftsQuery), so both sides always agree. It returns s with:
//
//   - invalid UTF-8 and control characters (NUL included) turned to spaces;
//   - compatibility forms decomposed (Unicode NFKD: "ﬁ" is "fi", full-width
//     "Ａ" is "a", half-width "ｶ" is "カ");
//   - lower case (unicode.ToLower, plus final sigma "ς" as "σ", which
//     Unicode case folding does: CaseFolding.txt, 03C2);
//   - the diacritics a reader of Latin, Greek or Cyrillic text leaves out
//     dropped: the combining marks of the Combining Diacritical Marks blocks
//     (U+0300-036F, 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF, FE20-FE2F), so "é" and
//     "ü" are "e" and "u". Other marks stay: the kana voicing marks (が is
//     not か), and the vowel signs and points of Indic, Hebrew and Arabic
//     text, which are letters to their readers;
//   - the Latin letters that have no decomposition folded as readers type
//     them: "ł" is "l", "ø" "o", "æ" "ae", "ß" "ss" (see foldLetter);
//   - every run of Han, Hiragana, Katakana and Hangul characters split into
//     overlapping bigrams, as Lucene's CJKBigramFilter and Elasticsearch's
//     cjk_bigram do: "自行车计划" is "自行 行车 车计 计划", so a word from
//     inside a title is a phrase of the index's tokens. A lone character
//     stays a unigram.
//
// Punctuation stays: the unicode61 tokenizer of the index, which does no
// folding of its own here (remove_diacritics 0, see 0003_search.sql),
// treats it as a separator. The result is in Unicode NFC, and searchText
// of it is itself. Printable ASCII text costs one pass (lower-casing).
func searchText(s string) string {
	if lower, ok := lowerPrintableASCII(s); ok {
		return lower
	}
	s = strings.ToValidUTF8(s, " ")
	var b strings.Builder
	b.Grow(len(s))
	cjk := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.IsControl(r):
			b.WriteByte(' ')
		case isDiacritic(r):
		default:
			r = unicode.ToLower(r)
			if f := foldLetter(r); f != "" {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
			cjk = cjk || isCJK(r)
		}
	}
	// Recompose what the marks that stay belong to (kana and their voicing
	// marks, Hangul syllables from their jamo) before splitting CJK runs.
	out := norm.NFC.String(b.String())
	if cjk {
		out = cjkBigrams(out)
	}
	return out
}

// foldLetter returns the ASCII a reader types for r, a lower-case Latin
// letter that NFKD does not decompose (or Greek final sigma), and "" for
// any other rune. The spellings are those of Lucene's ASCIIFoldingFilter
// and of ICU's Latin-ASCII transliterator (CLDR transforms), which agree
// on these; capitals reach it through unicode.ToLower. A switch, not a
// map: it runs for every non-ASCII rune of every import.
func foldLetter(r rune) string {
	switch r {
	case 'æ': // Danish, Norwegian, Icelandic
		return "ae"
	case 'ð', 'đ': // Icelandic eth; Croatian, Vietnamese d with stroke
		return "d"
	case 'ħ': // Maltese
		return "h"
	case 'ı', 'ɨ': // Turkish dotless i
		return "i"
	case 'ĸ': // Greenlandic kra (Lucene: q)
		return "q"
	case 'ł': // Polish
		return "l"
	case 'ŋ': // Sami
		return "n"
	case 'ø': // Danish, Norwegian, Faroese
		return "o"
	case 'œ': // French
		return "oe"
	case 'ß': // German
		return "ss"
	case 'ŧ': // Sami
		return "t"
	case 'þ': // Icelandic
		return "th"
	case 'ƒ':
		return "f"
	case 'ʉ':
		return "u"
	case 'ς': // Greek final sigma, as Unicode case folding has it (CaseFolding.txt, 03C2)
		return "σ"
	}
	return ""
}

// isDiacritic reports whether r is a combining mark of the Combining
// Diacritical Marks blocks (Unicode chapter 7.9), the marks searchText
// drops.
func isDiacritic(r rune) bool {
	return r >= 0x0300 && r <= 0x036F ||
		r >= 0x1AB0 && r <= 0x1AFF ||
		r >= 0x1DC0 && r <= 0x1DFF ||
		r >= 0x20D0 && r <= 0x20FF ||
		r >= 0xFE20 && r <= 0xFE2F
}

// lowerPrintableASCII returns s lower-cased, and true, when s is ASCII
// without control characters: the text that needs nothing else. It
// allocates only when s has a capital.
func lowerPrintableASCII(s string) (string, bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < 0x20 || c == 0x7f {
			return "", false
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if !upper {
		return s, true
	}
	return strings.ToLower(s), true
}

// isCJK reports whether r is written in a script without spaces between
// words that searchText splits into bigrams: Han, Hiragana, Katakana or
// Hangul, or one of the marks used inside their words that Unicode counts
// as Common script (ー, the prolonged sound mark; 〆).
func isCJK(r rune) bool {
	return r >= 0x1100 && // the first Hangul jamo: below it, no CJK at all
		(unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー' || r == '〆')
}

// cjkBigrams replaces every run of CJK characters of s by its overlapping
// bigrams, separated by spaces from each other and from the text around
// them, and leaves the other characters as they are: "iPhone发布会" is
// "iPhone 发布 布会". Applied to its own output it changes nothing.
func cjkBigrams(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	var run []rune
	space := true // the last byte written is a space, or nothing is written
	word := func(rs ...rune) {
		if !space {
			b.WriteByte(' ')
		}
		for _, r := range rs {
			b.WriteRune(r)
		}
		space = false
	}
	flush := func() {
		if len(run) == 1 {
			word(run[0])
		}
		for i := 0; i+1 < len(run); i++ {
			word(run[i], run[i+1])
		}
		run = run[:0]
	}
	for _, r := range s {
		if isCJK(r) {
			run = append(run, r)
			continue
		}
		if len(run) > 0 {
			flush()
			if !unicode.IsSpace(r) {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(r)
		space = unicode.IsSpace(r)
	}
	flush()
	return b.String()
}
