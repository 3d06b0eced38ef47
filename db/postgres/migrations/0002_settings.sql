-- 0002 (PostgreSQL): mirrors db/migrations/0002_settings.sql. settings, a
-- small key/value table for values the program creates once and keeps,
-- such as the session cookie keys (so restarting the server does not log
-- everyone out). BLOB is bytea; WITHOUT ROWID is an ordinary table with
-- the same primary key.

CREATE TABLE settings (
    key        text   PRIMARY KEY,
    value      bytea  NOT NULL,
    created_at bigint NOT NULL
);
