package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// What a person types never reaches the disk or the logs in the clear: not
// as text, not as /start arguments, not as a caption, not echoed back in a
// reply. Checked while the bot runs (WAL and shared memory in use) and
// after it stopped (everything checkpointed into the main file).
func TestNoPlaintextAtRest(t *testing.T) {
	dir := t.TempDir()
	h := startHarness(t, harnessOptions{dbPath: filepath.Join(dir, "leak.db")})

	marker := "MARKER-" + randomHex(t, 12)
	// A command name cannot hold "-"; this one is echoed in the bot's
	// "unknown command" reply, so it passes through the outbox too.
	command := "mk_" + randomHex(t, 12)
	secrets := []string{marker, command}

	u := h.api.NewUser("Leila", "az")
	u.SendText("/start " + marker)
	welcome := waitText(t, u, h.catalog.T("az", "start_welcome", nil)[:20])
	if err := u.Press(welcome.ID, h.catalog.T("ru", "language_name", nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, u, h.catalog.T("ru", "menu_title", nil))

	before := len(u.Messages())
	u.SendText(marker)
	waitNewMessage(t, u, before, firstLine(h.catalog.T("ru", "text_no_question", nil)))
	before = len(u.Messages())
	u.SendPhoto("passport photo " + marker)
	waitNewMessage(t, u, before, firstLine(h.catalog.T("ru", "unsupported_media", nil)))
	before = len(u.Messages())
	u.SendText("/" + command + " " + marker)
	echo := waitNewMessage(t, u, before, command)
	if !strings.Contains(echo.Text, command) {
		t.Fatalf("the reply does not echo the command, so the outbox check means nothing: %q", echo.Text)
	}
	// The echo reaches the Bot API only after the outbox row is written;
	// make sure the row's removal is committed too before looking.
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)

	scan := func(when string) {
		t.Helper()
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		scanned := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			scanned += len(b)
			for _, s := range secrets {
				if forms := plainForms(b, s); forms != "" {
					t.Errorf("%s: %q found in %s (%s)", when, s, filepath.Base(f), forms)
				}
			}
		}
		logs := h.logs.String()
		for _, s := range secrets {
			if forms := plainForms([]byte(logs), s); forms != "" {
				t.Errorf("%s: %q found in the logs (%s)", when, s, forms)
			}
		}
		t.Logf("%s: scanned %d files, %d bytes, and %d bytes of logs", when, len(files), scanned, len(logs))
	}
	scan("while running")
	if _, err := os.Stat(h.dbPath + "-wal"); err != nil {
		t.Errorf("no WAL file while running, so the running scan missed it: %v", err)
	}

	h.stop()
	scan("after stopping")

	key, err := os.ReadFile(h.dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	hexKey := strings.TrimSpace(string(key))
	raw, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	logs := []byte(h.logs.String())
	for _, form := range []string{hexKey, strings.ToUpper(hexKey), base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw), string(raw)} {
		if bytes.Contains(logs, []byte(form)) {
			t.Errorf("the at-rest key appears in the logs")
		}
	}
	if len(logs) == 0 {
		t.Error("no logs captured, so the log checks mean nothing")
	}
}

// plainForms names the encodings of s found in b: as written, in UTF-16 (a
// driver might store text so), hex and base64.
func plainForms(b []byte, s string) string {
	var found []string
	check := func(name string, needle []byte) {
		if bytes.Contains(bytes.ToLower(b), bytes.ToLower(needle)) {
			found = append(found, name)
		}
	}
	check("plain", []byte(s))
	utf16 := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		utf16 = append(utf16, s[i], 0)
	}
	check("utf-16le", utf16)
	check("hex", []byte(hex.EncodeToString([]byte(s))))
	// Base64 of s depends on its position; the middle is stable whatever
	// the alignment, at one of three offsets.
	for off := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(s[off:]))
		if len(enc) > 12 {
			if bytes.Contains(b, []byte(enc[4:len(enc)-4])) {
				found = append(found, "base64")
				break
			}
		}
	}
	return strings.Join(found, ", ")
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
