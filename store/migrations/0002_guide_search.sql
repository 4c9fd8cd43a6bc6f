-- The guide's full-text index, rebuilt whole from the content at every start
-- and reload. Guide text is public, so it is not sealed; what users search for
-- is never written here.
--
-- Trigrams match inside words, which suits languages that inflect by suffix
-- (az, ka, kk, ro, ru) without a stemmer per language; remove_diacritics lets
-- "pasaport" find "pașaport" and "maas" find "maaş".
CREATE VIRTUAL TABLE guide_search USING fts5(
	title,
	body,
	lang UNINDEXED,
	topic UNINDEXED,
	tokenize = 'trigram remove_diacritics 1'
);
