package review

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/article"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The notes a zip export may end with. An article of the same name (in
// any case) gets an escaped entry name instead, so a note never hides it.
const (
	NotExportedNote = "NOT-EXPORTED.txt" // the articles left out, and why
	RenamedNote     = "RENAMED.txt"      // the original name of each escaped entry
)

// zipUnsafe are the characters that some common unzip tools change or
// refuse in a name: '\' is a folder separator to Windows tools and to
// Info-ZIP unzip on archives from them; the rest are refused by Windows
// (Explorer) and replaced by '_' by Python's zipfile there, which merges
// names. Source: Microsoft, "Naming Files, Paths, and Namespaces".
const zipUnsafe = `\:*?"<>|`

// windowsReserved are the device names Windows will not create as a file,
// with any extension.
var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM0": true, "COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT0": true, "LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// ZipWriter writes every file into one zip archive, each entry mode 0644
// and stamped with one time.
//
// Entry names are safe for common unzip tools (Info-ZIP unzip, bsdtar,
// Windows Explorer, Python's zipfile): a name that is printable UTF-8
// without '%' and without any of \ : * ? " < > | stands as it is (the
// UTF-8 flag is set when it is not ASCII); in any other, '%', each such
// byte, each control character, each byte that is not UTF-8 and white
// space at either end become %XX (see article.EscapeName, with those
// characters added), as do a trailing '.', the first letter of a Windows
// device name (CON, NUL.md...) and of a name that is one of the notes.
// url.PathUnescape of the entry name is the original name, and two names
// never give the same entry. A name that an extraction would take for an
// earlier entry (it differs only in case or Unicode normalisation, which
// Windows, macOS and bsdtar merge) is escaped whole: every byte but ASCII
// digits, '.', '-' and '_'. An escaped name still longer than 255 bytes is
// cut to fit, with a hash of the original name added. Every escaped entry
// is listed with its original name, Go-quoted, in RenamedNote.
type ZipWriter struct {
	zw      *zip.Writer
	now     time.Time
	names   nameSet
	folded  map[string]bool // entries as a case-insensitive, normalising file system sees them
	renamed []string        // lines of RenamedNote
	closed  bool
}

// NewZipWriter writes a zip archive to w; now stamps every entry, so one
// export is one moment.
func NewZipWriter(w io.Writer, now time.Time) *ZipWriter {
	return &ZipWriter{zw: zip.NewWriter(w), now: now, names: nameSet{}, folded: map[string]bool{}}
}

// Add writes data as one entry (see ZipWriter for its name). It refuses
// with ErrUnwritable what is not a file name on Linux and a second file
// of the same name; any other error is from w.
func (z *ZipWriter) Add(name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	entry := zipEntryName(name, false)
	if !z.names[entry] && z.folded[foldName(entry)] {
		entry = zipEntryName(name, true)
	}
	if err := z.names.claim(entry, "zip entry"); err != nil {
		return err
	}
	z.folded[foldName(entry)] = true
	if entry != name {
		z.renamed = append(z.renamed, entry+"\t"+strconv.Quote(name))
	}
	return z.add(entry, data)
}

func (z *ZipWriter) add(entry string, data []byte) error {
	fh := &zip.FileHeader{Name: entry, Method: zip.Deflate, Modified: z.now}
	fh.SetMode(0o644)
	f, err := z.zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// Close adds NotExportedNote when skipped is not empty and RenamedNote
// when any name was escaped, then writes the zip's central directory.
func (z *ZipWriter) Close(skipped []Skipped) error {
	if z.closed {
		return nil
	}
	z.closed = true
	stamp := z.now.UTC().Format("2006-01-02 15:04 UTC")
	if len(skipped) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "newsdesk export of %s: %s left out of this zip.\n\n", stamp, Plural(len(skipped), "article"))
		for _, s := range skipped {
			fmt.Fprintf(&b, "%s\n    %s\n", DisplayName(s.FileName), oneLine(s.Reason))
		}
		if err := z.add(NotExportedNote, []byte(b.String())); err != nil {
			return err
		}
	}
	if len(z.renamed) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "newsdesk export of %s: %d file names cannot stand as they are in a zip\n"+
			"(control characters, characters Windows refuses, bytes that are not UTF-8, '%%').\n"+
			"Their entries hold %%XX escapes: each %%XX is one byte of the original name.\n"+
			"Each line: the entry name, a tab, the original name as a Go string literal (strconv.Quote).\n\n",
			stamp, len(z.renamed))
		for _, line := range z.renamed {
			b.WriteString(line + "\n")
		}
		if err := z.add(RenamedNote, []byte(b.String())); err != nil {
			return err
		}
	}
	return z.zw.Close()
}

// Abort ends a zip whose export stopped before its end without its
// central directory, so no unzip tool takes it for a whole archive.
func (z *ZipWriter) Abort(error) error {
	if z.closed {
		return nil
	}
	z.closed = true
	return z.zw.Flush()
}

// zipEntryName is the entry name of a file name, as ZipWriter tells;
// whole escapes every byte but ASCII digits, '.', '-' and '_'.
func zipEntryName(name string, whole bool) string {
	unsafe := func(r rune) bool { return strings.ContainsRune(zipUnsafe, r) }
	if whole {
		unsafe = func(r rune) bool { return !('0' <= r && r <= '9' || r == '.' || r == '-' || r == '_') }
	}
	e := article.EscapeName(name, unsafe)
	if strings.HasSuffix(e, ".") { // Windows drops it
		e = e[:len(e)-1] + "%2E"
	}
	stem, _, _ := strings.Cut(e, ".")
	if windowsReserved[strings.ToUpper(stem)] || strings.EqualFold(e, NotExportedNote) || strings.EqualFold(e, RenamedNote) {
		e = fmt.Sprintf("%%%02X", e[0]) + e[1:]
	}
	if len(e) > nameMax {
		e = shortenEntry(e, name)
	}
	return e
}

// foldName is the name a case-insensitive file system that does not tell
// Unicode normalisation forms apart sees: NFC, then case-folded.
func foldName(e string) string { return cases.Fold().String(norm.NFC.String(e)) }

// shortenEntry cuts an escaped name to nameMax bytes: its start, '~', 16
// hex digits of the SHA-256 of the original name, and its extension when
// that is short.
func shortenEntry(e, name string) string {
	sum := sha256.Sum256([]byte(name))
	tag := "~" + hex.EncodeToString(sum[:8])
	ext := path.Ext(e)
	if len(ext) > 32 {
		ext = ""
	}
	cut := nameMax - len(tag) - len(ext)
	// Never cut inside a UTF-8 sequence or a %XX escape.
	for cut > 0 && (!utf8.RuneStart(e[cut]) || strings.LastIndexByte(e[max(cut-2, 0):cut], '%') >= 0) {
		cut--
	}
	return e[:cut] + tag + ext
}
