package web

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Config is how the server is set up. The zero value of every field except
// DBPath/Addr (used only by the command) has a working default.
type Config struct {
	DBPath string // informational: the store is passed to New already open
	Addr   string // informational: Run takes a listener

	// SessionKey (NEWSDESK_SESSION_KEY) is a secret of at least 32 bytes,
	// in hex or base64, from which the cookie keys are derived. Empty means
	// keys generated once and kept in the database.
	SessionKey string
	// SecureCookies (NEWSDESK_SECURE_COOKIES=1) marks cookies Secure and
	// gives them the __Host- prefix; turn it on whenever the site is HTTPS.
	SecureCookies bool
	// TrustedProxies (NEWSDESK_TRUSTED_PROXIES, comma-separated) are the
	// CIDRs or addresses of reverse proxies whose X-Forwarded-For is
	// believed. Empty means the client is the TCP peer.
	TrustedProxies []string
	// Pprof (NEWSDESK_PPROF=1, serve --pprof) mounts Go's profiler,
	// net/http/pprof, under /debug/pprof/ for logged-in admins; without
	// it those paths do not exist (404).
	Pprof bool

	SessionLifetime time.Duration // absolute session lifetime; default 12h
	IdleTimeout     time.Duration // session ends after this long unused; default 2h
	BodyLimit       string        // largest request body, Echo syntax; default "2M"
	HandlerTimeout  time.Duration // context deadline of a request; default 30s

	Log *slog.Logger     // default: discard
	Now func() time.Time // default time.Now; tests move the clock
}

// Defaults used when a Config field is zero.
const (
	DefaultSessionLifetime = 12 * time.Hour
	DefaultIdleTimeout     = 2 * time.Hour
	DefaultBodyLimit       = "2M"
	DefaultHandlerTimeout  = 30 * time.Second
)

// ConfigFromEnv reads the NEWSDESK_* variables the server knows through
// getenv (os.Getenv in main, a map in tests).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{SessionKey: getenv("NEWSDESK_SESSION_KEY")}
	switch v := getenv("NEWSDESK_SECURE_COOKIES"); v {
	case "", "0", "false":
	case "1", "true":
		cfg.SecureCookies = true
	default:
		return cfg, fmt.Errorf("NEWSDESK_SECURE_COOKIES=%q: want 1 or 0", v)
	}
	switch v := getenv("NEWSDESK_PPROF"); v {
	case "", "0", "false":
	case "1", "true":
		cfg.Pprof = true
	default:
		return cfg, fmt.Errorf("NEWSDESK_PPROF=%q: want 1 or 0", v)
	}
	for _, p := range strings.Split(getenv("NEWSDESK_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	if _, err := cfg.proxyRanges(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// withDefaults fills the zero fields.
func (cfg Config) withDefaults() Config {
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// proxyRanges parses TrustedProxies; a bare address is a one-address range.
func (cfg Config) proxyRanges() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range cfg.TrustedProxies {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", s)
			}
			s = netip.PrefixFrom(a, a.BitLen()).String()
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// Lengths of the securecookie keys: HMAC-SHA256 and AES-256.
const (
	hashKeyLen  = 64
	blockKeyLen = 32
	minSecret   = 32
)

// deriveKeys turns the configured secret into the two cookie keys with
// HKDF-SHA256, each under its own label, so neither key is the secret
// itself and the two are independent.
func deriveKeys(secret string) (hashKey, blockKey []byte, err error) {
	raw, err := decodeSecret(secret)
	if err != nil {
		return nil, nil, err
	}
	hashKey, err = hkdf.Key(sha256.New, raw, nil, "newsdesk session cookie hmac", hashKeyLen)
	if err != nil {
		return nil, nil, err
	}
	blockKey, err = hkdf.Key(sha256.New, raw, nil, "newsdesk session cookie aes", blockKeyLen)
	return hashKey, blockKey, err
}

// decodeSecret reads a string of hex digits as hex (it would also be valid
// base64, but nobody's base64 secret is all hex digits), anything else as
// base64, padded or not, standard or URL alphabet.
func decodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil {
		if len(b) >= minSecret {
			return b, nil
		}
		return nil, errShortSecret
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) >= minSecret {
				return b, nil
			}
			return nil, errShortSecret
		}
	}
	return nil, errShortSecret
}

var errShortSecret = errors.New("NEWSDESK_SESSION_KEY: want at least 32 random bytes in hex or base64 (e.g. `openssl rand -hex 32`)")
