// Package metrics is rightsdesk's Prometheus exposition: counters and
// histograms the bot, the sender and the scheduler feed as they work, and
// gauges read from the database at each scrape.
//
// No label carries a chat id, a user id, a text or a name: every label
// value comes from a short fixed list (update kinds, reply actions, error
// kinds, job names, statuses), so the number of series stays bounded
// however many people write to the bot.
package metrics

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/rightsdesk/rightsdesk/store"
)

// Metrics holds one process's series in sets of its own, so two bots in
// one test binary do not share counts.
type Metrics struct {
	census Census
	writes WriteStats

	// families are the ones fed as the bot works.
	families []*family

	updates   *vec[metrics.Counter]
	handling  *vec[metrics.PrometheusHistogram]
	delay     *metrics.PrometheusHistogram
	sendDelay *metrics.PrometheusHistogram
	sends     *vec[metrics.Counter]
	floods    *metrics.Counter
	stored    *metrics.Counter
	sendErrs  *vec[metrics.Counter]
	jobRuns   *vec[metrics.Counter]
	panics    *vec[metrics.Counter]
	censusErr *metrics.Counter
}

// Census reads what the database gauges show; store.DB.TakeCensus.
type Census func(ctx context.Context) (store.Census, error)

// WriteStats counts SQLite write transactions and the writes they carried;
// store.DB.WriteStats.
type WriteStats func() (commits, writes int64)

// family is one metric name and how to write its series. The library
// writes HELP and TYPE only when metrics.ExposeMetadata turns them on for
// the whole process, and then with an empty HELP; it stays off, and the
// handler writes each family's own.
type family struct {
	name, typ, help string
	write           func(io.Writer)
}

// fed is a family the bot feeds as it works, its series in a set of its
// own.
func fed(name, typ, help string) (*family, *metrics.Set) {
	set := metrics.NewSet()
	return &family{name: name, typ: typ, help: help, write: set.WritePrometheus}, set
}

// New makes the series. census and writes, when not nil, are read at
// every scrape.
func New(census Census, writes WriteStats) *Metrics {
	m := &Metrics{census: census, writes: writes}
	// Latency buckets from 1 ms: an update is handled in a few
	// milliseconds on loopback, and anything past a second is an incident.
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	add := func(name, typ, help string) *metrics.Set {
		f, set := fed(name, typ, help)
		m.families = append(m.families, f)
		return set
	}
	counters := func(name, help string, labels ...string) *vec[metrics.Counter] {
		return newVec(add(name, "counter", help), name, (*metrics.Set).GetOrCreateCounter, labels...)
	}
	m.updates = counters("rightsdesk_updates_total",
		"Updates handled, by kind (text, command, callback, location, ...).", "kind")
	m.handling = newVec(add("rightsdesk_update_handling_seconds", "histogram",
		"Time to handle one update: state read, feature, commit of state and replies."),
		"rightsdesk_update_handling_seconds",
		func(s *metrics.Set, series string) *metrics.PrometheusHistogram {
			return s.GetOrCreatePrometheusHistogramExt(series, buckets)
		}, "kind")
	m.delay = add("rightsdesk_update_delay_seconds", "histogram",
		"Time from an update's receipt from Telegram until its replies were committed (queueing included).").
		NewPrometheusHistogramExt("rightsdesk_update_delay_seconds", buckets)
	// With update_delay it splits a reply's wait: the handling, then the
	// sending, where a flood wait or a slow Bot API shows.
	m.sendDelay = add("rightsdesk_send_delay_seconds", "histogram",
		"Time from a reply's commit to the outbox until the Bot API accepted it (queueing and retries included).").
		NewPrometheusHistogramExt("rightsdesk_send_delay_seconds", buckets)
	m.sends = counters("rightsdesk_sends_total",
		"Bot API requests made by the sender, by reply action and result (ok or an error kind).", "action", "result")
	m.floods = add("rightsdesk_flood_waits_total", "counter", "429 Too Many Requests answers from the Bot API.").
		NewCounter("rightsdesk_flood_waits_total")
	m.stored = add("rightsdesk_updates_stored_total", "counter",
		"Updates the poller stored in the inbox because their turns had not committed within its wait; the others were durable by their turn alone.").
		NewCounter("rightsdesk_updates_stored_total")
	m.sendErrs = counters("rightsdesk_send_errors_total",
		"Failed Bot API sends, by error kind (flood, blocked, bad_request, server, ...).", "kind")
	m.jobRuns = counters("rightsdesk_job_runs_total",
		"Runs of the scheduled jobs, by job and result (ok, error, panic).", "job", "result")
	m.panics = counters("rightsdesk_panics_recovered_total", "Panics recovered, by where (update, job).", "where")
	m.censusErr = add("rightsdesk_census_errors_total", "counter", "Scrapes whose database census failed.").
		NewCounter("rightsdesk_census_errors_total")
	// Zero series for the panic places, so an alert on rate() sees 0
	// before the first panic instead of no series at all.
	m.panics.with("update", "")
	m.panics.with("job", "")
	return m
}

