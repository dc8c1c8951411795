package twofactor

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sealer encrypts TOTP secrets for the database with AES-256-GCM, under a
// key derived from the operator's key (or the database's own), so that a
// copy of the database without the key does not give away the secrets
// that make every user's codes. A sealed secret names its key by a short
// fingerprint, so that one sealed under another key is told apart from a
// damaged one.
type Sealer struct {
	aead cipher.AEAD
	id   string
}

// ErrOtherKey is the error of opening a secret sealed under another key.
var ErrOtherKey = errors.New("the two-factor secret was sealed under another key")

// NewSealer derives the sealing key from secret, which must hold at least
// 32 bytes.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("the two-factor key needs at least 32 bytes, not %d", len(secret))
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "partnerdesk two-factor secrets", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	fp := sha256.Sum256(append([]byte("fingerprint:"), key...))
	return &Sealer{aead: aead, id: hex.EncodeToString(fp[:4])}, nil
}

// Seal encrypts secret for userID: "v1.<key fingerprint>.<nonce and
// ciphertext>". The user id is authenticated with it, so that a sealed
// secret copied to another user's row does not open.
func (s *Sealer) Seal(secret string, userID int64) string {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), additional(userID))
	return "v1." + s.id + "." + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts what Seal made for userID.
func (s *Sealer) Open(sealed string, userID int64) (string, error) {
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return "", errors.New("open two-factor secret: not a sealed secret")
	}
	if parts[1] != s.id {
		return "", ErrOtherKey
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[2])
	n := s.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", errors.New("open two-factor secret: damaged")
	}
	plain, err := s.aead.Open(nil, b[:n], b[n:], additional(userID))
	if err != nil {
		return "", errors.New("open two-factor secret: damaged, or not this user's")
	}
	return string(plain), nil
}

func additional(userID int64) []byte { return []byte("user:" + strconv.FormatInt(userID, 10)) }
