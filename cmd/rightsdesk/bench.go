package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/metrics"
	"github.com/rightsdesk/rightsdesk/store"
)

// bench runs the real bot (rightsdesk serve, a child process) against the
// local Bot API with simulated people doing full complaints and reading
// the guide, then a minimal echo bot on the same Telegram library twice:
// under people who only write, and under people who write and press its
// button as often as the bot's people pressed buttons. It prints one line
// of JSON: throughput, latency from a person's send to the bot's first
// visible answer, CPU per update and peak RSS of the bot's process, and
// SQLite commits and disk writes per update. The machine's speed drifts
// from minute to minute, so -rounds measures the bot and its floors in
// turn several times and reports medians, each ratio of a round's own, and
// -slices interleaves them within a round. -durable-echo adds the echo bot
// built on rightsdesk's own transport and store (runDurableEcho).
type benchConfig struct {
	Users     int
	Duration  time.Duration
	SeedUsers int
	SeedCases int
	Dir       string
	Echo      bool
	Seed      uint64
	Profile   string
	// HarnessProfile profiles this process, the people and the local Bot
	// API, while the bot is measured: their CPU shares the machine's cores
	// with the bot and shows in its latency.
	HarnessProfile string
	// MemLimit is GOMEMLIMIT for the bot's process only ("" leaves Go's
	// default).
	MemLimit string
	// Rounds is how many times the bot and its floors are measured, in
	// turn: each round pairs the bot with floors measured just after it.
	Rounds int
	// Rate is the updates per second all people send together; 0 has each
	// one send as soon as the answer came. Latency under a set rate is what
	// people see; latency at saturation is only the queue's length.
	Rate float64
	// Slices is how many turns each bot is measured in, the bot and its
	// floors taking turns within a round.
	Slices int
	// DurableEcho measures, with the floors, the echo bot with presses
	// built on rightsdesk's own transport and store (runDurableEcho).
	DurableEcho bool
}

// benchRound is one round's figures in short.
type benchRound struct {
	BotCPUPerUpdateUs     float64 `json:"bot_cpu_us_per_update"`
	BotP99ms              float64 `json:"bot_p99_ms"`
	BotPeakRSSMB          float64 `json:"bot_peak_rss_mb"`
	EchoCPUPerUpdateUs    float64 `json:"echo_cpu_us_per_update,omitempty"`
	PressesCPUPerUpdateUs float64 `json:"echo_presses_cpu_us_per_update,omitempty"`
	CPURatio              float64 `json:"cpu_ratio,omitempty"`
	CPURatioPresses       float64 `json:"cpu_ratio_presses,omitempty"`
	DurableCPUPerUpdateUs float64 `json:"durable_echo_cpu_us_per_update,omitempty"`
	DurableRatioPresses   float64 `json:"durable_echo_ratio_presses,omitempty"`
}

// benchFigures are one bot's figures under the load.
type benchFigures struct {
	Updates          int     `json:"updates"`
	UpdatesPerSecond float64 `json:"updates_per_s"`
	P50ms            float64 `json:"p50_ms"`
	P95ms            float64 `json:"p95_ms"`
	P99ms            float64 `json:"p99_ms"`
	MaxMs            float64 `json:"max_ms"`
	CPUPerUpdateUs   float64 `json:"cpu_us_per_update"`
	PeakRSSMB        float64 `json:"peak_rss_mb"`
	// APIRequestsPerUpdate is the Bot API requests (getUpdates aside) per
	// update: answers to presses, edits and messages.
	APIRequestsPerUpdate float64 `json:"api_requests_per_update"`
	CommitsPerUpdate     float64 `json:"sqlite_commits_per_update"`
	WritesPerUpdate      float64 `json:"sqlite_writes_per_update"`
	DiskKBPerUpdate      float64 `json:"disk_write_kb_per_update"`
	// Slices is how many turns the figures were measured in.
	Slices int `json:"slices"`
	// StoredShare is the share of updates the poller stored in the inbox
	// because their turns had not committed within its wait.
	StoredShare float64 `json:"stored_share"`
	// HarnessCPUPerUpdateUs is the load generator's and the local Bot
	// API's own CPU, which shares the machine with the bot.
	HarnessCPUPerUpdateUs float64 `json:"harness_cpu_us_per_update"`
	// PressShare is the share of updates that were button presses.
	PressShare float64 `json:"press_share"`
	Intakes    int     `json:"intakes_submitted,omitempty"`
	GuidePages int     `json:"guide_pages_read,omitempty"`
	Timeouts   int     `json:"timeouts"`
	// Stuck counts people stopped because the answer lacked the button
	// their next step needed.
	Stuck int `json:"stuck"`
}

