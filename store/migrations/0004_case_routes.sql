-- Which service a worker chose for a submitted case, and whether they agreed
-- to involve their own state's consulate. One row per case and service; a
-- row with an empty service_id records that the worker declined them all.
-- No free text: what the case says stays sealed with the case.

CREATE TABLE case_routes (
	case_id           TEXT    NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	chat_id           INTEGER NOT NULL,
	service_id        TEXT    NOT NULL,
	chosen_at         INTEGER NOT NULL,
	consent_consulate INTEGER NOT NULL DEFAULT 0 CHECK (consent_consulate IN (0, 1)),
	status            TEXT    NOT NULL CHECK (status IN ('contacts_given', 'declined', 'sent')),
	PRIMARY KEY (case_id, service_id)
) WITHOUT ROWID;
CREATE INDEX case_routes_by_chat ON case_routes (chat_id);

-- A chat's erasure (/delete) takes its routing choices with it, whichever
-- code path deletes the chat.
CREATE TRIGGER case_routes_erased AFTER DELETE ON chats
BEGIN
	DELETE FROM case_routes WHERE chat_id = OLD.chat_id;
END;
