package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Settings/SessionKeysCreatedOnce", settingsKeysCreatedOnce)
	add("Settings/RotateSessionKeys", settingsRotate)
	add("Settings/RotateCreatesMissingKeys", settingsRotateCreates)
}

// settingsKeys returns the session keys, checking their sizes.
func settingsKeys(t *testing.T, s db.Database) (hash, block []byte) {
	t.Helper()
	hash, block, err := s.SessionKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(hash) != db.SessionHashKeyLen || len(block) != db.SessionBlockKeyLen {
		t.Fatalf("key lengths %d, %d; want %d, %d", len(hash), len(block), db.SessionHashKeyLen, db.SessionBlockKeyLen)
	}
	return hash, block
}

// Concurrent first calls agree on one pair, and later calls return it.
func settingsKeysCreatedOnce(t *testing.T, s db.Database) {
	const n = 8
	hashes, blocks := make([][]byte, n), make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			h, b, err := s.SessionKeys(context.Background())
			if err != nil {
				t.Error(err)
			}
			hashes[i], blocks[i] = h, b
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i := range n {
		if !bytes.Equal(hashes[i], hashes[0]) || !bytes.Equal(blocks[i], blocks[0]) {
			t.Fatal("concurrent calls made different keys")
		}
	}
	h, b := settingsKeys(t, s)
	if !bytes.Equal(h, hashes[0]) || !bytes.Equal(b, blocks[0]) {
		t.Fatal("a later call returned other keys")
	}
	if bytes.Equal(h[:db.SessionBlockKeyLen], b) || bytes.Equal(h, make([]byte, db.SessionHashKeyLen)) {
		t.Fatal("keys are not independent random bytes")
	}
}

// Rotation replaces both keys, and the new ones are kept like the first.
func settingsRotate(t *testing.T, s db.Database) {
	h1, b1 := settingsKeys(t, s)
	if err := s.RotateSessionKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2, b2 := settingsKeys(t, s)
	if bytes.Equal(h1, h2) || bytes.Equal(b1, b2) {
		t.Fatal("rotation kept a key")
	}
	h3, b3 := settingsKeys(t, s)
	if !bytes.Equal(h2, h3) || !bytes.Equal(b2, b3) {
		t.Fatal("keys after rotation not stable")
	}
}

// Rotating a database that never had keys creates them.
func settingsRotateCreates(t *testing.T, s db.Database) {
	if err := s.RotateSessionKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	h1, b1 := settingsKeys(t, s)
	h2, b2 := settingsKeys(t, s)
	if !bytes.Equal(h1, h2) || !bytes.Equal(b1, b2) {
		t.Fatal("keys made by a rotation not kept")
	}
}
