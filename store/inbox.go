package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// InboxUpdate is one update as received, payload in plain text in memory and
// sealed on disk.
type InboxUpdate struct {
	UpdateID   int64
	ChatID     int64
	Payload    []byte
	ReceivedAt time.Time
}

func inboxPlace(updateID int64) string { return "inbox:" + strconv.FormatInt(updateID, 10) }

// SaveUpdates stores a batch of updates and the offset that confirms them, in
// one transaction; only after it commits may the poller confirm the offset
// to Telegram. Updates seen before are ignored. It returns the new ones.
// A nextOffset of 0 leaves the offset alone (webhook mode has none).
func (db *DB) SaveUpdates(ctx context.Context, ups []InboxUpdate, nextOffset int64) ([]InboxUpdate, error) {
	var fresh []InboxUpdate
	err := db.Update(ctx, func(tx *Tx) error {
		fresh = fresh[:0]
		for _, u := range ups {
			res, err := tx.exec(ctx, sqlSaveUpdate,
				u.UpdateID, u.ChatID, millis(tx.now), db.sealer.Seal(u.Payload, inboxPlace(u.UpdateID)))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				u.ReceivedAt = tx.now
				fresh = append(fresh, u)
			}
		}
		if nextOffset > 0 {
			_, err := tx.exec(ctx, sqlSaveOffset, nextOffset)
			return err
		}
		return nil
	})
	return fresh, err
}

// NextOffset is the getUpdates offset that confirms everything stored.
func (db *DB) NextOffset(ctx context.Context) (int64, error) {
	var off int64
	err := db.read.QueryRowContext(ctx, `SELECT next_offset FROM poll_state WHERE id = 1`).Scan(&off)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return off, err
}

// UnhandledUpdates returns, in update order, what was stored but not yet
// handled: after a crash, this is the work to resume.
func (db *DB) UnhandledUpdates(ctx context.Context) ([]InboxUpdate, error) {
	// Without INDEXED BY SQLite walks every row kept for de-duplication,
	// to save sorting the few that wait.
	rows, err := db.read.QueryContext(ctx, `SELECT update_id, chat_id, received_at, payload
		FROM inbox INDEXED BY inbox_waiting WHERE handled_at IS NULL ORDER BY update_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InboxUpdate
	for rows.Next() {
		var u InboxUpdate
		var at int64
		var sealed []byte
		if err := rows.Scan(&u.UpdateID, &u.ChatID, &at, &sealed); err != nil {
			return nil, err
		}
		u.ReceivedAt = fromMillis(at)
		if u.Payload, err = db.sealer.Open(sealed, inboxPlace(u.UpdateID)); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// MarkHandled drops the update's payload and its chat, keeping its id so a
// redelivery is recognised.
func (tx *Tx) MarkHandled(updateID int64) error {
	_, err := tx.exec(context.Background(), sqlMarkHandled, millis(tx.now), updateID)
	return err
}

// PurgeInbox forgets handled update ids older than the cutoff; Telegram never
// redelivers an update once its offset is confirmed, so old ids only cost room.
func (db *DB) PurgeInbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?`, millis(before))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

const (
	sqlSaveUpdate = `INSERT INTO inbox (update_id, chat_id, received_at, payload) VALUES (?, ?, ?, ?)
		ON CONFLICT (update_id) DO NOTHING`
	sqlSaveOffset = `INSERT INTO poll_state (id, next_offset) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`
	sqlMarkHandled = `UPDATE inbox SET payload = NULL, chat_id = 0, handled_at = ? WHERE update_id = ?`
)
