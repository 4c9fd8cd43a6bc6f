package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The complaint draft is part of the sealed chat state; the drafts table is
// its unsealed index (chat, when the draft began and last changed, when
// the worker was reminded of it), so the scheduled jobs find old drafts
// without unsealing every chat. The bot writes it in the transaction that
// changes the draft.

// NoteDraft records that the chat's draft, begun at started, changed at
// updated; consented says the worker agreed to keep it (before, it holds
// the safety answer only, and is deleted in time but never reminded of).
// A draft begun anew may be reminded of again; the same draft never is.
func (tx *Tx) NoteDraft(chatID int64, started, updated time.Time, consented bool) error {
	_, err := tx.exec(context.Background(), `INSERT INTO drafts (chat_id, started_at, updated_at, consented) VALUES (?, ?, ?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET updated_at = excluded.updated_at, consented = excluded.consented,
		  reminded_at = CASE WHEN drafts.started_at = excluded.started_at THEN drafts.reminded_at END,
		  started_at = excluded.started_at`,
		chatID, millis(started), millis(updated), consented)
	return err
}

// ForgetDraft drops the chat's draft from the index: it was submitted,
// discarded or erased.
func (tx *Tx) ForgetDraft(chatID int64) error {
	_, err := tx.exec(context.Background(), `DELETE FROM drafts WHERE chat_id = ?`, chatID)
	return err
}

// DraftEntry is a draft as the index knows it.
type DraftEntry struct {
	ChatID     int64
	StartedAt  time.Time
	UpdatedAt  time.Time
	RemindedAt time.Time // zero when never reminded
	Consented  bool
	// Language is the chat's language, for the reminder.
	Language string
}

