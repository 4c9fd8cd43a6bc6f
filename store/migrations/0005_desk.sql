-- The caseworkers' desk: organisations (directory services) linked to a
-- Telegram group, the cases delivered to them, and the messages the bot
-- must find again (a case's topic, its card, what was relayed).

-- One row per linked organisation; unlinking deletes it. The group is the
-- organisation's desk; language is the language of its cards.
CREATE TABLE orgs (
	service_id     TEXT    PRIMARY KEY,
	chat_id        INTEGER NOT NULL UNIQUE,
	forum          INTEGER NOT NULL DEFAULT 0 CHECK (forum IN (0, 1)),
	language       TEXT    NOT NULL DEFAULT 'en',
	response_hours INTEGER NOT NULL DEFAULT 48 CHECK (response_hours > 0),
	linked_at      INTEGER NOT NULL,
	last_activity  INTEGER NOT NULL
) WITHOUT ROWID;

-- One-time link codes, stored only as a hash: whoever reads the database
-- cannot link a group with them.
CREATE TABLE org_link_codes (
	code_hash  BLOB    PRIMARY KEY,
	service_id TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) WITHOUT ROWID;

-- A case handed to an organisation. A case has at most one delivery that is
-- open or taken; a referral closes one and opens the next. What names
-- people (the assignee's name, the history, the resolution note) is sealed;
-- what the bot sorts and counts on is plain.
CREATE TABLE deliveries (
	id          INTEGER PRIMARY KEY,
	case_id     TEXT    NOT NULL REFERENCES cases (id),
	service_id  TEXT    NOT NULL,
	chat_id     INTEGER NOT NULL,
	status      TEXT    NOT NULL CHECK (status IN ('awaiting_consent', 'declined', 'open', 'taken', 'resolved',
	                                               'referred', 'returned', 'withdrawn', 'unlinked', 'escalated')),
	revision    INTEGER NOT NULL DEFAULT 1,
	assignee    INTEGER,
	asked       INTEGER NOT NULL DEFAULT 0 CHECK (asked IN (0, 1)),
	outcome     TEXT    NOT NULL DEFAULT '',
	feedback    TEXT    NOT NULL DEFAULT '',
	referred_to TEXT    NOT NULL DEFAULT '',
	sealed      BLOB,
	created_at  INTEGER NOT NULL,
	taken_at    INTEGER,
	resolved_at INTEGER,
	updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX deliveries_active ON deliveries (case_id) WHERE status IN ('open', 'taken');
CREATE INDEX deliveries_by_case ON deliveries (case_id, id);
CREATE INDEX deliveries_by_desk ON deliveries (chat_id, status);

-- Messages the bot named when it sent them, so a later reply can be sent
-- into a topic, answer a card, edit it, or delete a relayed message — and an
-- incoming reply can be traced to its case. Ids only, never text.
CREATE TABLE named_messages (
	chat_id    INTEGER NOT NULL,
	message_id INTEGER NOT NULL,
	thread_id  INTEGER NOT NULL DEFAULT 0,
	name       TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX named_messages_by_name ON named_messages (name, chat_id);
CREATE INDEX named_messages_by_thread ON named_messages (chat_id, thread_id) WHERE thread_id <> 0;

-- The services offered for a case, by position, for the buttons of that
-- offer. Every new offer of a case gets the next number, so a button of an
-- older offer cannot choose what now stands at its position.
CREATE TABLE route_offers (
	case_id       TEXT    NOT NULL REFERENCES cases (id),
	offer         INTEGER NOT NULL,
	position      INTEGER NOT NULL,
	service_id    TEXT    NOT NULL,
	needs_consent INTEGER NOT NULL DEFAULT 0 CHECK (needs_consent IN (0, 1)),
	receives      INTEGER NOT NULL DEFAULT 0 CHECK (receives IN (0, 1)),
	PRIMARY KEY (case_id, offer, position)
) WITHOUT ROWID;

-- What statistics count, sealed apart from the personal fields so that the
-- retention of closed cases can erase those and keep these: month,
-- categories, country of work, citizenship. /delete erases both.
ALTER TABLE cases ADD COLUMN facts BLOB;

-- Outbox rows that carry a case's content name it, so erasing the case
-- stops them too.
ALTER TABLE outbox ADD COLUMN case_id TEXT;
CREATE INDEX outbox_by_case ON outbox (case_id) WHERE case_id IS NOT NULL;
