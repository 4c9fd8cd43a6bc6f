package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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

// NextOffset is the getUpdates offset stored with the last updates stored.
// It may lag behind what Telegram has had confirmed, as the poller stores
// nothing when every turn of a batch committed in time; a lagging offset
// only brings back what Telegram still holds unconfirmed.
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

// MarkHandled records the update as handled, in the transaction of its
// turn. The update may be in the inbox, waiting, or not stored at all: the
// poller stores only the updates whose turns did not commit in time, so a
// quick turn's id is the first and only thing of its update written. An
// update that was handled before (Telegram brought it again after a crash,
// before its offset was confirmed) is refused with ErrHandledBefore, and the
// turn with it. An update id of 0 is a turn that no update began.
func (tx *Tx) MarkHandled(updateID int64) error {
	if updateID == 0 {
		return nil
	}
	now := millis(tx.now)
	res, err := tx.exec(context.Background(), sqlMarkHandled, updateID, now, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrHandledBefore
	}
	return nil
}

// ErrHandledBefore refuses a turn for an update already handled.
var ErrHandledBefore = &Error{Code: ECONFLICT, Message: "update handled before"}

// LastUpdateID is the highest update id stored, handled or waiting; 0 if
// none is.
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT max(update_id) FROM inbox`).Scan(&id)
	return id.Int64, err
}

// KnownUpdates tells which of ids are stored, handled or waiting. A batch
// brought again holds neighbouring ids, so one walk of the key's range
// between them answers for all.
func (db *DB) KnownUpdates(ctx context.Context, ids []int64) (map[int64]bool, error) {
	known := make(map[int64]bool)
	if len(ids) == 0 {
		return known, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT update_id FROM inbox WHERE update_id BETWEEN ? AND ?`,
		slices.Min(ids), slices.Max(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if slices.Contains(ids, id) {
			known[id] = true
		}
	}
	return known, rows.Err()
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
	// Inserted or updated, one row changes; an update handled before
	// changes none.
	sqlMarkHandled = `INSERT INTO inbox (update_id, chat_id, received_at, handled_at) VALUES (?, 0, ?, ?)
		ON CONFLICT (update_id) DO UPDATE SET payload = NULL, chat_id = 0, handled_at = excluded.handled_at
		WHERE inbox.handled_at IS NULL`
)
