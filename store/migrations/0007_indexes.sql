-- Indexes for what runs often: an operator's scrape counts cases and
-- deliveries by status, read from an index instead of the whole table.
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX deliveries_by_status ON deliveries (status);

-- /delete forgets the ids of a chat's handled updates: without this index
-- that was a scan of every update of the last seven days.
CREATE INDEX inbox_by_chat ON inbox (chat_id);
