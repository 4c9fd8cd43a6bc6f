-- A handled update's row is kept only so a redelivery is recognised, and
-- for that its id is enough. Keeping its chat kept, for seven days, a log
-- of which chat wrote when, and made every stored update an entry in an
-- index over all of them: one more page written per update. Handled rows
-- now forget their chat (MarkHandled sets chat_id to 0), so /delete has
-- nothing of them to find, and one index, over the updates still waiting,
-- serves all that asks about those: the drafts job by chat, the resume
-- after a crash and the census. It stays a few pages, written by the same
-- commits that write the rows.
UPDATE inbox SET chat_id = 0 WHERE handled_at IS NOT NULL;
DROP INDEX inbox_by_chat;
DROP INDEX inbox_unhandled;
CREATE INDEX inbox_waiting ON inbox (chat_id) WHERE handled_at IS NULL;
