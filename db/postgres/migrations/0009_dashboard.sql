-- 0009 (PostgreSQL): mirrors db/migrations/0009_dashboard.sql, the
-- dashboard's numbers, kept as counts (like 0004_counts.sql) so GET
-- /dashboard reads a few hundred counter rows and two index seeks at any
-- size, never the articles or the audit.
--
-- Triggers keep the tables exact in the transaction of every write,
-- whatever code path makes it (save, undo, bulk, import, a hand-written
-- UPDATE). A count that falls to zero keeps its row (n = 0), as in SQLite;
-- readers skip it. Check compares each table with a fresh GROUP BY.
--
-- Differences from SQLite are those of 0004_counts.sql: each change is one
-- statement on the counter rows (no lost counts between concurrent
-- transactions), a move from one key to another touches the two rows in
-- key order in one statement (no deadlock between opposite moves), and
-- articles are counted once per statement, not per row.
-- min(x, 9) is least(x, 9). Integer division truncates toward zero in both.
--
-- Trigger functions: audit_count_review_insert, audit_count_review_delete,
-- audit_count_review_update, articles_count_quality_insert,
-- articles_count_quality_delete, articles_count_update_quality. Each
-- trigger has the name of its function.

-- Status changes per UTC day and editor, counted from the audit: one row
-- per audit row whose field is 'status', by the status it set. A review
-- (a decision) is a change to approved or rejected; a change back to
-- pending (an undo, single or bulk, or an editor reopening an article) is
-- counted under 'pending' as a reopening, and takes nothing away from the
-- day the decision was made: the day's count is the work done that day,
-- the status counts say what stands. day is unix days (at / 86400000, at
-- being unix ms); user_id is 0 for an audit row without a user (imports
-- never change a status; fixtures and users since deleted may have none).
CREATE TABLE count_review (
    day     bigint NOT NULL,
    user_id bigint NOT NULL,
    actor   text   NOT NULL,
    status  text   NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (day, user_id, actor, status)
);

-- The same by editor alone, for "all time" and the users page: summing
-- count_review would read one row per day an editor worked.
CREATE TABLE count_review_user (
    user_id bigint NOT NULL,
    actor   text   NOT NULL,
    status  text   NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (user_id, actor, status)
);

-- Articles by effective quality in tens (0 for 0-9 ... 9 for 90-100, -1
-- for none) and status.
CREATE TABLE count_quality (
    bucket bigint NOT NULL,
    status text   NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (bucket, status)
);

-- The queue's age: the oldest pending article is the first entry of this
-- index. Partial, so only pending articles pay for it, and small.
CREATE INDEX articles_pending_imported ON articles (imported_at, id) WHERE status = 'pending';

-- When each user last logged in (unix ms); NULL: never since this column.
ALTER TABLE users ADD COLUMN last_login_at bigint;

