package db

import (
	"context"
	"errors"
	"testing"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)

	alice, err := s.CreateUser(ctx, "Alice", "hash1", RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if alice.ID == 0 || alice.Username != "Alice" || alice.Role != RoleAdmin || alice.Disabled || alice.SessionEpoch != 1 || alice.CreatedAt.IsZero() {
		t.Errorf("created %+v", alice)
	}
	if _, err := s.CreateUser(ctx, "alice", "hash2", RoleEditor); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate (other case): %v, want ErrUserExists", err)
	}
	for name, f := range map[string]func() error{
		"empty name":   func() error { _, err := s.CreateUser(ctx, " ", "h", RoleEditor); return err },
		"empty hash":   func() error { _, err := s.CreateUser(ctx, "bob", "", RoleEditor); return err },
		"unknown role": func() error { _, err := s.CreateUser(ctx, "bob", "h", "root"); return err },
		"set role":     func() error { return s.SetRole(ctx, alice.ID, "root") },
		"empty pw":     func() error { return s.SetPassword(ctx, alice.ID, "") },
	} {
		if err := f(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	bob, err := s.CreateUser(ctx, "bob", "hb", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}

	if u, err := s.UserByName(ctx, "ALICE"); err != nil || u.ID != alice.ID {
		t.Errorf("UserByName(ALICE) = %+v, %v", u, err)
	}
	if u, err := s.UserByID(ctx, bob.ID); err != nil || u.Username != "bob" {
		t.Errorf("UserByID = %+v, %v", u, err)
	}
	if _, err := s.UserByName(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: %v, want ErrNotFound", err)
	}
	us, err := s.Users(ctx)
	if err != nil || len(us) != 2 || us[0].Username != "Alice" || us[1].Username != "bob" {
		t.Errorf("Users = %+v, %v", us, err)
	}

	steps := []struct {
		name      string
		do        func() error
		wantEpoch int64
		check     func(u *User) bool
	}{
		{"set password", func() error { return s.SetPassword(ctx, bob.ID, "hb2") }, 2, func(u *User) bool { return u.PasswordHash == "hb2" }},
		{"disable", func() error { return s.SetDisabled(ctx, bob.ID, true) }, 3, func(u *User) bool { return u.Disabled }},
		{"enable", func() error { return s.SetDisabled(ctx, bob.ID, false) }, 4, func(u *User) bool { return !u.Disabled }},
		{"role keeps sessions", func() error { return s.SetRole(ctx, bob.ID, RoleAdmin) }, 4, func(u *User) bool { return u.Role == RoleAdmin }},
		{"logout", func() error { return s.BumpSessionEpoch(ctx, bob.ID) }, 5, func(*User) bool { return true }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		u, err := s.UserByID(ctx, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.SessionEpoch != st.wantEpoch || !st.check(u) {
			t.Errorf("%s: %+v, want epoch %d", st.name, u, st.wantEpoch)
		}
	}
	if a, _ := s.UserByID(ctx, alice.ID); a.SessionEpoch != 1 {
		t.Errorf("alice's epoch moved to %d", a.SessionEpoch)
	}
	for name, err := range map[string]error{
		"password": s.SetPassword(ctx, 999, "x"),
		"disabled": s.SetDisabled(ctx, 999, true),
		"role":     s.SetRole(ctx, 999, RoleEditor),
		"epoch":    s.BumpSessionEpoch(ctx, 999),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of missing user: %v, want ErrNotFound", name, err)
		}
	}
}

func TestAuditKeepsUserID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	u, err := s.CreateUser(ctx, "alice", "h", RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, genArticle(1))
	r := mustGetByKey(t, s, genArticle(1).Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: 1, ActorID: u.ID, Actor: u.Username, Note: ptr("n")}); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, r.ID)
	if err != nil || len(h) != 1 || h[0].UserID != u.ID || h[0].Actor != "alice" {
		t.Errorf("history %+v, %v", h, err)
	}
}
