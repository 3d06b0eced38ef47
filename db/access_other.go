//go:build !unix

package db

// canWrite reports that path may be written: without access(2), OpenReadOnly
// never assumes a file immutable and lets SQLite decide.
func canWrite(string) bool { return true }
