-- 0011 (PostgreSQL): mirrors db/migrations/0011_login_throttle.sql. Login
-- throttling in the database, not in the server's memory, so that several
-- servers on one database share one limit. A row is one token bucket (a
-- client address, or an account): key is "ip:ADDRESS" or "user:NAME" (see
-- handlers/throttle.go), full_at the unix millisecond at which the bucket
-- is full again. Every login attempt takes a token under the row's lock,
-- before the password is checked; a success gives it back. A row past its
-- full_at is the same as no row, and such rows are deleted as tokens are
-- taken (see db/postgres/throttle.go).
CREATE TABLE login_throttle (
    key     text PRIMARY KEY,
    full_at bigint NOT NULL
);

-- The cleanup of full buckets.
CREATE INDEX login_throttle_full ON login_throttle (full_at);
