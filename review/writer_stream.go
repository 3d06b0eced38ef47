package review

import (
	"bufio"
	"fmt"
	"io"

	"github.com/newsdesk/newsdesk/article"
)

// StreamWriter writes one YAML stream with a document per article, as
// article.YAMLDocument makes it: its "# file: " line gives the name,
// %XX-escaped where needed, so every name is valid UTF-8 YAML and no two
// names give the same line.
//
// When articles were left out, Close ends the stream with comment lines
// only, so the documents read the same to any YAML reader:
//
//	# newsdesk: 2 articles not exported
//	# - file: a%0Ab.md
//	#   reason: ...
//
// (the name escaped as on a "# file: " line, the reason on one line,
// Go-quoted when it is not printable UTF-8).
type StreamWriter struct {
	w      *bufio.Writer
	names  nameSet
	closed bool
	docs   int // documents written
}

// NewStreamWriter writes a YAML stream to w, buffered: Close flushes.
func NewStreamWriter(w io.Writer) *StreamWriter {
	return &StreamWriter{w: bufio.NewWriterSize(w, 64<<10), names: nameSet{}}
}

// Add writes one document. It refuses with ErrUnwritable what is not a
// file name on Linux and a second file of the same name; any other error
// is from the underlying writer.
func (s *StreamWriter) Add(name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := s.names.claim(name, "file name"); err != nil {
		return err
	}
	_, err := s.w.Write(article.YAMLDocument(name, data))
	s.docs++
	return err
}

// Close writes the comments naming the skipped articles, if any, and
// flushes the stream.
func (s *StreamWriter) Close(skipped []Skipped) error {
	if s.closed {
		return nil
	}
	s.closed = true
	if len(skipped) > 0 {
		fmt.Fprintf(s.w, "# newsdesk: %s not exported\n", Plural(len(skipped), "article"))
		for _, sk := range skipped {
			fmt.Fprintf(s.w, "# - file: %s\n#   reason: %s\n", article.EscapeName(sk.FileName, nil), DisplayName(oneLine(sk.Reason)))
		}
	}
	return s.w.Flush()
}

// Abort ends a stream whose export stopped before its end with a comment
// saying so, after the documents written so far. Before the first
// document it writes nothing, so a web download can still answer with an
// error page instead of a stream.
func (s *StreamWriter) Abort(cause error) error {
	if s.closed || s.docs == 0 {
		s.closed = true
		return nil
	}
	s.closed = true
	reason := "aborted"
	if cause != nil {
		reason = cause.Error()
	}
	fmt.Fprintf(s.w, "# newsdesk: export stopped before its end: %s\n", DisplayName(oneLine(reason)))
	return s.w.Flush()
}
