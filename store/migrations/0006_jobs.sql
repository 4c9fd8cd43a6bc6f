-- Scheduled work: what ran and when, what a job did once and must never do
-- again, and the small unsealed indexes the jobs read instead of unsealing
-- every chat. Nothing here is free text a person typed.

-- One row per run of a job; finished_at stays NULL when the process died
-- during the run. error is the job's own message (ids only, never text a
-- person typed).
CREATE TABLE job_runs (
	id          INTEGER PRIMARY KEY,
	job         TEXT    NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	error       TEXT,
	items       INTEGER
);
CREATE INDEX job_runs_by_job ON job_runs (job, started_at);
CREATE INDEX job_runs_by_start ON job_runs (started_at);

-- When this database first scheduled a job: a run can only have been
-- missed after it.
CREATE TABLE job_schedule (
	job   TEXT    PRIMARY KEY,
	since INTEGER NOT NULL
) WITHOUT ROWID;

-- Effects a job must have once only (the directory audit of one week, say),
-- recorded in the transaction that has the effect.
CREATE TABLE job_marks (
	job TEXT    NOT NULL,
	key TEXT    NOT NULL,
	at  INTEGER NOT NULL,
	PRIMARY KEY (job, key)
) WITHOUT ROWID;

-- The complaint draft lives sealed in the chat state; this is its index,
-- written in the transaction that changes the draft. started_at tells one
-- draft from the next, so each draft is reminded of once at most; only a
-- draft the worker consented to keep is worth a reminder.
CREATE TABLE drafts (
	chat_id     INTEGER PRIMARY KEY,
	started_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	consented   INTEGER NOT NULL CHECK (consented IN (0, 1)),
	reminded_at INTEGER
);
CREATE INDEX drafts_by_age ON drafts (updated_at);

-- The answer to "may we send you news?" and only what targeting needs: the
-- language and the country of work, kept in step with the chat.
CREATE TABLE subscriptions (
	chat_id     INTEGER PRIMARY KEY,
	opted_in    INTEGER NOT NULL CHECK (opted_in IN (0, 1)),
	language    TEXT    NOT NULL DEFAULT '',
	country     TEXT    NOT NULL DEFAULT '',
	answered_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_target ON subscriptions (language, country, chat_id) WHERE opted_in = 1;

-- An announcement goes to its subscribers in chat id order; cursor is the
-- last chat id enqueued, committed with the outbox rows of its batch, so a
-- restart neither skips nor repeats anyone.
CREATE TABLE announcements (
	id          INTEGER PRIMARY KEY,
	language    TEXT    NOT NULL,
	country     TEXT    NOT NULL DEFAULT '', -- '' means every country
	pages       TEXT    NOT NULL,            -- JSON array of Telegram HTML messages
	send_at     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	cursor      INTEGER,                     -- NULL before the first batch
	enqueued    INTEGER NOT NULL DEFAULT 0,
	finished_at INTEGER
);
CREATE INDEX announcements_due ON announcements (send_at) WHERE finished_at IS NULL;

-- A chat's erasure (/delete) takes its draft index and its subscription
-- with it, whichever code path deletes the chat.
CREATE TRIGGER chat_jobs_erased AFTER DELETE ON chats
BEGIN
	DELETE FROM drafts WHERE chat_id = OLD.chat_id;
	DELETE FROM subscriptions WHERE chat_id = OLD.chat_id;
END;
