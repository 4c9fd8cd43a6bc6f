package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeyFileOpenToOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.key")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if keyFileOpenToOthers(path) {
		t.Fatal("a 0600 key file reported as open")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if !keyFileOpenToOthers(path) {
		t.Fatal("a 0644 key file not reported")
	}
	if keyFileOpenToOthers(filepath.Join(t.TempDir(), "missing")) {
		t.Fatal("a missing file reported as open")
	}
}
