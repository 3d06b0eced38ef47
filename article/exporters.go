package article

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Exporter receives exported files one at a time, so an export of any size
// streams without holding every article in memory.
type Exporter interface {
	Add(fileName string, data []byte) error
	Close() error
}

// uniqueNames refuses names that would escape the export folder or the zip
// root, and a second file under a name already written. Names come from
// imported files, so they are base names already: this is the second line of
// defence.
type uniqueNames map[string]bool

func (u uniqueNames) claim(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("export: unsafe file name %q", name)
	}
	if u[name] {
		return fmt.Errorf("export: two articles want the file name %s", name)
	}
	u[name] = true
	return nil
}

// DirExporter writes one file per article into a folder. Each file is
// written under a temporary name and renamed, so a crash never leaves a
// half-written article behind.
type DirExporter struct {
	dir   string
	names uniqueNames
}

// NewDirExporter creates dir when it is missing.
func NewDirExporter(dir string) (*DirExporter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &DirExporter{dir: dir, names: uniqueNames{}}, nil
}

func (d *DirExporter) Add(fileName string, data []byte) error {
	if err := d.names.claim(fileName); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, "."+fileName+".tmp*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, werr := tmp.Write(data)
	// CreateTemp makes the file owner-only; the pipeline, often another
	// user, must be able to read the export.
	if err := errors.Join(werr, tmp.Chmod(0o644), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("export: write %s: %w", fileName, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, fileName)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func (d *DirExporter) Close() error { return nil }

// ZipExporter writes every file into one zip archive.
type ZipExporter struct {
	zw    *zip.Writer
	now   time.Time
	names uniqueNames
}

// NewZipExporter stamps every entry with now, so one export is one moment.
func NewZipExporter(w io.Writer, now time.Time) *ZipExporter {
	return &ZipExporter{zw: zip.NewWriter(w), now: now, names: uniqueNames{}}
}

func (z *ZipExporter) Add(fileName string, data []byte) error {
	if err := z.names.claim(fileName); err != nil {
		return err
	}
	f, err := z.zw.CreateHeader(&zip.FileHeader{Name: fileName, Method: zip.Deflate, Modified: z.now})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

func (z *ZipExporter) Close() error { return z.zw.Close() }

// StreamExporter writes one YAML stream with a document per article.
type StreamExporter struct{ w *bufio.Writer }

func NewStreamExporter(w io.Writer) *StreamExporter {
	return &StreamExporter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (s *StreamExporter) Add(fileName string, data []byte) error {
	_, err := s.w.Write(YAMLDocument(fileName, data))
	return err
}

func (s *StreamExporter) Close() error { return s.w.Flush() }
