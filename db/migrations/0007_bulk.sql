-- 0007: bulk actions.
--
-- A snapshot is the set of articles an editor confirmed a bulk action on,
-- each with the version it had then: the action applies to exactly those
-- (an article imported later is not in it), and skips one whose version
-- moved since (someone changed it after the count). Snapshots belong to
-- the user who took them, live an hour (db.SnapshotTTL), and are removed
-- when used or when a later snapshot finds them expired. A snapshot is
-- taken for one action (action: the caller's encoding of it, review's
-- JSON), and only that action can run on it. Ids are never reused
-- (AUTOINCREMENT): a confirmation form of a used snapshot must not name
-- a later one.
CREATE TABLE bulk_snapshots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,              -- users.id of the owner
    created_at INTEGER NOT NULL,              -- unix ms
    count      INTEGER NOT NULL,
    action     TEXT    NOT NULL DEFAULT ''    -- the action it was taken for
);

CREATE INDEX bulk_snapshots_created ON bulk_snapshots (created_at);

CREATE TABLE bulk_snapshot_items (
    snapshot_id INTEGER NOT NULL REFERENCES bulk_snapshots (id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, article_id)
) WITHOUT ROWID;

-- A batch is one bulk action as run: what, by whom, when, and what it did.
-- Its audit rows carry its id (audit.batch_id), so it can be undone as a
-- whole; the undo is a batch too (undoes), and marks this one undone.
CREATE TABLE batches (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    params    TEXT    NOT NULL DEFAULT '{}',  -- JSON of the action's topic, quality...
    user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor     TEXT    NOT NULL,
    at        INTEGER NOT NULL,               -- unix ms
    changed   INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped   INTEGER NOT NULL DEFAULT 0,     -- changed by someone since: left alone
    refused   INTEGER NOT NULL DEFAULT 0,     -- the result would not be valid or exportable: left alone
    undoes    INTEGER REFERENCES batches (id),
    undone_by INTEGER REFERENCES batches (id),
    undone_at INTEGER
);

ALTER TABLE audit ADD COLUMN batch_id INTEGER REFERENCES batches (id);

CREATE INDEX audit_batch ON audit (batch_id) WHERE batch_id IS NOT NULL;
