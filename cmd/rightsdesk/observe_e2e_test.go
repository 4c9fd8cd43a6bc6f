package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

// After some traffic — commands, buttons, texts, a 429, a job run — the
// counters on /metrics moved, the database gauges are there, and no label
// carries anything about a person.
func TestMetricsAfterTraffic(t *testing.T) {
	h := startHarness(t, harnessOptions{jobs: jobsConfig{Drafts: never, RetentionDays: 365}})
	before := scrape(t, h.listen)
	u := pastStart(t, h, "Metrics Person")
	h.api.FloodChat(u.ChatID(), time.Second)
	n := len(u.Messages())
	u.SendText("My employer keeps my passport")
	waitNewMessage(t, u, n, h.catalog.T("en", "text_no_question", nil)[:20])
	u.SendSticker()
	if err := h.jobs.RunNow("drafts"); err != nil {
		t.Fatal(err)
	}
	waitQuiet(h.api, 300*time.Millisecond, 10*time.Second)

	after := scrape(t, h.listen)
	moved := func(series string, atLeast float64) {
		t.Helper()
		if d := after[series] - before[series]; d < atLeast {
			t.Errorf("%s moved by %v, want ≥ %v", series, d, atLeast)
		}
	}
	moved(`rightsdesk_updates_total{kind="command"}`, 1)
	moved(`rightsdesk_updates_total{kind="callback"}`, 1)
	moved(`rightsdesk_updates_total{kind="text"}`, 1)
	moved(`rightsdesk_updates_total{kind="sticker"}`, 1)
	moved(`rightsdesk_update_handling_seconds_count{kind="text"}`, 1)
	moved(`rightsdesk_update_delay_seconds_count`, 4)
	moved(`rightsdesk_sends_total{action="send",result="ok"}`, 3)
	moved(`rightsdesk_send_delay_seconds_count`, 3)
	// The reply the flood held back for a second waited that long.
	slow := after[`rightsdesk_send_delay_seconds_count`] - before[`rightsdesk_send_delay_seconds_count`] -
		(after[`rightsdesk_send_delay_seconds_bucket{le="1"}`] - before[`rightsdesk_send_delay_seconds_bucket{le="1"}`])
	if slow < 1 {
		t.Errorf("no reply waited over a second in the outbox, though a flood wait of a second held one")
	}
	moved(`rightsdesk_sends_total{action="answer_callback",result="ok"}`, 1)
	moved(`rightsdesk_flood_waits_total`, 1)
	moved(`rightsdesk_send_errors_total{kind="flood"}`, 1)
	moved(`rightsdesk_job_runs_total{job="drafts",result="ok"}`, 1)
	for _, s := range []string{`rightsdesk_outbox_depth`, `rightsdesk_outbox_oldest_age_seconds`, `rightsdesk_inbox_pending`, `rightsdesk_updates_stored_total`,
		`rightsdesk_cases{status="new"}`, `rightsdesk_deliveries{status="open"}`, `rightsdesk_panics_recovered_total{where="update"}`,
		`process_resident_memory_bytes`, `go_goroutines`} {
		if _, ok := after[s]; !ok {
			t.Errorf("no series %s", s)
		}
	}
	if after[`rightsdesk_outbox_depth`] != 0 {
		t.Errorf("outbox depth %v after the replies were sent", after[`rightsdesk_outbox_depth`])
	}
	// Bounded cardinality: no label value is an id or a name.
	chatID := strconv.FormatInt(u.ChatID(), 10)
	for series := range after {
		if strings.Contains(series, chatID) || strings.Contains(series, "Metrics Person") || strings.Contains(series, "passport") {
			t.Errorf("a label carries a person's data: %s", series)
		}
	}
}

