package review

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The export folder's own files. Every name starting with ownPrefix is
// kept for them: an article of that name is refused.
const (
	ownPrefix    = ".newsdesk-"
	ManifestName = ownPrefix + "export.json"    // the manifest, written last
	journalName  = ownPrefix + "export.journal" // files written so far, for a killed export
	tempPrefix   = ownPrefix + "tmp-"           // a file being written; a leftover of a killed export
)

// manifestFormat and manifestVersion name the manifest's format; a
// manifest of another format or a newer version is not overwritten.
const (
	manifestFormat  = "newsdesk-export"
	manifestVersion = 1
)

var errFolderBusy = errors.New("another export is writing to this folder")

// DirOptions are the choices of a folder export.
type DirOptions struct {
	// KeepStale leaves the files an earlier export wrote that are not in
	// this one (the command's --keep-stale). They stay listed in the
	// manifest, so a later export without it removes them.
	KeepStale bool
	// Now is the clock of the manifest's times; nil is time.Now.
	Now func() time.Time
}

// StaleFile is a file an earlier export wrote to the folder that this one
// did not write: removed, or kept and why.
type StaleFile struct {
	Name    string
	Removed bool
	Why     string // why it was kept; empty when removed
}

// String is the report line of f, its name as DisplayName gives it.
func (f StaleFile) String() string {
	if f.Removed {
		return "removed " + DisplayName(f.Name)
	}
	return "kept " + DisplayName(f.Name) + ": " + f.Why
}

// DirWriter writes one file per article into a folder, under the
// article's own file name, and keeps a manifest there (ManifestName) so
// that the folder ends holding exactly the exported set.
//
// Names: any name that is one file name on Linux is written as it is
// (backslashes, spaces, line breaks, bytes that are not UTF-8), except
// that a name starting with ".newsdesk-" (the folder's own files), a name
// longer than 255 bytes (NAME_MAX), one the file system refuses (EILSEQ,
// EINVAL), one that a folder holds already, and one that the file system
// takes for a file written before in this export (case-insensitive or
// normalising file systems) are refused with ErrUnwritable.
//
// Files: each is written to a temporary file (.newsdesk-tmp-NNN, a short
// name, so a 255-byte article name still fits) and renamed, so a reader
// never sees half an article; files are mode 0644 whatever the umask (the
// pipeline reading them is often another user). A folder that is missing
// is created mode 0755. Two exports into one folder at once are refused
// (flock(2) on the folder).
//
// The manifest is JSON, mode 0644, replaced atomically (temporary file,
// fsync, rename). The export rewrites it with "complete": false before it
// writes any file, and with the final state when it closes, so it says
// "complete": true only when the folder holds a whole export with nothing
// left out. It lists this export's files with their SHA-256 ("files"),
// files of earlier exports that were kept ("earlier"), the articles left
// out ("skipped") and the stale files removed ("removed"); a name that is
// not UTF-8 is given as "nameBase64" instead of "name".
//
// Stale files: on Close, each file an earlier export wrote (listed in the
// previous manifest, or in the journal of a killed export) that this
// export did not write is removed, unless KeepStale is set, its article
// was left out of this export (its last good version stays), or it is no
// longer the file newsdesk wrote (not a regular file, or its SHA-256
// differs): a file newsdesk did not write is never removed. Stale tells
// what happened to each. Leftover temporary files of a killed export are
// removed when the folder is opened (TempRemoved names them).
type DirWriter struct {
	dir   string
	opts  DirOptions
	lock  *os.File
	jrnl  *os.File
	start time.Time

	earlier map[string]manifestFile // files earlier exports wrote, by name
	written []manifestFile
	names   nameSet
	ids     map[fileID]string // which file each written name is, for file systems that fold names
	temps   []string
	stale   []StaleFile

	failed error // a write failed or Abort was called: Close removes nothing
	closed bool
}

// NewDirWriter opens dir for an export (creating it, mode 0755, when
// missing), takes its lock, reads the previous manifest, removes leftover
// temporary files and marks the manifest incomplete. Errors name dir: a
// manifest it cannot read (remove it to start afresh: newsdesk then
// removes no file of an earlier export), another export writing there, or
// a file system error.
func NewDirWriter(dir string, opts DirOptions) (*DirWriter, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &DirWriter{dir: dir, opts: opts, start: opts.Now().UTC(), names: nameSet{}, ids: map[fileID]string{}}
	if err := d.open(); err != nil {
		d.release()
		return nil, fmt.Errorf("export to %s: %w", dir, err)
	}
	return d, nil
}

