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
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rightsdesk/rightsdesk/store"
)

// Metrics holds one process's collectors in a registry of its own, so two
// bots in one test binary do not share counts.
type Metrics struct {
	reg *prometheus.Registry

	updates   *prometheus.CounterVec
	handling  *prometheus.HistogramVec
	delay     prometheus.Histogram
	sends     *prometheus.CounterVec
	floods    prometheus.Counter
	sendErrs  *prometheus.CounterVec
	jobRuns   *prometheus.CounterVec
	panics    *prometheus.CounterVec
	censusErr prometheus.Counter
}

// Census reads what the database gauges show; store.DB.TakeCensus.
type Census func(ctx context.Context) (store.Census, error)

// WriteStats counts SQLite write transactions and the writes they carried;
// store.DB.WriteStats.
type WriteStats func() (commits, writes int64)

// New makes the collectors and registers them with the Go runtime's and
// the process's own. census and writes, when not nil, are read at every
// scrape.
func New(census Census, writes WriteStats) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	// Latency buckets from 1 ms: an update is handled in a few
	// milliseconds on loopback, and anything past a second is an incident.
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m.updates = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rightsdesk_updates_total",
		Help: "Updates handled, by kind (text, command, callback, location, ...).",
	}, []string{"kind"})
	m.handling = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rightsdesk_update_handling_seconds",
		Help:    "Time to handle one update: state read, feature, commit of state and replies.",
		Buckets: buckets,
	}, []string{"kind"})
	m.delay = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "rightsdesk_update_delay_seconds",
		Help:    "Time from an update's arrival in the inbox until its replies were committed (queueing included).",
		Buckets: buckets,
	})
	m.sends = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rightsdesk_sends_total",
		Help: "Bot API requests made by the sender, by reply action and result (ok or an error kind).",
	}, []string{"action", "result"})
	m.floods = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "rightsdesk_flood_waits_total",
		Help: "429 Too Many Requests answers from the Bot API.",
	})
	m.sendErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rightsdesk_send_errors_total",
		Help: "Failed Bot API sends, by error kind (flood, blocked, bad_request, server, ...).",
	}, []string{"kind"})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rightsdesk_job_runs_total",
		Help: "Runs of the scheduled jobs, by job and result (ok, error, panic).",
	}, []string{"job", "result"})
	m.panics = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rightsdesk_panics_recovered_total",
		Help: "Panics recovered, by where (update, job).",
	}, []string{"where"})
	m.censusErr = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "rightsdesk_census_errors_total",
		Help: "Scrapes whose database census failed.",
	})
	// Zero series for the panic places, so an alert on rate() sees 0
	// before the first panic instead of no series at all.
	m.panics.WithLabelValues("update")
	m.panics.WithLabelValues("job")
	m.reg.MustRegister(m.updates, m.handling, m.delay, m.sends, m.floods, m.sendErrs, m.jobRuns, m.panics, m.censusErr,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if census != nil {
		m.reg.MustRegister(&censusCollector{read: census, failed: m.censusErr})
	}
	if writes != nil {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rightsdesk_db_commits_total",
				Help: "SQLite write transactions committed (group commit puts several writes in one)."},
				func() float64 { c, _ := writes(); return float64(c) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rightsdesk_db_writes_total",
				Help: "Writes (one update's state and replies, one send settled, ...) committed."},
				func() float64 { _, w := writes(); return float64(w) }))
	}
	return m
}

// Handler serves the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Update records one handled update: its kind, how long handling took, and
// how long it waited since it was stored (zero when unknown).
func (m *Metrics) Update(kind string, took, sinceStored time.Duration) {
	m.updates.WithLabelValues(kind).Inc()
	m.handling.WithLabelValues(kind).Observe(took.Seconds())
	if sinceStored > 0 {
		m.delay.Observe(sinceStored.Seconds())
	}
}

// Send records one Bot API attempt of the sender: errKind is "" for a
// success, else the transport's error kind.
func (m *Metrics) Send(action, errKind string) {
	if errKind == "" {
		m.sends.WithLabelValues(action, "ok").Inc()
		return
	}
	m.sends.WithLabelValues(action, errKind).Inc()
	m.sendErrs.WithLabelValues(errKind).Inc()
	if errKind == "flood" {
		m.floods.Inc()
	}
}

// JobRun records a finished run of a scheduled job.
func (m *Metrics) JobRun(job string, err error, panicked bool) {
	switch {
	case panicked:
		m.jobRuns.WithLabelValues(job, "panic").Inc()
		m.panics.WithLabelValues("job").Inc()
	case err != nil:
		m.jobRuns.WithLabelValues(job, "error").Inc()
	default:
		m.jobRuns.WithLabelValues(job, "ok").Inc()
	}
}

// Panic records a panic recovered while handling an update.
func (m *Metrics) Panic() { m.panics.WithLabelValues("update").Inc() }

// censusCollector reads the database at scrape time: gauges of what is, as
// opposed to counters of what happened in this process.
type censusCollector struct {
	read   Census
	failed prometheus.Counter
}

var (
	outboxDepth = prometheus.NewDesc("rightsdesk_outbox_depth", "Messages waiting in the outbox.", nil, nil)
	outboxAge   = prometheus.NewDesc("rightsdesk_outbox_oldest_age_seconds",
		"Age of the oldest message waiting in the outbox; 0 when none waits.", nil, nil)
	inboxPending = prometheus.NewDesc("rightsdesk_inbox_pending", "Updates stored but not yet handled.", nil, nil)
	casesDesc    = prometheus.NewDesc("rightsdesk_cases", "Cases by status.", []string{"status"}, nil)
	delivDesc    = prometheus.NewDesc("rightsdesk_deliveries", "Deliveries of cases to organisations, by status.", []string{"status"}, nil)
)

func (c *censusCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxDepth, outboxAge, inboxPending, casesDesc, delivDesc} {
		ch <- d
	}
}

func (c *censusCollector) Collect(ch chan<- prometheus.Metric) {
	// A scrape must not hang on a busy database; the scraper's own
	// timeout is usually 10 s.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		c.failed.Inc()
		return
	}
	age := 0.0
	if !s.OutboxOldest.IsZero() {
		age = max(0, time.Since(s.OutboxOldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(outboxDepth, prometheus.GaugeValue, float64(s.OutboxDepth))
	ch <- prometheus.MustNewConstMetric(outboxAge, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(inboxPending, prometheus.GaugeValue, float64(s.InboxPending))
	for status, n := range s.Cases {
		ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.GaugeValue, float64(n), status)
	}
	for status, n := range s.Deliveries {
		ch <- prometheus.MustNewConstMetric(delivDesc, prometheus.GaugeValue, float64(n), status)
	}
}
