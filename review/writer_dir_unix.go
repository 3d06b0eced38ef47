//go:build unix

package review

import (
	"errors"
	"os"
	"syscall"
)

// fileID is what makes two names one file: device and inode.
type fileID struct{ dev, ino uint64 }

func idOf(fi os.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true // Dev is int32 on some systems
}

// lockDir takes an advisory lock on the open folder (flock(2)), released
// when it is closed or the process dies, so two exports into one folder
// cannot remove each other's files.
func lockDir(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errFolderBusy
	}
	return err
}

// nameFault reports whether err is the file system refusing a name (too
// long, not in its encoding, not allowed), not a fault of the disk.
func nameFault(err error) bool {
	return errors.Is(err, syscall.ENAMETOOLONG) || errors.Is(err, syscall.EILSEQ) || errors.Is(err, syscall.EINVAL)
}
