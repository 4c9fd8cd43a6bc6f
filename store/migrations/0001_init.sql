-- The durable spine: every update is in the inbox before its offset is
-- confirmed, every reply is in the outbox in the same transaction as the
-- state that caused it. Payloads are sealed (AES-GCM) and dropped once done.

CREATE TABLE poll_state (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	next_offset INTEGER NOT NULL
);

CREATE TABLE inbox (
	update_id   INTEGER PRIMARY KEY,
	chat_id     INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	payload     BLOB,    -- sealed; NULL once handled, the id stays for de-duplication
	handled_at  INTEGER
);
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	chat_id    INTEGER NOT NULL,
	priority   INTEGER NOT NULL DEFAULT 0,
	payload    BLOB NOT NULL, -- sealed
	created_at INTEGER NOT NULL,
	not_before INTEGER NOT NULL DEFAULT 0,
	attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_by_chat ON outbox (chat_id, priority, id);

-- What could not be delivered, without what it said.
CREATE TABLE outbox_failures (
	id         INTEGER PRIMARY KEY,
	chat_id    INTEGER NOT NULL,
	error_code INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	failed_at  INTEGER NOT NULL
);

CREATE TABLE chats (
	chat_id    INTEGER PRIMARY KEY,
	type       TEXT NOT NULL DEFAULT 'private',
	language   TEXT NOT NULL DEFAULT '',
	blocked_at INTEGER,
	state      BLOB,  -- sealed conversation state
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- Message ids (never text) so "clear this chat" can delete what Telegram
-- still allows deleting.
CREATE TABLE chat_messages (
	chat_id    INTEGER NOT NULL,
	message_id INTEGER NOT NULL,
	from_bot   INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
