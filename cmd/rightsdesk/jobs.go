package main

// Scheduled work: the flags serve takes for it, the registration of the
// jobs, and `rightsdesk jobs`, which lists their last runs.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/jobs"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// jobsConfig is the scheduled work serve runs. Schedules are cron
// expressions in UTC (or @daily, @every 1h); an empty one turns its job off.
type jobsConfig struct {
	Drafts, Retention, Backup, Audit, Announce string
	// The desk's: response deadlines, weekly digests, follow-ups.
	Deadlines, Digest, FollowUp string

	RetentionDays int
	BackupDir     string // empty: <db dir>/backups
	BackupKeep    int
	AdminChat     int64 // 0: no directory audit
	AnnounceBatch int
}

func jobsFlags(fs *flag.FlagSet, c *jobsConfig) {
	fs.StringVar(&c.Drafts, "drafts-schedule", envOr("RIGHTSDESK_DRAFTS_SCHEDULE", "17 * * * *"), "when to remind of drafts idle for a day and delete those idle for 30 days; cron in UTC, empty disables (env RIGHTSDESK_DRAFTS_SCHEDULE)")
	fs.StringVar(&c.Retention, "retention-schedule", envOr("RIGHTSDESK_RETENTION_SCHEDULE", "30 3 * * *"), "when to erase closed cases past -retention-days and purge old update ids and failures (env RIGHTSDESK_RETENTION_SCHEDULE)")
	fs.StringVar(&c.Backup, "backup-schedule", envOr("RIGHTSDESK_BACKUP_SCHEDULE", "0 2 * * *"), "when to back the database up into -backup-dir (env RIGHTSDESK_BACKUP_SCHEDULE)")
	fs.StringVar(&c.Audit, "audit-schedule", envOr("RIGHTSDESK_AUDIT_SCHEDULE", "0 7 * * 1"), "when to list directory entries checked over 12 months ago to -admin-chat (env RIGHTSDESK_AUDIT_SCHEDULE)")
	fs.StringVar(&c.Announce, "announce-schedule", envOr("RIGHTSDESK_ANNOUNCE_SCHEDULE", "@every 1m"), "how often to look for announcements due (env RIGHTSDESK_ANNOUNCE_SCHEDULE)")
	fs.StringVar(&c.Deadlines, "deadlines-schedule", envOr("RIGHTSDESK_DEADLINES_SCHEDULE", "*/15 * * * *"), "when to remind desks of cases past their response target and pass on those past twice it (env RIGHTSDESK_DEADLINES_SCHEDULE)")
	fs.StringVar(&c.Digest, "digest-schedule", envOr("RIGHTSDESK_DIGEST_SCHEDULE", "0 8 * * 1"), "when to send each desk its week: new, open, overdue and resolved cases (env RIGHTSDESK_DIGEST_SCHEDULE)")
	fs.StringVar(&c.FollowUp, "followup-schedule", envOr("RIGHTSDESK_FOLLOWUP_SCHEDULE", "0 10 * * *"), "when to ask workers, a week after a resolution, whether the problem is solved (env RIGHTSDESK_FOLLOWUP_SCHEDULE)")
	fs.IntVar(&c.RetentionDays, "retention-days", envInt("RIGHTSDESK_RETENTION_DAYS", 365), "days a closed case keeps its personal fields (env RIGHTSDESK_RETENTION_DAYS)")
	fs.StringVar(&c.BackupDir, "backup-dir", envOr("RIGHTSDESK_BACKUP_DIR", ""), "backup directory; default <db dir>/backups (env RIGHTSDESK_BACKUP_DIR)")
	fs.IntVar(&c.BackupKeep, "backup-keep", envInt("RIGHTSDESK_BACKUP_KEEP", 7), "backups kept; older ones are deleted (env RIGHTSDESK_BACKUP_KEEP)")
	fs.Int64Var(&c.AdminChat, "admin-chat", envInt64("RIGHTSDESK_ADMIN_CHAT", 0), "chat id of the administrators' chat for the directory audit; 0 skips it (env RIGHTSDESK_ADMIN_CHAT)")
	fs.IntVar(&c.AnnounceBatch, "announce-batch", jobs.DefaultAnnounceBatch, "subscribers an announcement enqueues at a time")
}

