package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	pd "github.com/partnerdesk/partnerdesk"
)

// Every password being set (a new user, a changed password) meets this
// policy: long enough, and not one that guessers try first.
const (
	// MinLength is the fewest characters a new password may have.
	MinLength = 12
	// MaxBytes is the most a password may have; sign-in refuses longer ones.
	MaxBytes = 1024
)

// commonPasswords is the 10,000 most common passwords; README.md says where
// the list comes from and under what licence.
//
//go:embed common-passwords.txt
var commonPasswords string

// common is the list as a set of lower-case passwords, built at first use.
var common = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10_000)
	for _, pw := range strings.Split(commonPasswords, "\n") {
		if pw != "" {
			set[strings.ToLower(pw)] = struct{}{}
		}
	}
	return set
})

// Common reports whether pw is among the 10,000 most common passwords,
// whatever its case.
func Common(pw string) bool {
	_, ok := common()[strings.ToLower(pw)]
	return ok
}

// Check says, as an invalid error, why pw may not be set, or returns nil.
func Check(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinLength:
		return pd.Errorf(pd.EInvalid, "A password needs at least %d characters.", MinLength)
	case len(pw) > MaxBytes:
		return pd.Errorf(pd.EInvalid, "A password may have at most %d bytes.", MaxBytes)
	case Common(pw):
		return pd.Errorf(pd.EInvalid, "This password is among the 10,000 most common ones, which are tried first; choose another.")
	}
	return nil
}

// New checks a password being set against the policy and hashes it with p:
// every way of setting a password goes through it (or Hasher.New).
func New(pw string, p Params) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	return Hash(pw, p)
}
