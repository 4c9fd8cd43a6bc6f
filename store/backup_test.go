package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// A backup taken while writers keep committing is a whole database: it
// passes the integrity check, opens with the same key, and holds every
// row committed before it began, sealed values readable.
func TestBackupUnderWriteLoad(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	// Enough rows that the copy takes a while.
	const seeded = 2000
	if err := db.Update(ctx, func(tx *store.Tx) error {
		for i := range seeded {
			if err := tx.SaveChat(store.Chat{ID: int64(i + 1), Type: "private", Language: "ru",
				State: []byte(fmt.Sprintf(`{"v":1,"n":%d,"pad":"%0200d"}`, i, i))}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	caseID := createCase(t, db, 1, store.CaseDetails{Employer: "kept in the backup"})

	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := int64(1_000_000*(w+1) + i)
				if err := db.Update(ctx, func(tx *store.Tx) error {
					return tx.SaveChat(store.Chat{ID: id, Type: "private", State: []byte(`{"v":1}`)})
				}); err != nil {
					t.Error(err)
					return
				}
				committed.Add(1)
			}
		}()
	}
	var once sync.Once
	stopWriters := func() { once.Do(func() { close(stop); wg.Wait() }) }
	t.Cleanup(stopWriters) // before the database closes
	// Let the writers get going, then back up twice while they write.
	for committed.Load() < 50 {
		time.Sleep(time.Millisecond)
	}
	before := committed.Load()
	dir := filepath.Join(t.TempDir(), "backups")
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	var files []string
	for i := range 3 {
		f, err := db.Backup(ctx, dir, at.Add(time.Duration(i)*24*time.Hour), 2)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	during := committed.Load() - before
	stopWriters()
	t.Logf("writes committed while backing up: %d", during)
	if during == 0 {
		t.Fatal("no write committed during the backups: the test proves nothing")
	}

	// Only the newest two are kept, readable by the owner only.
	kept, err := store.BackupFiles(path, dir)
	if err != nil || len(kept) != 2 || kept[0] != files[1] || kept[1] != files[2] {
		t.Fatalf("kept %v (%v), want the last two of %v", kept, err, files)
	}
	fi, err := os.Stat(files[2])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v %v", fi.Mode(), err)
	}
	if filepath.Base(files[2]) != "test-20260703T020000Z.db" {
		t.Fatalf("backup named %s", filepath.Base(files[2]))
	}

	restored := filepath.Join(t.TempDir(), "restored.db")
	b, err := os.ReadFile(files[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// Restoring means the backup file and the same key, nothing else.
	rdb, err := store.Open(ctx, restored, testKey())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, seeded} {
		c, err := rdb.Chat(ctx, id)
		if err != nil || c.Language != "ru" || len(c.State) < 200 {
			t.Fatalf("chat %d in the backup: %+v %v", id, c, err)
		}
	}
	if c, err := rdb.ChatCase(ctx, 1, caseID); err != nil || c.Details.Employer != "kept in the backup" {
		t.Fatalf("case in the backup: %+v %v", c, err)
	}
	var writerRows int
	for w := range 3 {
		for i := 0; ; i++ {
			if _, err := rdb.Chat(ctx, int64(1_000_000*(w+1)+i)); err != nil {
				break
			}
			writerRows++
		}
	}
	if int64(writerRows) < before {
		t.Fatalf("the backup holds %d rows of the writers, but %d were committed before it began", writerRows, before)
	}
}

func TestBackupRotationTouchesOnlyItsOwnFiles(t *testing.T) {
	db, _ := openTest(t)
	dir := t.TempDir()
	for _, name := range []string{"notes.txt", "test-old.db", "other-20200101T000000Z.db", "test-20200101T000000Z.db"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
	}
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	if _, err := db.Backup(context.Background(), dir, at, 1); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"notes.txt", "other-20200101T000000Z.db", "test-20260701T020000Z.db", "test-old.db"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("left %v, want %v", names, want)
	}
}
