-- 0006: the stored file and the parts only the review page and the export
-- read (body, images, related) move out of the articles table into a
-- table of their own, one row per article.
--
-- In the articles row they were the bulk of it (4 KB of a typical 4.5 KB),
-- and SQLite keeps what does not fit a page in a chain of overflow pages,
-- read whenever a column stored after them is: status, topics and the
-- effective values were, so every row a queue page, a count or a search
-- read went through the file's pages too. Measured at 100,000 articles
-- (newsdesk gen, seed 1): a queue page 0.42 -> 0.20 ms, a page 90,000 rows
-- deep 1.28 -> 0.22 ms, a search's counts by status 16 -> 9 ms (sqlite3).
CREATE TABLE article_content (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    body       TEXT NOT NULL DEFAULT '',
    images     TEXT NOT NULL DEFAULT '[]',
    related    TEXT NOT NULL DEFAULT '[]',
    raw        BLOB NOT NULL               -- the file exactly as read
);

INSERT INTO article_content (article_id, body, images, related, raw)
    SELECT id, body, images, related, raw FROM articles;

ALTER TABLE articles DROP COLUMN raw;
ALTER TABLE articles DROP COLUMN related;
ALTER TABLE articles DROP COLUMN images;
ALTER TABLE articles DROP COLUMN body;
