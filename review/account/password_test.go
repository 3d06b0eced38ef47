package account

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestHashPasswordFormat(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
		t.Fatalf("hash %q", h)
	}
	salt, _ := base64.RawStdEncoding.DecodeString(parts[4])
	key, _ := base64.RawStdEncoding.DecodeString(parts[5])
	if len(salt) != 16 || len(key) != 32 {
		t.Errorf("salt %d bytes, key %d bytes", len(salt), len(key))
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyPassword(t *testing.T) {
	h, err := HashPassword("pässwörd-ünïcode")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{"pässwörd-ünïcode", true},
		{"pässwörd-ünïcodE", false},
		{"", false},
		{"pässwörd-ünïcode ", false},
	} {
		ok, err := VerifyPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("%q: %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
}

// TestVerifyUsesStoredParameters: a hash made with other parameters (as
// after a future change of the defaults) still verifies.
func TestVerifyUsesStoredParameters(t *testing.T) {
	// argon2id, m=8192,t=1,p=2 of "password" with salt "somesaltsomesalt".
	const pw = "password"
	p := argonParams{memory: 8192, time: 1, threads: 2, salt: []byte("somesaltsomesalt")}
	p.key = idKey(pw, p, 32)
	h := "$argon2id$v=19$m=8192,t=1,p=2$" + b64.EncodeToString(p.salt) + "$" + b64.EncodeToString(p.key)
	ok, err := VerifyPassword(h, pw)
	if err != nil || !ok {
		t.Fatalf("verify with stored parameters: %v, %v", ok, err)
	}
}

func TestVerifyRejectsBadHashes(t *testing.T) {
	good, _ := HashPassword("password1")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, h := range []string{
		"",
		"plaintext",
		"$2a$10$abcdefghijklmnopqrstuv", // bcrypt
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1x$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$extra",
	} {
		ok, err := VerifyPassword(h, "password1")
		if ok || !errors.Is(err, ErrBadHash) {
			t.Errorf("%q: %v, %v; want ErrBadHash", h, ok, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		want error
	}{
		{"", ErrPasswordTooShort},
		{"1234567", ErrPasswordTooShort},
		{"12345678", nil},
		{"äöüäöüä", ErrPasswordTooShort}, // 7 characters, 14 bytes
		{"äöüäöüäö", nil},
		{strings.Repeat("x", 128), nil},
		{strings.Repeat("x", 129), ErrPasswordTooLong},
		{strings.Repeat("ä", 128), nil}, // 256 bytes, 128 characters
	} {
		if err := ValidatePassword(tc.pw); !errors.Is(err, tc.want) {
			t.Errorf("%q: %v, want %v", tc.pw, err, tc.want)
		}
	}
}

func TestDummyHashVerifies(t *testing.T) {
	ok, err := VerifyPassword(dummyHash(), "anything")
	if err != nil || ok {
		t.Fatalf("dummy hash: %v, %v", ok, err)
	}
	if !strings.HasPrefix(dummyHash(), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Error("dummy hash does not use the current parameters, so it would cost a different time")
	}
}

// TestUseTestCostChangesNewHashesOnly: a test binary may lower the cost
// of new hashes; they verify and say their cost, and old ones still verify.
func TestUseTestCostChangesNewHashesOnly(t *testing.T) {
	old, err := HashPassword("the-old-password")
	if err != nil {
		t.Fatal(err)
	}
	UseTestCost()
	t.Cleanup(func() { hashCost.Store(nil) })
	h, err := HashPassword("a-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(h, "$"); len(parts) != 6 || parts[3] != "m=8,t=1,p=1" {
		t.Fatalf("hash at the test cost %q", h)
	}
	for _, c := range []struct {
		hash, pw string
		want     bool
	}{{h, "a-password-1", true}, {h, "a-password-2", false}, {old, "the-old-password", true}} {
		if ok, err := VerifyPassword(c.hash, c.pw); err != nil || ok != c.want {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v; want %v", c.hash, c.pw, ok, err, c.want)
		}
	}
}
