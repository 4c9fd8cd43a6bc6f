package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	return string(body)
}

func wantLines(t *testing.T, page string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(page, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("no line %q", l)
		}
	}
}

// The page keeps client_golang's names, label sets, fixed buckets and
// metadata, and two Metrics do not share counts.
func TestExposition(t *testing.T) {
	census := func(context.Context) (store.Census, error) {
		return store.Census{OutboxDepth: 2, OutboxOldest: time.Now().Add(-time.Minute), InboxPending: 1,
			Cases: map[string]int{"new": 3, "closed": 0}, Deliveries: map[string]int{"open": 1}}, nil
	}
	m := New(census, func() (int64, int64) { return 7, 9 })
	other := New(nil, nil)
	m.Update("text", 3*time.Millisecond, 20*time.Millisecond)
	m.Update("text", 2*time.Second, 0)
	m.Send("send", "", 30*time.Millisecond)
	m.Send("send", "flood", time.Second) // a failed attempt is no delivery
	m.Send("answer", "", 0)              // an answer never waited in the outbox
	m.JobRun("drafts", nil, false)
	m.JobRun("drafts", errors.New("x"), false)
	m.JobRun("retention", nil, true)
	m.Panic()
	m.Stored(3)

	page := scrape(t, m)
	wantLines(t, page,
		"# HELP rightsdesk_updates_total Updates handled, by kind (text, command, callback, location, ...).",
		"# TYPE rightsdesk_updates_total counter",
		`rightsdesk_updates_total{kind="text"} 2`,
		"# TYPE rightsdesk_update_handling_seconds histogram",
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="0.001"} 0`,
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="0.0025"} 0`,
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="0.005"} 1`,
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="2.5"} 2`,
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="10"} 2`,
		`rightsdesk_update_handling_seconds_bucket{kind="text",le="+Inf"} 2`,
		`rightsdesk_update_handling_seconds_count{kind="text"} 2`,
		`rightsdesk_update_delay_seconds_bucket{le="0.025"} 1`,
		`rightsdesk_update_delay_seconds_count 1`,
		`rightsdesk_send_delay_seconds_bucket{le="0.025"} 0`,
		`rightsdesk_send_delay_seconds_bucket{le="0.05"} 1`,
		`rightsdesk_send_delay_seconds_count 1`,
		`rightsdesk_sends_total{action="send",result="ok"} 1`,
		`rightsdesk_sends_total{action="send",result="flood"} 1`,
		`rightsdesk_send_errors_total{kind="flood"} 1`,
		`rightsdesk_flood_waits_total 1`,
		`rightsdesk_updates_stored_total 3`,
		`rightsdesk_job_runs_total{job="drafts",result="ok"} 1`,
		`rightsdesk_job_runs_total{job="drafts",result="error"} 1`,
		`rightsdesk_job_runs_total{job="retention",result="panic"} 1`,
		`rightsdesk_panics_recovered_total{where="job"} 1`,
		`rightsdesk_panics_recovered_total{where="update"} 1`,
		`rightsdesk_census_errors_total 0`,
		"# TYPE rightsdesk_db_commits_total counter",
		`rightsdesk_db_commits_total 7`,
		`rightsdesk_db_writes_total 9`,
		"# TYPE rightsdesk_outbox_depth gauge",
		`rightsdesk_outbox_depth 2`,
		`rightsdesk_inbox_pending 1`,
		`rightsdesk_cases{status="closed"} 0`,
		`rightsdesk_cases{status="new"} 3`,
		`rightsdesk_deliveries{status="open"} 1`,
	)
	if !strings.Contains(page, "\nrightsdesk_outbox_oldest_age_seconds 6") {
		t.Errorf("no outbox age of about a minute")
	}
	for _, name := range []string{"process_resident_memory_bytes ", "process_open_fds ", "go_goroutines ", "go_memstats_heap_inuse_bytes "} {
		if !strings.Contains(page, "\n"+name) {
			t.Errorf("no %s", name)
		}
	}

	// A fresh Metrics: zero panic series, no labelled series it was not
	// fed, no metadata for a family without series, nothing from m.
	fresh := scrape(t, other)
	wantLines(t, fresh,
		`rightsdesk_panics_recovered_total{where="update"} 0`,
		`rightsdesk_panics_recovered_total{where="job"} 0`,
		`rightsdesk_update_delay_seconds_count 0`,
		`rightsdesk_flood_waits_total 0`,
		`rightsdesk_updates_stored_total 0`)
	for _, absent := range []string{"rightsdesk_updates_total", "rightsdesk_sends_total", "rightsdesk_db_commits_total", "rightsdesk_cases"} {
		if strings.Contains(fresh, absent) {
			t.Errorf("fresh page has %s", absent)
		}
	}
}

// A failed census leaves the database gauges out and counts the failure
// in the same scrape.
func TestCensusFailure(t *testing.T) {
	m := New(func(ctx context.Context) (store.Census, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("census read without a deadline")
		}
		return store.Census{}, errors.New("busy")
	}, nil)
	page := scrape(t, m)
	wantLines(t, page, `rightsdesk_census_errors_total 1`)
	if strings.Contains(page, "rightsdesk_outbox_depth") {
		t.Error("gauges written from a failed census")
	}
}

// Counting an update costs no allocation once its series exist.
func TestUpdateAllocs(t *testing.T) {
	m := New(nil, nil)
	m.Update("text", time.Millisecond, time.Millisecond)
	m.Send("send", "flood", 0)
	if n := testing.AllocsPerRun(100, func() {
		m.Update("text", time.Millisecond, time.Millisecond)
		m.Send("send", "flood", 0)
	}); n != 0 {
		t.Errorf("%v allocations per update", n)
	}
}
