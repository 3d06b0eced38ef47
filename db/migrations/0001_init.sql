-- 0001: the first schema of newsdesk.
--
-- Times are integers so they sort: articles.published_at is unix seconds
-- (the zero time.Time is stored as its own, very negative, value, so an
-- article without a date sorts last under "newest"); every event time
-- (imported_at, updated_at, created_at, audit.at) is unix milliseconds.
-- Booleans are 0/1. JSON columns hold arrays.

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    file_name       TEXT    NOT NULL,

    -- Upstream values, as the last imported file has them.
    category        TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    excerpt         TEXT    NOT NULL DEFAULT '',
    published_at    INTEGER NOT NULL,
    original_url    TEXT    NOT NULL DEFAULT '',
    web_url         TEXT    NOT NULL DEFAULT '',
    type            TEXT    NOT NULL DEFAULT '',
    heat            INTEGER NOT NULL DEFAULT 0,
    provider_name   TEXT    NOT NULL DEFAULT '',
    provider_domain TEXT    NOT NULL DEFAULT '',
    has_secured     INTEGER NOT NULL DEFAULT 0 CHECK (has_secured IN (0, 1)),
    body            TEXT    NOT NULL DEFAULT '',
    images          TEXT    NOT NULL DEFAULT '[]',
    related         TEXT    NOT NULL DEFAULT '[]',
    raw             BLOB    NOT NULL,               -- the file exactly as read
    content_hash    TEXT    NOT NULL,               -- sha256 hex of raw
    quality         INTEGER,                        -- NULL: the file has no quality
    published       INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    topics          TEXT    NOT NULL DEFAULT '[]',

    -- Editor overrides; NULL means "as upstream". Once set they stay set,
    -- even when equal to upstream, so a later import cannot undo them.
    edit_quality    INTEGER CHECK (edit_quality BETWEEN 0 AND 100),
    edit_topics     TEXT,
    edit_published  INTEGER CHECK (edit_published IN (0, 1)),

    -- Effective values for filters and sorting. eff_quality is -1 when
    -- there is none, so it sorts last and keyset cursors never meet NULL.
    eff_quality     INTEGER NOT NULL GENERATED ALWAYS AS (coalesce(edit_quality, quality, -1)) STORED,
    eff_published   INTEGER NOT NULL GENERATED ALWAYS AS (coalesce(edit_published, published)) STORED,

    -- Review state, only ever set by editors.
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    note            TEXT    NOT NULL DEFAULT '',

    version         INTEGER NOT NULL DEFAULT 1,
    imported_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- One index per queue sort, with and without the status filter, so the
-- first page and every keyset page are index range scans.
CREATE INDEX articles_status_newest  ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_status_heat    ON articles (status, heat DESC, id DESC);
CREATE INDEX articles_status_quality ON articles (status, eff_quality DESC, id DESC);
CREATE INDEX articles_newest         ON articles (published_at DESC, id DESC);
CREATE INDEX articles_heat           ON articles (heat DESC, id DESC);
CREATE INDEX articles_quality        ON articles (eff_quality DESC, id DESC);
-- The editors' usual queue: pending and not yet published, newest first.
CREATE INDEX articles_status_published_newest ON articles (status, eff_published, published_at DESC, id DESC);
-- status second: the per-status counts of a filtered queue read only these.
CREATE INDEX articles_category ON articles (category, status);
CREATE INDEX articles_provider ON articles (provider_name, status);

-- Topics by name. fold is the Go-lowercased name, the case-insensitive
-- identity (NOCASE alone folds ASCII only); name keeps the first spelling.
CREATE TABLE topics (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    fold TEXT NOT NULL UNIQUE
);

-- The EFFECTIVE topics of each article (editor's if set, else upstream).
CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id   INTEGER NOT NULL REFERENCES topics (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, topic_id)
) WITHOUT ROWID;

CREATE INDEX article_topics_topic ON article_topics (topic_id, article_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    -- Raised on logout, password change and disabling: sessions carrying
    -- an older epoch are refused, since a cookie cannot be revoked.
    session_epoch INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- One row per changed field. Values are text, exact enough to reverse an
-- entry: quality as digits ('' when absent), published 'true'/'false',
-- topics as a JSON array, status and note as they are.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    field      TEXT    NOT NULL,
    old_value  TEXT    NOT NULL,
    new_value  TEXT    NOT NULL
);

CREATE INDEX audit_article ON audit (article_id, id);
CREATE INDEX audit_user ON audit (user_id);

-- Full-text index, rowid = articles.id; topics are the effective ones.
-- The store writes it in the same transaction as the article.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, excerpt, provider, topics,
    tokenize = 'unicode61 remove_diacritics 2'
);
