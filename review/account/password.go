package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argonCost is argon2id's cost: memory in KiB, passes and lanes.
type argonCost struct {
	memoryKiB, time uint32
	threads         uint8
}

// defaultCost is the OWASP Password Storage Cheat Sheet's first
// recommended set (19 MiB, 2 passes, 1 lane). Stored hashes carry their
// parameters, so raising these later keeps old hashes verifiable.
var defaultCost = argonCost{memoryKiB: 19456, time: 2, threads: 1}

// testCost is the least cost RFC 9106 allows (8 KiB per lane, 1 pass),
// for UseTestCost.
var testCost = argonCost{memoryKiB: 8, time: 1, threads: 1}

// hashCost is the cost of new hashes: defaultCost unless UseTestCost.
var hashCost atomic.Pointer[argonCost]

const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// UseTestCost makes HashPassword (and DummyHash) use argon2id's least
// cost for the rest of the process, for tests that log in many times:
// under the race detector one hash at the default cost takes about 300
// ms. Verification is unchanged (it always uses the parameters stored in
// the hash), and so is what a hash looks like. Django recommends the
// same for its tests ("Speeding up the tests", a faster password
// hasher). Call it from TestMain, before any hash is made. It panics
// outside a test binary (testing.Testing), so a server can never run
// with it.
func UseTestCost() {
	if !testing.Testing() {
		panic("account: UseTestCost outside a test binary")
	}
	hashCost.Store(&testCost)
}

// Password length bounds, in characters (runes). The upper bound keeps a
// hash request cheap; argon2 itself would accept any length.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// Upper bounds accepted when parsing a stored hash, so a corrupted or
// hostile row cannot make one verification allocate gigabytes.
const (
	maxStoredMemoryKiB = 1 << 20 // 1 GiB
	maxStoredTime      = 16
	maxStoredKeyLen    = 128
)

var (
	// ErrPasswordTooShort and ErrPasswordTooLong are ValidatePassword's
	// answers; their text is fit to show to a user.
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d characters", MaxPasswordLen)
	// ErrBadHash means a stored hash is not a PHC argon2id string we accept.
	ErrBadHash = errors.New("unrecognised password hash")
)

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// dummyHash is made on first use, so commands that never log anyone in do
// not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(rand.Text())
	if err != nil {
		panic("account: dummy hash: " + err.Error()) // crypto/rand failing is fatal in Go anyway
	}
	return h
})

// DummyHash is a hash, with the current parameters, of a random password
// nobody knows. A login that names no existing user (or one whose stored
// hash is unusable) verifies against it, so that an unknown username costs
// the same time as a wrong password and response times do not reveal which
// usernames exist. It is the same string for the life of the process.
func DummyHash() string { return dummyHash() }

// ValidatePassword checks the length rules for a new password:
// MinPasswordLen to MaxPasswordLen characters (runes, not bytes). It
// returns ErrPasswordTooShort or ErrPasswordTooLong.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen:
		return ErrPasswordTooLong
	}
	return nil
}

// HashPassword hashes pw with argon2id (RFC 9106) and a fresh 16-byte
// random salt, and returns the PHC string
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (base64 without padding, a
// 32-byte key). It takes about as long as one login check (tens of
// milliseconds, 19 MiB). It fails only if crypto/rand does.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	c := defaultCost
	if tc := hashCost.Load(); tc != nil {
		c = *tc
	}
	key := argon2.IDKey([]byte(pw), salt, c.time, c.memoryKiB, c.threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, c.memoryKiB, c.time, c.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the stored hash, using the
// parameters stored in it (so hashes made with older parameters still
// verify) and a constant-time comparison (crypto/subtle). A hash it cannot
// parse, or whose parameters exceed sane bounds (1 GiB, 16 passes, a
// 128-byte key), is an error wrapping ErrBadHash, never a match.
func VerifyPassword(hash, pw string) (bool, error) {
	p, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(idKey(pw, p, len(p.key)), p.key) == 1, nil
}

func idKey(pw string, p argonParams, n int) []byte {
	return argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(n))
}

// argonParams is a parsed PHC argon2id string.
type argonParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parseHash(hash string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version ||
		parts[2] != fmt.Sprintf("v=%d", version) {
		return p, fmt.Errorf("%w: version %q", ErrBadHash, parts[2])
	}
	// Re-printing the parsed numbers must give the text back: that refuses
	// trailing junk, signs and leading zeros that Sscanf lets through.
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads)
	if err != nil || parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.memory, p.time, p.threads) {
		return p, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	if p.memory == 0 || p.memory > maxStoredMemoryKiB || p.time == 0 || p.time > maxStoredTime || p.threads == 0 {
		return p, fmt.Errorf("%w: parameters %q out of range", ErrBadHash, parts[3])
	}
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, fmt.Errorf("%w: salt", ErrBadHash)
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > maxStoredKeyLen {
		return p, fmt.Errorf("%w: key", ErrBadHash)
	}
	return p, nil
}
