package jobs

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// Default retention periods.
const (
	// DefaultCaseRetention is how long a closed case keeps its personal
	// fields; the intake's consent text promises twelve months.
	DefaultCaseRetention = 365 * 24 * time.Hour
	// DefaultPurgeAfter is how long handled update ids and delivery
	// failures are kept: long enough to look into a problem.
	DefaultPurgeAfter = 7 * 24 * time.Hour
	// DefaultRunsKept is how long `rightsdesk jobs` can look back.
	DefaultRunsKept = 90 * 24 * time.Hour
)

// Retention erases what is kept no longer than it must be: the personal
// fields of cases closed longer than CaseRetention (the anonymous record
// stays), handled update ids and delivery failures older than PurgeAfter,
// and job runs older than RunsKept; then it checkpoints, so the erased
// bytes leave the WAL.
type Retention struct {
	Store         *store.DB
	Log           zerolog.Logger
	CaseRetention time.Duration
	PurgeAfter    time.Duration
	RunsKept      time.Duration
}

// Run erases and purges; items counts cases, update ids and failures.
func (r Retention) Run(ctx context.Context, now time.Time) (int, error) {
	cases, err := r.Store.EraseClosedCases(ctx, now.Add(-r.CaseRetention))
	if err != nil {
		return cases, err
	}
	updates, err := r.Store.PurgeInbox(ctx, now.Add(-r.PurgeAfter))
	if err != nil {
		return cases, err
	}
	failures, err := r.Store.PurgeFailures(ctx, now.Add(-r.PurgeAfter))
	if err != nil {
		return cases + int(updates), err
	}
	if _, err := r.Store.PurgeJobRuns(ctx, now.Add(-r.RunsKept)); err != nil {
		return cases + int(updates+failures), err
	}
	items := cases + int(updates+failures)
	r.Log.Info().Int("cases_erased", cases).Int64("update_ids", updates).Int64("failures", failures).Msg("retention applied")
	return items, checkpoint(ctx, r.Store)
}

// Backups writes the nightly copy of the database and keeps the last Keep.
type Backups struct {
	Store *store.DB
	Dir   string
	Keep  int
	Log   zerolog.Logger
}

// Run makes one backup named after now.
func (b Backups) Run(ctx context.Context, now time.Time) (int, error) {
	file, err := b.Store.Backup(ctx, b.Dir, now, b.Keep)
	if err != nil {
		return 0, err
	}
	b.Log.Info().Str("file", file).Msg("backup written")
	return 1, nil
}
