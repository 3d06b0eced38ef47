-- 0002: settings, a small key/value table for values the program creates
-- once and keeps, such as the session cookie keys (so restarting the server
-- does not log everyone out).

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
