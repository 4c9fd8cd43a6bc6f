package content_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/content"
)

// A translation made outdated by an English change is current again after
// Stamp, and Stamp refuses English files.
func TestStampMakesTranslationCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	en := filepath.Join(dir, "guide", "en", "wages.md")
	b, _ := os.ReadFile(en)
	os.WriteFile(en, append(b, []byte("\nOne more sentence.\n")...), 0o644)
	var out bytes.Buffer
	content.Check(dir, &out)
	if !strings.Contains(out.String(), "outdated") {
		t.Fatalf("changed English did not make translations outdated:\n%s", out.String())
	}
	ka := filepath.Join(dir, "guide", "ka", "wages.md")
	if err := content.Stamp([]string{ka}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	content.Check(dir, &out)
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "wages ") {
			cols := strings.Fields(line)
			if cols[3] != "unreviewed" { // az ru ka: ka is the third language
				t.Fatalf("ka wages after stamping: %q", line)
			}
		}
	}
	if err := content.Stamp([]string{en}); err == nil {
		t.Fatal("stamping an English file was accepted")
	}
}
