package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
)

// benchUsers write at once, each waiting for the answer to one message
// before sending the next, as a person does.
const benchUsers = 50

// BenchmarkPipeline measures the whole path an update takes: local Bot API →
// getUpdates → inbox → handler → outbox → sendMessage → local Bot API, with
// serve's default configuration and a real SQLite database. One op is one
// user text answered.
func BenchmarkPipeline(b *testing.B) {
	target := newLoadTarget(b)
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &c)
	if err := fs.Parse([]string{"-token", demoToken, "-api-url", target.baseURL,
		"-db", filepath.Join(b.TempDir(), "bench.db"), "-listen", "127.0.0.1:0"}); err != nil {
		b.Fatal(err)
	}
	logger, err := newLogger(io.Discard, c.LogLevel, "json")
	if err != nil {
		b.Fatal(err)
	}
	ready := make(chan string, 1)
	c.ready = func(addr string) { ready <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, logger) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				b.Error(err)
			}
		case <-time.After(20 * time.Second):
			b.Error("serve did not stop within 20 s")
		}
	}()
	select {
	case <-ready:
	case err := <-done:
		b.Fatalf("serve exited: %v", err)
	case <-time.After(10 * time.Second):
		b.Fatal("serve not ready")
	}

	catalog, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	// Every user is past /start and the language choice, so what is
	// measured is the steady state of a conversation.
	users := target.newUsers(b, func(u *localapi.User, i int) error {
		lang := locales.Languages[i%len(locales.Languages)]
		u.SendText("/start")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		welcome, err := u.WaitFor(ctx, func(m localapi.Message) bool { return len(m.InlineKeyboard) > 0 })
		if err != nil {
			return err
		}
		if err := u.Press(welcome.ID, catalog.T(lang, "language_name", nil)); err != nil {
			return err
		}
		_, err = u.WaitFor(ctx, func(m localapi.Message) bool { return m.Text == catalog.T(lang, "menu_title", nil) })
		return err
	})
	target.run(b, users, "My employer has not paid me for three months.")
	// The replies must be the bot's, not an artefact of the measurement.
	u := users[0]
	want := catalog.T(locales.Languages[0], "text_no_question", nil)
	if m, ok := u.Last(); !ok || m.Text != want {
		b.Fatalf("last reply %q, want %q", m.Text, want)
	}
}

// BenchmarkEchoBot is the floor: the smallest bot on the same library
// (GetUpdatesChan, then Send for each message) under the same load and the
// same fake Bot API, so the pipeline's costs can be read against it.
func BenchmarkEchoBot(b *testing.B) { benchmarkEcho(b, false) }

// BenchmarkEchoBotSameReply is the echo bot answering with what rightsdesk
// answers a plain text with (the same HTML text and the same menu keyboard),
// so the local Bot API does the same work for both and the difference in
// CPU is the bots' own.
func BenchmarkEchoBotSameReply(b *testing.B) { benchmarkEcho(b, true) }

func benchmarkEcho(b *testing.B, sameReply bool) {
	target := newLoadTarget(b)
	catalog, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	var fixed *telegram.EchoFixed
	if sameReply {
		button := func(id, payload string) telegram.EchoButton {
			return telegram.EchoButton{Text: catalog.T("en", id, nil), Data: "v1:menu:" + payload}
		}
		fixed = &telegram.EchoFixed{Text: catalog.T("en", "text_no_question", nil), HTML: true, Menu: [][]telegram.EchoButton{
			{button("menu_short_guide", "guide"), button("menu_short_complaint", "complaint")},
			{button("menu_short_cases", "cases"), button("menu_short_help", "help")},
			{button("menu_language", "language")},
		}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- telegram.RunEchoBot(ctx, telegram.EchoConfig{APIURL: target.baseURL, Token: demoToken, Fixed: fixed})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()

	users := target.newUsers(b, func(u *localapi.User, i int) error {
		u.SendText("/start")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := u.WaitFor(ctx, func(m localapi.Message) bool { return m.Text == "/start" })
		return err
	})
	const text = "My employer has not paid me for three months."
	target.run(b, users, text)
	want := text
	if sameReply {
		want = catalog.T("en", "text_no_question", nil)
	}
	if m, ok := users[0].Last(); !ok || m.Text != want {
		b.Fatalf("last reply %q, want %q", m.Text, want)
	}
}

// loadTarget is the bench command's target (benchTarget): the local Bot
// API behind a handler that notes, per chat, when the bot first answered.
type loadTarget struct {
	*benchTarget
	api *localapi.Server
}

func newLoadTarget(b *testing.B) *loadTarget {
	b.Helper()
	t, err := newBenchTarget()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(t.close)
	return &loadTarget{benchTarget: t, api: t.api}
}

// newUsers creates benchUsers people and brings each, in parallel, through
// prepare; the replies prepare caused are drained.
func (lt *loadTarget) newUsers(b *testing.B, prepare func(u *localapi.User, i int) error) []*localapi.User {
	b.Helper()
	users := make([]*localapi.User, benchUsers)
	var wg sync.WaitGroup
	errs := make(chan error, benchUsers)
	for i := range users {
		u := lt.api.NewUser(fmt.Sprintf("Worker%03d", i), "ru")
		users[i] = u
		lt.watch(u.ChatID())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := prepare(u, i); err != nil {
				errs <- fmt.Errorf("%s: %w", u.Name(), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	// Let stragglers of the preparation (command registration, callback
	// answers) finish before the measurement.
	waitQuiet(lt.api, 300*time.Millisecond, 10*time.Second)
	return users
}

// run sends b.N texts spread over the users, each user waiting for the
// reply to its previous text, and reports throughput, latency from the
// user's send to the stored reply, CPU per update and peak RSS.
func (lt *loadTarget) run(b *testing.B, users []*localapi.User, text string) {
	b.Helper()
	latencies := make([][]time.Duration, len(users))
	var before, after syscall.Rusage
	var wg sync.WaitGroup
	b.ResetTimer()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i, u := range users {
		n := b.N / len(users)
		if i < b.N%len(users) {
			n++
		}
		if n == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, n)
			for range n {
				sent := time.Now()
				lt.arm(u.ChatID(), sent)
				u.SendText(text)
				limit := time.After(10 * time.Second)
				for lt.firstReply(u.ChatID()).IsZero() {
					select {
					case <-lt.changed(u.ChatID()):
					case <-limit:
						b.Errorf("%s: no reply within 10 s", u.Name())
						return
					}
				}
				lat = append(lat, lt.firstReply(u.ChatID()).Sub(sent))
			}
			latencies[i] = lat
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()

	all := slices.Concat(latencies...)
	if len(all) != b.N {
		b.Fatalf("%d of %d texts answered", len(all), b.N)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()) - time.Duration(before.Utime.Nano()+before.Stime.Nano())
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/update")
	b.ReportMetric(float64(after.Maxrss)/1024, "peak-rss-MB") // Linux reports KiB
}
