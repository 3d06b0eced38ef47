package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/newsdesk/newsdesk/db"
)

// Search is built in Go, not with to_tsvector and a text search
// configuration: the tokens are those of the SQLite store's FTS5 index
// (db.SearchColumns folded by db.SearchText, split by db.SearchTokens as
// the unicode61 tokenizer splits), so both stores find the same articles
// whatever the server's locale, and no dictionary stems or drops a word.
// The tsvector and tsquery literals name lexemes as they are: their input
// functions neither fold nor normalize (PostgreSQL documentation, "Text
// Search Types").

// maxLexemeBytes is the longest token a tsvector holds (2047 bytes, less
// one for safety); a longer one is cut, which only a prefix search of
// its first 256 bytes (the longest term the search box keeps) can tell.
const maxLexemeBytes = 2046

// columnGap separates the positions of two columns of the document, so a
// phrase (<->, adjacent positions) never runs from one column into the
// next, as an FTS5 phrase stays inside its column.
const columnGap = 2

// Bounds of a tsvector (PostgreSQL documentation, "Text Search Types";
// src/include/tsearch/ts_type.h): positions run from 1 to maxPosition,
// and its distinct lexemes take less than 1 MiB in all, or its input
// fails ("string is too long for tsvector").
//
// A document keeps exact positions up to lastExactPosition; the words
// after it (only a very long excerpt has them) all take maxPosition, a
// column of their own columnGap further: each is still found alone, but
// no phrase reaches them. The literal stops before maxDocumentBytes,
// which bounds its distinct lexemes too; the words after that point are
// not found at all: an excerpt reaches it after about 60,000 words of
// six letters (each takes some 15 bytes of literal). The SQLite store
// indexes every word.
const (
	maxPosition       = 16383
	lastExactPosition = maxPosition - columnGap
	maxDocumentBytes  = 900 << 10
)

// writeSearch writes the search document of article id in tx: its title,
// excerpt, provider name and effective topics. It replaces any document
// the article had.
func writeSearch(ctx context.Context, tx pgx.Tx, id int64, title, excerpt, provider string, topics []string) error {
	_, err := tx.Exec(ctx, `INSERT INTO articles_search (article_id, doc) VALUES ($1, $2::tsvector)
		ON CONFLICT (article_id) DO UPDATE SET doc = EXCLUDED.doc`,
		id, searchDocument(title, excerpt, provider, topics))
	if err != nil {
		return fmt.Errorf("search document of article %d: %w", id, err)
	}
	return nil
}

// searchDocument is the tsvector literal of an article: every token of
// its four search columns at its position, the columns columnGap apart,
// always a valid tsvector (see maxDocumentBytes). The title, provider and
// topics, short in practice, come first so that they keep exact
// positions, and the excerpt, the one long column, last. A lexeme keeps
// its first 256 positions (PostgreSQL's limit): that changes no match but
// for a phrase of a word repeated more often.
func searchDocument(title, excerpt, provider string, topics []string) string {
	cols := db.SearchColumns(title, excerpt, provider, topics)
	var b strings.Builder
	pos := 0
	for _, col := range [...]string{cols[0], cols[2], cols[3], cols[1]} {
		for _, tok := range db.SearchTokens(col) {
			tok = db.TruncateUTF8(tok, maxLexemeBytes)
			// At most a quote per byte doubled, two quotes, ':', a
			// position of 5 digits and a space.
			if b.Len()+2*len(tok)+9 > maxDocumentBytes {
				return b.String()
			}
			pos++
			if pos > lastExactPosition {
				pos = maxPosition
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			writeLexeme(&b, tok)
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(pos))
		}
		pos += columnGap - 1
	}
	return b.String()
}

// writeLexeme writes tok quoted as tsvector and tsquery input read it: in
// single quotes, a quote doubled and a backslash escaped. Tokens are
// letters and digits, so neither occurs; the quoting is what keeps it so.
func writeLexeme(b *strings.Builder, tok string) {
	b.WriteByte('\'')
	for _, r := range tok {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

// searchQuery is the tsquery literal of what the search box's text asks
// for (db.SearchTerms), "" when nothing: the terms ANDed, a term of
// several tokens a phrase of adjacent ones (<->), a prefix term's last
// token with :*. It cannot fail to parse.
func searchQuery(text string) string {
	var b strings.Builder
	for i, t := range db.SearchTerms(text) {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(t.Tokens) > 1 {
			b.WriteByte('(')
		}
		for j, tok := range t.Tokens {
			if j > 0 {
				b.WriteString(" <-> ")
			}
			writeLexeme(&b, db.TruncateUTF8(tok, maxLexemeBytes))
		}
		if t.Prefix {
			b.WriteString(":*")
		}
		if len(t.Tokens) > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}