func (d *DirWriter) open() error {
	if err := makeDir(d.dir); err != nil {
		return err
	}
	var err error
	if d.lock, err = os.Open(d.dir); err != nil {
		return err
	}
	if err := lockDir(d.lock); err != nil {
		return err
	}
	if d.earlier, err = d.readEarlier(); err != nil {
		return err
	}
	if err := d.removeTemps(); err != nil {
		return err
	}
	// The manifest keeps what the journal knew before the journal is
	// emptied, so no file an export wrote is ever forgotten.
	if err := d.writeManifest(false, nil, nil); err != nil {
		return err
	}
	d.jrnl, err = os.OpenFile(filepath.Join(d.dir, journalName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o666)
	return err
}

// makeDir creates dir mode 0755 when it is missing, whatever the umask.
func makeDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return errors.New("not a folder")
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	return os.MkdirAll(dir, 0o777) // less the umask, like mkdir(1)
}

// readEarlier is every file earlier exports wrote: the previous manifest's
// files, and those a killed export listed in its journal.
func (d *DirWriter) readEarlier() (map[string]manifestFile, error) {
	earlier := map[string]manifestFile{}
	data, err := os.ReadFile(filepath.Join(d.dir, ManifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w (remove it to export afresh)", ManifestName, err)
		}
		if m.Format != manifestFormat {
			return nil, fmt.Errorf("%s: not a newsdesk export manifest (remove it to export afresh)", ManifestName)
		}
		if m.Version > manifestVersion {
			return nil, fmt.Errorf("%s is of version %d, newer than this newsdesk's %d", ManifestName, m.Version, manifestVersion)
		}
		for _, f := range slices.Concat(m.Earlier, m.Files) {
			earlier[f.name()] = f
		}
	}
	j, err := os.Open(filepath.Join(d.dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return earlier, nil
	} else if err != nil {
		return nil, err
	}
	defer j.Close()
	sc := bufio.NewScanner(j)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var f manifestFile
		// A line cut short by the kill is skipped: its file was not renamed.
		if json.Unmarshal(sc.Bytes(), &f) == nil && f.name() != "" {
			earlier[f.name()] = f
		}
	}
	return earlier, sc.Err()
}

// removeTemps removes the temporary files a killed export left.
func (d *DirWriter) removeTemps() error {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(d.dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		d.temps = append(d.temps, e.Name())
	}
	return nil
}

// Add writes data as the file name in the folder (see DirWriter for the
// names it refuses). An error not wrapping ErrUnwritable is a fault of the
// folder or the disk: the export must stop, and Close then removes no
// stale file.
func (d *DirWriter) Add(name string, data []byte) error {
	if d.failed != nil || d.closed {
		return fmt.Errorf("export to %s: the export has already failed or ended", d.dir)
	}
	if err := d.refuse(name); err != nil {
		return err
	}
	err := d.write(name, data)
	if err != nil && !errors.Is(err, ErrUnwritable) {
		err = fmt.Errorf("export to %s: %s: %w", d.dir, DisplayName(name), err)
		d.failed = err
	}
	return err
}

// refuse says why name cannot be written, or nil.
func (d *DirWriter) refuse(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	switch {
	case len(name) > nameMax:
		return refusal("the name is %d bytes long; a file name on Linux has at most %d", len(name), nameMax)
	case strings.HasPrefix(name, ownPrefix):
		return refusal("names starting with %s are kept for the export folder's own files", ownPrefix)
	}
	if d.names[name] {
		return refusal("another article of this export was written under the same file name")
	}
	fi, err := os.Lstat(filepath.Join(d.dir, name))
	if err != nil {
		return nil // nothing there, or the rename will say
	}
	if fi.IsDir() {
		return refusal("a folder of that name is in the way in %s", d.dir)
	}
	if id, ok := idOf(fi); ok && d.ids[id] != "" {
		return refusal("the file system of %s takes this name for %s, written before in this export (it folds case or Unicode forms)",
			d.dir, DisplayName(d.ids[id]))
	}
	return nil
}

