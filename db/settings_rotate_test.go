package db

import (
	"bytes"
	"context"
	"testing"
)

func TestRotateSessionKeys(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	h1, b1, err := s.SessionKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RotateSessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	h2, b2, err := s.SessionKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h2) != sessionHashKeyLen || len(b2) != sessionBlockKeyLen {
		t.Fatalf("key lengths %d, %d", len(h2), len(b2))
	}
	if bytes.Equal(h1, h2) || bytes.Equal(b1, b2) {
		t.Fatal("rotation kept a key")
	}
	// The new keys are kept like the first ones.
	h3, b3, err := s.SessionKeys(ctx)
	if err != nil || !bytes.Equal(h2, h3) || !bytes.Equal(b2, b3) {
		t.Fatalf("keys after rotation not stable: %v", err)
	}
	// Rotating a database that never had keys just creates them.
	fresh := newStore(t)
	if err := fresh.RotateSessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, fresh, "settings"); n != 2 {
		t.Errorf("%d settings rows, want 2", n)
	}
}
