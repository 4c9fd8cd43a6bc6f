-- The caseworkers' messages the bot passed on to a worker, by their id in
-- the desk's group, so that a caseworker's correction (an edit) follows
-- the message to the worker, and an edit of anything else is not taken
-- for one. Ids only: the text went to the worker and is not kept here. The
-- rows go with the case's personal data, on /delete and at retention.
CREATE TABLE desk_relays (
	chat_id    INTEGER NOT NULL,
	message_id INTEGER NOT NULL,
	case_id    TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX desk_relays_by_case ON desk_relays (case_id);
