package main

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// The bench command is how the README's figures are made: a short run must
// give every figure, for the bot and for both floors, its people must get
// through the whole script (no one stuck for want of a button), and the
// floor with presses must see presses in the share the bot's people pressed.
func TestBenchCommandReportsEveryFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three bots")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	out, err := exec.Command(bin, "bench", "-users", "4", "-duration", "2s", "-seed-users", "50", "-seed-cases", "5",
		"-dir", dir).Output()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	var r benchReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("bench printed %q: %v", out, err)
	}
	if r.Echo == nil || r.EchoPresses == nil {
		t.Fatalf("a floor is missing: %s", out)
	}
	bot, echo, presses := r.Bot, *r.Echo, *r.EchoPresses
	for name, f := range map[string]benchFigures{"bot": bot, "echo": echo, "echo_presses": presses} {
		if f.Updates == 0 || f.Timeouts != 0 || f.Stuck != 0 || f.P99ms <= 0 || f.CPUPerUpdateUs <= 0 || f.PeakRSSMB <= 0 {
			t.Errorf("%s: %+v", name, f)
		}
	}
	// The people do what the README says: whole complaints, then the guide.
	if bot.Intakes == 0 || bot.GuidePages == 0 {
		t.Errorf("the bot's people submitted %d complaints and read %d guide pages", bot.Intakes, bot.GuidePages)
	}
	if bot.CommitsPerUpdate <= 0 || bot.WritesPerUpdate < bot.CommitsPerUpdate || bot.DiskKBPerUpdate <= 0 {
		t.Errorf("the bot's SQLite figures are missing: %+v", bot)
	}
	// Presses cost two requests (the answer and the edit), texts one.
	if bot.PressShare < 0.3 || bot.PressShare > 0.95 || echo.PressShare != 0 || echo.APIRequestsPerUpdate != 1 {
		t.Errorf("press shares: bot %.2f, echo %.2f with %.2f requests per update", bot.PressShare, echo.PressShare,
			echo.APIRequestsPerUpdate)
	}
	if d := presses.PressShare - bot.PressShare; d < -0.15 || d > 0.15 {
		t.Errorf("the floor with presses pressed %.2f of its updates, the bot's people %.2f", presses.PressShare, bot.PressShare)
	}
	if want := 1 + presses.PressShare; presses.APIRequestsPerUpdate < want-0.05 || presses.APIRequestsPerUpdate > want+0.05 {
		t.Errorf("the floor with presses made %.2f requests per update, want %.2f", presses.APIRequestsPerUpdate, want)
	}
	if r.CPURatio <= 0 || r.CPURatioPresses <= 0 {
		t.Errorf("ratios %.2f, %.2f", r.CPURatio, r.CPURatioPresses)
	}
}
