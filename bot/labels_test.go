package bot

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

func TestFitLabelNeverCutsAWord(t *testing.T) {
	long := "3. Azərbaycan Respublikasının Dövlət Miqrasiya Xidməti, zəng mərkəzi"
	got := fitLabel(long, 1, "3")
	if !chat.Fits(got, 1) || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Fatalf("fitLabel = %q", got)
	}
	// What is kept ends where a word of the full label ends.
	kept := strings.TrimSuffix(got, "…")
	if rest := strings.TrimPrefix(long, kept); rest != "" && !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, ",") {
		t.Errorf("cut mid-word: %q | %q", kept, rest)
	}
	if got := fitLabel("Short", 2, "1"); got != "Short" {
		t.Errorf("a label that fits is changed: %q", got)
	}
	if got := fitLabel("1. "+strings.Repeat("ქ", 40), 1, "1"); got != "1" {
		t.Errorf("one long word: %q, want the number", got)
	}
}
