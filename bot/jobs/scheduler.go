// Package jobs runs rightsdesk's scheduled work — draft reminders,
// retention, backups, the directory audit, announcements — so that nothing
// depends on someone remembering. A job is a function of the time it runs
// at; the Scheduler runs it on a cron schedule in UTC, records every run
// in the database, skips a run while the previous one still works, and
// after downtime catches a missed run up once at start.
//
// A new job is one more Register call: a name, a schedule and
// func(ctx, now) (items, err). It must be idempotent — running it twice
// for the same time does what running it once does — because a run cut
// short by a crash is run again. Effects that must happen once per period
// (a weekly digest) record a store.Tx.MarkOnce key in the transaction that
// has the effect. SQL stays in store.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// Func is one job. It does what is due at now and reports how many items
// (drafts, cases, messages, files) it handled. ctx ends when the scheduler
// stops: a long job stops at its next safe point and resumes at its next
// run.
type Func func(ctx context.Context, now time.Time) (items int, err error)

// Scheduler runs registered jobs on their schedules.
type Scheduler struct {
	store *store.DB
	log   zerolog.Logger
	now   func() time.Time
	cron  *cron.Cron
	jobs  []*job

	// ctx is what every run gets; Stop cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup

	// OnRun, when set before Start, hears of every finished run (metrics);
	// panicked tells a recovered panic from an error.
	OnRun func(job string, took time.Duration, err error, panicked bool)
}

type job struct {
	name     string
	spec     string
	schedule cron.Schedule
	fn       Func
	// wrapped is the job behind cron's chain (recover, skip if still
	// running): a catch-up run goes through it too, so it cannot overlap
	// a scheduled one.
	wrapped cron.Job
}

// New makes a scheduler that records runs in db and tells the time with
// now (the store's clock, so tests run jobs with a fake one).
func New(db *store.DB, log zerolog.Logger, now func() time.Time) *Scheduler {
	if now == nil {
		now = time.Now
	}
	l := CronLogger(log)
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		store: db, log: log, now: now, ctx: ctx, cancel: cancel,
		cron: cron.New(cron.WithLocation(time.UTC), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l))),
	}
}

// ParseSpec checks a schedule: five cron fields (minute hour day month
// weekday, in UTC) or a descriptor such as @daily or @every 1h.
func ParseSpec(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return s, nil
}

// Register adds a job under a unique name. An empty spec leaves the job
// off (an operator's choice); a malformed one is an error.
func (s *Scheduler) Register(name, spec string, fn Func) error {
	if spec == "" {
		s.log.Info().Str("job", name).Msg("job disabled: no schedule")
		return nil
	}
	if slices.ContainsFunc(s.jobs, func(j *job) bool { return j.name == name }) {
		return fmt.Errorf("job %q registered twice", name)
	}
	schedule, err := ParseSpec(spec)
	if err != nil {
		return fmt.Errorf("job %s: %w", name, err)
	}
	j := &job{name: name, spec: spec, schedule: schedule, fn: fn}
	id := s.cron.Schedule(schedule, cron.FuncJob(func() { s.run(j) }))
	j.wrapped = s.cron.Entry(id).WrappedJob
	s.jobs = append(s.jobs, j)
	return nil
}

// Jobs lists the registered jobs' names and schedules, in order.
func (s *Scheduler) Jobs() [][2]string {
	out := make([][2]string, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = [2]string{j.name, j.spec}
	}
	return out
}

// Start catches up, once each, the jobs whose last good run is older than
// their last slot — however many slots the downtime held — and then runs
// every job on its schedule.
func (s *Scheduler) Start(ctx context.Context) error {
	now := s.now().UTC()
	for _, j := range s.jobs {
		base, err := s.store.JobBaseline(ctx, j.name, now)
		if err != nil {
			return err
		}
		if next := j.schedule.Next(base.UTC()); !next.After(now) {
			s.log.Info().Str("job", j.name).Time("missed", next).Msg("catching up a missed run")
			go j.wrapped.Run()
		}
	}
	s.cron.Start()
	for _, j := range s.jobs {
		s.log.Info().Str("job", j.name).Str("schedule", j.spec).Time("next", j.schedule.Next(now)).Msg("job scheduled")
	}
	return nil
}

// Stop starts no more runs, tells the running ones to stop and waits for
// them, or for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cron.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RunNow runs a job at once, through the same chain as its scheduled runs
// (a run already going makes it a no-op), and returns when it is done.
func (s *Scheduler) RunNow(name string) error {
	for _, j := range s.jobs {
		if j.name == name {
			j.wrapped.Run()
			return nil
		}
	}
	return fmt.Errorf("no job %q", name)
}

// run is one recorded run. A panic is recovered here, recorded as the
// run's error and logged with its stack, and not passed on: with cron's
// chain Recover(SkipIfStillRunning(job)), a panic through
// SkipIfStillRunning keeps its token and no later run would ever start
// (robfig/cron issue #366). Recover stays outermost as the last net.
func (s *Scheduler) run(j *job) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()

	log := s.log.With().Str("job", j.name).Logger()
	started := s.now().UTC()
	// Recording must outlive a stop: the run did happen.
	record := context.WithoutCancel(s.ctx)
	id, err := s.store.StartJobRun(record, j.name, started)
	if err != nil {
		log.Error().Err(err).Msg("could not record the start of a run; skipped")
		return
	}
	items, runErr := s.call(j)
	took := s.now().Sub(started)
	if err := s.store.FinishJobRun(record, id, s.now().UTC(), items, runErr); err != nil {
		log.Error().Err(err).Msg("could not record the end of a run")
	}
	if s.OnRun != nil {
		var p panicError
		s.OnRun(j.name, took, runErr, errors.As(runErr, &p))
	}
	if runErr != nil {
		log.Error().Err(runErr).Int("items", items).Dur("took", took).Msg("job failed")
		return
	}
	log.Info().Int("items", items).Dur("took", took).Msg("job done")
}

// panicError is a run's error when the job panicked.
type panicError struct{ value any }

func (p panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// call runs the job's function, turning a panic into its error.
func (s *Scheduler) call(j *job) (items int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError{value: r}
			CronLogger(s.log).Error(err, "panic", "job", j.name, "stack", string(debug.Stack()))
		}
	}()
	return j.fn(s.ctx, s.now().UTC())
}
