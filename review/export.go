package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// Writer receives the exported files one at a time, so an export of any
// size streams without holding the articles in memory.
//
// Add returns an error wrapping ErrUnwritable when it refuses this one file
// (its name cannot be written safely, say): the export names the article
// and goes on. Any other error (a full disk, a client gone) stops the
// export. Close finishes the output after the last article; skipped lists
// the articles that were left out, so the output can say so (a note in
// the zip, a comment in the stream, the folder's manifest). An export
// that stops early does not call Close, so a partial output never looks
// whole; a Writer that must tidy up then (the folder's manifest) also
// implements Aborter.
type Writer interface {
	Add(fileName string, data []byte) error
	Close(skipped []Skipped) error
}

// Aborter is a Writer that records an export that stopped before its end.
type Aborter interface {
	Abort(cause error) error
}

// ErrUnwritable is wrapped by a Writer's refusal of one file.
var ErrUnwritable = errors.New("cannot be written")

// Skipped is one article an export left out, and why.
type Skipped struct {
	Key      string
	FileName string
	Reason   string
}

func (s Skipped) String() string { return s.FileName + ": " + s.Reason }

// ExportReport says what an export wrote and what it left out.
type ExportReport struct {
	Written int
	Skipped []Skipped
}

// ErrIncomplete is returned by Export, after everything else was written,
// when at least one article was left out; the report names them.
var ErrIncomplete = errors.New("some articles were not exported")

// Export writes every article matching q (its status and filters; sort,
// cursor and limit are ignored) to w, in key order: each stored original is
// checked against its content hash, patched with the editors' values and
// handed to w. An article that fails any step is named in the report and
// skipped, never a reason to stop the rest; then the error is
// ErrIncomplete. Any other error is from the store or w and stops the
// export: w is then aborted, not closed.
func (s *Service) Export(ctx context.Context, q db.ListQuery, w Writer) (ExportReport, error) {
	// The store is read, and each file patched, in a goroutine of its own
	// while this one writes: reading and writing took about the same time,
	// one after the other. The queue between them is short, so memory
	// stays bounded by the store's export page.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := make(chan exportFile, exportQueue)
	readDone := make(chan error, 1)
	go func() {
		defer close(files)
		readDone <- s.store.Export(ctx, q, func(r db.ExportRecord) error {
			f := exportFile{key: r.Key, name: r.FileName}
			f.data, f.reason = exportable(r)
			select {
			case files <- f:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var rep ExportReport
	var err error
	for f := range files {
		if err == nil {
			if err = rep.write(w, f); err != nil {
				cancel() // stops the reader; the loop drains what it sent
			}
		}
	}
	if readErr := <-readDone; err == nil {
		err = readErr
	}
	if err != nil {
		if a, ok := w.(Aborter); ok {
			err = errors.Join(err, a.Abort(err))
		}
		return rep, err
	}
	if err = w.Close(rep.Skipped); err == nil && len(rep.Skipped) > 0 {
		err = ErrIncomplete
	}
	return rep, err
}

// exportQueue is how many files the store's reader may have ready ahead
// of the writer.
const exportQueue = 64

// exportFile is one article on its way to the writer: its file, or the
// reason it has none.
type exportFile struct {
	key, name string
	data      []byte
	reason    string
}

// write gives f to w, or records why it is left out. The error is a
// writer's failure, which ends the export.
func (rep *ExportReport) write(w Writer, f exportFile) error {
	reason := f.reason
	if reason == "" {
		err := w.Add(f.name, f.data)
		switch {
		case err == nil:
			rep.Written++
			return nil
		case !errors.Is(err, ErrUnwritable):
			return err
		}
		reason = err.Error()
	}
	name := f.name
	if name == "" { // a damaged row may keep only its key
		name = "(the file of article " + f.key + ")"
	}
	rep.Skipped = append(rep.Skipped, Skipped{Key: f.key, FileName: name, Reason: reason})
	return nil
}

// exportable is the file an export writes for r, or the reason it cannot.
func exportable(r db.ExportRecord) ([]byte, string) {
	if r.Err != nil {
		return nil, r.Err.Error()
	}
	data, err := article.Patch(r.Raw, r.Changes)
	if err != nil {
		return nil, fmt.Sprintf("the editors' values cannot be written into this file: %v", err)
	}
	return data, ""
}

// Discard is a Writer that keeps nothing: an export into it is a dry run
// that finds what a real one would leave out (names are not checked: the
// zip and stream writers write every name).
type Discard struct{}

func (Discard) Add(string, []byte) error { return nil }

func (Discard) Close([]Skipped) error { return nil }
