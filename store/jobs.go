package store

import (
	"context"
	"database/sql"
	"time"
)

// JobRun is one run of a scheduled job. A run that never finished (the
// process died during it) has Finished false.
type JobRun struct {
	ID         int64
	Job        string
	StartedAt  time.Time
	FinishedAt time.Time
	Finished   bool
	Items      int
	// Err is the job's error message; empty on success.
	Err string
}

// StartJobRun records that a job began at at.
func (db *DB) StartJobRun(ctx context.Context, job string, at time.Time) (int64, error) {
	var id int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO job_runs (job, started_at) VALUES (?, ?)`, job, millis(at))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// FinishJobRun records a run's end, what it handled and how it failed.
func (db *DB) FinishJobRun(ctx context.Context, id int64, at time.Time, items int, runErr error) error {
	var msg sql.NullString
	if runErr != nil {
		msg = sql.NullString{String: runErr.Error(), Valid: true}
	}
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, items = ?, error = ? WHERE id = ?`,
			millis(at), items, msg, id)
		return err
	})
}

// JobRuns lists the latest runs, newest first: of one job, or of all when
// job is empty.
func (db *DB) JobRuns(ctx context.Context, job string, limit int) ([]JobRun, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, job, started_at, finished_at, items, error FROM job_runs
		WHERE ? = '' OR job = ? ORDER BY started_at DESC, id DESC LIMIT ?`, job, job, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		var started int64
		var finished, items sql.NullInt64
		var msg sql.NullString
		if err := rows.Scan(&r.ID, &r.Job, &started, &finished, &items, &msg); err != nil {
			return nil, err
		}
		r.StartedAt = fromMillis(started)
		if finished.Valid {
			r.Finished, r.FinishedAt = true, fromMillis(finished.Int64)
		}
		r.Items, r.Err = int(items.Int64), msg.String
		out = append(out, r)
	}
	return out, rows.Err()
}

// JobBaseline is the time from which a job's missed runs count: its last
// run that finished without error, or, when it never did, when this
// database first scheduled it (now, the first time it is asked). A run that
// failed or was cut short by a crash is missed, so it is caught up.
func (db *DB) JobBaseline(ctx context.Context, job string, now time.Time) (time.Time, error) {
	var base int64
	err := db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO job_schedule (job, since) VALUES (?, ?) ON CONFLICT (job) DO NOTHING`,
			job, millis(now)); err != nil {
			return err
		}
		return tx.tx.QueryRowContext(ctx, `SELECT max(
			(SELECT since FROM job_schedule WHERE job = ?),
			COALESCE((SELECT max(started_at) FROM job_runs WHERE job = ? AND finished_at IS NOT NULL AND error IS NULL), 0))`,
			job, job).Scan(&base)
	})
	return fromMillis(base), err
}

// MarkOnce records that job did what key names (a week's audit, say), in
// the transaction that does it. It reports false when that was done
// before: the caller then does nothing.
func (tx *Tx) MarkOnce(job, key string) (bool, error) {
	res, err := tx.tx.Exec(`INSERT INTO job_marks (job, key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, job, key, millis(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PurgeJobRuns forgets runs that started before the cutoff. Marks stay:
// they are few, and forgetting one would let its effect happen again.
func (db *DB) PurgeJobRuns(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM job_runs WHERE started_at < ?`, millis(before))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
