// Package twofactor is the second step of sign-in: time-based one-time
// passwords (TOTP, RFC 6238, as authenticator apps make them), the QR code
// that enrols an app, single-use recovery codes, and the sealing of TOTP
// secrets kept in the database.
package twofactor

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Codes are 6 digits, one per 30-second step; a code of the step before
// or after the current one is accepted too, for clocks that drift.
const (
	Period = 30 * time.Second
	Skew   = 1
	Digits = otp.DigitsSix
)

var opts = totp.ValidateOpts{Period: uint(Period / time.Second), Digits: Digits, Algorithm: otp.AlgorithmSHA1}

// secretEncoding is the base32 of secrets as authenticator apps take them.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret makes a random 160-bit secret (RFC 4226's recommended size),
// base32 as apps show it.
func NewSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return secretEncoding.EncodeToString(b)
}

// Enrolment is what an authenticator app is given to take a secret: the
// otpauth:// URL, and the same as a QR code in a PNG image.
type Enrolment struct {
	URL string
	PNG []byte
}

// Enrol makes the enrolment of secret for account (the user's email),
// under issuer (the program's name), as the app will show it.
func Enrol(issuer, account, secret string) (Enrolment, error) {
	raw, err := secretEncoding.DecodeString(secret)
	if err != nil {
		return Enrolment{}, fmt.Errorf("enrol two-factor secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: raw,
		Period: opts.Period, Digits: opts.Digits, Algorithm: opts.Algorithm})
	if err != nil {
		return Enrolment{}, fmt.Errorf("enrol two-factor secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("draw the enrolment QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return Enrolment{}, fmt.Errorf("draw the enrolment QR code: %w", err)
	}
	return Enrolment{URL: key.URL(), PNG: b.Bytes()}, nil
}

// Step is the number of the 30-second step that holds t.
func Step(t time.Time) int64 { return t.Unix() / int64(opts.Period) }

// Code is secret's code for step, as an app shows it then.
func Code(secret string, step int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*int64(opts.Period), 0), opts)
}

// IsCode reports whether s is shaped like a TOTP code (6 digits, spaces
// allowed), rather than a recovery code.
func IsCode(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return len(s) == Digits.Length() && strings.Trim(s, "0123456789") == ""
}

// Match finds the step, among those around now later than after, whose
// code is code. A step at or before after was used already: its code is
// never accepted twice.
func Match(secret, code string, now time.Time, after int64) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if !IsCode(code) {
		return 0, false
	}
	cur := Step(now)
	for s := cur - Skew; s <= cur+Skew; s++ {
		if s <= after {
			continue
		}
		want, err := Code(secret, s)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// RecoveryCodes is how many recovery codes a user holds at once.
const RecoveryCodes = 10

// recoveryAlphabet is Crockford's base32: no i, l or o, which read as
// digits (they are taken as 1, 1 and 0 when typed), and no u; 32 long, so
// each character is 5 random bits.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewRecoveryCodes makes RecoveryCodes codes of 12 random characters (60
// bits each), written xxxx-xxxx-xxxx.
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		var s strings.Builder
		for j, c := range b {
			if j > 0 && j%4 == 0 {
				s.WriteByte('-')
			}
			s.WriteByte(recoveryAlphabet[c&31])
		}
		codes[i] = s.String()
	}
	return codes
}

var recoveryReading = strings.NewReplacer("-", "", " ", "", "i", "1", "l", "1", "o", "0")

// HashRecoveryCode is what is stored of a recovery code: the SHA-256 of
// its characters, lower-cased, without dashes or spaces, with the letters
// that read as digits taken as them. A code is random and long, so a fast
// hash is enough, and lets a code be looked up.
func HashRecoveryCode(code string) string {
	code = recoveryReading.Replace(strings.ToLower(code))
	h := sha256.Sum256([]byte("recovery:" + code))
	return hex.EncodeToString(h[:])
}
