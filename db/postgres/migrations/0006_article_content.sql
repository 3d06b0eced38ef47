-- 0006 (PostgreSQL): mirrors db/migrations/0006_article_content.sql step
-- by step. The stored file and the parts only the review page and the
-- export read (body, images, related) move out of the articles table into
-- a table of their own, one row per article, so the rows a queue page, a
-- count or a search reads stay small. (PostgreSQL would move large values
-- out of line by itself, TOAST, but the Go code of both stores reads the
-- same tables.)
--
-- A PostgreSQL store is empty at this version, so the copy moves nothing;
-- it is kept so the migration means the same in both dialects.
CREATE TABLE article_content (
    article_id bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    body       text   NOT NULL DEFAULT '',
    images     text   NOT NULL DEFAULT '[]',
    related    text   NOT NULL DEFAULT '[]',
    raw        bytea  NOT NULL              -- the file exactly as read
);

INSERT INTO article_content (article_id, body, images, related, raw)
    SELECT id, body, images, related, raw FROM articles;

ALTER TABLE articles DROP COLUMN raw;
ALTER TABLE articles DROP COLUMN related;
ALTER TABLE articles DROP COLUMN images;
ALTER TABLE articles DROP COLUMN body;
