//go:build unix

package db

import "syscall"

// canWrite reports whether this process may write to path (access(2)
// W_OK; root may write to everything but a read-only file system).
func canWrite(path string) bool {
	return syscall.Access(path, 0x2) == nil
}
