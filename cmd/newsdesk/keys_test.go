package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

func TestRotateKeys(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "n.db")
	keys := func() []byte {
		store, err := db.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		h, b, err := store.SessionKeys(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return append(h, b...)
	}
	if _, errOut, code := runCmd(t, "rotate-keys", "--db", dbPath); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("rotate-keys on a missing database: exit %d, %q", code, errOut)
	}
	before := keys()
	out, errOut, code := runCmd(t, "rotate-keys", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "session keys of "+dbPath+" replaced") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if bytes.Equal(before, keys()) {
		t.Error("keys unchanged")
	}
	if out, _, code := runCmd(t, "rotate-keys", "--help"); code != 0 || !strings.Contains(out, "Usage: newsdesk rotate-keys") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
	if _, _, code := runCmd(t, "rotate-keys", "--db", dbPath, "extra"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}
