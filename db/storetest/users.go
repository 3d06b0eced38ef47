package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

func init() {
	add("Users/CreateAndFind", usersCreateAndFind)
	add("Users/EpochsAndRoles", usersEpochsAndRoles)
	add("Users/RecordLogin", usersRecordLogin)
	add("Users/AuditKeepsUserID", usersAuditKeepsUserID)
	add("Users/FoldASCIIOnly", usersFoldASCIIOnly)
}

// usersCreate creates a user or fails t.
func usersCreate(t *testing.T, s db.Database, name string, role db.Role) *db.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), name, "hash-"+name, role)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func usersCreateAndFind(t *testing.T, s db.Database) {
	ctx := context.Background()
	alice, err := s.CreateUser(ctx, "alice", "hash1", db.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if alice.ID == 0 || alice.Username != "alice" || alice.PasswordHash != "hash1" || alice.Role != db.RoleAdmin ||
		alice.Disabled || alice.SessionEpoch != 1 || alice.CreatedAt.IsZero() || !alice.LastLoginAt.IsZero() {
		t.Errorf("created %+v", alice)
	}
	if _, err := s.CreateUser(ctx, "ALICE", "hash2", db.RoleEditor); !errors.Is(err, db.ErrUserExists) {
		t.Errorf("duplicate in another case: %v, want ErrUserExists", err)
	}
	for name, f := range map[string]func() error{
		"empty name":   func() error { _, err := s.CreateUser(ctx, " ", "h", db.RoleEditor); return err },
		"empty hash":   func() error { _, err := s.CreateUser(ctx, "dave", "", db.RoleEditor); return err },
		"unknown role": func() error { _, err := s.CreateUser(ctx, "dave", "h", "root"); return err },
		"set role":     func() error { return s.SetRole(ctx, alice.ID, "root") },
		"empty pw":     func() error { return s.SetPassword(ctx, alice.ID, "") },
	} {
		if err := f(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	bob := usersCreate(t, s, "Bob", db.RoleEditor) // as typed
	usersCreate(t, s, "carol", db.RoleEditor)

	if u, err := s.UserByName(ctx, "ALICE"); err != nil || u.ID != alice.ID || u.Username != "alice" {
		t.Errorf("UserByName(ALICE) = %+v, %v", u, err)
	}
	if u, err := s.UserByName(ctx, "bob"); err != nil || u.ID != bob.ID || u.Username != "Bob" {
		t.Errorf("UserByName(bob) = %+v, %v", u, err)
	}
	if u, err := s.UserByID(ctx, bob.ID); err != nil || *u != *bob {
		t.Errorf("UserByID = %+v, %v; want %+v", u, err, bob)
	}
	if _, err := s.UserByName(ctx, "nobody"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("missing user by name: %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(ctx, 999999); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("missing user by id: %v, want ErrNotFound", err)
	}
	// By name ignoring case (SQLite's NOCASE): Bob between alice and carol.
	names := usernames(t, s)
	if len(names) != 3 || names[0] != "alice" || names[1] != "Bob" || names[2] != "carol" {
		t.Errorf("Users = %q, want alice Bob carol", names)
	}
}

func usersEpochsAndRoles(t *testing.T, s db.Database) {
	ctx := context.Background()
	alice := usersCreate(t, s, "alice", db.RoleAdmin)
	bob := usersCreate(t, s, "bob", db.RoleEditor)
	steps := []struct {
		name      string
		do        func() error
		wantEpoch int64
		check     func(u *db.User) bool
	}{
		{"set password", func() error { return s.SetPassword(ctx, bob.ID, "hb2") }, 2, func(u *db.User) bool { return u.PasswordHash == "hb2" }},
		{"disable", func() error { return s.SetDisabled(ctx, bob.ID, true) }, 3, func(u *db.User) bool { return u.Disabled }},
		{"enable", func() error { return s.SetDisabled(ctx, bob.ID, false) }, 4, func(u *db.User) bool { return !u.Disabled }},
		{"role keeps sessions", func() error { return s.SetRole(ctx, bob.ID, db.RoleAdmin) }, 4, func(u *db.User) bool { return u.Role == db.RoleAdmin }},
		{"logout", func() error { return s.BumpSessionEpoch(ctx, bob.ID) }, 5, func(*db.User) bool { return true }},
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
		if u.UpdatedAt.Before(bob.UpdatedAt) {
			t.Errorf("%s: updated at %v, before creation %v", st.name, u.UpdatedAt, bob.UpdatedAt)
		}
	}
	if a, err := s.UserByID(ctx, alice.ID); err != nil || a.SessionEpoch != 1 {
		t.Errorf("alice's epoch moved: %+v, %v", a, err)
	}
	for name, err := range map[string]error{
		"password": s.SetPassword(ctx, 999999, "x"),
		"disabled": s.SetDisabled(ctx, 999999, true),
		"role":     s.SetRole(ctx, 999999, db.RoleEditor),
		"epoch":    s.BumpSessionEpoch(ctx, 999999),
		"login":    s.RecordLogin(ctx, 999999),
	} {
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s of a missing user: %v, want ErrNotFound", name, err)
		}
	}
}

// RecordLogin sets the time of the last login and nothing else.
func usersRecordLogin(t *testing.T, s db.Database) {
	ctx := context.Background()
	u := usersCreate(t, s, "ann", db.RoleEditor)
	if err := s.RecordLogin(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastLoginAt.IsZero() || got.LastLoginAt.Before(u.CreatedAt) || !got.UpdatedAt.Equal(u.UpdatedAt) ||
		got.SessionEpoch != u.SessionEpoch {
		t.Errorf("after RecordLogin %+v; created %+v", got, u)
	}
	if got.LastLoginAt.Location().String() != "UTC" {
		t.Errorf("last login in %v, want UTC", got.LastLoginAt.Location())
	}
}

func usersAuditKeepsUserID(t *testing.T, s db.Database) {
	ctx := context.Background()
	u := usersCreate(t, s, "alice", db.RoleEditor)
	r := seed(t, s, 1)[0]
	note := "n"
	if _, err := s.Update(ctx, r.ID, db.Edit{Version: r.Version, ActorID: u.ID, Actor: u.Username, Note: &note}); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, r.ID)
	if err != nil || len(h) != 1 || h[0].UserID != u.ID || h[0].Actor != "alice" {
		t.Errorf("history %+v, %v", h, err)
	}
}

// usersFoldASCIIOnly: usernames are one name when they differ in ASCII
// case only, as SQLite's NOCASE compares them, whatever the letters of
// other scripts and the PostgreSQL server's locale: "Émile" and "émile"
// are two users, each found by its own spelling only.
func usersFoldASCIIOnly(t *testing.T, s db.Database) {
	ctx := context.Background()
	alice := usersCreate(t, s, "alice", db.RoleEditor)
	upper := usersCreate(t, s, "Émile", db.RoleEditor)
	lower := usersCreate(t, s, "émile", db.RoleEditor)
	zoe := usersCreate(t, s, "Zoë", db.RoleEditor)
	for _, name := range []string{"ÉMILE", "éMILE", "ALICE", "ZOë"} {
		if _, err := s.CreateUser(ctx, name, "h", db.RoleEditor); !errors.Is(err, db.ErrUserExists) {
			t.Errorf("CreateUser(%s): %v, want ErrUserExists", name, err)
		}
	}
	for name, want := range map[string]int64{"Émile": upper.ID, "ÉMILE": upper.ID, "émile": lower.ID, "éMiLe": lower.ID,
		"ALICE": alice.ID, "Alice": alice.ID, "ZOë": zoe.ID} {
		if u, err := s.UserByName(ctx, name); err != nil || u.ID != want {
			t.Errorf("UserByName(%s) = %+v, %v; want user %d", name, u, err, want)
		}
	}
	for _, name := range []string{"emile", "EMILE", "zoe", "ZOË", "alicé"} {
		if u, err := s.UserByName(ctx, name); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("UserByName(%s) = %+v, %v; want ErrNotFound", name, u, err)
		}
	}
	// By bytes with ASCII capitals lower-cased: É (C3 89) before é (C3 A9).
	names := usernames(t, s)
	if want := []string{"alice", "Zoë", "Émile", "émile"}; !slices.Equal(names, want) {
		t.Errorf("Users = %q, want %q", names, want)
	}
}

// usernames are the names of s.Users, in its order.
func usernames(t *testing.T, s db.Database) []string {
	t.Helper()
	us, err := s.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	return names
}
