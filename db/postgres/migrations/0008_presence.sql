-- 0008 (PostgreSQL): mirrors db/migrations/0008_presence.sql. Presence:
-- which editor has which article's review page open, so the queue can mark
-- it and "next" can skip it. It lives in the database, not in the server's
-- memory, so several servers on one database see the same editors. seen_at
-- is unix milliseconds; a row older than db.PresenceTTL counts as gone,
-- and old rows are deleted as editors open articles.
CREATE TABLE presence (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seen_at    bigint NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- Ending an editor's presence elsewhere, and the cleanup of old rows.
CREATE INDEX presence_user ON presence (user_id);
CREATE INDEX presence_seen ON presence (seen_at);
