-- What an operator's scrape counts: cases and deliveries by status, read
-- from an index instead of the whole table.
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX deliveries_by_status ON deliveries (status);
