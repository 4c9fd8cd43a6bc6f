package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the at-rest key length: AES-256.
const KeySize = 32

// sealVersion prefixes every sealed value so the key can be rotated later
// without guessing which key sealed what.
const sealVersion = 1

// Sealer encrypts what users typed or will be shown. The associated data binds
// a sealed value to its place (table and row), so a blob copied into another
// row does not open.
type Sealer struct {
	aead cipher.AEAD
}

func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, Errorf(EKEY, "at-rest key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

func (s *Sealer) Seal(plain []byte, place string) []byte {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("store: no randomness for a nonce: " + err.Error())
	}
	return s.aead.Seal(out, out[1:1+s.aead.NonceSize()], plain, []byte(place))
}

func (s *Sealer) Open(sealed []byte, place string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, Errorf(EKEY, "sealed value has an unknown format")
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(place))
	if err != nil {
		return nil, Errorf(EKEY, "cannot open sealed value for %s: wrong key or damaged data", place)
	}
	return plain, nil
}

// LoadKey returns the at-rest key: from envValue (hex or base64 of 32 bytes)
// when set, else from keyPath, creating that file with mode 0600 on first
// start. Losing the key makes every sealed value unreadable; the README says so.
func LoadKey(envValue, keyPath string) ([]byte, error) {
	if v := strings.TrimSpace(envValue); v != "" {
		return decodeKey(v)
	}
	b, err := os.ReadFile(keyPath)
	if err == nil {
		return decodeKey(strings.TrimSpace(string(b)))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, Errorf(EKEY, "read key file: %v", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process won the race to create it; use theirs.
		return LoadKey("", keyPath)
	}
	if err != nil {
		return nil, Errorf(EKEY, "create key file: %v", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, Errorf(EKEY, "write key file: %v", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

func decodeKey(v string) ([]byte, error) {
	if b, err := hex.DecodeString(v); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, Errorf(EKEY, "the key must be %d bytes as hex or base64", KeySize)
}