// /readyz answers 503 while the Bot API cannot be reached and while the
// bot drains on shutdown, 200 in between; /healthz and /metrics answer
// throughout.
func TestReadyz(t *testing.T) {
	api := localapi.New(localapi.Config{Token: demoToken})
	apiURL, err := api.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	// The Bot API is "down" (502) until reachable is set; sends fail
	// with 502 while down is set, so the outbox cannot drain.
	var reachable, sendDown atomic.Bool
	gate := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !reachable.Load() || sendDown.Load() && strings.HasSuffix(r.URL.Path, "/sendMessage") {
			http.Error(w, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`, http.StatusBadGateway)
			return
		}
		proxyTo(w, r, apiURL)
	}), ReadHeaderTimeout: 5 * time.Second}
	gateURL := serveOn(t, gate)

	listening := make(chan string, 1)
	stopping := make(chan struct{})
	readyCh := make(chan string, 1)
	c := serveConfig{Token: demoToken, APIURL: gateURL, DBPath: t.TempDir() + "/ready.db", Listen: "127.0.0.1:0",
		PollTimeout: time.Second, ShutdownTimeout: 3 * time.Second, Limits: defaultTestLimits(),
		listening: func(addr string) { listening <- addr }, ready: func(addr string) { readyCh <- addr },
		stopping: func() { close(stopping) }}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, newTestLogger(logs)) }()
	var addr string
	select {
	case addr = <-listening:
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening")
	}

	// Waiting for the Bot API: alive, not ready.
	time.Sleep(300 * time.Millisecond)
	if got := status(t, addr, "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the Bot API answered: %d, want 503", got)
	}
	if got := status(t, addr, "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while waiting: %d", got)
	}
	if got := status(t, addr, "/metrics"); got != http.StatusOK {
		t.Errorf("/metrics while waiting: %d", got)
	}
	if got := status(t, addr, "/debug/pprof/"); got != http.StatusNotFound {
		t.Errorf("/debug/pprof/ without -pprof: %d, want 404", got)
	}
	reachable.Store(true)
	select {
	case <-readyCh:
	case <-time.After(15 * time.Second):
		t.Fatalf("never ready\n%s", logs.String())
	}
	if got := status(t, addr, "/readyz"); got != http.StatusOK {
		t.Errorf("/readyz once polling: %d, want 200", got)
	}

	// A reply that cannot be sent keeps the shutdown draining for its
	// whole timeout: not ready all along, still healthy.
	sendDown.Store(true)
	u := api.NewUser("Drain", "en")
	u.SendText("/start")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(logs.String(), "send failed") {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-stopping
	sawDraining := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		got := status(t, addr, "/readyz")
		if got == 0 {
			break // closed at the very end
		}
		if got != http.StatusServiceUnavailable {
			t.Fatalf("/readyz during shutdown: %d, want 503", got)
		}
		if status(t, addr, "/healthz") == http.StatusOK {
			sawDraining++
		}
	}
	if sawDraining == 0 {
		t.Error("the listen address did not answer while the bot drained")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// -pprof serves the profiler on the listen address.
func TestPprofFlag(t *testing.T) {
	api := localapi.New(localapi.Config{Token: demoToken})
	apiURL, err := api.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	readyCh := make(chan string, 1)
	c := serveConfig{Token: demoToken, APIURL: apiURL, DBPath: t.TempDir() + "/pprof.db", Listen: "127.0.0.1:0",
		PollTimeout: time.Second, ShutdownTimeout: 3 * time.Second, Limits: defaultTestLimits(), PProf: true,
		ready: func(addr string) { readyCh <- addr }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, newTestLogger(&syncBuffer{})) }()
	defer func() { cancel(); <-done }()
	var addr string
	select {
	case addr = <-readyCh:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
		if got := status(t, addr, path); got != http.StatusOK {
			t.Errorf("%s: %d", path, got)
		}
	}
}

// scrape reads /metrics into series → value; a series is its name with
// its labels as printed.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("unreadable line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// status is the HTTP status of a GET, 0 when nothing answers.
func status(t *testing.T, addr, path string) int {
	t.Helper()
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// proxyTo forwards a request to the local Bot API as it came.
func proxyTo(w http.ResponseWriter, r *http.Request, base string) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"ok":false,"error_code":502,"description":%q}`, err.Error()), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// serveOn serves srv on a free loopback port until the test ends.
func serveOn(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ErrServerClosed at the end
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func defaultTestLimits() telegram.Limits { return telegram.DefaultLimits() }

func newTestLogger(w io.Writer) zerolog.Logger { return zerolog.New(w).Level(zerolog.DebugLevel) }
