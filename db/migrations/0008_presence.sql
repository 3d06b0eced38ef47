-- 0008: presence. Which editor has which article's review page open, so
-- the queue can mark it and "next" can skip it. It lives in the database,
-- not in the server's memory, so several servers on one database see the
-- same editors. seen_at is unix milliseconds; a row older than
-- db.PresenceTTL counts as gone, and old rows are deleted as editors open
-- articles (see db/presence.go).
CREATE TABLE presence (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, user_id)
) WITHOUT ROWID;

-- Ending an editor's presence elsewhere, and the cleanup of old rows.
CREATE INDEX presence_user ON presence (user_id);
CREATE INDEX presence_seen ON presence (seen_at);
