package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/jobs"
	"github.com/rightsdesk/rightsdesk/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"), bytes.Repeat([]byte{3}, store.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clock is a fake time the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
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

func waitRuns(t *testing.T, db *store.DB, job string, n int) []store.JobRun {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, err := db.JobRuns(context.Background(), job, 100)
		if err != nil {
			t.Fatal(err)
		}
		finished := 0
		for _, r := range runs {
			if r.Finished {
				finished++
			}
		}
		if finished >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d finished runs of %s, want %d: %+v", finished, job, n, runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A job runs on its schedule and each run is recorded: when it started by
// the injected clock, what it handled, how it failed.
func TestRunsRecordedWithInjectedTime(t *testing.T) {
	db := openStore(t)
	c := &clock{t: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}
	s := jobs.New(db, zerolog.Nop(), c.Now)
	var calls atomic.Int32
	var seen atomic.Value
	if err := s.Register("tick", "@every 1s", func(ctx context.Context, now time.Time) (int, error) {
		seen.Store(now)
		if calls.Add(1) == 1 {
			return 2, errors.New("first run fails")
		}
		return 5, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	runs := waitRuns(t, db, "tick", 2)
	s.Stop(context.Background())
	last, first := runs[0], runs[len(runs)-1]
	if first.Err != "first run fails" || first.Items != 2 || last.Err != "" || last.Items != 5 {
		t.Fatalf("runs %+v", runs)
	}
	if !first.StartedAt.Equal(c.Now()) || !seen.Load().(time.Time).Equal(c.Now()) {
		t.Fatalf("run at %v, job saw %v, clock %v", first.StartedAt, seen.Load(), c.Now())
	}
}

// After downtime that missed many slots, one catch-up run happens at
// start; a job that ran after its last slot is not run again, and a job
// new to the database is not run at once.
func TestCatchUpOnceAfterDowntime(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 2, 1, 3, 30, 0, 0, time.UTC)}
	// The first start registers the jobs; nothing has been missed yet.
	var nightly, recent atomic.Int32
	start := func() *jobs.Scheduler {
		s := jobs.New(db, zerolog.Nop(), c.Now)
		count := func(n *atomic.Int32) jobs.Func {
			return func(context.Context, time.Time) (int, error) { n.Add(1); return 0, nil }
		}
		// Slots far from the test's real time of day do not fire by themselves.
		s.Register("nightly", "0 3 * * *", count(&nightly))
		s.Register("recent", "0 3 * * *", count(&recent))
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := start()
	s.Stop(ctx)
	if nightly.Load() != 0 || recent.Load() != 0 {
		t.Fatal("a job new to the database ran at its first start")
	}
	// "recent" ran after the last slot; then ten days of downtime for both.
	ranAt := c.Now().Add(10*24*time.Hour - 15*time.Minute) // 03:15, after the 03:00 slot
	id, _ := db.StartJobRun(ctx, "recent", ranAt)
	db.FinishJobRun(ctx, id, ranAt, 0, nil)
	c.Set(c.Now().Add(10 * 24 * time.Hour))
	s = start()
	waitRuns(t, db, "nightly", 1)
	s.Stop(ctx)
	if nightly.Load() != 1 {
		t.Fatalf("nightly ran %d times after ten missed nights, want once", nightly.Load())
	}
	if recent.Load() != 0 {
		t.Fatalf("a job that ran after its last slot was caught up")
	}
	// The catch-up counts as the good run: the next start has nothing to do.
	s = start()
	s.Stop(ctx)
	if nightly.Load() != 1 {
		t.Fatal("caught up twice")
	}
	// A run that died (no finish recorded) is caught up.
	c.Set(c.Now().Add(24 * time.Hour))
	db.StartJobRun(ctx, "nightly", c.Now().Add(-30*time.Minute))
	s = start()
	waitRuns(t, db, "nightly", 2)
	s.Stop(ctx)
	if nightly.Load() != 2 {
		t.Fatalf("nightly ran %d times, want the interrupted run caught up", nightly.Load())
	}
}

// A run still going makes the next one a no-op (logged), and Stop tells a
// running job to stop and waits for it.
func TestSkipIfStillRunningAndStop(t *testing.T) {
	db := openStore(t)
	logs := &syncBuffer{}
	s := jobs.New(db, zerolog.New(logs), time.Now)
	started := make(chan struct{})
	var runs atomic.Int32
	s.Register("slow", "0 3 * * *", func(ctx context.Context, now time.Time) (int, error) {
		runs.Add(1)
		close(started)
		<-ctx.Done()
		return 1, ctx.Err()
	})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	go s.RunNow("slow")
	<-started
	if err := s.RunNow("slow"); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 1 {
		t.Fatalf("%d runs overlapped", runs.Load())
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := waitRuns(t, db, "slow", 1)
	if len(r) != 1 || r[0].Err != context.Canceled.Error() {
		t.Fatalf("runs %+v", r)
	}
	if !strings.Contains(logs.String(), "skipped a run") {
		t.Fatalf("the skip was not logged:\n%s", logs.String())
	}
}

// A panic is recovered, logged with its stack as a field, and recorded as
// the run's error; the job runs again next time (with cron's own Recover
// alone it never would: robfig/cron issue #366).
func TestPanicRecoveredAndRecorded(t *testing.T) {
	db := openStore(t)
	logs := &syncBuffer{}
	s := jobs.New(db, zerolog.New(logs), time.Now)
	var n atomic.Int32
	s.Register("boom", "0 3 * * *", func(context.Context, time.Time) (int, error) {
		if n.Add(1) == 1 {
			panic("kaput")
		}
		return 1, nil
	})
	s.Start(context.Background())
	defer s.Stop(context.Background())
	s.RunNow("boom")
	s.RunNow("boom")
	runs := waitRuns(t, db, "boom", 2)
	if runs[1].Err != "panic: kaput" || runs[0].Err != "" {
		t.Fatalf("runs %+v", runs)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			t.Fatalf("not JSON: %s", line)
		}
		if entry["message"] == "cron: panic" {
			found = entry["error"] == "panic: kaput" && entry["job"] == "boom" && strings.Contains(entry["stack"].(string), "goroutine")
		}
	}
	if !found {
		t.Fatalf("no panic entry with error and stack fields:\n%q", logs.String())
	}
}

func TestRegisterRefusesBadSpecsAndTwins(t *testing.T) {
	s := jobs.New(openStore(t), zerolog.Nop(), time.Now)
	noop := func(context.Context, time.Time) (int, error) { return 0, nil }
	if err := s.Register("a", "every day", noop); err == nil {
		t.Error("a malformed schedule was accepted")
	}
	if err := s.Register("a", "@daily", noop); err != nil {
		t.Fatal(err)
	}
	if err := s.Register("a", "@hourly", noop); err == nil {
		t.Error("a job registered twice")
	}
	if err := s.Register("off", "", noop); err != nil || len(s.Jobs()) != 1 {
		t.Errorf("an empty schedule should leave the job off: %v %v", err, s.Jobs())
	}
}
