-- 0011: login throttling in the database, not in the server's memory, so
-- that several servers on one database share one limit. A row is one token
-- bucket (a client address, or an account): key is "ip:ADDRESS" or
-- "user:NAME" (see handlers/throttle.go), full_at the unix millisecond at
-- which the bucket is full again. Every login attempt takes a token under
-- the row's lock, before the password is checked; a success gives it back.
-- A row past its full_at is the same as no row, and such rows are deleted
-- as tokens are taken (see db/throttle.go), so the table holds the buckets
-- of the last minute or so.
CREATE TABLE login_throttle (
    key     TEXT PRIMARY KEY,
    full_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The cleanup of full buckets.
CREATE INDEX login_throttle_full ON login_throttle (full_at);
