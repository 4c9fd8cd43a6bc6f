-- When a desk last passed a message on for a case (a quiet case's
-- reminder, its 💤 in /cases) is max(at) of the case's relays: with at in
-- the index it is one seek, not a look at every relay the case had.
DROP INDEX desk_relays_by_case;
CREATE INDEX desk_relays_last ON desk_relays (case_id, at);
