//go:build !unix

package review

import "os"

// fileID is what makes two names one file; unknown off Unix.
type fileID struct{}

func idOf(os.FileInfo) (fileID, bool) { return fileID{}, false }

// lockDir does nothing off Unix: no flock(2).
func lockDir(*os.File) error { return nil }

func nameFault(error) bool { return false }
