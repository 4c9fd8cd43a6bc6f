package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/jobs"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// harness runs the real serve path against the local Bot API, in-process,
// as Telegram would see it.
type harness struct {
	t       *testing.T
	api     *localapi.Server
	baseURL string
	dbPath  string
	listen  string
	logs    *syncBuffer
	// jobs is the scheduler of the running serve, when the test asked
	// for jobs.
	jobs    *jobs.Scheduler
	cancel  context.CancelFunc
	done    chan error
	catalog *locales.Catalog
	// db reads what the bot wrote, for tests that wait on it.
	db *store.DB
}

type harnessOptions struct {
	limits  *telegram.Limits
	dbPath  string
	webhook bool
	// contentDir serves content from a directory instead of the embedded copy.
	contentDir string
	// sandbox adds the demo's organisation, as the demo does.
	sandbox bool
	// jobs schedules work (a zero value: none); jobsNow is the jobs' clock.
	jobs    jobsConfig
	jobsNow func() time.Time
	// rescan is how often the bot looks for messages the operator's
	// commands queued from another process.
	rescan time.Duration
}

func startHarness(t *testing.T, opt harnessOptions) *harness {
	t.Helper()
	api := localapi.New(localapi.Config{Token: demoToken})
	baseURL, err := api.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, api: api, baseURL: baseURL, logs: &syncBuffer{}, catalog: catalog}
	h.dbPath = opt.dbPath
	if h.dbPath == "" {
		h.dbPath = filepath.Join(t.TempDir(), "e2e.db")
	}
	h.start(opt)
	return h
}

func (h *harness) start(opt harnessOptions) {
	h.t.Helper()
	limits := telegram.DefaultLimits()
	if opt.limits != nil {
		limits = *opt.limits
	}
	c := serveConfig{
		Token: demoToken, APIURL: h.baseURL, DBPath: h.dbPath, Listen: "127.0.0.1:0",
		PollTimeout: 2 * time.Second, ShutdownTimeout: 5 * time.Second, Limits: limits,
		ContentDir: opt.contentDir, sandbox: opt.sandbox, Jobs: opt.jobs, jobsNow: opt.jobsNow, rescan: opt.rescan,
	}
	scheduler := make(chan *jobs.Scheduler, 1)
	c.jobsReady = func(s *jobs.Scheduler) { scheduler <- s }
	ready := make(chan string, 1)
	c.ready = func(addr string) { ready <- addr }
	if opt.webhook {
		// The webhook URL must be known before listening; take a free port.
		c.Listen = freeAddr(h.t)
		c.WebhookURL = "http://" + c.Listen + "/telegram"
	}
	log := zerolog.New(h.logs).Level(zerolog.DebugLevel)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- serve(ctx, c, log) }()
	select {
	case h.listen = <-ready:
		h.jobs = <-scheduler
	case err := <-h.done:
		h.t.Fatalf("serve exited early: %v\n%s", err, h.logs.String())
	case <-time.After(10 * time.Second):
		h.t.Fatalf("serve not ready\n%s", h.logs.String())
	}
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Error("serve did not stop within 15 s")
	}
}

// waitText waits for a bot message in the user's chat whose plain text
// contains want.
func waitText(t *testing.T, u *localapi.User, want string) localapi.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := u.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, want) })
	if err != nil {
		var got []string
		for _, m := range u.Messages() {
			got = append(got, m.Text)
		}
		t.Fatalf("no bot message containing %q: %v; messages: %q", want, err, got)
	}
	return m
}

func buttonTexts(m localapi.Message) []string {
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
