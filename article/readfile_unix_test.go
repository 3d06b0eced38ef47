//go:build unix

package article

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO with an article's name must be refused, not waited on: opening one
// for reading blocks until a writer comes, which would hang an import.
func TestReadFileRefusesFIFOWithoutBlocking(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.md")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(p, 0)
		done <- err
	}()
	select {
	case err := <-done:
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != "pipe.md" || !strings.Contains(pe.Reason, "not a regular file") {
			t.Errorf("FIFO: %v, want a ParseError saying it is not a regular file", err)
		}
	case <-time.After(5 * time.Second):
		if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil { // let the blocked open return
			w.Close()
		}
		t.Fatal("ReadFile blocked on a FIFO")
	}
}