-- The counts of what there is now (none in a new store; kept so the
-- migration means the same as SQLite's).
INSERT INTO count_review (day, user_id, actor, status, n)
    SELECT at / 86400000, coalesce(user_id, 0), actor, new_value, count(*)
    FROM audit WHERE field = 'status' GROUP BY 1, 2, 3, 4;
INSERT INTO count_review_user (user_id, actor, status, n)
    SELECT coalesce(user_id, 0), actor, new_value, count(*)
    FROM audit WHERE field = 'status' GROUP BY 1, 2, 3;
INSERT INTO count_quality (bucket, status, n)
    SELECT CASE WHEN eff_quality < 0 THEN -1 ELSE least(eff_quality / 10, 9) END, status, count(*)
    FROM articles GROUP BY 1, 2;

-- The audit is append-only but for two cascades: a deleted article takes
-- its rows (ON DELETE CASCADE), a deleted user leaves them without one
-- (ON DELETE SET NULL, an UPDATE OF user_id). Both fire these triggers.
CREATE FUNCTION audit_count_review_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_review AS c (day, user_id, actor, status, n)
        VALUES (NEW.at / 86400000, coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1)
        ON CONFLICT (day, user_id, actor, status) DO UPDATE SET n = c.n + 1;
    INSERT INTO count_review_user AS c (user_id, actor, status, n)
        VALUES (coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1)
        ON CONFLICT (user_id, actor, status) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_count_review_insert AFTER INSERT ON audit
    FOR EACH ROW WHEN (NEW.field = 'status')
    EXECUTE FUNCTION audit_count_review_insert();

CREATE FUNCTION audit_count_review_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE count_review SET n = n - 1
        WHERE day = OLD.at / 86400000 AND user_id = coalesce(OLD.user_id, 0)
          AND actor = OLD.actor AND status = OLD.new_value;
    UPDATE count_review_user SET n = n - 1
        WHERE user_id = coalesce(OLD.user_id, 0) AND actor = OLD.actor AND status = OLD.new_value;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_count_review_delete AFTER DELETE ON audit
    FOR EACH ROW WHEN (OLD.field = 'status')
    EXECUTE FUNCTION audit_count_review_delete();

-- -1 for the old row if it counted, +1 for the new if it counts, summed
-- by key: a change that keeps the key (an at within the same day, for
-- count_review_user any at) is no change.
CREATE FUNCTION audit_count_review_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_review AS c (day, user_id, actor, status, n)
        SELECT day, user_id, actor, status, sum(d)
        FROM (VALUES (OLD.field, OLD.at / 86400000, coalesce(OLD.user_id, 0), OLD.actor, OLD.new_value, -1),
                     (NEW.field, NEW.at / 86400000, coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1))
             v (field, day, user_id, actor, status, d)
        WHERE field = 'status'
        GROUP BY 1, 2, 3, 4
        HAVING sum(d) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, user_id, actor, status) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_review_user AS c (user_id, actor, status, n)
        SELECT user_id, actor, status, sum(d)
        FROM (VALUES (OLD.field, coalesce(OLD.user_id, 0), OLD.actor, OLD.new_value, -1),
                     (NEW.field, coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1))
             v (field, user_id, actor, status, d)
        WHERE field = 'status'
        GROUP BY 1, 2, 3
        HAVING sum(d) <> 0
        ORDER BY 1, 2, 3
        ON CONFLICT (user_id, actor, status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER audit_count_review_update AFTER UPDATE OF at, user_id, actor, field, new_value ON audit
    FOR EACH ROW
    WHEN ((OLD.field = 'status' OR NEW.field = 'status')
      AND (OLD.at IS DISTINCT FROM NEW.at OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.actor IS DISTINCT FROM NEW.actor OR OLD.field IS DISTINCT FROM NEW.field
        OR OLD.new_value IS DISTINCT FROM NEW.new_value))
    EXECUTE FUNCTION audit_count_review_update();

-- Articles, as 0004_counts.sql counts them: inserts, updates and deletes
-- once per statement from a GROUP BY over the transition tables, in key
-- order (an import batch is one upsert of a few rows, not one per
-- article).
CREATE FUNCTION articles_count_quality_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_quality AS c (bucket, status, n)
        SELECT CASE WHEN eff_quality < 0 THEN -1 ELSE least(eff_quality / 10, 9) END, status, count(*)
        FROM inserted GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (bucket, status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_quality_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_quality_insert();

CREATE FUNCTION articles_count_quality_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_quality AS c (bucket, status, n)
        SELECT CASE WHEN eff_quality < 0 THEN -1 ELSE least(eff_quality / 10, 9) END, status, -count(*)
        FROM deleted GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (bucket, status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_quality_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_quality_delete();

-- Updates as 0004's articles_count_update counts them: -1 per old row,
-- +1 per new one, summed by key, so only rows whose bucket or status
-- moved touch count_quality. The name puts it between 0004's
-- articles_count_update and articles_count_update_topics, which is the
-- lock order 0004_counts.sql describes.
CREATE FUNCTION articles_count_update_quality() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_quality AS c (bucket, status, n)
        SELECT CASE WHEN eff_quality < 0 THEN -1 ELSE least(eff_quality / 10, 9) END, status, sum(d)
        FROM (SELECT eff_quality, status, -1 AS d FROM old_rows
              UNION ALL SELECT eff_quality, status, 1 FROM new_rows) v
        GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
        ON CONFLICT (bucket, status) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_update_quality AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_update_quality();