// Handler serves the text exposition format: go_*, process_*, then
// rightsdesk_* in name order, as client_golang wrote them. The runtime's
// and the process's series come without HELP and TYPE (see family). It
// does not gzip: a compressor's state would cost more memory than the
// page it shrinks.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		metrics.WriteProcessMetrics(&b)
		// WriteProcessMetrics leaves open files out, and a bot leaking
		// connections shows there first.
		metrics.WriteFDMetrics(&b)
		// The database is read before the counters are written, so a
		// failed census shows in this very scrape's census error count.
		fams := append(m.scrapeTime(), m.families...)
		slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
		for _, f := range fams {
			f.writeTo(&b)
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	})
}

// writeTo writes the family's HELP and TYPE, then its series; nothing
// when it has none yet, as a labelled family before its first use.
func (f *family) writeTo(b *bytes.Buffer) {
	start := b.Len()
	b.WriteString("# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.typ + "\n")
	header := b.Len()
	f.write(b)
	if b.Len() == header {
		b.Truncate(start)
	}
}

// scrapeTime reads the database: gauges of what is, as opposed to
// counters of what happened in this process, and the commit counts the
// store keeps.
func (m *Metrics) scrapeTime() []*family {
	var out []*family
	read := func(name, typ, help string, write func(io.Writer)) {
		out = append(out, &family{name: name, typ: typ, help: help, write: write})
	}
	if m.writes != nil {
		commits, writes := m.writes()
		read("rightsdesk_db_commits_total", "counter",
			"SQLite write transactions committed (group commit puts several writes in one).",
			func(w io.Writer) { metrics.WriteCounterUint64(w, "rightsdesk_db_commits_total", uint64(commits)) })
		read("rightsdesk_db_writes_total", "counter",
			"Writes (one update's state and replies, one send settled, ...) committed.",
			func(w io.Writer) { metrics.WriteCounterUint64(w, "rightsdesk_db_writes_total", uint64(writes)) })
	}
	if m.census == nil {
		return out
	}
	// A scrape must not hang on a busy database; the scraper's own
	// timeout is usually 10 s.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := m.census(ctx)
	if err != nil {
		m.censusErr.Inc()
		return out
	}
	age := 0.0
	if !s.OutboxOldest.IsZero() {
		age = max(0, time.Since(s.OutboxOldest).Seconds())
	}
	count := func(name, help string, n int) {
		read(name, "gauge", help, func(w io.Writer) { metrics.WriteGaugeUint64(w, name, uint64(n)) })
	}
	byStatus := func(name, help string, counts map[string]int) {
		read(name, "gauge", help, func(w io.Writer) {
			for _, status := range slices.Sorted(maps.Keys(counts)) {
				metrics.WriteGaugeUint64(w, name+`{status="`+escape(status)+`"}`, uint64(counts[status]))
			}
		})
	}
	count("rightsdesk_outbox_depth", "Messages waiting in the outbox.", s.OutboxDepth)
	read("rightsdesk_outbox_oldest_age_seconds", "gauge", "Age of the oldest message waiting in the outbox; 0 when none waits.",
		func(w io.Writer) { metrics.WriteGaugeFloat64(w, "rightsdesk_outbox_oldest_age_seconds", age) })
	count("rightsdesk_inbox_pending", "Updates stored but not yet handled.", s.InboxPending)
	byStatus("rightsdesk_cases", "Cases by status.", s.Cases)
	byStatus("rightsdesk_deliveries", "Deliveries of cases to organisations, by status.", s.Deliveries)
	return out
}

// Update records one handled update: its kind, how long handling took, and
// how long it waited since it was stored (zero when unknown).
func (m *Metrics) Update(kind string, took, sinceStored time.Duration) {
	m.updates.with(kind, "").Inc()
	m.handling.with(kind, "").Update(took.Seconds())
	if sinceStored > 0 {
		m.delay.Update(sinceStored.Seconds())
	}
}

// Send records one Bot API attempt of the sender: errKind is "" for a
// success, else the transport's error kind; queued is how long the reply
// waited in the outbox (zero when it never was there).
func (m *Metrics) Send(action, errKind string, queued time.Duration) {
	if errKind == "" {
		m.sends.with(action, "ok").Inc()
		if queued > 0 {
			m.sendDelay.Update(queued.Seconds())
		}
		return
	}
	m.sends.with(action, errKind).Inc()
	m.sendErrs.with(errKind, "").Inc()
	if errKind == "flood" {
		m.floods.Inc()
	}
}

// JobRun records a finished run of a scheduled job.
func (m *Metrics) JobRun(job string, err error, panicked bool) {
	switch {
	case panicked:
		m.jobRuns.with(job, "panic").Inc()
		m.panics.with("job", "").Inc()
	case err != nil:
		m.jobRuns.with(job, "error").Inc()
	default:
		m.jobRuns.with(job, "ok").Inc()
	}
}

// Stored records updates the poller stored because their turns were slow.
func (m *Metrics) Stored(n int) { m.stored.Add(n) }

// Panic records a panic recovered while handling an update.
func (m *Metrics) Panic() { m.panics.with("update", "").Inc() }

// vec is a family with one or two labels. The library names a series by
// its whole text, name{label="value"}; building that text and looking it
// up at every update would cost an allocation each, so the series found
// are kept by their label values.
type vec[T any] struct {
	set    *metrics.Set
	name   string
	labels []string
	create func(*metrics.Set, string) *T

	mu     sync.RWMutex
	series map[[2]string]*T
}

func newVec[T any](set *metrics.Set, name string, create func(*metrics.Set, string) *T, labels ...string) *vec[T] {
	return &vec[T]{set: set, name: name, labels: labels, create: create, series: map[[2]string]*T{}}
}

// with is the series for the label values; b is ignored for a family with
// one label.
func (v *vec[T]) with(a, b string) *T {
	key := [2]string{a, b}
	v.mu.RLock()
	s := v.series[key]
	v.mu.RUnlock()
	if s != nil {
		return s
	}
	var name strings.Builder
	name.WriteString(v.name + "{")
	for i, l := range v.labels {
		if i > 0 {
			name.WriteByte(',')
		}
		name.WriteString(l + `="` + escape(key[i]) + `"`)
	}
	name.WriteByte('}')
	s = v.create(v.set, name.String())
	v.mu.Lock()
	v.series[key] = s
	v.mu.Unlock()
	return s
}

// escape quotes a label value as the exposition format wants; the
// library panics on a series name it cannot parse.
var escape = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace
