package db

// The queue area's pure logic, exported for the PostgreSQL store (package
// db/postgres), which must page, count and search exactly as this one
// does: cursors, query validation, the search box's terms and the text
// search folds live once, here and in the files these wrap.

import (
	"strings"

	"github.com/newsdesk/newsdesk/article"
)

// SortOrder is q's sort: SortNewest for "", an error for an unknown one.
func (q ListQuery) SortOrder() (Sort, error) { return q.sort() }

// PageLimit is q's page size: DefaultLimit for 0 or less, at most MaxLimit.
func (q ListQuery) PageLimit() int { return q.limit() }

// CheckStatus returns an error when q.Status is set and not a status.
func (q ListQuery) CheckStatus() error {
	_, err := q.where(false)
	return err
}

// CountersCover reports whether the counter tables (0004_counts.sql) hold
// q's per-status counts: at most one of category, provider and topic, no
// text search, no quality range.
func (q ListQuery) CountersCover() bool {
	_, _, ok := q.counterQuery()
	return ok
}

// TextOnly reports whether a text search is q's only filter besides
// status and published.
func (q ListQuery) TextOnly() bool { return q.textOnly() }

// SummaryTopics decodes a topics column (a JSON array) as Summary.Topics
// holds it: nil for none.
func SummaryTopics(s string) ([]string, error) { return decodeTopics(s) }

// SearchText is what search stores and looks for in place of a text (see
// searchText in search_text.go): folded as readers type, CJK runs split
// into bigrams. SearchText(SearchText(s)) == SearchText(s).
func SearchText(s string) string { return searchText(s) }

// SearchColumns are the four texts an article is found by, through
// SearchText: title, excerpt, provider name and effective topics joined by
// ", ". The SQLite store's articles_fts holds them.
func SearchColumns(title, excerpt, provider string, topics []string) [4]string {
	return ftsColumns(title, excerpt, provider, topics)
}

// SearchTokens splits a SearchText result into tokens as SQLite's
// unicode61 tokenizer does: runs of letters, numbers and private-use
// characters; everything else separates.
func SearchTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isTokenChar(r) })
}

// SearchTerm is one term of a search: its tokens in order (a phrase when
// more than one; never empty), and whether the last token is a prefix.
type SearchTerm struct {
	Tokens []string
	Prefix bool
}

// SearchTerms are the terms the search box's text asks for, all of which
// an article must match: exactly the terms, phrases and prefixes of the
// SQLite store's FTS5 query (ftsQuery), at most 16 terms. None when there
// is nothing to search for.
//
// They are read back from that query, so there is one definition of what
// the search box means: each term there is an FTS5 string ("..." with
// quotes doubled), '*' after it making its last token a prefix.
func SearchTerms(text string) []SearchTerm {
	q := ftsQuery(text)
	var terms []SearchTerm
	for len(q) > 0 && q[0] == '"' {
		var b strings.Builder
		i := 1
		for i < len(q) {
			if q[i] == '"' {
				if i+1 < len(q) && q[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(q[i])
			i++
		}
		q = q[min(i+1, len(q)):]
		t := SearchTerm{Tokens: SearchTokens(b.String())}
		if strings.HasPrefix(q, "*") {
			t.Prefix, q = true, q[1:]
		}
		q = strings.TrimPrefix(q, " ")
		if len(t.Tokens) > 0 {
			terms = append(terms, t)
		}
	}
	return terms
}

// TruncateUTF8 cuts s to at most n bytes without splitting a rune.
func TruncateUTF8(s string, n int) string { return truncateUTF8(s, n) }

// StatusCounts are per-status counts of the articles a list query matches
// but for its status, every status present: what a page shows beside its
// tabs.
type StatusCounts struct {
	N      map[article.Status]int  // articles per status, 0 when none
	Capped map[article.Status]bool // N is CountCap and there are more
	// Known says there are counts: not with CountsNone, unless the
	// counter tables gave them for free.
	Known bool
}

// NewStatusCounts returns counts of 0 for every status, not Known.
func NewStatusCounts() StatusCounts {
	c := StatusCounts{N: make(map[article.Status]int, len(article.Statuses)), Capped: map[article.Status]bool{}}
	for _, st := range article.Statuses {
		c.N[st] = 0
	}
	return c
}

// Total is the count of one status, or of all when status is "", and
// whether it is a lower bound (some status is Capped).
func (c StatusCounts) Total(status article.Status) (n int, capped bool) {
	for _, st := range article.Statuses {
		if status == "" || status == st {
			n += c.N[st]
			capped = capped || c.Capped[st]
		}
	}
	return n, capped
}