func (c jobsConfig) validate() error {
	for _, s := range []string{c.Drafts, c.Retention, c.Backup, c.Audit, c.Announce, c.Deadlines, c.Digest, c.FollowUp} {
		if s == "" {
			continue
		}
		if _, err := jobs.ParseSpec(s); err != nil {
			return err
		}
	}
	if c.RetentionDays < 1 {
		return fmt.Errorf("-retention-days must be at least 1, not %d", c.RetentionDays)
	}
	return nil
}

func (c jobsConfig) backupDir(dbPath string) string {
	if c.BackupDir != "" {
		return c.BackupDir
	}
	return filepath.Join(filepath.Dir(dbPath), "backups")
}

// registerJobs puts serve's jobs on the scheduler, the desk's among them:
// response deadlines, weekly digests, the follow-up after a resolution.
func registerJobs(sched *jobs.Scheduler, c serveConfig, db *store.DB, catalog *locales.Catalog, b *bot.Bot,
	notify func(...int64), log zerolog.Logger) error {
	jl := func(name string) zerolog.Logger { return log.With().Str("component", "jobs").Str("job", name).Logger() }
	j := c.Jobs
	drafts := jobs.Drafts{Store: db, Catalog: catalog, Notify: notify, Log: jl("drafts"),
		RemindAfter: jobs.DefaultRemindAfter, ExpireAfter: jobs.DefaultExpireAfter}
	retention := jobs.Retention{Store: db, Log: jl("retention"), CaseRetention: time.Duration(j.RetentionDays) * 24 * time.Hour,
		PurgeAfter: jobs.DefaultPurgeAfter, RunsKept: jobs.DefaultRunsKept}
	backups := jobs.Backups{Store: db, Dir: j.backupDir(c.DBPath), Keep: j.BackupKeep, Log: jl("backup")}
	audit := jobs.Audit{Store: db, Catalog: catalog, AdminChat: j.AdminChat, Notify: notify, Log: jl("audit"),
		Months: jobs.DefaultAuditMonths, Directory: func() *directory.Directory {
			if l := b.Library(); l != nil {
				return l.Directory
			}
			return nil
		}}
	announce := jobs.Announcements{Store: db, Catalog: catalog, Notify: notify, Log: jl("announce"), Batch: j.AnnounceBatch}
	return errors.Join(
		sched.Register("drafts", j.Drafts, drafts.Run),
		sched.Register("retention", j.Retention, retention.Run),
		sched.Register("backup", j.Backup, backups.Run),
		sched.Register("audit", j.Audit, audit.Run),
		sched.Register("announce", j.Announce, announce.Run),
		sched.Register("deadlines", j.Deadlines, b.DeskDeadlines),
		sched.Register("digest", j.Digest, b.DeskDigests),
		sched.Register("follow-up", j.FollowUp, b.DeskFollowUps),
	)
}

// runJobs lists the last runs of the scheduled jobs.
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	job := fs.String("job", "", "only this job's runs")
	n := fs.Int("n", 20, "how many runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.JobRuns(ctx, *job, *n)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(stdout, "no runs recorded")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tSTARTED (UTC)\tTOOK\tITEMS\tRESULT")
	for i, r := range runs {
		took, items, result := "-", "-", "ok"
		if r.Finished {
			took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
			items = strconv.Itoa(r.Items)
			if r.Err != "" {
				result = "error: " + r.Err
			}
		} else {
			// Only the newest run of a job can still be going; an older
			// unfinished one was cut short by a crash or a kill.
			result = "interrupted"
			if newestOf(runs, i) {
				result = "running, or interrupted"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Job, r.StartedAt.UTC().Format("2006-01-02 15:04:05"), took, items, result)
	}
	return w.Flush()
}

// newestOf reports whether runs[i] is the newest listed run of its job.
func newestOf(runs []store.JobRun, i int) bool {
	for _, r := range runs[:i] {
		if r.Job == runs[i].Job {
			return false
		}
	}
	return true
}
