package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// litestreamBin finds the litestream binary: on PATH, or where go install
// puts it. CI installs it (.ci/run); elsewhere the test is skipped without it.
func litestreamBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("litestream"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "litestream")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("litestream is not installed; .ci/run installs it")
	}
	t.Skip("litestream is not installed (go install github.com/benbjohnson/litestream/cmd/litestream@v0.5.18)")
	return ""
}

// A running bot's database is replicated continuously by Litestream to a
// replica directory while people write complaints and one erases
// everything; the erasure's checkpoint does not stall the bot. The
// replica restored into a new path opens with the same key, passes
// integrity_check, holds the cases and not the erased chat, and the bot
// serves from it.
func TestLitestreamReplicateAndRestore(t *testing.T) {
	bin := litestreamBin(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "live", "rightsdesk.db")
	replica := filepath.Join(dir, "replica")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		t.Fatal(err)
	}
	target, err := newBenchTarget()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.close)
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, api: target.api, baseURL: target.baseURL, logs: &syncBuffer{}, catalog: catalog, dbPath: dbPath}
	h.start(harnessOptions{dbPath: dbPath})

	// The bot created the database (WAL mode); Litestream takes it from here.
	config := filepath.Join(dir, "litestream.yml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`dbs:
  - path: %s
    monitor-interval: 100ms
    replica:
      type: file
      path: %s
      sync-interval: 100ms
`, dbPath, replica)), 0o600); err != nil {
		t.Fatal(err)
	}
	var lsLog syncBuffer
	ls := exec.Command(bin, "replicate", "-config", config)
	ls.Stdout, ls.Stderr = &lsLog, &lsLog
	ls.Env = cleanEnv()
	if err := ls.Start(); err != nil {
		t.Fatal(err)
	}
	lsDone := make(chan error, 1)
	go func() { lsDone <- ls.Wait() }()
	t.Cleanup(func() {
		_ = ls.Process.Kill()
		select {
		case <-lsDone:
		case <-time.After(5 * time.Second):
		}
	})

	people := make([]*localapi.User, 4)
	caseIDs := make([]string, len(people))
	for i := range people {
		people[i] = target.api.NewUser(fmt.Sprintf("Replicated%d", i), locales.Languages[i])
		target.watch(people[i].ChatID())
		p := &loopPerson{benchPerson: benchPerson{target: target, limit: 20 * time.Second}}
		if caseIDs[i] = p.complaint(catalog, people[i]); caseIDs[i] == "" {
			t.Fatalf("%s: the complaint failed\n%s", people[i].Name(), lsLog.String())
		}
	}
	// The last person erases everything: the bot checkpoints after an
	// erasure, while Litestream holds its read lock on the database.
	eraser := people[len(people)-1]
	lang := locales.Languages[len(people)-1]
	eraser.SendText("/delete")
	confirm := waitText(t, eraser, h.catalog.T(lang, "delete_confirm", nil)[:20])
	pressed := time.Now()
	if err := eraser.PressData(confirm.ID, "v1:del:yes"); err != nil {
		t.Fatal(err)
	}
	waitText(t, eraser, firstLine(h.catalog.T(lang, "delete_done", nil))[:12])
	// Right after it, another person's update must not wait behind the
	// checkpoint.
	other := people[0]
	n := len(other.Messages())
	other.SendText("/mycases")
	waitListed(t, other, n, caseIDs[0])
	if took := time.Since(pressed); took > 3*time.Second {
		t.Errorf("the erasure and the next update took %v: the checkpoint stalled the bot", took)
	}

	t.Logf("the erasure's checkpoint: %s", map[bool]string{true: "held back by Litestream's reader, given up after 250 ms",
		false: "done"}[strings.Contains(h.logs.String(), "checkpoint after erasure failed")])

	// Litestream catches up, then stops (it syncs what is left on the way out).
	time.Sleep(1500 * time.Millisecond)
	_ = ls.Process.Signal(syscall.SIGTERM)
	select {
	case <-lsDone:
	case <-time.After(20 * time.Second):
		t.Fatalf("litestream did not stop\n%s", lsLog.String())
	}
	h.stop()

	restored := filepath.Join(dir, "restored", "rightsdesk.db")
	if err := os.MkdirAll(filepath.Dir(restored), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "restore", "-config", config, "-o", restored, dbPath).CombinedOutput(); err != nil {
		t.Fatalf("litestream restore: %v\n%s", err, out)
	}
	// The at-rest key is not in the replica: it is brought separately.
	key, err := os.ReadFile(dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored+".key", key, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := store.LoadKey("", restored+".key")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), restored, k)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Errorf("restored database: %v", err)
	}
	for i, u := range people {
		cs, err := db.ChatCases(ctx, u.ChatID())
		switch {
		case u == eraser:
			if len(cs) != 0 {
				t.Errorf("the erased chat has %d cases in the restored database", len(cs))
			}
			if _, err := db.Chat(ctx, u.ChatID()); err == nil {
				t.Error("the erased chat is in the restored database")
			}
		case err != nil || len(cs) != 1 || cs[0].ID != caseIDs[i]:
			t.Errorf("%s: restored cases %+v (%v), want %s", u.Name(), cs, err, caseIDs[i])
		}
	}
	db.Close()

	// The bot serves from the restored database.
	h.dbPath = restored
	h.start(harnessOptions{dbPath: restored})
	n = len(other.Messages())
	other.SendText("/mycases")
	waitListed(t, other, n, caseIDs[0])
	if strings.Contains(lsLog.String(), "level=ERROR") {
		t.Errorf("litestream logged errors:\n%s", lsLog.String())
	}
}

// waitListed waits for a new message that shows the case, in its text or
// on a button.
func waitListed(t *testing.T, u *localapi.User, before int, caseID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := u.Messages()
		for _, m := range msgs[min(before, len(msgs)):] {
			if strings.Contains(m.Text, caseID) || strings.Contains(strings.Join(buttonTexts(m), " "), caseID) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no new message showing %s", u.Name(), caseID)
}
