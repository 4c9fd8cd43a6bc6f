package store

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"
)

// OutboxMessage is one request waiting to be sent, payload in plain text in
// memory and sealed on disk.
type OutboxMessage struct {
	ID        int64
	ChatID    int64
	Priority  int
	Payload   []byte
	CreatedAt time.Time
	NotBefore time.Time
	Attempts  int
	// More is true when another message waits behind this one, so the
	// sender knows without asking again.
	More bool
	// Memo is what the enqueuer attached (EnqueueMemo) when the message
	// comes from memory; nil when it was read from disk.
	Memo any
}

func outboxPlace(chatID int64) string { return "outbox:" + strconv.FormatInt(chatID, 10) }

// Enqueue adds a message to the outbox in the caller's transaction. Messages
// to a chat that blocked the bot are dropped here, so nothing is stored that
// can never be delivered.
func (tx *Tx) Enqueue(chatID int64, priority int, payload []byte) error {
	return tx.EnqueueMemo(chatID, priority, payload, nil)
}

// EnqueueMemo is Enqueue with a value kept beside the message while it
// waits in memory: the payload decoded, say, which the sender then need
// not decode again. The memo must mean exactly what the payload says and
// must not change after the call.
func (tx *Tx) EnqueueMemo(chatID int64, priority int, payload []byte, memo any) error {
	return tx.EnqueueFor("", chatID, priority, payload, memo)
}

// EnqueueFor is EnqueueMemo for a message that carries a case's content:
// erasing the case takes it out of the outbox too.
func (tx *Tx) EnqueueFor(caseID string, chatID int64, priority int, payload []byte, memo any) error {
	created := millis(tx.now)
	res, err := tx.exec(context.Background(), sqlEnqueue,
		chatID, priority, tx.db.sealer.Seal(payload, outboxPlace(chatID)), created, caseID, chatID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		// Dropped for a blocked chat, or not known: either way the
		// mirror learns nothing it could serve.
		tx.changes = append(tx.changes, change{kind: changeOutboxOther, chatID: chatID})
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		tx.changes = append(tx.changes, change{kind: changeOutboxOther, chatID: chatID})
		return err
	}
	tx.changes = append(tx.changes, change{kind: changeEnqueued, chatID: chatID, msg: &OutboxMessage{
		ID: id, ChatID: chatID, Priority: priority, Payload: bytes.Clone(payload),
		CreatedAt: fromMillis(created), NotBefore: fromMillis(0), Memo: memo,
	}})
	return nil
}

// NextOutbox returns the first message due for the chat: interactive before
// bulk, then in the order enqueued. ok is false when nothing is due; wait says
// when the earliest deferred one becomes due (zero when none is waiting).
func (db *DB) NextOutbox(ctx context.Context, chatID int64) (msg OutboxMessage, wait time.Time, ok bool, err error) {
	if head, empty, known := db.mirror.nextOutbox(chatID); known {
		// Rows the mirror holds were enqueued by this process and never
		// deferred: they are due.
		return head, time.Time{}, !empty, nil
	}
	mark := db.mirror.mark()
	msg, wait, ok, err = db.readOutbox(ctx, chatID)
	if afterRead != nil {
		afterRead()
	}
	if err == nil && (!ok && wait.IsZero() || ok && !msg.More && msg.Attempts == 0 && msg.NotBefore.UnixMilli() == 0) {
		// The whole outbox of the chat, as an enqueue would leave it.
		var rows []OutboxMessage
		if ok {
			rows = []OutboxMessage{msg}
		}
		db.mirror.fillOutbox(chatID, mark, rows)
	}
	return msg, wait, ok, err
}

// readOutbox is NextOutbox from disk.
func (db *DB) readOutbox(ctx context.Context, chatID int64) (msg OutboxMessage, wait time.Time, ok bool, err error) {
	var sealed []byte
	var created, notBefore int64
	rows, err := db.query(ctx, sqlNextOutbox, chatID)
	if err != nil {
		return msg, time.Time{}, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return msg, time.Time{}, false, rows.Err()
	}
	if err := rows.Scan(&msg.ID, &msg.Priority, &sealed, &created, &notBefore, &msg.Attempts); err != nil {
		return msg, time.Time{}, false, err
	}
	msg.More = rows.Next()
	if err := rows.Err(); err != nil {
		return msg, time.Time{}, false, err
	}
	msg.ChatID = chatID
	msg.CreatedAt = fromMillis(created)
	msg.NotBefore = fromMillis(notBefore)
	if notBefore > millis(db.Now()) {
		// Order within a chat is kept: a deferred head holds the rest back.
		return msg, msg.NotBefore, false, nil
	}
	if msg.Payload, err = db.sealer.Open(sealed, outboxPlace(chatID)); err != nil {
		return msg, time.Time{}, false, err
	}
	return msg, time.Time{}, true, nil
}

