package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
		"-rounds", "3", "-dir", dir).Output()
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
	// Each round pairs the bot with its own floors; the figures printed
	// are the rounds' medians, each ratio of one round's own pair.
	if len(r.Rounds) != 3 {
		t.Fatalf("%d rounds reported, want 3: %s", len(r.Rounds), out)
	}
	var ratios, pressRatios []float64
	for i, round := range r.Rounds {
		if round.BotCPUPerUpdateUs <= 0 || round.EchoCPUPerUpdateUs <= 0 || round.PressesCPUPerUpdateUs <= 0 || round.BotP99ms <= 0 {
			t.Errorf("round %d: %+v", i+1, round)
		}
		if want := cpuRatio(benchFigures{CPUPerUpdateUs: round.BotCPUPerUpdateUs},
			benchFigures{CPUPerUpdateUs: round.PressesCPUPerUpdateUs}); round.CPURatioPresses != want {
			t.Errorf("round %d: ratio with presses %.2f, its own figures give %.2f", i+1, round.CPURatioPresses, want)
		}
		ratios, pressRatios = append(ratios, round.CPURatio), append(pressRatios, round.CPURatioPresses)
	}
	slices.Sort(ratios)
	slices.Sort(pressRatios)
	if r.CPURatio != ratios[1] || r.CPURatioPresses != pressRatios[1] {
		t.Errorf("ratios %.2f and %.2f are not the medians of %v and %v", r.CPURatio, r.CPURatioPresses, ratios, pressRatios)
	}
	cpus := []float64{r.Rounds[0].BotCPUPerUpdateUs, r.Rounds[1].BotCPUPerUpdateUs, r.Rounds[2].BotCPUPerUpdateUs}
	slices.Sort(cpus)
	if bot.CPUPerUpdateUs != cpus[1] {
		t.Errorf("the bot's figures are of the run at %.2f µs per update, not of the median run (%v)", bot.CPUPerUpdateUs, cpus)
	}
}

// With -slices the bot and its floors take turns, each measured in several
// short slices, so that a slow minute of the machine falls on all of them.
// The people send only in their own bot's slices: the updates counted in
// the slices add up to every update sent. The durable echo bot (-durable-
// echo) answers the floor's people on rightsdesk's transport and store: it
// commits each turn, and its people get every echo and edit they wait for.
func TestBenchSlicesTakeTurns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three bots")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	cmd := exec.Command(bin, "bench", "-users", "4", "-duration", "3s", "-slices", "3", "-seed-users", "50", "-dir", dir,
		"-durable-echo")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, out, stderr.String())
	}
	var r benchReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("bench printed %q: %v", out, err)
	}
	if r.Echo == nil || r.EchoPresses == nil || r.DurableEcho == nil {
		t.Fatalf("a floor is missing: %s", out)
	}
	line := regexp.MustCompile(`^bench: slice (\d+)/3: ([a-z ]+), 4 people, 1s: (\d+) updates, `)
	names := []string{"rightsdesk serve", "echo bot", "echo bot with presses", "durable echo bot"}
	sums := map[string]int{}
	var turns []string
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unexpected line %q in\n%s", l, stderr.String())
		}
		n, _ := strconv.Atoi(m[3])
		if n == 0 {
			t.Errorf("no update in %q", l)
		}
		sums[m[2]] += n
		turns = append(turns, m[1]+" "+m[2])
	}
	var want []string
	for n := 1; n <= 3; n++ {
		for _, name := range names {
			want = append(want, strconv.Itoa(n)+" "+name)
		}
	}
	if !slices.Equal(turns, want) {
		t.Errorf("turns %q, want %q", turns, want)
	}
	for name, f := range map[string]benchFigures{names[0]: r.Bot, names[1]: *r.Echo, names[2]: *r.EchoPresses, names[3]: *r.DurableEcho} {
		if f.Slices != 3 || f.Updates != sums[name] || f.Timeouts != 0 || f.Stuck != 0 || f.CPUPerUpdateUs <= 0 || f.PeakRSSMB <= 0 {
			t.Errorf("%s: %d updates in its slices, figures %+v", name, sums[name], f)
		}
	}
	for name, f := range map[string]benchFigures{names[2]: *r.EchoPresses, names[3]: *r.DurableEcho} {
		if d := f.PressShare - r.Bot.PressShare; d < -0.15 || d > 0.15 {
			t.Errorf("%s: its people pressed %.2f of their updates, the bot's %.2f", name, f.PressShare, r.Bot.PressShare)
		}
		if want := 1 + f.PressShare; f.APIRequestsPerUpdate < want-0.05 || f.APIRequestsPerUpdate > want+0.05 {
			t.Errorf("%s made %.2f requests per update, want %.2f", name, f.APIRequestsPerUpdate, want)
		}
	}
	// The durable echo bot commits every turn, as rightsdesk does.
	if d := r.DurableEcho; d.CommitsPerUpdate <= 0 || d.WritesPerUpdate < 1 || d.DiskKBPerUpdate <= 0 {
		t.Errorf("the durable echo bot wrote nothing: %+v", *d)
	}
	if r.DurableRatioPresses <= 0 {
		t.Errorf("durable echo ratio %.2f", r.DurableRatioPresses)
	}
}

// Both profiles a slow run calls for come out of one run: the bot's, and
// the harness's, which shares the machine's cores with the bot.
func TestBenchWritesBothProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the bot")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	botProfile, harnessProfile := filepath.Join(dir, "bot.prof"), filepath.Join(dir, "harness.prof")
	out, err := exec.Command(bin, "bench", "-users", "2", "-duration", "2s", "-echo=false", "-dir", dir,
		"-cpuprofile", botProfile, "-harness-cpuprofile", harnessProfile).CombinedOutput()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	// A profile is a gzipped protocol buffer: an empty or cut file fails.
	for _, path := range []string{botProfile, harnessProfile} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if body, err := io.ReadAll(zr); err != nil || len(body) == 0 {
			t.Errorf("%s: %d bytes, %v", path, len(body), err)
		}
	}
}

// A bot that dies before it polls ends the bench with an error that says
// so, at once: the process's end must not be waited for twice.
func TestBenchReportsABotThatExitsBeforePolling(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The Go runtime refuses a malformed GOMEMLIMIT before main runs.
	out, err := exec.CommandContext(ctx, bin, "bench", "-users", "1", "-duration", "1s", "-echo=false", "-dir", dir,
		"-bot-gomemlimit", "not-a-size").CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the bench did not end within 60 s of its bot's death:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "exited before polling") {
		t.Fatalf("bench: %v\n%s", err, out)
	}
}
