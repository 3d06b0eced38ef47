package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what a search box can ask of FTS5: more terms than this only
// makes the query slower, never better. A term is a word or a quoted
// phrase; its bytes are counted before searchText.
const (
	maxFTSTerms     = 16
	maxFTSTermBytes = 256
)

// searchFilter is the condition of ListQuery.where that keeps the articles
// matching an FTS5 query (its one argument, from ftsQuery), in the form
// for a query that many articles match. The unary plus keeps SQLite from
// driving the query from the matches, which reads every matching row (a
// table page each) and sorts them all: O(matches), 230-330 ms for a word
// in 30% of 100,000 articles. With it, the index of the sort drives, and
// each row's id is looked up in the set of matches, which SQLite builds
// once (with a Bloom filter): a page stops at its last row, and costs the
// reading of the FTS5 doclists (about 0.3 µs a match: 9-13 ms for that
// word, 26-31 ms for "the", in 95%) and of the index up to that row. When
// few articles match, that index scan is long (the whole index, 12-35 ms,
// when fewer than a page match): searchPlan then swaps in
// sparseSearchFilter. Measured by BenchmarkSearch100k.
const searchFilter = `+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)`

// sparseSearchFilter is searchFilter for a query that at most
// sparseMatches articles match: SQLite reads each matching row by id and
// sorts them, which is cheapest for a few. It takes the same argument.
const sparseSearchFilter = `a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)`

// sparseMatches is the number of matches up to which searchPlan prefers
// sparseSearchFilter. At 100,000 articles (BenchmarkSearch100k) the plans
// cross between 102 matches (3.3 ms reading the matches, 10.8 ms scanning
// the index) and 300 (5.6 and 3.9 ms).
const sparseMatches = 150

// searchPlan gives q's full-text condition in f (made by q.where) the form
// that suits the number of articles matching q.Text, counted in tx up to
// sparseMatches+1: sparseSearchFilter for a few, searchFilter otherwise.
// The count costs 0.2-0.4 ms, up to 2 ms for a prefix of a common word
// (FTS5 merges the doclists of every word with that prefix). The caller
// runs it in the transaction of its counts and page queries, before them,
// so both get the form. Without a text search it does nothing. The error
// is the count's, naming the FTS5 query.
func (q ListQuery) searchPlan(ctx context.Context, tx readTx, f *where, cache *resultCache, at int64) error {
	match := ftsQuery(q.Text)
	i := slices.Index(f.conds, searchFilter)
	if match == "" || i < 0 {
		return nil
	}
	key := "matches|" + match
	n, ok := cache.get(at, key)
	if !ok {
		var count int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)`,
			match, sparseMatches+1).Scan(&count)
		if err != nil {
			return fmt.Errorf("db: search %q: %w", match, err)
		}
		cache.put(at, key, count)
		n = count
	}
	if n.(int) <= sparseMatches {
		f.conds[i] = sparseSearchFilter // same argument, same place
	}
	return nil
}

// ftsQuery turns user text into an FTS5 query that cannot fail to parse
// and finds what the index holds (see searchText):
//   - a word, or a "quoted phrase", is one term; terms are ANDed;
//   - each term goes through searchText, like the index, and becomes an
//     FTS5 string (a phrase of its tokens): "Łódź" is "lodz", "自行车" the
//     phrase "自行 行车"; a quote inside is doubled, so AND/OR/NOT,
//     parentheses, '*', ':', '-' and '^' are only text to the tokenizer;
//   - the last term, when the text does not end in a space or a closing
//     quote, is a prefix query, for search as you type: "genom" finds
//     genomics; a phrase still open is being typed too. A prefix of one
//     letter is not one: it would match nearly every article and cost a
//     scan of the whole vocabulary (90 ms at 100,000 articles);
//   - a term of one CJK character is a prefix query wherever it is, so it
//     finds the bigrams it begins as well as the character alone.
//
// Terms without a letter or digit are dropped, and at most maxFTSTerms
// terms of at most maxFTSTermBytes bytes each are kept. It returns "" when
// there is nothing to search for.
func ftsQuery(text string) string {
	items, open := splitTerms(text)
	var terms []string
	for i, it := range items {
		proc := searchText(truncateUTF8(it, maxFTSTermBytes))
		if !hasToken(proc) {
			continue // punctuation only: it would match nothing
		}
		term := `"` + strings.ReplaceAll(strings.TrimSpace(proc), `"`, `""`) + `"`
		last := lastToken(proc)
		if n := utf8.RuneCountInString(last); n == 1 && isCJK([]rune(last)[0]) ||
			i == len(items)-1 && open && n > 1 {
			term += "*"
		}
		terms = append(terms, term)
		if len(terms) == maxFTSTerms {
			break
		}
	}
	return strings.Join(terms, " ")
}

