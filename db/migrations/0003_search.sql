-- 0003: search finds what a reader sees. The text of the index is made in
-- Go by searchText (db/search_text.go): letters folded as readers type them
-- (Łódź is lodz, Straße strasse) and runs of Chinese, Japanese and Korean
-- split into overlapping bigrams (自行车 is 自行 行车), so a word from the
-- middle of a title is found. The tokenizer only splits and lower-cases:
-- the folding is done already, and unicode61's own (remove_diacritics)
-- would not agree with the queries' for letters such as ł.
--
-- Same name and columns as before (rowid = articles.id, topics are the
-- effective ones, written in the same transaction as the article). The rows
-- are written by the Go step of this migration (reindexSearch, registered
-- in goSteps in db.go), in the same transaction.
DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, excerpt, provider, topics,
    tokenize = 'unicode61 remove_diacritics 0'
);
