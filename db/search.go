package db

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a search box can ask of FTS5: more terms than this only
// makes the query slower, never better.
const (
	maxFTSTerms     = 16
	maxFTSTermBytes = 256
)

// ftsQuery turns user text into an FTS5 query that cannot fail to parse:
// every whitespace-separated term becomes a quoted string (internal quotes
// doubled), so AND/OR/NOT, parentheses, '*', ':', '-' and '^' are just text
// to the tokenizer. Terms are ANDed; the last one is a prefix query, for
// search as you type. It returns "" when there is nothing to search for.
func ftsQuery(text string) string {
	// Invalid UTF-8 and control characters (NUL included) become
	// separators: the tokenizer would drop them anyway.
	text = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, " "))

	var terms []string
	for _, f := range strings.Fields(text) {
		if !hasToken(f) {
			continue // punctuation only: it would match nothing
		}
		terms = append(terms, `"`+strings.ReplaceAll(truncateUTF8(f, maxFTSTermBytes), `"`, `""`)+`"`)
		if len(terms) == maxFTSTerms {
			break
		}
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*"
	return strings.Join(terms, " ")
}

// hasToken reports whether the unicode61 tokenizer would find a token in s
// (its token characters are the categories L*, N* and Co). A term without
// one is an empty phrase, harmless to FTS5 but useless, so it is dropped.
func hasToken(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) {
			return true
		}
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// writeFTS (re)indexes one article. FTS5 has no upsert on rowid, so it is
// a delete then an insert; both run in the caller's transaction, which
// keeps the index in step with the row.
func (w *writer) writeFTS(id int64, title, excerpt, provider string, topics []string, replace bool) error {
	if replace {
		if _, err := w.exec(`DELETE FROM articles_fts WHERE rowid = ?`, id); err != nil {
			return err
		}
	}
	_, err := w.exec(`INSERT INTO articles_fts (rowid, title, excerpt, provider, topics) VALUES (?, ?, ?, ?, ?)`,
		id, title, excerpt, provider, strings.Join(topics, ", "))
	return err
}