// write puts data in place under name: journal first, so that a kill
// between the two never leaves a file newsdesk wrote unlisted.
func (d *DirWriter) write(name string, data []byte) error {
	sum := sha256.Sum256(data)
	f := newManifestFile(name, hex.EncodeToString(sum[:]), int64(len(data)))
	line, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if _, err := d.jrnl.Write(append(line, '\n')); err != nil {
		return err
	}
	path := filepath.Join(d.dir, name)
	fi, err := writeAtomic(d.dir, path, data, false)
	if err != nil {
		// Only the rename meets the article's name: the temporary file's is short.
		if le := (*os.LinkError)(nil); errors.As(err, &le) && nameFault(le.Err) {
			return refusal("the file system refuses the name: %v", le.Err)
		}
		return err
	}
	if id, ok := idOf(fi); ok {
		d.ids[id] = name
	}
	d.names[name] = true
	d.written = append(d.written, f)
	return nil
}

// writeAtomic writes data to a temporary file in dir and renames it to
// path; sync also flushes it to the disk first. The file's mode is 0666
// less the umask, as for any file a command writes: 0644 usually, so the
// pipeline (often another user) can read it, and private under umask 077.
// It returns the file's information, read from the open file before the
// rename (the same file after it; fstat spares a lookup by name).
func writeAtomic(dir, path string, data []byte, sync bool) (fs.FileInfo, error) {
	tmp, err := createTemp(dir)
	if err != nil {
		return nil, err
	}
	_, err = tmp.Write(data)
	if sync && err == nil {
		err = tmp.Sync()
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = tmp.Stat()
	}
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	return fi, nil
}

// createTemp creates a new file named tempPrefix and a random number in
// dir, like os.CreateTemp but with mode 0666 less the umask (CreateTemp
// makes it 0600 whatever the umask).
func createTemp(dir string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, tempPrefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary file name in %s", dir)
}

// Close removes the stale files (see DirWriter), writes the final
// manifest, complete when skipped is empty, and releases the folder. After
// a failed Add it only records the export as incomplete. Errors name the
// folder; a stale file that cannot be removed is not an error but kept,
// and Stale says why.
func (d *DirWriter) Close(skipped []Skipped) error {
	if d.closed {
		return nil
	}
	d.closed = true
	defer d.release()
	if d.failed != nil {
		return d.finish(false, skipped)
	}
	d.removeStale(skipped)
	return d.finish(len(skipped) == 0, skipped)
}

// Abort ends an export that stopped before its end (cause: the store or
// the context failed): the manifest says incomplete and why, and no stale
// file is removed, since the articles not reached yet would look stale.
func (d *DirWriter) Abort(cause error) error {
	if d.closed {
		return nil
	}
	if cause == nil {
		cause = errors.New("aborted")
	}
	d.failed = cause
	return d.Close(nil)
}

// Stale is what Close did with each file an earlier export wrote that
// this one did not write, in name order.
func (d *DirWriter) Stale() []StaleFile { return d.stale }

// TempRemoved names the temporary files of a killed export that opening
// the folder removed.
func (d *DirWriter) TempRemoved() []string { return d.temps }

func (d *DirWriter) finish(complete bool, skipped []Skipped) error {
	err := d.writeManifest(complete, skipped, d.failed)
	if err == nil {
		err = os.Remove(filepath.Join(d.dir, journalName))
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w", d.dir, err)
	}
	return nil
}

func (d *DirWriter) release() {
	if d.jrnl != nil {
		d.jrnl.Close()
	}
	if d.lock != nil {
		d.lock.Close() // also releases the flock
	}
}

// removeStale removes the files earlier exports wrote that this one did
// not, as DirWriter tells; those kept stay in d.earlier when they are
// still newsdesk's.
func (d *DirWriter) removeStale(skipped []Skipped) {
	left := map[string]bool{}
	for _, s := range skipped {
		left[s.FileName] = true
	}
	for _, name := range slices.Sorted(maps.Keys(d.earlier)) {
		f := d.earlier[name]
		delete(d.earlier, name)
		if d.names[name] || d.refuseStored(name) {
			continue
		}
		path := filepath.Join(d.dir, name)
		fi, err := os.Lstat(path)
		if err != nil {
			continue // gone already
		}
		if id, ok := idOf(fi); ok && d.ids[id] != "" {
			continue // the file system's other spelling of a file written now
		}
		kept := func(why string, ours bool) {
			d.stale = append(d.stale, StaleFile{Name: name, Why: why})
			if ours {
				f.Why = why
				d.earlier[name] = f
			}
		}
		switch {
		case left[name]:
			kept("its article was left out of this export; its last export stays", true)
		case !fi.Mode().IsRegular():
			kept("no longer a file newsdesk wrote (not a regular file)", false)
		case !sameContent(path, fi, f):
			kept("changed since newsdesk wrote it", false)
		case d.opts.KeepStale:
			kept("kept as asked (--keep-stale)", true)
		default:
			if err := os.Remove(path); err != nil {
				kept(err.Error(), true)
				continue
			}
			d.stale = append(d.stale, StaleFile{Name: name, Removed: true})
		}
	}
}