type benchReport struct {
	Cores int `json:"cores"`
	// LoadAvg is the machine's 1-minute load average before the run: on a
	// shared machine, what else ran.
	LoadAvg   float64      `json:"load_avg_1m"`
	Users     int          `json:"users"`
	Rate      float64      `json:"offered_updates_per_s,omitempty"`
	Duration  float64      `json:"duration_s"`
	SeedUsers int          `json:"seed_users"`
	SeedCases int          `json:"seed_cases"`
	Bot       benchFigures `json:"bot"`
	// Echo is the echo bot under people who only write.
	Echo *benchFigures `json:"echo,omitempty"`
	// EchoPresses is the echo bot under people who press its button as
	// often, per text, as the bot's people pressed: the same kinds of
	// update in the same shares, each answered in the fewest requests
	// Telegram allows.
	EchoPresses *benchFigures `json:"echo_presses,omitempty"`
	// CPURatio is the bot's CPU per update over the echo floor's, and
	// CPURatioPresses over the floor with presses.
	CPURatio        float64 `json:"cpu_ratio,omitempty"`
	CPURatioPresses float64 `json:"cpu_ratio_presses,omitempty"`
	// DurableEcho is the echo bot with presses on rightsdesk's transport
	// and store, under the same people as EchoPresses; its ratio is over
	// the floor with presses.
	DurableEcho         *benchFigures `json:"durable_echo,omitempty"`
	DurableRatioPresses float64       `json:"durable_echo_ratio_presses,omitempty"`
	// With more than one round, Bot, Echo and EchoPresses are each the
	// round of median CPU per update, the ratios the medians of the
	// rounds' own, and Rounds has every round's.
	Rounds []benchRound `json:"rounds,omitempty"`
	// BotGoMemLimit is the GOMEMLIMIT the bot ran with, when set.
	BotGoMemLimit string `json:"bot_gomemlimit,omitempty"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c benchConfig
	var echoBot, echoPresses, durableEchoBot bool
	var apiURL, token, echoDB, listen string
	fs.IntVar(&c.Rounds, "rounds", 1, "times the bot and its floors are measured in turn; figures are then the rounds' medians")
	fs.IntVar(&c.Users, "users", 100, "people writing at once; each waits for the answer before the next step")
	fs.IntVar(&c.Slices, "slices", 1, "turns each bot is measured in within a round, the bot and its floors taking turns: -duration is split among them")
	fs.Float64Var(&c.Rate, "rate", 0, "updates per second the people send together, each at a steady pace; 0: each sends again as soon as answered")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "how long each bot is measured")
	fs.IntVar(&c.SeedUsers, "seed-users", 0, "chats stored in the database before the run")
	fs.IntVar(&c.SeedCases, "seed-cases", 0, "open cases stored in the database before the run")
	fs.StringVar(&c.Dir, "dir", "", "directory for the database (default: a temporary one, removed after)")
	fs.BoolVar(&c.Echo, "echo", true, "measure the echo bot floors too")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed of the people's choices")
	fs.StringVar(&c.MemLimit, "bot-gomemlimit", "", "GOMEMLIMIT for the bot's process (e.g. 48MiB); empty: Go's default")
	fs.StringVar(&c.Profile, "cpuprofile", "", "write a CPU profile of the bot's process during the run to this file")
	fs.StringVar(&c.HarnessProfile, "harness-cpuprofile", "", "write a CPU profile of the load generator and local Bot API during the bot's run to this file")
	// The echo bot runs as a child of the bench, as the bot does.
	fs.BoolVar(&echoBot, "echo-bot", false, "internal: run the echo bot")
	fs.BoolVar(&c.DurableEcho, "durable-echo", false, "measure too the echo bot with presses built on rightsdesk's transport and store: what durability costs a bot whose handling costs nothing")
	fs.BoolVar(&durableEchoBot, "durable-echo-bot", false, "internal: run the durable echo bot")
	fs.StringVar(&echoDB, "echo-db", "", "internal: database for -durable-echo-bot")
	fs.StringVar(&listen, "listen", "", "internal: address of -durable-echo-bot's /metrics")
	fs.BoolVar(&echoPresses, "echo-presses", false, "internal: the echo bot puts a button under each echo")
	fs.StringVar(&apiURL, "api-url", "", "internal: Bot API URL for -echo-bot")
	fs.StringVar(&token, "token", "", "internal: token for -echo-bot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if durableEchoBot {
		return runDurableEcho(ctx, apiURL, token, echoDB, listen)
	}
	if echoBot {
		return telegram.RunEchoBot(ctx, telegram.EchoConfig{APIURL: apiURL, Token: token, Presses: echoPresses})
	}
	if c.DurableEcho && !c.Echo {
		return errors.New("bench: -durable-echo needs the floors (-echo)")
	}
	if c.Users <= 0 || c.Duration <= 0 || c.Rate < 0 || c.Rounds <= 0 || c.Slices <= 0 {
		return errors.New("bench: -users, -duration, -rounds and -slices must be positive, -rate not negative")
	}
	if c.Slices > 1 && (c.Profile != "" || c.HarnessProfile != "") {
		// A profile covers one stretch of time; the bot's slices are apart.
		return errors.New("bench: -cpuprofile and -harness-cpuprofile need -slices 1")
	}
	dir := c.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "rightsdesk-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	catalog, err := locales.Load()
	if err != nil {
		return err
	}
	report := benchReport{Cores: runtime.NumCPU(), LoadAvg: loadAvg(), Users: c.Users, Rate: c.Rate, Duration: c.Duration.Seconds(),
		SeedUsers: c.SeedUsers, SeedCases: c.SeedCases, BotGoMemLimit: c.MemLimit}
	var bots, echoes, presses, durables []benchFigures
	for round := 1; round <= c.Rounds; round++ {
		// Each round's bot starts from a database seeded for it: the local
		// Bot API counts updates and users from the start again. (A copy of
		// one seeded file would be quicker, but the bot wrote three times
		// as much to a copy, which would skew its figures.)
		dbPath := filepath.Join(dir, "bench.db")
		if c.Rounds > 1 {
			dbPath = filepath.Join(dir, fmt.Sprintf("round-%d", round), "bench.db")
			if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
				return err
			}
		}
		if _, err := os.Stat(dbPath); err == nil {
			// Its stored offset and chats belong to another local Bot API,
			// which began counting updates and users where this one does.
			return fmt.Errorf("bench: %s exists; -dir needs a directory without a bench database", dbPath)
		}
		if err := seedBench(ctx, dbPath, c.SeedUsers, c.SeedCases); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
		r, err := measureRound(ctx, c, self, dbPath, catalog, stderr)
		if err != nil {
			return err
		}
		bots = append(bots, r.bot)
		line := benchRound{BotCPUPerUpdateUs: r.bot.CPUPerUpdateUs, BotP99ms: r.bot.P99ms, BotPeakRSSMB: r.bot.PeakRSSMB}
		if r.echo != nil {
			echoes = append(echoes, *r.echo)
			line.EchoCPUPerUpdateUs, line.CPURatio = r.echo.CPUPerUpdateUs, cpuRatio(r.bot, *r.echo)
		}
		if r.presses != nil {
			presses = append(presses, *r.presses)
			line.PressesCPUPerUpdateUs, line.CPURatioPresses = r.presses.CPUPerUpdateUs, cpuRatio(r.bot, *r.presses)
		}
		if r.durable != nil && r.presses != nil {
			durables = append(durables, *r.durable)
			line.DurableCPUPerUpdateUs, line.DurableRatioPresses = r.durable.CPUPerUpdateUs, cpuRatio(*r.durable, *r.presses)
		}
		report.Rounds = append(report.Rounds, line)
	}
	report.Bot = medianRun(bots)
	if len(echoes) > 0 {
		e := medianRun(echoes)
		report.Echo = &e
		report.CPURatio = median(report.Rounds, func(r benchRound) float64 { return r.CPURatio })
	}
	if len(presses) > 0 {
		p := medianRun(presses)
		report.EchoPresses = &p
		report.CPURatioPresses = median(report.Rounds, func(r benchRound) float64 { return r.CPURatioPresses })
	}
	if len(durables) > 0 {
		d := medianRun(durables)
		report.DurableEcho = &d
		report.DurableRatioPresses = median(report.Rounds, func(r benchRound) float64 { return r.DurableRatioPresses })
	}
	if c.Rounds == 1 {
		report.Rounds = nil
	}
	b, err := json.Marshal(report)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}

// benchRoundResult is one round: the bot, then its floors when asked for.
type benchRoundResult struct {
	bot                    benchFigures
	echo, presses, durable *benchFigures
}

// measureRound measures the bot on the database at dbPath, then the echo bot
// under people who only write and under people who press as the bot's did,
// and, with c.DurableEcho, the durable echo bot under the same people. With
// c.Slices above one, each is measured in that many slices, all taking
// turns, so that a slow minute of the machine falls on all of them.
func measureRound(ctx context.Context, c benchConfig, self, dbPath string, catalog *locales.Catalog, stderr io.Writer) (benchRoundResult, error) {
	var r benchRoundResult
	bot, err := startLoad(ctx, c, func(apiURL, listen string) *exec.Cmd {
		return exec.Command(self, "serve", "-token", demoToken, "-api-url", apiURL, "-db", dbPath, "-listen", listen,
			"-log-level", "warn", "-log-format", "json", "-poll-timeout", "2s",
			// Scheduled jobs would only add noise to the measurement.
			"-drafts-schedule", "", "-retention-schedule", "", "-backup-schedule", "", "-audit-schedule", "",
			"-announce-schedule", "", "-pprof="+strconv.FormatBool(c.Profile != ""))
	}, func(u *localapi.User, rnd *rand.Rand, p *benchPerson) { p.complaintAndGuide(catalog, u, rnd) })
	if err != nil {
		return r, err
	}
	loads := []*benchLoad{bot}
	names := []string{"rightsdesk serve"}
	// pressing are the loads whose people press as often as the bot's.
	pressing := map[*benchLoad]bool{}
	defer func() {
		for _, l := range loads {
			l.stop()
		}
	}()
	// Presses per text of the bot's people so far; the pressing loads'
	// people read it for each new chat.
	var perText atomic.Uint64
	pressAsTheBot := func(u *localapi.User, rnd *rand.Rand, p *benchPerson) {
		p.echo(u, rnd, math.Float64frombits(perText.Load()))
	}
	if c.Echo {
		echo, err := startLoad(ctx, c, func(apiURL, listen string) *exec.Cmd {
			return exec.Command(self, "bench", "-echo-bot", "-api-url", apiURL, "-token", demoToken)
		}, func(u *localapi.User, rnd *rand.Rand, p *benchPerson) { p.echo(u, rnd, 0) })
		if err != nil {
			return r, err
		}
		loads, names = append(loads, echo), append(names, "echo bot")
		presses, err := startLoad(ctx, c, func(apiURL, listen string) *exec.Cmd {
			return exec.Command(self, "bench", "-echo-bot", "-echo-presses", "-api-url", apiURL, "-token", demoToken)
		}, pressAsTheBot)
		if err != nil {
			return r, err
		}
		loads, names = append(loads, presses), append(names, "echo bot with presses")
		pressing[presses] = true
	}
	if c.DurableEcho {
		// On a database of the bot's size: a deeper tree costs each write.
		echoDB := filepath.Join(filepath.Dir(dbPath), "durable-echo.db")
		if _, err := os.Stat(echoDB); err == nil {
			// Its stored offset would belong to another local Bot API.
			return r, fmt.Errorf("bench: %s exists; -dir needs a directory without a bench database", echoDB)
		}
		if err := seedBench(ctx, echoDB, c.SeedUsers, 0); err != nil {
			return r, fmt.Errorf("seeding: %w", err)
		}
		durable, err := startLoad(ctx, c, func(apiURL, listen string) *exec.Cmd {
			return exec.Command(self, "bench", "-durable-echo-bot", "-api-url", apiURL, "-token", demoToken, "-echo-db", echoDB,
				"-listen", listen)
		}, pressAsTheBot)
		if err != nil {
			return r, err
		}
		loads, names = append(loads, durable), append(names, "durable echo bot")
		pressing[durable] = true
	}
	slice := c.Duration / time.Duration(c.Slices)
	for n := 1; n <= c.Slices; n++ {
		for i, l := range loads {
			if pressing[l] {
				updates, presses := bot.updates()
				share := float64(presses) / float64(max(1, updates))
				if share <= 0 || share >= 1 {
					return r, fmt.Errorf("bench: the bot's people pressed %.2f of their updates", share)
				}
				perText.Store(math.Float64bits(share / (1 - share)))
			}
			cpu0 := l.cpu
			sent, err := l.measure(ctx, slice)
			if err != nil {
				return r, err
			}
			fmt.Fprintf(stderr, "bench: slice %d/%d: %s, %d people, %v: %d updates, %.0f µs an update\n", n, c.Slices,
				names[i], c.Users, slice, sent, float64((l.cpu-cpu0).Microseconds())/float64(max(1, sent)))
		}
	}
	stopped := loads
	loads = nil
	figures := make([]benchFigures, len(stopped))
	for i, l := range stopped {
		l.stop()
		if figures[i], err = l.figures(); err != nil {
			return r, err
		}
	}
	r.bot = figures[0]
	if len(figures) >= 3 {
		r.echo, r.presses = &figures[1], &figures[2]
	}
	if len(figures) == 4 {
		r.durable = &figures[3]
	}
	return r, nil
}

// medianRun is the run of median CPU per update: one run's figures belong
// together, so they are not mixed across runs. Of an even count it is the
// costlier of the middle two.
func medianRun(runs []benchFigures) benchFigures {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b benchFigures) int { return cmp.Compare(a.CPUPerUpdateUs, b.CPUPerUpdateUs) })
	return sorted[len(sorted)/2]
}

// median of one figure over the rounds.
func median(rounds []benchRound, figure func(benchRound) float64) float64 {
	xs := make([]float64, len(rounds))
	for i, r := range rounds {
		xs[i] = figure(r)
	}
	slices.Sort(xs)
	n := len(xs)
	return round2((xs[(n-1)/2] + xs[n/2]) / 2)
}

func cpuRatio(bot, floor benchFigures) float64 {
	if floor.CPUPerUpdateUs <= 0 {
		return 0
	}
	return round2(bot.CPUPerUpdateUs / floor.CPUPerUpdateUs)
}

// openBenchDB opens a bench database with the key file beside it, as
// rightsdesk serve does in the bench, whose environment holds no key.
func openBenchDB(ctx context.Context, dbPath string) (*store.DB, error) {
	key, err := store.LoadKey("", dbPath+".key")
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, dbPath, key)
}

// seedBench fills a database with chats past the language choice, with a
// profile and a draft index, and with open cases, as months of use would.
func seedBench(ctx context.Context, dbPath string, users, cases int) error {
	db, err := openBenchDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	const batch = 2000
	state := []byte(`{"v":1,"profile":{"work":"RU","citizenship":"AZ"},"news":{"asked":true}}`)
	for i := 0; i < users; i += batch {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < min(users, i+batch); j++ {
				lang := locales.Languages[j%len(locales.Languages)]
				if err := tx.SaveChat(store.Chat{ID: int64(9_000_000 + j), Type: "private", Language: lang, State: state}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// The bot indexes the drafts of a database from before the drafts
	// index once, at its first start; a database in use has done so.
	if _, err := bot.New(bot.Config{Store: db, Log: zerolog.Nop()}).IndexDrafts(ctx); err != nil {
		return err
	}
	for i := 0; i < cases; i += batch {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < min(cases, i+batch); j++ {
				chatID := int64(9_000_000 + j%max(users, 1))
				if users == 0 {
					chatID = int64(9_500_000 + j)
				}
				if err := tx.CreateCase(store.NewCase{ID: store.NewCaseID(), ChatID: chatID, Details: store.CaseDetails{
					Language: "ru", Categories: []string{"wages"}, Place: &store.CasePlace{Name: "Moscow", Country: "RU", Lat: 55.75, Lon: 37.62},
					Citizenship: "AZ", Sector: "construction", Employer: "Seeded employer", Since: "lt1m",
					Description: "Seeded case: unpaid wages for three months.", ContactMethod: "bot"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// benchPerson is one simulated person's measurements.
type benchPerson struct {
	target    *benchTarget
	latencies []time.Duration
	updates   int
	presses   int
	intakes   int
	pages     int
	stuckN    int
	timeouts  int
	failed    bool
	// gate holds the person back while their bot is not measured; nil
	// lets them always through.
	gate *benchGate
	rnd  *rand.Rand
	// limit bounds the wait for one answer; 0 means 10 s.
	limit time.Duration
	// every is the pace of a person's steps under -rate: the next step
	// is due every after the last one was sent, at once if the answer
	// came later than that.
	every time.Duration
	next  time.Time
}

// benchLoad is one bot under measurement: its process, the local Bot API it
// polls and the people writing to it. The people wait at a gate while the
// bot is not being measured, so that several bots can be measured in turn,
// a few seconds each, and the machine's drift falls on all of them alike.
type benchLoad struct {
	c      benchConfig
	target *benchTarget
	cmd    *exec.Cmd
	// exited is closed once the process has ended, and exitErr is then
	// what its Wait returned: both the start-up and stop wait for it.
	exited     chan struct{}
	exitErr    error
	logs       strings.Builder
	metricsURL string
	listen     string
	gate       *benchGate
	people     []*benchPerson
	running    sync.WaitGroup

	// What its slices measured, summed.
	slices   int
	elapsed  time.Duration
	cpu      time.Duration
	harness  time.Duration
	disk     int64
	requests int64
	counters map[string]float64
	// peakRSS is read as the load stops, in KiB.
	peakRSS int64
}

// startLoad starts the local Bot API and the bot's process, and its
// people, who wait at the closed gate until the first slice.
func startLoad(ctx context.Context, c benchConfig, command func(apiURL, listen string) *exec.Cmd,
	script func(u *localapi.User, rnd *rand.Rand, p *benchPerson)) (*benchLoad, error) {
	target, err := newBenchTarget()
	if err != nil {
		return nil, err
	}
	l := &benchLoad{c: c, target: target, gate: newBenchGate(), counters: map[string]float64{}, exited: make(chan struct{})}
	if l.listen, err = freePort(); err != nil {
		target.close()
		return nil, err
	}
	l.cmd = command(target.baseURL, l.listen)
	l.cmd.Env = benchEnv()
	if c.MemLimit != "" && l.cmd.Args[1] == "serve" {
		l.cmd.Env = append(l.cmd.Env, "GOMEMLIMIT="+c.MemLimit)
	}
	l.cmd.Stdout, l.cmd.Stderr = io.Discard, &limitedWriter{w: &l.logs, left: 64 << 10}
	if err := l.cmd.Start(); err != nil {
		target.close()
		return nil, err
	}
	go func() { l.exitErr = l.cmd.Wait(); close(l.exited) }()
	if err := target.waitPolling(ctx, l.exited); err != nil {
		l.stop()
		if errors.Is(err, errExitedBeforePolling) {
			err = fmt.Errorf("%w: %v", err, l.exitErr)
		}
		return nil, fmt.Errorf("%w\n%s", err, l.logs.String())
	}
	if slices.Contains(l.cmd.Args, "-listen") {
		l.metricsURL = "http://" + l.listen + "/metrics"
	}
	l.people = make([]*benchPerson, c.Users)
	for i := range l.people {
		p := &benchPerson{target: target, gate: l.gate, rnd: rand.New(rand.NewPCG(c.Seed, uint64(i)))}
		if c.Rate > 0 {
			p.every = time.Duration(float64(c.Users) / c.Rate * float64(time.Second))
		}
		l.people[i] = p
		l.running.Add(1)
		go func() {
			defer l.running.Done()
			for n := 0; !p.failed && l.gate.wait(); n++ {
				lang := locales.Languages[(i+n)%len(locales.Languages)]
				u := target.api.NewUser(fmt.Sprintf("P%d-%d", i, n), lang)
				target.watch(u.ChatID())
				script(u, p.rnd, p)
				target.forget(u.ChatID())
			}
		}()
	}
	return l, nil
}

// measure lets the people write for d, waits until every answer they wait
// for has come, and adds what the bot's process spent meanwhile. It
// returns how many updates the people sent in the slice.
func (l *benchLoad) measure(ctx context.Context, d time.Duration) (int, error) {
	c := l.c
	pid := l.cmd.Process.Pid
	// Counters are scraped outside the CPU measured: the scrape is the
	// bench's, not the load's.
	db0 := scrapeCounters(l.metricsURL)
	cpu0, err := processCPUOf(pid)
	if err != nil {
		return 0, err
	}
	io0 := diskWrites(pid)
	req0 := l.target.requests.Load()
	var self0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	profiled := make(chan error, 1)
	profiling := l.cmd.Args[1] == "serve" && l.slices == 0
	if c.Profile != "" && profiling {
		go func() { profiled <- fetchProfile("http://"+l.listen, d, c.Profile) }()
	} else {
		profiled <- nil
	}
	stopHarnessProfile := func() {}
	if c.HarnessProfile != "" && profiling {
		if stopHarnessProfile, err = startCPUProfile(c.HarnessProfile); err != nil {
			return 0, err
		}
	}
	sent0, _ := l.updates()
	start := time.Now()
	l.gate.open(start.Add(d))
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	l.gate.close()
	elapsed := time.Since(start)
	sent, _ := l.updates()
	// What the bot does after the last answer a person waited for (the
	// settling of sent messages, a press's answer after its page) belongs
	// to this slice too.
	time.Sleep(200 * time.Millisecond)
	stopHarnessProfile()
	if err := <-profiled; err != nil {
		return 0, err
	}
	cpu1, err := processCPUOf(pid)
	if err != nil {
		return 0, err
	}
	var self1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	l.disk += diskWrites(pid) - io0
	l.requests += l.target.requests.Load() - req0
	for name, v := range scrapeCounters(l.metricsURL) {
		l.counters[name] += v - db0[name]
	}
	l.slices++
	l.elapsed += elapsed
	l.cpu += cpu1 - cpu0
	l.harness += time.Duration(self1.Utime.Nano()+self1.Stime.Nano()) - time.Duration(self0.Utime.Nano()+self0.Stime.Nano())
	if c.Profile != "" && profiling {
		if err := fetchTo("http://"+l.listen+"/debug/pprof/heap", c.Profile+".heap"); err != nil {
			return 0, err
		}
	}
	return sent - sent0, ctx.Err()
}

// updates is how many updates the people have sent so far, and how many
// of them were presses.
func (l *benchLoad) updates() (updates, presses int) {
	for _, p := range l.people {
		updates += p.updates
		presses += p.presses
	}
	return updates, presses
}

// stop sends the people home and ends the bot's process.
func (l *benchLoad) stop() {
	l.gate.finish()
	l.running.Wait()
	if l.peakRSS == 0 {
		l.peakRSS = peakRSS(l.cmd.Process.Pid)
	}
	_ = l.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-l.exited:
	case <-time.After(20 * time.Second):
		_ = l.cmd.Process.Kill()
		<-l.exited
	}
	l.target.close()
}

// figures are the load's figures over all its slices; call it after stop.
func (l *benchLoad) figures() (benchFigures, error) {
	var f benchFigures
	var all []time.Duration
	updates, presses := l.updates()
	f.Updates = updates
	for _, p := range l.people {
		all = append(all, p.latencies...)
		f.Intakes += p.intakes
		f.GuidePages += p.pages
		f.Stuck += p.stuckN
		f.Timeouts += p.timeouts
	}
	if f.Updates == 0 || len(all) == 0 {
		return f, fmt.Errorf("bench: no update was answered\n%s", l.logs.String())
	}
	slices.Sort(all)
	pct := func(q float64) float64 {
		return float64(all[min(len(all)-1, int(q*float64(len(all))))].Microseconds()) / 1000
	}
	n := float64(f.Updates)
	f.Slices = l.slices
	f.PressShare = round2(float64(presses) / n)
	f.UpdatesPerSecond = round2(n / l.elapsed.Seconds())
	f.P50ms, f.P95ms, f.P99ms, f.MaxMs = pct(.50), pct(.95), pct(.99), float64(all[len(all)-1].Microseconds())/1000
	f.CPUPerUpdateUs = round2(float64(l.cpu.Microseconds()) / n)
	f.HarnessCPUPerUpdateUs = round2(float64(l.harness.Microseconds()) / n)
	f.PeakRSSMB = round2(float64(l.peakRSS) / 1024)
	f.APIRequestsPerUpdate = round2(float64(l.requests) / n)
	f.CommitsPerUpdate = round2(l.counters["rightsdesk_db_commits_total"] / n)
	f.WritesPerUpdate = round2(l.counters["rightsdesk_db_writes_total"] / n)
	f.DiskKBPerUpdate = round2(float64(l.disk) / 1024 / n)
	f.StoredShare = round2(l.counters["rightsdesk_updates_stored_total"] / n)
	return f, nil
}

// benchGate lets a load's people send only while the load is measured.
// A person passes it before each step and leaves it when the answer has
// come; closing it waits until everyone inside has left.
type benchGate struct {
	mu      sync.Mutex
	isOpen  bool
	until   time.Time
	done    bool
	changed chan struct{} // closed and replaced at every change
	inside  sync.WaitGroup
}

func newBenchGate() *benchGate { return &benchGate{changed: make(chan struct{})} }

func (g *benchGate) set(change func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	change()
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *benchGate) open(until time.Time) { g.set(func() { g.isOpen, g.until = true, until }) }

// close stops new steps and waits for those under way.
func (g *benchGate) close() {
	g.set(func() { g.isOpen = false })
	g.inside.Wait()
}

// finish sends everyone waiting at the gate home.
func (g *benchGate) finish() { g.set(func() { g.done = true }) }

// enter waits until the gate is open and lets the person in; false when
// the measurement is over. waited tells whether the gate had been closed.
// A nil gate is always open: the crash and explorer tests' people use none.
func (g *benchGate) enter() (waited, ok bool) {
	if g == nil {
		return false, true
	}
	for {
		g.mu.Lock()
		if g.done {
			g.mu.Unlock()
			return waited, false
		}
		if g.isOpen && time.Now().Before(g.until) {
			g.inside.Add(1)
			g.mu.Unlock()
			return waited, true
		}
		changed := g.changed
		g.mu.Unlock()
		waited = true
		<-changed
	}
}

func (g *benchGate) leave() {
	if g != nil {
		g.inside.Done()
	}
}

// wait waits until the gate opens; false when the measurement is over.
func (g *benchGate) wait() bool {
	if _, ok := g.enter(); !ok {
		return false
	}
	g.leave()
	return true
}

// fileComplaint does /start, the language and a whole complaint, up to the
// offer of where the case goes; false when a step found no answer.
func (p *benchPerson) fileComplaint(cat *locales.Catalog, u *localapi.User) bool {
	lang := u.Language()
	label := func(id string) string { return cat.T(lang, id, nil) }
	return p.step(u, func() { u.SendText("/start") }, hasButton(label("language_name"))) &&
		p.press(u, label("language_name"), hasButton(label("menu_short_complaint"))) &&
		p.step(u, func() { u.SendText("/complaint") }, hasButton(label("intake_btn_safe"))) &&
		p.press(u, label("intake_btn_safe"), hasButton(label("intake_btn_agree"))) &&
		p.press(u, label("intake_btn_agree"), hasButton(label("intake_btn_identity_shared"))) &&
		p.press(u, label("intake_btn_identity_shared"), hasButton(label("btn_skip"))) &&
		p.press(u, label("btn_skip"), hasButton(label("intake_cat_wages"))) &&
		p.press(u, label("intake_cat_wages"), hasButton("✓ "+label("intake_cat_wages"))) &&
		p.press(u, label("btn_done"), anyMessage) &&
		p.step(u, func() { u.SendText("Tbilisi") }, hasButton(label("btn_yes"))) &&
		p.press(u, label("btn_yes"), hasButton(label("intake_country_az"))) &&
		p.press(u, label("intake_country_az"), hasButton(label("intake_sector_construction"))) &&
		p.press(u, label("intake_sector_construction"), anyMessage) &&
		p.step(u, func() { u.SendText("ACME Construction") }, hasButton(label("intake_since_lt1m"))) &&
		p.press(u, label("intake_since_lt1m"), anyMessage) &&
		p.step(u, func() { u.SendText("Unpaid since March; the boss keeps my passport.") }, hasButton(label("btn_done"))) &&
		p.press(u, label("btn_done"), hasButton(label("intake_contact_bot"))) &&
		p.press(u, label("intake_contact_bot"), hasButton(label("intake_btn_submit"))) &&
		p.press(u, label("intake_btn_submit"), hasData("v1:r:"))
}

// complaintAndGuide is a person who files a whole complaint, then reads a
// few pages of the guide: the language first, then the intake's questions
// answered with buttons and text, then the guide's buttons at random.
func (p *benchPerson) complaintAndGuide(cat *locales.Catalog, u *localapi.User, rnd *rand.Rand) {
	if !p.fileComplaint(cat, u) {
		return
	}
	p.intakes++
	// Where the case goes: one of the services offered.
	m, data := p.button(u, rnd, "v1:r:")
	if data == "" {
		p.stuck()
		return
	}
	if !p.pressData(u, m, data, anyMessage) {
		return
	}
	if !p.step(u, func() { u.SendText("/guide") }, hasData("v1:g:")) {
		return
	}
	// The first time, the guide asks where the person works and which
	// passport they hold; they answer with a country or Skip.
	for _, question := range []string{"v1:g:w:", "v1:g:z:"} {
		m, data := p.button(u, rnd, question)
		if data == "" {
			break
		}
		if !p.pressData(u, m, data, hasData("v1:g:")) {
			return
		}
	}
	for range 8 {
		// Topics and pages, and back to the list when a topic ends.
		m, data := p.button(u, rnd, "v1:g:t:", "v1:g:c:")
		if data == "" {
			m, data = p.button(u, rnd, "v1:g:l")
		}
		if data == "" {
			p.stuck()
			return
		}
		if !p.pressData(u, m, data, hasData("v1:g:")) {
			return
		}
		p.pages++
	}
}

// stuck stops a person whose next step the bot's answer did not offer:
// the script and the bot disagree, and the figures would silently leave
// out what the person could not do.
func (p *benchPerson) stuck() {
	p.stuckN++
	p.failed = true
}

// echo is a person writing texts to the echo bot and, after each,
// pressing the button under its echo perText times on average.
func (p *benchPerson) echo(u *localapi.User, rnd *rand.Rand, perText float64) {
	for range 30 {
		text := fmt.Sprintf("My employer has not paid me for %d months.", 1+rnd.IntN(9))
		if !p.step(u, func() { u.SendText(text) }, hasText(text)) {
			return
		}
		presses := int(perText)
		if rnd.Float64() < perText-float64(presses) {
			presses++
		}
		for range presses {
			m, data := p.button(u, rnd, telegram.EchoPressData)
			if data == "" {
				p.stuck()
				return
			}
			if !p.pressData(u, m, data, func(msg localapi.Message) bool {
				return msg.ID == m && strings.HasSuffix(msg.Text, telegram.EchoPressed(data))
			}) {
				return
			}
		}
	}
}

func (p *benchPerson) press(u *localapi.User, label string, until func(localapi.Message) bool) bool {
	if m, ok := u.LastWhere(hasButton(label)); ok {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if names(b.Text, label) {
					id, text := m.ID, b.Text
					return p.send(u, func() { _ = u.Press(id, text) }, until, true)
				}
			}
		}
	}
	p.stuck()
	return false
}

// names reports whether a button's text names label as a phone shows it:
// the label itself, or numbered and, when long, cut at a word ("2. A long…").
// A tick ("✓ ") must be on both or neither.
func names(text, label string) bool {
	if text == label {
		return true
	}
	tick := strings.HasPrefix(label, "✓ ")
	if tick != strings.HasPrefix(text, "✓ ") {
		return false
	}
	if tick {
		text, label = text[len("✓ "):], label[len("✓ "):]
	}
	num, rest, ok := strings.Cut(text, ". ")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return false
	}
	cut, shortened := strings.CutSuffix(rest, "…")
	return rest == label || shortened && strings.HasPrefix(label, cut)
}

func (p *benchPerson) pressData(u *localapi.User, messageID int, data string, until func(localapi.Message) bool) bool {
	return p.send(u, func() { _ = u.PressData(messageID, data) }, until, true)
}

// button picks, on the newest message that has one, a button whose data
// begins with one of the prefixes.
func (p *benchPerson) button(u *localapi.User, rnd *rand.Rand, prefixes ...string) (int, string) {
	var data []string
	m, _ := u.LastWhere(func(m localapi.Message) bool {
		data = data[:0]
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				for _, prefix := range prefixes {
					if strings.HasPrefix(b.CallbackData, prefix) {
						data = append(data, b.CallbackData)
					}
				}
			}
		}
		return len(data) > 0
	})
	if len(data) == 0 {
		return 0, ""
	}
	return m.ID, data[rnd.IntN(len(data))]
}

// step does one thing a person does and waits until the bot's answer
// shows what the next step needs. The latency counted is from the action
// to the first message the bot sent or edited in the chat.
func (p *benchPerson) step(u *localapi.User, act func(), until func(localapi.Message) bool) bool {
	return p.send(u, act, until, false)
}

// send is a step, a press when press is set. It is counted once through
// the gate, in the slice it is sent in.
func (p *benchPerson) send(u *localapi.User, act func(), until func(localapi.Message) bool, press bool) bool {
	chatID := u.ChatID()
	for {
		if p.every > 0 {
			time.Sleep(time.Until(p.next))
		}
		waited, ok := p.gate.enter()
		if !ok {
			return false
		}
		if !waited || p.every == 0 {
			break
		}
		// Paced people coming back through the gate spread over one step
		// of the pace again, so that they do not all send at once.
		p.gate.leave()
		p.next = time.Now().Add(time.Duration(p.rnd.Int64N(int64(p.every))))
	}
	defer p.gate.leave()
	sent := time.Now()
	p.next = sent.Add(p.every)
	p.target.arm(chatID, sent)
	act()
	p.updates++
	if press {
		p.presses++
	}
	wait := p.limit
	if wait <= 0 {
		wait = 10 * time.Second
	}
	limit := time.NewTimer(wait)
	defer limit.Stop()
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		if _, err := u.WaitFor(expired, until); err == nil {
			if at := p.target.firstReply(chatID); !at.IsZero() {
				p.latencies = append(p.latencies, at.Sub(sent))
			}
			return true
		}
		select {
		case <-p.target.changed(chatID):
		case <-limit.C:
			p.timeouts++
			p.failed = true
			if os.Getenv("RIGHTSDESK_BENCH_DEBUG") != "" {
				var last []string
				for _, m := range u.Messages() {
					last = append(last, fmt.Sprintf("%d %q %v", m.ID, firstLine(m.Text), m.InlineKeyboard))
				}
				fmt.Fprintf(os.Stderr, "timeout in chat %d; messages: %s\n", chatID, strings.Join(last[max(0, len(last)-3):], " | "))
			}
			return false
		}
	}
}

func hasButton(label string) func(localapi.Message) bool {
	return func(m localapi.Message) bool {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if names(b.Text, label) {
					return true
				}
			}
		}
		return false
	}
}

func hasData(prefix string) func(localapi.Message) bool {
	return func(m localapi.Message) bool {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, prefix) {
					return true
				}
			}
		}
		return false
	}
}

func hasText(s string) func(localapi.Message) bool {
	return func(m localapi.Message) bool { return strings.Contains(m.Text, s) }
}

func anyMessage(localapi.Message) bool { return true }

// benchTarget is the local Bot API behind a handler that notes, per chat,
// when the bot first answered since the person's last action, and wakes
// that person only: the API's own waiting wakes everyone at every change.
type benchTarget struct {
	api     *localapi.Server
	srv     *http.Server
	baseURL string
	polled  chan struct{}
	once    sync.Once
	// requests counts Bot API requests other than getUpdates.
	requests atomic.Int64

	mu    sync.Mutex
	chats map[int64]*benchChat
}

type benchChat struct {
	armed   time.Time
	replied time.Time
	wake    chan struct{}
}

func newBenchTarget() (*benchTarget, error) {
	t := &benchTarget{api: localapi.New(localapi.Config{Token: demoToken, NoRequestLog: true}), chats: map[int64]*benchChat{},
		polled: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t.srv = &http.Server{Handler: http.HandlerFunc(t.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go t.srv.Serve(ln) //nolint:errcheck // ErrServerClosed at the end
	t.baseURL = "http://" + ln.Addr().String()
	return t, nil
}

func (t *benchTarget) close() {
	t.api.Close() // ends long polls first, so Close does not wait for them
	t.srv.Close()
}

// visible are the methods whose effect a person sees in the chat.
var visible = map[string]bool{"sendMessage": true, "editMessageText": true, "editMessageReplyMarkup": true,
	"sendLocation": true, "copyMessage": true, "sendPhoto": true, "sendDocument": true}

func (t *benchTarget) serveHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if method == "getUpdates" {
		t.once.Do(func() { close(t.polled) })
	} else {
		t.requests.Add(1)
	}
	t.api.ServeHTTP(w, r)
	// The local API parsed the form; both bots post url-encoded forms.
	chatID, err := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	if err != nil {
		return
	}
	at := time.Now()
	t.mu.Lock()
	c := t.chats[chatID]
	if c != nil && visible[method] && c.replied.IsZero() && !c.armed.IsZero() {
		c.replied = at
	}
	t.mu.Unlock()
	if c != nil {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

func (t *benchTarget) watch(chatID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.chats[chatID] = &benchChat{wake: make(chan struct{}, 1)}
}

func (t *benchTarget) forget(chatID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.chats, chatID)
}

func (t *benchTarget) arm(chatID int64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.chats[chatID]
	c.armed, c.replied = at, time.Time{}
	select {
	case <-c.wake:
	default:
	}
}

func (t *benchTarget) firstReply(chatID int64) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.chats[chatID].replied
}

func (t *benchTarget) changed(chatID int64) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.chats[chatID].wake
}

var errExitedBeforePolling = errors.New("bench: the bot exited before polling")

// waitPolling waits until the bot asks for updates; exited is closed when
// the bot's process ends.
func (t *benchTarget) waitPolling(ctx context.Context, exited <-chan struct{}) error {
	select {
	case <-t.polled:
		// Let the bot finish starting (commands, webhook removal).
		time.Sleep(300 * time.Millisecond)
		return nil
	case <-exited:
		return errExitedBeforePolling
	case <-time.After(60 * time.Second):
		return errors.New("bench: the bot did not poll within 60 s")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// processCPUOf is a process's user and system time, from /proc.
func processCPUOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it do not.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(fields) < 13 {
		return 0, errors.New("bench: unreadable /proc stat")
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// peakRSS is a process's peak resident set, in KiB.
func peakRSS(pid int) int64 {
	return procField(fmt.Sprintf("/proc/%d/status", pid), "VmHWM:")
}

// diskWrites is the bytes a process caused to be written to storage.
func diskWrites(pid int) int64 {
	return procField(fmt.Sprintf("/proc/%d/io", pid), "write_bytes:")
}

func procField(path, name string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			n, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return n
		}
	}
	return 0
}

// scrapeCounters reads the unlabelled counters of a /metrics page.
func scrapeCounters(url string) map[string]float64 {
	out := map[string]float64{}
	if url == "" {
		return out
	}
	resp, err := http.Get(url)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// fetchProfile writes a CPU profile of the bot's process, taken over most
// of the run, to path.
func fetchProfile(base string, d time.Duration, path string) error {
	secs := max(1, int(d.Seconds())-1)
	return fetchTo(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs), path)
}

// startCPUProfile profiles this process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); out.Close() }, nil
}

func fetchTo(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	_, err = io.Copy(out, resp.Body)
	return err
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// benchEnv keeps a developer's bot settings away from the bot under test.
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RIGHTSDESK_") && !strings.HasPrefix(kv, "TELEGRAM_") {
			env = append(env, kv)
		}
	}
	return env
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return v
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// limitedWriter keeps the first bytes of a child's log for an error.
type limitedWriter struct {
	mu   sync.Mutex
	w    *strings.Builder
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.left > 0 {
		n := min(len(p), l.left)
		l.w.Write(p[:n])
		l.left -= n
	}
	return len(p), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// runDurableEcho is the echo bot with presses built on rightsdesk's own
// plumbing: the poller, executor, store and sender of rightsdesk serve,
// with a turn that only echoes. Each turn keeps the chat's last text as
// its state and commits it with its reply and the update's id before the
// offset is confirmed, and the sender settles each sent message, as
// rightsdesk's turns do. What it costs beyond the echo bot is what
// durability and the transport cost a bot whose handling costs nothing.
func runDurableEcho(ctx context.Context, apiURL, token, dbPath, listen string) error {
	db, err := openBenchDB(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// Its commits, for the bench's figures.
	ops := &http.Server{Addr: listen, Handler: metrics.New(nil, db.WriteStats).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go ops.ListenAndServe() //nolint:errcheck // ErrServerClosed at the end
	defer ops.Close()
	log := zerolog.Nop()
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()
	control := telegram.NewClient(pollCtx, token, apiURL, 30*time.Second)
	me, err := control.GetMe()
	if err != nil {
		return err
	}
	decoder := telegram.Decoder{BotID: me.ID, BotUsername: me.Username}
	sender := &telegram.Sender{Client: telegram.NewClient(sendCtx, token, apiURL, 30*time.Second), Store: db, Log: log,
		Limits: telegram.DefaultLimits()}
	echo := durableEcho{db: db, decode: decoder.Decode, answer: sender.Answer, notify: sender.Notify}
	poller := &telegram.Poller{Client: control, Store: db, Decoder: decoder, Log: log, Timeout: 2 * time.Second}
	exec := &bot.Executor{Handle: echo.handle, Log: log, Handled: poller.Handled,
		Recover: func(ctx context.Context, u store.InboxUpdate) {
			_ = db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(u.UpdateID) })
		}}
	poller.Submit = exec.Submit
	exec.Start(ctx)
	sent := make(chan error, 1)
	go func() { sent <- sender.Run(sendCtx) }()
	err = poller.Run(pollCtx)
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = exec.Stop(stop)
	stopSending()
	<-sent
	return err
}

type durableEcho struct {
	db     *store.DB
	decode func([]byte) (chat.Update, error)
	answer func(chat.Reply)
	notify func(...int64)
}

func (e durableEcho) handle(ctx context.Context, in store.InboxUpdate) error {
	upd, err := e.decode(in.Payload)
	if err != nil || !upd.Private() || (upd.Kind != chat.KindCallback && upd.Text == "") {
		return e.db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(in.UpdateID) })
	}
	c, err := e.db.Chat(ctx, upd.ChatID)
	stored := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !stored {
		c = store.Chat{ID: upd.ChatID, Type: upd.ChatType}
	}
	again := func(data string) *chat.Keyboard {
		return &chat.Keyboard{Inline: [][]chat.Button{{{Text: "+", Data: data}}}}
	}
	reply := chat.Reply{Action: chat.ActionSend, ChatID: upd.ChatID, Text: upd.Text, Keyboard: again(telegram.EchoPressData)}
	save := false
	if upd.Kind == chat.KindCallback {
		e.answer(chat.Reply{Action: chat.ActionAnswerCallback, ChatID: upd.ChatID, CallbackID: upd.CallbackID})
		reply = chat.Reply{Action: chat.ActionEdit, ChatID: upd.ChatID, MessageID: upd.MessageID,
			Text: string(c.State) + telegram.EchoPressed(upd.CallbackData), Keyboard: again(upd.CallbackData + ".")}
	} else if !stored || string(c.State) != upd.Text {
		c.State, save = []byte(upd.Text), true
	}
	payload, err := reply.Encode()
	if err != nil {
		return err
	}
	err = e.db.Update(ctx, func(tx *store.Tx) error {
		if save {
			if err := tx.SaveChat(c); err != nil {
				return err
			}
		}
		if upd.Kind != chat.KindCallback {
			if err := tx.RecordMessage(upd.ChatID, upd.MessageID, false); err != nil {
				return err
			}
		}
		if err := tx.EnqueueFor("", upd.ChatID, int(chat.Interactive), payload, nil); err != nil {
			return err
		}
		return tx.MarkHandled(in.UpdateID)
	})
	if errors.Is(err, store.ErrHandledBefore) {
		return nil
	}
	if err == nil {
		e.notify(upd.ChatID)
	}
	return err
}
