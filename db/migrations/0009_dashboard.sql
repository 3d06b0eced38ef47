-- 0009: the dashboard's numbers, kept as counts (like 0004_counts.sql) so
-- GET /dashboard reads a few hundred counter rows and two index seeks at
-- any size, never the articles or the audit.
--
-- Triggers keep the tables exact in the transaction of every write,
-- whatever code path makes it (save, undo, bulk, import, a hand-written
-- UPDATE). A count that falls to zero keeps its row (n = 0); readers skip
-- it. Check (db/counts_check.go) compares each table with a fresh GROUP BY.

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
    day     INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, user_id, actor, status)
) WITHOUT ROWID;

-- The same by editor alone, for "all time" and the users page: summing
-- count_review would read one row per day an editor worked.
CREATE TABLE count_review_user (
    user_id INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, actor, status)
) WITHOUT ROWID;

-- Articles by effective quality in tens (0 for 0-9 ... 9 for 90-100, -1
-- for none) and status.
CREATE TABLE count_quality (
    bucket INTEGER NOT NULL,
    status TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (bucket, status)
) WITHOUT ROWID;

-- The queue's age: the oldest pending article is the first entry of this
-- index. Partial, so only pending articles pay for it, and small.
CREATE INDEX articles_pending_imported ON articles (imported_at, id) WHERE status = 'pending';

-- When each user last logged in (unix ms); NULL: never since this column.
ALTER TABLE users ADD COLUMN last_login_at INTEGER;

-- The counts of what there is now.
INSERT INTO count_review (day, user_id, actor, status, n)
    SELECT at / 86400000, coalesce(user_id, 0), actor, new_value, count(*)
    FROM audit WHERE field = 'status' GROUP BY 1, 2, 3, 4;
INSERT INTO count_review_user (user_id, actor, status, n)
    SELECT coalesce(user_id, 0), actor, new_value, count(*)
    FROM audit WHERE field = 'status' GROUP BY 1, 2, 3;
INSERT INTO count_quality (bucket, status, n)
    SELECT CASE WHEN eff_quality < 0 THEN -1 ELSE min(eff_quality / 10, 9) END, status, count(*)
    FROM articles GROUP BY 1, 2;

-- The audit is append-only but for two cascades: a deleted article takes
-- its rows (ON DELETE CASCADE), a deleted user leaves them without one
-- (ON DELETE SET NULL). Both fire these triggers.
CREATE TRIGGER audit_count_review_insert AFTER INSERT ON audit WHEN NEW.field = 'status' BEGIN
    INSERT INTO count_review (day, user_id, actor, status, n)
        VALUES (NEW.at / 86400000, coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO count_review_user (user_id, actor, status, n)
        VALUES (coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER audit_count_review_delete AFTER DELETE ON audit WHEN OLD.field = 'status' BEGIN
    UPDATE count_review SET n = n - 1
        WHERE day = OLD.at / 86400000 AND user_id = coalesce(OLD.user_id, 0)
          AND actor = OLD.actor AND status = OLD.new_value;
    UPDATE count_review_user SET n = n - 1
        WHERE user_id = coalesce(OLD.user_id, 0) AND actor = OLD.actor AND status = OLD.new_value;
END;

CREATE TRIGGER audit_count_review_update AFTER UPDATE OF at, user_id, actor, field, new_value ON audit
WHEN (OLD.field = 'status' OR NEW.field = 'status') AND (OLD.at IS NOT NEW.at OR OLD.user_id IS NOT NEW.user_id
    OR OLD.actor IS NOT NEW.actor OR OLD.field IS NOT NEW.field OR OLD.new_value IS NOT NEW.new_value)
BEGIN
    UPDATE count_review SET n = n - 1
        WHERE OLD.field = 'status' AND day = OLD.at / 86400000 AND user_id = coalesce(OLD.user_id, 0)
          AND actor = OLD.actor AND status = OLD.new_value;
    UPDATE count_review_user SET n = n - 1
        WHERE OLD.field = 'status' AND user_id = coalesce(OLD.user_id, 0)
          AND actor = OLD.actor AND status = OLD.new_value;
    INSERT INTO count_review (day, user_id, actor, status, n)
        SELECT NEW.at / 86400000, coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1 WHERE NEW.field = 'status'
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO count_review_user (user_id, actor, status, n)
        SELECT coalesce(NEW.user_id, 0), NEW.actor, NEW.new_value, 1 WHERE NEW.field = 'status'
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Articles: the one statement an import adds per new article.
CREATE TRIGGER articles_count_quality_insert AFTER INSERT ON articles BEGIN
    INSERT INTO count_quality (bucket, status, n)
        VALUES (CASE WHEN NEW.eff_quality < 0 THEN -1 ELSE min(NEW.eff_quality / 10, 9) END, NEW.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER articles_count_quality_delete AFTER DELETE ON articles BEGIN
    UPDATE count_quality SET n = n - 1
        WHERE bucket = CASE WHEN OLD.eff_quality < 0 THEN -1 ELSE min(OLD.eff_quality / 10, 9) END
          AND status = OLD.status;
END;

-- eff_quality is generated from quality and edit_quality, so those are
-- the columns named in UPDATE OF; a change within one bucket costs only
-- the WHEN.
CREATE TRIGGER articles_count_quality_update AFTER UPDATE OF quality, edit_quality, status ON articles
WHEN OLD.status IS NOT NEW.status
  OR (CASE WHEN OLD.eff_quality < 0 THEN -1 ELSE min(OLD.eff_quality / 10, 9) END)
     IS NOT (CASE WHEN NEW.eff_quality < 0 THEN -1 ELSE min(NEW.eff_quality / 10, 9) END)
BEGIN
    UPDATE count_quality SET n = n - 1
        WHERE bucket = CASE WHEN OLD.eff_quality < 0 THEN -1 ELSE min(OLD.eff_quality / 10, 9) END
          AND status = OLD.status;
    INSERT INTO count_quality (bucket, status, n)
        VALUES (CASE WHEN NEW.eff_quality < 0 THEN -1 ELSE min(NEW.eff_quality / 10, 9) END, NEW.status, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