// refuseStored reports whether a name from the manifest or journal is one
// that no export writes: a manifest changed by hand must not make newsdesk
// remove anything outside its folder or its own files.
func (d *DirWriter) refuseStored(name string) bool {
	return checkName(name) != nil || len(name) > nameMax || strings.HasPrefix(name, ownPrefix)
}

// sameContent reports whether the file at path is still the one f lists.
func sameContent(path string, fi os.FileInfo, f manifestFile) bool {
	if fi.Size() != f.Size {
		return false
	}
	file, err := os.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == f.SHA256
}

// writeManifest replaces the manifest: this export's files, the earlier
// files still tracked, the articles left out and the stale files removed.
func (d *DirWriter) writeManifest(complete bool, skipped []Skipped, failure error) error {
	m := manifest{
		Format: manifestFormat, Version: manifestVersion, Complete: complete,
		Started: d.start, Files: d.written,
	}
	if m.Files == nil {
		m.Files = []manifestFile{}
	}
	if d.closed {
		end := d.opts.Now().UTC()
		m.Finished = &end
	}
	if failure != nil {
		m.Error = failure.Error()
	}
	for _, name := range slices.Sorted(maps.Keys(d.earlier)) {
		if !d.names[name] {
			m.Earlier = append(m.Earlier, d.earlier[name])
		}
	}
	for _, s := range skipped {
		m.Skipped = append(m.Skipped, manifestSkip{jsonName: newJSONName(s.FileName), Key: s.Key, Reason: s.Reason})
	}
	for _, s := range d.stale {
		if s.Removed {
			m.Removed = append(m.Removed, newJSONName(s.Name))
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	if _, err := writeAtomic(d.dir, filepath.Join(d.dir, ManifestName), b.Bytes(), true); err != nil {
		return err
	}
	return syncDir(d.lock)
}

// syncDir makes the renames in the folder durable (fsync(2) of the
// folder), so the manifest never names files a crash lost.
func syncDir(dir *os.File) error { return dir.Sync() }

// manifest is the JSON of ManifestName.
type manifest struct {
	Format   string         `json:"format"`
	Version  int            `json:"version"`
	Complete bool           `json:"complete"`
	Started  time.Time      `json:"started"`
	Finished *time.Time     `json:"finished,omitempty"`
	Error    string         `json:"error,omitempty"`
	Files    []manifestFile `json:"files"`
	Earlier  []manifestFile `json:"earlier,omitempty"`
	Skipped  []manifestSkip `json:"skipped,omitempty"`
	Removed  []jsonName     `json:"removed,omitempty"`
}

// jsonName is a file name in JSON: "name" when it is UTF-8, else
// "nameBase64" (JSON strings cannot hold other bytes).
type jsonName struct {
	Name       string `json:"name,omitempty"`
	NameBase64 []byte `json:"nameBase64,omitempty"`
}

func newJSONName(s string) jsonName {
	if utf8.ValidString(s) {
		return jsonName{Name: s}
	}
	return jsonName{NameBase64: []byte(s)}
}

func (n jsonName) name() string {
	if n.NameBase64 != nil {
		return string(n.NameBase64)
	}
	return n.Name
}

type manifestFile struct {
	jsonName
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Why    string `json:"why,omitempty"` // an earlier file: why it was kept
}

func newManifestFile(name, sum string, size int64) manifestFile {
	return manifestFile{jsonName: newJSONName(name), SHA256: sum, Size: size}
}

type manifestSkip struct {
	jsonName
	Key    string `json:"key"`
	Reason string `json:"reason"`
}
