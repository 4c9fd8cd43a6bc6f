package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// Chat is what rightsdesk keeps about one chat. State is the conversation
// state in plain text in memory; on disk it is sealed.
type Chat struct {
	ID        int64
	Type      string
	Language  string
	BlockedAt time.Time
	State     []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (c Chat) Blocked() bool { return !c.BlockedAt.IsZero() }

func statePlace(chatID int64) string { return "state:" + strconv.FormatInt(chatID, 10) }

// Chat loads a chat; ErrNotFound when the bot has never stored it.
func (db *DB) Chat(ctx context.Context, id int64) (Chat, error) {
	if c, found, known := db.mirror.chat(id); known {
		if !found {
			return Chat{ID: id}, ErrNotFound
		}
		return c, nil
	}
	mark := db.mirror.mark()
	c, err := db.readChat(ctx, id)
	if afterRead != nil {
		afterRead()
	}
	if err == nil || errors.Is(err, ErrNotFound) {
		db.mirror.fillChat(id, mark, c, err == nil)
	}
	return c, err
}

func (db *DB) readChat(ctx context.Context, id int64) (Chat, error) {
	c := Chat{ID: id}
	var blocked sql.NullInt64
	var sealed []byte
	var created, updated int64
	err := db.queryRow(ctx,
		`SELECT type, language, blocked_at, state, created_at, updated_at FROM chats WHERE chat_id = ?`, id).
		Scan(&c.Type, &c.Language, &blocked, &sealed, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	if blocked.Valid {
		c.BlockedAt = fromMillis(blocked.Int64)
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	if sealed != nil {
		if c.State, err = db.sealer.Open(sealed, statePlace(id)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// SaveChat writes a chat and its state. A chat that writes to the bot again
// after blocking it has unblocked it, so saving clears the block.
func (tx *Tx) SaveChat(c Chat) error {
	var sealed []byte
	if c.State != nil {
		sealed = tx.db.sealer.Seal(c.State, statePlace(c.ID))
	}
	_, err := tx.exec(context.Background(),
		`INSERT INTO chats (chat_id, type, language, blocked_at, state, created_at, updated_at)
		 VALUES (?, ?, ?, NULL, ?, ?, ?)
		 ON CONFLICT (chat_id) DO UPDATE SET type = excluded.type, language = excluded.language,
		   blocked_at = NULL, state = excluded.state, updated_at = excluded.updated_at`,
		c.ID, c.Type, c.Language, sealed, millis(tx.now), millis(tx.now))
	if err != nil {
		return err
	}
	// What the row now holds, as a read would return it; the mirror keeps
	// an existing row's creation time.
	saved := Chat{ID: c.ID, Type: c.Type, Language: c.Language,
		CreatedAt: fromMillis(millis(tx.now)), UpdatedAt: fromMillis(millis(tx.now))}
	if len(c.State) > 0 {
		saved.State = bytes.Clone(c.State)
	}
	tx.changes = append(tx.changes, change{kind: changeChatSaved, chatID: c.ID, chat: &saved})
	return nil
}

// RecordMessage remembers a message id in a chat (never its text), so the
// user can later ask for the chat to be cleared. Only chats the bot keeps
// are recorded: a reply sent after /delete erased the chat (its own
// confirmation, say) must not leave a trace of it behind.
func (tx *Tx) RecordMessage(chatID int64, messageID int, fromBot bool) error {
	_, err := tx.exec(context.Background(), `INSERT INTO chat_messages (chat_id, message_id, from_bot, at)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chats WHERE chat_id = ?)
		ON CONFLICT DO NOTHING`, chatID, messageID, fromBot, millis(tx.now), chatID)
	return err
}

// ChatMessages lists message ids in a chat newer than since, oldest first.
func (db *DB) ChatMessages(ctx context.Context, chatID int64, since time.Time) ([]int, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT message_id FROM chat_messages WHERE chat_id = ? AND at >= ? ORDER BY message_id`, chatID, millis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ForgetMessages drops the remembered ids of a chat.
func (tx *Tx) ForgetMessages(chatID int64) error {
	_, err := tx.tx.Exec(`DELETE FROM chat_messages WHERE chat_id = ?`, chatID)
	return err
}

// EraseChat forgets everything about a chat: its cases' personal fields
// (EraseCases), its state, language, message ids and what waits in the
// outbox. Its handled updates already forgot it (MarkHandled). It returns
// what was relayed about its cases to other chats, for the caller to take
// back. Callers checkpoint afterwards so the bytes leave the WAL too.
func (tx *Tx) EraseChat(chatID int64) ([]NamedMessage, error) {
	tx.changes = append(tx.changes, change{kind: changeOutboxOther, chatID: chatID}, change{kind: changeChatOther, chatID: chatID})
	relayed, err := tx.EraseCases(chatID)
	if err != nil {
		return nil, err
	}
	for _, q := range []string{
		`DELETE FROM chats WHERE chat_id = ?`,
		`DELETE FROM chat_messages WHERE chat_id = ?`,
		`DELETE FROM outbox WHERE chat_id = ?`,
	} {
		if _, err := tx.tx.Exec(q, chatID); err != nil {
			return nil, err
		}
	}
	return relayed, nil
}