// splitTerms cuts user text into words and quoted phrases (without their
// quotes; a quote not closed runs to the end). open reports whether the
// last one is still being typed: the text ends inside it, not in a space
// or a closing quote.
func splitTerms(text string) (terms []string, open bool) {
	for text != "" {
		if text[0] == '"' {
			phrase, rest, closed := strings.Cut(text[1:], `"`)
			terms, open, text = append(terms, phrase), !closed && !endsInSpace(phrase), rest
			continue
		}
		end := strings.IndexFunc(text, func(r rune) bool { return r == '"' || isSeparator(r) })
		if end < 0 {
			end = len(text)
		}
		if end > 0 {
			terms = append(terms, text[:end])
		}
		open = end == len(text) && end > 0
		text = text[end:]
		if text != "" && text[0] != '"' {
			_, size := utf8.DecodeRuneInString(text)
			text = text[size:]
		}
	}
	return terms, open
}

// isSeparator reports whether r ends a word of the search box: white
// space, a control character (NUL included) or a byte of invalid UTF-8.
func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError
}

func endsInSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && isSeparator(r)
}

// lastToken is the last run of token characters of s (see isTokenChar):
// the token a '*' after s as an FTS5 string makes a prefix.
func lastToken(s string) string {
	end := strings.LastIndexFunc(s, isTokenChar)
	if end < 0 {
		return ""
	}
	_, size := utf8.DecodeRuneInString(s[end:])
	s = s[:end+size]
	start := strings.LastIndexFunc(s, func(r rune) bool { return !isTokenChar(r) })
	if start < 0 {
		return s
	}
	_, size = utf8.DecodeRuneInString(s[start:])
	return s[start+size:]
}

// hasToken reports whether the unicode61 tokenizer would find a token in
// s. A term without one is an empty phrase, harmless to FTS5 but useless,
// so it is dropped.
func hasToken(s string) bool {
	return strings.IndexFunc(s, isTokenChar) >= 0
}

// isTokenChar reports whether the unicode61 tokenizer counts r as part of
// a token: its default categories are L*, N* and Co (SQLite FTS5
// documentation, "Unicode61 Tokenizer"); all else separates tokens.
func isTokenChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
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
	return insertFTS(w.exec, id, ftsColumns(title, excerpt, provider, topics))
}

// insertFTS adds the row of one article to articles_fts with exec (a
// writer's, or a transaction's).
func insertFTS(exec func(string, ...any) (sql.Result, error), id int64, cols [4]string) error {
	_, err := exec(`INSERT INTO articles_fts (rowid, title, excerpt, provider, topics) VALUES (?, ?, ?, ?, ?)`,
		id, cols[0], cols[1], cols[2], cols[3])
	return err
}

// ftsColumns is what articles_fts holds for an article: its title,
// excerpt, provider name and effective topics (joined by ", "), each
// through searchText. Check compares the index with it.
func ftsColumns(title, excerpt, provider string, topics []string) [4]string {
	return [4]string{searchText(title), searchText(excerpt), searchText(provider), searchText(strings.Join(topics, ", "))}
}
