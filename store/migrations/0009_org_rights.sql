-- What the bot may do in a desk's group, as Telegram last told it: open a
-- topic per case and pin its card there. A forum whose people have not
-- made the bot an administrator gets its cards in General, replied to as in
-- a plain group, rather than a refused request per case. Desks linked before
-- this was kept were linked as the README asks, the bot an administrator.
ALTER TABLE orgs ADD COLUMN may_open_topics INTEGER NOT NULL DEFAULT 1 CHECK (may_open_topics IN (0, 1));
ALTER TABLE orgs ADD COLUMN may_pin INTEGER NOT NULL DEFAULT 1 CHECK (may_pin IN (0, 1));
