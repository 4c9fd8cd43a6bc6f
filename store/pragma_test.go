package store

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// Savepoints' journals and sorts stay in memory on both connections: on
// disk they cost a syscall per page and keep old page images in a
// temporary file.
func TestOpenKeepsTemporaryStoreInMemory(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), bytes.Repeat([]byte{5}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const memory = 2
	var w, r int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&w); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&r); err != nil {
		t.Fatal(err)
	}
	if w != memory || r != memory {
		t.Fatalf("temp_store: write %d, read %d; want %d", w, r, memory)
	}
}
