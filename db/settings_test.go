package db

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
)

func TestSessionKeysCreatedOnceAndKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent first calls agree on one pair.
	var wg sync.WaitGroup
	hashes, blocks := make([][]byte, 8), make([][]byte, 8)
	for i := range 8 {
		wg.Go(func() {
			h, b, err := s.SessionKeys(ctx)
			if err != nil {
				t.Error(err)
			}
			hashes[i], blocks[i] = h, b
		})
	}
	wg.Wait()
	for i := range 8 {
		if len(hashes[i]) != 64 || len(blocks[i]) != 32 {
			t.Fatalf("key lengths %d, %d", len(hashes[i]), len(blocks[i]))
		}
		if !bytes.Equal(hashes[i], hashes[0]) || !bytes.Equal(blocks[i], blocks[0]) {
			t.Fatal("concurrent calls made different keys")
		}
	}
	if bytes.Equal(hashes[0][:32], blocks[0]) || bytes.Equal(hashes[0], make([]byte, 64)) {
		t.Fatal("keys are not independent random bytes")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A reopened database (a restart) returns the same keys.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, b, err := s.SessionKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h, hashes[0]) || !bytes.Equal(b, blocks[0]) {
		t.Fatal("keys changed after reopening")
	}
	// Another database has other keys.
	other, err := Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	h2, _, err := other.SessionKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(h, h2) {
		t.Fatal("two databases share keys")
	}
}

func TestSessionKeysRefuseDamagedValue(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "bad.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, 0)`,
		settingSessionHashKey, []byte("short")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionKeys(ctx); err == nil {
		t.Fatal("a damaged key was accepted or silently replaced")
	}
}
