package twofactor_test

import (
	"bytes"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/twofactor"
)

// RFC 6238's test vector for SHA-1 (its 8-digit codes, last six digits).
func TestCodesFollowRFC6238(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for _, c := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		got, err := twofactor.Code(secret, twofactor.Step(time.Unix(c.unix, 0)))
		if err != nil || got != c.code {
			t.Errorf("code at %d: %q %v, want %q", c.unix, got, err, c.code)
		}
	}
}

// A code is accepted for its step and the steps beside it, once: never for
// a step at or before the last one used, nor far from now.
func TestMatchAcceptsEachStepOnce(t *testing.T) {
	secret := twofactor.NewSecret()
	now := time.Date(2026, 11, 27, 12, 0, 10, 0, time.UTC)
	cur := twofactor.Step(now)
	code := func(step int64) string {
		c, err := twofactor.Code(secret, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		name  string
		code  string
		after int64
		step  int64
		ok    bool
	}{
		{"current", code(cur), 0, cur, true},
		{"with a space", code(cur)[:3] + " " + code(cur)[3:], 0, cur, true},
		{"previous step", code(cur - 1), 0, cur - 1, true},
		{"next step", code(cur + 1), 0, cur + 1, true},
		{"two steps old", code(cur - 2), 0, 0, false},
		{"current, used", code(cur), cur, 0, false},
		{"previous, after the current was used", code(cur - 1), cur, 0, false},
		{"next, after the current was used", code(cur + 1), cur, cur + 1, true},
		{"letters", "abcdef", 0, 0, false},
		{"too short", code(cur)[:5], 0, 0, false},
	} {
		step, ok := twofactor.Match(secret, c.code, now, c.after)
		if ok != c.ok || step != c.step {
			t.Errorf("%s: step %d ok %v, want %d %v", c.name, step, ok, c.step, c.ok)
		}
	}
}

func TestEnrolmentIsAQRCodeOfTheOtpauthURL(t *testing.T) {
	secret := twofactor.NewSecret()
	e, err := twofactor.Enrol("Nimbus Partners", "ada@vendor.test", secret)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret || u.Query().Get("issuer") != "Nimbus Partners" {
		t.Errorf("URL %q", e.URL)
	}
	img, err := png.Decode(bytes.NewReader(e.PNG))
	if err != nil || img.Bounds().Dx() != 240 {
		t.Errorf("PNG: %v", err)
	}
}

func TestRecoveryCodesAreDistinctAndReadForgivingly(t *testing.T) {
	codes := twofactor.NewRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 14 || strings.Count(c, "-") != 2 || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
	}
	if len(codes) != twofactor.RecoveryCodes {
		t.Errorf("%d codes", len(codes))
	}
	h := twofactor.HashRecoveryCode("ab0c-1def-ghjk")
	for _, typed := range []string{"AB0C-1DEF-GHJK", "ab0c 1def ghjk", "abOc-Idef-ghjk", "ab0c1defghjk"} {
		if twofactor.HashRecoveryCode(typed) != h {
			t.Errorf("%q is not read as ab0c-1def-ghjk", typed)
		}
	}
	if twofactor.HashRecoveryCode("ab0c-1def-ghjm") == h {
		t.Error("another code has the same hash")
	}
}

func TestSealedSecretsOpenOnlyWithTheirKeyAndUser(t *testing.T) {
	s, err := twofactor.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := twofactor.NewSealer([]byte(strings.Repeat("x", 32)))
	secret := twofactor.NewSecret()
	sealed := s.Seal(secret, 7)
	if strings.Contains(sealed, secret) {
		t.Fatal("the sealed secret holds the secret")
	}
	if got, err := s.Open(sealed, 7); err != nil || got != secret {
		t.Errorf("open: %q %v", got, err)
	}
	if _, err := s.Open(sealed, 8); err == nil {
		t.Error("another user's row opens it")
	}
	if _, err := other.Open(sealed, 7); !errors.Is(err, twofactor.ErrOtherKey) {
		t.Errorf("another key: %v", err)
	}
	if _, err := s.Open(sealed[:len(sealed)-2]+"AA", 7); err == nil {
		t.Error("a damaged secret opens")
	}
	if _, err := twofactor.NewSealer([]byte("short")); err == nil {
		t.Error("a short key is taken")
	}
}
