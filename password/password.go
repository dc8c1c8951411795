// Package password hashes and checks passwords with argon2id, in the PHC
// string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so that parameters
// can be raised later without invalidating stored hashes: a hash made with
// other parameters is Outdated, and replaced at the next sign-in. It also
// holds the policy every new password must meet (policy.go) and the
// Hasher that bounds how many hashes a server computes at once.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows RFC 9106's second recommended option (64 MiB, t=3).
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// The lengths of the salt and key of a new hash.
const (
	saltBytes = 16
	keyBytes  = 32
)

var b64 = base64.RawStdEncoding

// Hash returns the encoded argon2id hash of pw with a fresh random salt.
// It applies no policy: a password being set goes through New.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return encode(p, salt, argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyBytes)), nil
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrMalformed is returned for a stored hash that cannot be read.
var ErrMalformed = errors.New("password: malformed hash")

type decoded struct {
	params    Params
	salt, key []byte
}

func decode(encoded string) (decoded, error) {
	var d decoded
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return d, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return d, ErrMalformed
	}
	p := &d.params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return d, ErrMalformed
	}
	var err1, err2 error
	d.salt, err1 = b64.DecodeString(parts[4])
	d.key, err2 = b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(d.key) == 0 {
		return d, ErrMalformed
	}
	return d, nil
}

// Verify reports whether pw matches the encoded hash, in constant time.
func Verify(pw, encoded string) (bool, error) {
	d, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), d.salt, d.params.Time, d.params.Memory, d.params.Threads, uint32(len(d.key)))
	return subtle.ConstantTimeCompare(got, d.key) == 1, nil
}

// Outdated reports whether encoded was made otherwise than Hash makes one
// with p now (other costs, salt or key length), and so should be replaced
// once its password is known.
func Outdated(encoded string, p Params) bool {
	d, err := decode(encoded)
	return err != nil || d.params != p || len(d.salt) != saltBytes || len(d.key) != keyBytes
}