// OutboxChats lists the chats with anything waiting, for a sender starting up.
func (db *DB) OutboxChats(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT chat_id FROM outbox`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// OutboxLen counts messages waiting, for health and metrics.
func (db *DB) OutboxLen(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	return n, err
}

// MarkSent removes a delivered message (and with it what it said) and
// remembers the id Telegram gave it, for "clear this chat".
func (db *DB) MarkSent(ctx context.Context, id, chatID int64, messageID int) error {
	_, err := db.MarkDelivered(ctx, id, Receipt{ChatID: chatID, MessageID: messageID})
	return err
}

// Receipt is what a delivered message leaves behind: its id, its name and
// thread when it was named, and the messages that were waiting for it.
type Receipt struct {
	ChatID    int64
	MessageID int
	ThreadID  int
	Name      string
	Then      []Queued
}

// Queued is a message to enqueue, as Enqueue takes it.
type Queued struct {
	CaseID   string
	ChatID   int64
	Priority int
	Payload  []byte
	Memo     any
}

// MarkDelivered is MarkSent with what the message leaves behind, all in the
// transaction that removes it, so a crash cannot keep one and lose the other.
// orphan is true for a message relayed about a case its worker erased while
// the message was on its way: it is not named, and the caller deletes it.
func (db *DB) MarkDelivered(ctx context.Context, id int64, r Receipt) (orphan bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		orphan = false
		res, err := tx.exec(ctx, sqlDeleteOutbox, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 && r.ChatID != 0 {
			// The row was gone already (its chat erased, or the memory of
			// the chat's outbox wrong): the chat's outbox is read from disk
			// next, so a wrong memory costs one repeated message, not an
			// endless stream of them.
			tx.changes = append(tx.changes, change{kind: changeOutboxOther, chatID: r.ChatID})
		}
		tx.changes = append(tx.changes, change{kind: changeRowSent, id: id})
		if caseID, relay := strings.CutPrefix(r.Name, NameCase); relay && r.MessageID > 0 {
			erased, err := tx.caseErased(caseID)
			if err != nil {
				return err
			}
			if erased {
				orphan = true
				return nil
			}
		}
		if r.Name != "" && r.MessageID > 0 {
			if err := tx.NameMessage(NamedMessage{ChatID: r.ChatID, MessageID: r.MessageID, ThreadID: r.ThreadID, Name: r.Name}); err != nil {
				return err
			}
		}
		for _, q := range r.Then {
			if err := tx.EnqueueFor(q.CaseID, q.ChatID, q.Priority, q.Payload, q.Memo); err != nil {
				return err
			}
		}
		if r.MessageID > 0 && r.ChatID > 0 {
			// Private chats only: "clear this chat" is for a worker's phone.
			return tx.RecordMessage(r.ChatID, r.MessageID, true)
		}
		return nil
	})
	return orphan, err
}

// Defer postpones a message after a transient failure.
func (db *DB) Defer(ctx context.Context, id int64, until time.Time) error {
	return db.Update(ctx, func(tx *Tx) error {
		// Rounded up: a retry due at 12.5 ms must not be tried at 12 ms.
		tx.changes = append(tx.changes, change{kind: changeRowOther, id: id})
		_, err := tx.exec(ctx, sqlDeferOutbox, millis(until.Add(time.Millisecond-1)), id)
		return err
	})
}

// Fail records a permanent failure without the message's text and drops it.
func (db *DB) Fail(ctx context.Context, id, chatID int64, code int, reason string) error {
	return db.Update(ctx, func(tx *Tx) error {
		tx.changes = append(tx.changes, change{kind: changeRowOther, id: id})
		if _, err := tx.exec(ctx, sqlDeleteOutbox, id); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO outbox_failures (id, chat_id, error_code, reason, failed_at) VALUES (?, ?, ?, ?, ?)`,
			id, chatID, code, reason, millis(tx.now))
		return err
	})
}

// BlockChat marks a chat whose user blocked the bot and drops everything
// still waiting for it: nothing more is sent there.
func (db *DB) BlockChat(ctx context.Context, chatID int64) error {
	return db.Update(ctx, func(tx *Tx) error { return tx.BlockChat(chatID) })
}

// BlockChat is DB.BlockChat in the caller's transaction: a user's "block"
// reported as an update is recorded with the turn that handles it.
func (tx *Tx) BlockChat(chatID int64) error {
	tx.changes = append(tx.changes, change{kind: changeOutboxOther, chatID: chatID}, change{kind: changeChatOther, chatID: chatID})
	if _, err := tx.tx.Exec(
		`INSERT INTO chats (chat_id, blocked_at, created_at, updated_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (chat_id) DO UPDATE SET blocked_at = excluded.blocked_at, updated_at = excluded.updated_at`,
		chatID, millis(tx.now), millis(tx.now), millis(tx.now)); err != nil {
		return err
	}
	_, err := tx.tx.Exec(`DELETE FROM outbox WHERE chat_id = ?`, chatID)
	return err
}

// Failures counts permanent delivery failures, by error code.
func (db *DB) Failures(ctx context.Context) (map[int]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT error_code, count(*) FROM outbox_failures GROUP BY error_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var code, n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, rows.Err()
}

const (
	// A chat that blocked the bot gets nothing queued.
	sqlEnqueue = `INSERT INTO outbox (chat_id, priority, payload, created_at, case_id)
		SELECT ?, ?, ?, ?, NULLIF(?, '') WHERE NOT EXISTS (SELECT 1 FROM chats WHERE chat_id = ? AND blocked_at IS NOT NULL)`
	sqlNextOutbox   = `SELECT id, priority, payload, created_at, not_before, attempts FROM outbox WHERE chat_id = ? ORDER BY priority, id LIMIT 2`
	sqlDeleteOutbox = `DELETE FROM outbox WHERE id = ?`
	sqlDeferOutbox  = `UPDATE outbox SET not_before = ?, attempts = attempts + 1 WHERE id = ?`
)
