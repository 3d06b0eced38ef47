-- 0003 (PostgreSQL): mirrors db/migrations/0003_search.sql, the search
-- index, with a table in place of SQLite's FTS5 table articles_fts (0001
-- here created none, so there is nothing to drop).
--
-- One row per article: doc is the tsvector of what a reader sees (title,
-- excerpt, provider, effective topics), built by the store in Go from
-- searchText (db/search_text.go): letters folded as readers type them
-- (Łódź is lodz, Straße strasse), runs of Chinese, Japanese and Korean split
-- into overlapping bigrams. Building it in Go, not with to_tsvector and a
-- text search configuration, keeps it the same whatever the server's locale
-- and configurations, and the same as the SQLite index; no extension is
-- needed (CREATE EXTENSION needs privileges users may not have). The store
-- writes the row in the same transaction as the article; a deleted article
-- takes its row with it (ON DELETE CASCADE, where SQLite's store deletes
-- it by hand).
--
-- SQLite's Go step of this migration (reindexSearch) fills the index for
-- the articles there are; a PostgreSQL store is empty at this version, so
-- there is nothing to index.

CREATE TABLE articles_search (
    article_id bigint   PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    doc        tsvector NOT NULL
);

CREATE INDEX articles_search_doc ON articles_search USING gin (doc);
