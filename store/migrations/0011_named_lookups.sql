-- A desk's named messages (cards, topics, prompts) grow with its cases.
-- The newest message of a name in a chat, and the first of a topic, were
-- planned by the table's key (chat_id), reading every name the desk ever
-- had and sorting them, for each card edit and each caseworker's message.
-- These indexes end on the order the lookups want, so each reads one row.
DROP INDEX named_messages_by_name;
CREATE INDEX named_messages_by_name ON named_messages (name, chat_id, at);
DROP INDEX named_messages_by_thread;
CREATE INDEX named_messages_by_thread ON named_messages (chat_id, thread_id, at) WHERE thread_id <> 0;