// Draft reads the chat's index entry; ErrNotFound when it has no draft.
func (db *DB) Draft(ctx context.Context, chatID int64) (DraftEntry, error) {
	d := DraftEntry{ChatID: chatID}
	var started, updated int64
	var reminded sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT d.started_at, d.updated_at, d.reminded_at, d.consented, COALESCE(c.language, '')
		FROM drafts d LEFT JOIN chats c ON c.chat_id = d.chat_id WHERE d.chat_id = ?`, chatID).
		Scan(&started, &updated, &reminded, &d.Consented, &d.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	d.StartedAt, d.UpdatedAt = fromMillis(started), fromMillis(updated)
	if reminded.Valid {
		d.RemindedAt = fromMillis(reminded.Int64)
	}
	return d, err
}

// DraftsToRemind lists consented drafts untouched since idleSince and never
// reminded of, oldest first, leaving out chats that blocked the bot.
func (db *DB) DraftsToRemind(ctx context.Context, idleSince time.Time, limit int) ([]DraftEntry, error) {
	return db.drafts(ctx, `SELECT d.chat_id, d.started_at, d.updated_at, COALESCE(c.language, '')
		FROM drafts d LEFT JOIN chats c ON c.chat_id = d.chat_id
		WHERE d.reminded_at IS NULL AND d.consented = 1 AND d.updated_at <= ? AND c.blocked_at IS NULL
		ORDER BY d.updated_at, d.chat_id LIMIT ?`, millis(idleSince), limit)
}

// DraftsUntouchedSince lists drafts not changed since before, oldest first.
func (db *DB) DraftsUntouchedSince(ctx context.Context, before time.Time, limit int) ([]DraftEntry, error) {
	return db.drafts(ctx, `SELECT d.chat_id, d.started_at, d.updated_at, COALESCE(c.language, '')
		FROM drafts d LEFT JOIN chats c ON c.chat_id = d.chat_id
		WHERE d.updated_at < ? ORDER BY d.updated_at, d.chat_id LIMIT ?`, millis(before), limit)
}

func (db *DB) drafts(ctx context.Context, q string, args ...any) ([]DraftEntry, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DraftEntry
	for rows.Next() {
		var d DraftEntry
		var started, updated int64
		if err := rows.Scan(&d.ChatID, &started, &updated, &d.Language); err != nil {
			return nil, err
		}
		d.StartedAt, d.UpdatedAt = fromMillis(started), fromMillis(updated)
		out = append(out, d)
	}
	return out, rows.Err()
}

// MarkDraftReminded claims the one reminder of the chat's draft, in the
// transaction that enqueues it. It reports false when the draft changed
// since idleSince, is gone, or was reminded of already: then nothing is sent.
func (tx *Tx) MarkDraftReminded(chatID int64, idleSince time.Time) (bool, error) {
	res, err := tx.exec(context.Background(), `UPDATE drafts SET reminded_at = ?
		WHERE chat_id = ? AND reminded_at IS NULL AND consented = 1 AND updated_at <= ?`, millis(tx.now), chatID, millis(idleSince))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ErrChatBusy says an update of the chat is being handled: its turn read
// the state and will write it back, so the state must not change under it.
var ErrChatBusy = &Error{Code: ECONFLICT, Message: "an update of the chat is being handled"}

// DropDraft removes a draft untouched since before from the sealed chat
// state — edit gets the state and returns it without the draft — and
// from the index, in one transaction. It reports false when the draft
// changed since or is gone, and ErrChatBusy when an update of the chat is
// waiting or being handled: its turn began from the state as it is, and
// would write the draft back. Callers checkpoint afterwards, so the old
// state leaves the WAL too.
func (db *DB) DropDraft(ctx context.Context, chatID int64, before time.Time, edit func(state []byte) ([]byte, error)) (bool, error) {
	var dropped bool
	err := db.Update(ctx, func(tx *Tx) error {
		dropped = false
		var n int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE chat_id = ? AND updated_at < ?`,
			chatID, millis(before)).Scan(&n); err != nil || n == 0 {
			return err
		}
		// An update becomes a turn only after it is in the inbox, and the
		// turn marks it handled in the transaction that saves the state:
		// with none unhandled, no turn holds this chat's state.
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE chat_id = ? AND handled_at IS NULL`,
			chatID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrChatBusy
		}
		var sealed []byte
		err := tx.tx.QueryRowContext(ctx, `SELECT state FROM chats WHERE chat_id = ?`, chatID).Scan(&sealed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if sealed != nil {
			plain, err := db.sealer.Open(sealed, statePlace(chatID))
			if err != nil {
				return err
			}
			if plain, err = edit(plain); err != nil {
				return err
			}
			tx.changes = append(tx.changes, change{kind: changeChatOther, chatID: chatID})
			if _, err := tx.tx.ExecContext(ctx, `UPDATE chats SET state = ? WHERE chat_id = ?`,
				db.sealer.Seal(plain, statePlace(chatID)), chatID); err != nil {
				return err
			}
		}
		dropped = true
		return tx.ForgetDraft(chatID)
	})
	return dropped, err
}

// ChatStates calls fn with every chat's conversation state, unsealed, for
// a one-off pass over all chats (indexing drafts kept before the index
// existed). It reads in pages, so writers are not held up for long.
func (db *DB) ChatStates(ctx context.Context, fn func(chatID int64, state []byte) error) error {
	after := int64(-1 << 63)
	for {
		rows, err := db.read.QueryContext(ctx, `SELECT chat_id, state FROM chats
			WHERE state IS NOT NULL AND chat_id > ? ORDER BY chat_id LIMIT 500`, after)
		if err != nil {
			return err
		}
		type row struct {
			id     int64
			sealed []byte
		}
		var page []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return err
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range page {
			plain, err := db.sealer.Open(r.sealed, statePlace(r.id))
			if err != nil {
				return err
			}
			if err := fn(r.id, plain); err != nil {
				return err
			}
			after = r.id
		}
		if len(page) < 500 {
			return nil
		}
	}
}

// Marked reports whether job recorded key with MarkOnce.
func (db *DB) Marked(ctx context.Context, job, key string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM job_marks WHERE job = ? AND key = ?`, job, key).Scan(&n)
	return n > 0, err
}
