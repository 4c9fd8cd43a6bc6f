-- Complaints (cases). What identifies or describes the worker — categories,
-- place, employer, story, phone, file ids — is one sealed JSON value per row,
-- bound to the case id; only what the bot must sort and count on is plain:
-- status and times. /delete leaves a tombstone: status withdrawn, no chat,
-- no sealed fields, no events, no evidence.

CREATE TABLE cases (
	id         TEXT PRIMARY KEY,          -- "RD-XXXX-XXXX"
	chat_id    INTEGER,                   -- NULL once the worker erased their data
	status     TEXT NOT NULL CHECK (status IN ('new', 'routed', 'taken', 'resolved', 'withdrawn')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	sealed     BLOB                       -- sealed JSON of the personal fields; NULL in a tombstone
);
CREATE INDEX cases_by_chat ON cases (chat_id, updated_at) WHERE chat_id IS NOT NULL;

-- The timeline a worker sees in /mycases.
CREATE TABLE case_events (
	id      INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	at      INTEGER NOT NULL,
	kind    TEXT NOT NULL,  -- submitted, message, evidence, withdrawn, routed, taken, resolved
	sealed  BLOB            -- the worker's message, when there is one
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- Evidence is a reference to a file Telegram keeps, never the bytes.
CREATE TABLE case_evidence (
	id      INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	sealed  BLOB NOT NULL,  -- sealed JSON: file id and unique id
	kind    TEXT NOT NULL,  -- photo or document
	size    INTEGER NOT NULL,
	at      INTEGER NOT NULL
);
CREATE INDEX case_evidence_by_case ON case_evidence (case_id, id);
