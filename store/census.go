package store

import (
	"context"
	"database/sql"
	"time"
)

// Census is what an operator watches: work waiting and where cases stand.
// It carries counts only, never an id or a text.
type Census struct {
	// OutboxDepth is the messages waiting; OutboxOldest the creation time
	// of the oldest (zero when none waits).
	OutboxDepth  int
	OutboxOldest time.Time
	// InboxPending is the updates stored but not yet handled.
	InboxPending int
	// Cases and Deliveries count rows by status; every known status is
	// present, zero or not, so a gauge falls to 0 instead of vanishing.
	Cases      map[string]int
	Deliveries map[string]int
}

// TakeCensus counts, in one read transaction so the figures agree. It
// reads the outbox, which holds only what waits, and otherwise indexes
// (cases_by_status, deliveries_by_status, inbox_waiting), so a scrape costs
// little even with many cases.
func (db *DB) TakeCensus(ctx context.Context) (Census, error) {
	c := Census{Cases: map[string]int{}, Deliveries: map[string]int{}}
	for _, s := range CaseStatuses {
		c.Cases[s] = 0
	}
	for _, s := range DeliveryStatuses {
		c.Deliveries[s] = 0
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), min(created_at) FROM outbox`).Scan(&c.OutboxDepth, &oldest); err != nil {
		return c, err
	}
	if oldest.Valid {
		c.OutboxOldest = fromMillis(oldest.Int64)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE handled_at IS NULL`).Scan(&c.InboxPending); err != nil {
		return c, err
	}
	for _, q := range []struct {
		sql string
		out map[string]int
	}{
		{`SELECT status, count(*) FROM cases GROUP BY status`, c.Cases},
		{`SELECT status, count(*) FROM deliveries GROUP BY status`, c.Deliveries},
	} {
		if err := countBy(ctx, tx, q.sql, q.out); err != nil {
			return c, err
		}
	}
	return c, nil
}

func countBy(ctx context.Context, tx *sql.Tx, query string, out map[string]int) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		out[k] = n
	}
	return rows.Err()
}

// Ping tells whether the database answers a read.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}
