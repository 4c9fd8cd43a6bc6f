package store

import (
	"context"
	"time"
)

// eraseBatch bounds the cases one transaction erases, so a first run over
// a year of closed cases does not hold the writer for long.
const eraseBatch = 200

// EraseClosedCases erases the personal fields of cases closed (resolved or
// withdrawn) before closedBefore, as /delete does for a chat's cases: the
// sealed details, the timeline, the evidence and the routing choices go,
// and the chat link with them. What stays is the anonymous record — id,
// status, dates — so an organisation that received a case still finds
// how it ended. A closed case takes no more additions, so its last change
// is when it closed. Callers checkpoint afterwards.
func (db *DB) EraseClosedCases(ctx context.Context, closedBefore time.Time) (int, error) {
	total := 0
	for {
		var n int
		err := db.Update(ctx, func(tx *Tx) error {
			rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM cases
				WHERE status IN (?, ?) AND updated_at < ? AND (sealed IS NOT NULL OR chat_id IS NOT NULL) LIMIT ?`,
				CaseResolved, CaseWithdrawn, millis(closedBefore), eraseBatch)
			if err != nil {
				return err
			}
			var ids []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(ids)
			for _, id := range ids {
				if err := tx.eraseCase(id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < eraseBatch || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// eraseCase leaves a case's anonymous record only; its status stays.
func (tx *Tx) eraseCase(id string) error {
	tx.changes = append(tx.changes, change{kind: changeEverything})
	for _, q := range []string{
		`DELETE FROM case_events WHERE case_id = ?`,
		`DELETE FROM case_evidence WHERE case_id = ?`,
		`DELETE FROM case_routes WHERE case_id = ?`,
		`DELETE FROM route_offers WHERE case_id = ?`,
		`UPDATE deliveries SET sealed = NULL WHERE case_id = ?`,
		`DELETE FROM named_messages WHERE name = 'case:' || ?`,
		`DELETE FROM desk_relays WHERE case_id = ?`,
		`DELETE FROM outbox WHERE case_id = ?`,
		// The countable facts stay: they are the anonymous statistics.
		`UPDATE cases SET sealed = NULL, chat_id = NULL WHERE id = ?`,
	} {
		if _, err := tx.tx.Exec(q, id); err != nil {
			return err
		}
	}
	return nil
}

// PurgeFailures forgets delivery failures recorded before the cutoff.
func (db *DB) PurgeFailures(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM outbox_failures WHERE failed_at < ?`, millis(before))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
