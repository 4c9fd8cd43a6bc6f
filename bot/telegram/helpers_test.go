package telegram_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

// openStore opens a real SQLite store in the test's temporary directory,
// closed when the test ends.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), bytes.Repeat([]byte{7}, store.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
