-- 0004 (PostgreSQL): mirrors db/migrations/0004_counts.sql, counts that
-- cost nothing per request. The queue's status tabs and the category,
-- provider and topic dropdowns read these counter tables instead of
-- counting the articles on every page.
--
-- Each table counts articles by one key and (status, eff_published), the
-- two filters every queue has. Triggers keep them exact in the transaction
-- of every write to articles and article_topics, whatever code path makes
-- it (import, save, bulk changes, a hand-written UPDATE, COPY; not
-- TRUNCATE, which fires no delete trigger). A count that falls to zero keeps its row
-- (n = 0), as in SQLite; readers skip such rows. Check compares the tables
-- with a fresh GROUP BY over the articles.
--
-- Differences from SQLite, for concurrent writers (SQLite has one):
-- - Every change is one statement on the counter rows (an INSERT ... ON
--   CONFLICT DO UPDATE SET n = c.n + EXCLUDED.n), never a read then a
--   write, so concurrent transactions cannot lose a count:
--   the row lock makes the second wait for the first to commit.
-- - A move from one key to another is one statement adding -1 to the old
--   row and +1 to the new one, in key order, so two transactions moving
--   articles in opposite directions (one approves, one reopens) take the
--   two row locks in the same order and cannot deadlock on them (a
--   deadlock costs deadlock_timeout, a second by default, then a retry).
--   Measured with pgbench, 4 clients each saving one article's status,
--   quality and published in random directions: 0 deadlocks in 2,000
--   saves, where the SQLite order (old row, then new) had 17.
-- - Lock order across tables: every trigger of an article's insert or
--   update takes its counter rows table by table in one order,
--   count_status, count_category, count_provider, count_quality (0009),
--   count_topic, so that a save and an import cannot each hold a row the
--   other waits for. Triggers on one event fire in name order, hence the
--   names: articles_count_insert, then articles_count_quality_insert (an
--   article's topics are inserted after it); articles_count_update, then
--   articles_count_update_quality, then articles_count_update_topics.
-- - Inserts and deletes (of articles and of article_topics) are counted
--   once per statement, from a GROUP BY over the statement's transition
--   table (REFERENCING NEW/OLD TABLE ... FOR EACH STATEMENT), in key
--   order: a 500-article import batch is a few dozen counter upserts, not
--   one per row (a row trigger per article doubled the batch's time), and
--   takes each counter row's lock once, in the same order as any other
--   writer. Updates stay row triggers: PostgreSQL allows no transition
--   table on a trigger with UPDATE OF columns, and without those columns
--   every save of a note or a quality would pay for the statement trigger.
-- - The counter rows are hot: writers that change the same count wait for
--   each other until commit, much as SQLite's single writer does.
-- - SQLite's four update triggers on articles are two here
--   (articles_count_update for status, category and provider, and
--   articles_count_update_topics), called only for a row whose keys moved.
--
-- Trigger functions: articles_count_insert, articles_count_delete_topics,
-- articles_count_delete, articles_count_update, articles_count_update_topics,
-- article_topics_count_insert, article_topics_count_delete,
-- article_topics_count_update. Each trigger has the name of its function.

CREATE TABLE count_status (
    status        text    NOT NULL,
    eff_published integer NOT NULL,
    n             bigint  NOT NULL,
    PRIMARY KEY (status, eff_published)
);

CREATE TABLE count_category (
    category      text    NOT NULL,
    status        text    NOT NULL,
    eff_published integer NOT NULL,
    n             bigint  NOT NULL,
    PRIMARY KEY (category, status, eff_published)
);

CREATE TABLE count_provider (
    provider_name text    NOT NULL,
    status        text    NOT NULL,
    eff_published integer NOT NULL,
    n             bigint  NOT NULL,
    PRIMARY KEY (provider_name, status, eff_published)
);

-- Articles per effective topic (article_topics); no foreign key, so a
-- topic whose counts are all zero can still be removed.
CREATE TABLE count_topic (
    topic_id      bigint  NOT NULL,
    status        text    NOT NULL,
    eff_published integer NOT NULL,
    n             bigint  NOT NULL,
    PRIMARY KEY (topic_id, status, eff_published)
);

-- The counts of the articles there are now (none in a new store; kept so
-- the migration means the same as SQLite's).
INSERT INTO count_status (status, eff_published, n)
    SELECT status, eff_published, count(*) FROM articles GROUP BY 1, 2;
INSERT INTO count_category (category, status, eff_published, n)
    SELECT category, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3;
INSERT INTO count_provider (provider_name, status, eff_published, n)
    SELECT provider_name, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3;
INSERT INTO count_topic (topic_id, status, eff_published, n)
    SELECT at.topic_id, a.status, a.eff_published, count(*)
    FROM article_topics at JOIN articles a ON a.id = at.article_id GROUP BY 1, 2, 3;

-- New articles count in each table but count_topic (their topics are
-- inserted after them, and article_topics_count_insert counts those).
-- Once per statement, not per row: an import's 500 new articles are one
-- upsert per table of a GROUP BY over the inserted rows (the transition
-- table), a few dozen counter rows, each locked once and in key order.
CREATE FUNCTION articles_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_status AS c (status, eff_published, n)
        SELECT status, eff_published, count(*) FROM inserted
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_category AS c (category, status, eff_published, n)
        SELECT category, status, eff_published, count(*) FROM inserted
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (category, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_provider AS c (provider_name, status, eff_published, n)
        SELECT provider_name, status, eff_published, count(*) FROM inserted
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (provider_name, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_insert();

-- Topics first, while the article is still there to say its status: the
-- ON DELETE CASCADE of article_topics runs after the article row is gone,
-- when article_topics_count_delete could no longer find it.
CREATE FUNCTION articles_count_delete_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM article_topics WHERE article_id = OLD.id;
    RETURN OLD;
END $$;

CREATE TRIGGER articles_count_delete_topics BEFORE DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_count_delete_topics();

CREATE FUNCTION articles_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_status AS c (status, eff_published, n)
        SELECT status, eff_published, -count(*) FROM deleted
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_category AS c (category, status, eff_published, n)
        SELECT category, status, eff_published, -count(*) FROM deleted
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (category, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_provider AS c (provider_name, status, eff_published, n)
        SELECT provider_name, status, eff_published, -count(*) FROM deleted
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (provider_name, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_delete();

-- Updates: each table moves only when its key changed. eff_published is
-- generated from published and edit_published, so those are the columns
-- named in UPDATE OF; the WHEN spares the function call to every other
-- update (a quality, a note, a version). A status or published change
-- moves every topic of the article too, in a trigger of its own,
-- articles_count_update_topics: triggers on one event fire in name
-- order, so it runs after this one and after 0009's
-- articles_count_update_quality, keeping the lock order (see the top).
CREATE FUNCTION articles_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved boolean := OLD.status IS DISTINCT FROM NEW.status
                  OR OLD.eff_published IS DISTINCT FROM NEW.eff_published;
BEGIN
    IF moved THEN
        INSERT INTO count_status AS c (status, eff_published, n)
            SELECT * FROM (VALUES (OLD.status, OLD.eff_published, -1),
                                  (NEW.status, NEW.eff_published, 1)) v
            ORDER BY 1, 2
            ON CONFLICT (status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    IF moved OR OLD.category IS DISTINCT FROM NEW.category THEN
        INSERT INTO count_category AS c (category, status, eff_published, n)
            SELECT * FROM (VALUES (OLD.category, OLD.status, OLD.eff_published, -1),
                                  (NEW.category, NEW.status, NEW.eff_published, 1)) v
            ORDER BY 1, 2, 3
            ON CONFLICT (category, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    IF moved OR OLD.provider_name IS DISTINCT FROM NEW.provider_name THEN
        INSERT INTO count_provider AS c (provider_name, status, eff_published, n)
            SELECT * FROM (VALUES (OLD.provider_name, OLD.status, OLD.eff_published, -1),
                                  (NEW.provider_name, NEW.status, NEW.eff_published, 1)) v
            ORDER BY 1, 2, 3
            ON CONFLICT (provider_name, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_update
    AFTER UPDATE OF category, provider_name, status, published, edit_published ON articles
    FOR EACH ROW
    WHEN (OLD.category IS DISTINCT FROM NEW.category
       OR OLD.provider_name IS DISTINCT FROM NEW.provider_name
       OR OLD.status IS DISTINCT FROM NEW.status
       OR OLD.eff_published IS DISTINCT FROM NEW.eff_published)
    EXECUTE FUNCTION articles_count_update();

CREATE FUNCTION articles_count_update_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, v.status, v.eff_published, v.d
        FROM article_topics t,
             (VALUES (OLD.status, OLD.eff_published, -1),
                     (NEW.status, NEW.eff_published, 1)) v (status, eff_published, d)
        WHERE t.article_id = NEW.id
        ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_update_topics
    AFTER UPDATE OF status, published, edit_published ON articles
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.eff_published IS DISTINCT FROM NEW.eff_published)
    EXECUTE FUNCTION articles_count_update_topics();

-- Topics are counted once per statement too, by the state of their
-- articles when the statement ends (the article rows are written first).
-- A deletion is the same upsert with -count(*): when an article is
-- deleted its topics go first (articles_count_delete_topics), while the
-- article is there to say its state.
CREATE FUNCTION article_topics_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, a.status, a.eff_published, count(*)
        FROM inserted t JOIN articles a ON a.id = t.article_id
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER article_topics_count_insert AFTER INSERT ON article_topics
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION article_topics_count_insert();

CREATE FUNCTION article_topics_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, a.status, a.eff_published, -count(*)
        FROM deleted t JOIN articles a ON a.id = t.article_id
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER article_topics_count_delete AFTER DELETE ON article_topics
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION article_topics_count_delete();

-- A topic merge may repoint rows to another topic: -1 for the old
-- (topic, article state) and +1 for the new, in key order. Summed by key,
-- so a move that keeps the key (another article in the same state) is no
-- change, and no row is touched twice in one statement.
CREATE FUNCTION article_topics_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT v.topic_id, a.status, a.eff_published, sum(v.d)
        FROM (VALUES (OLD.topic_id, OLD.article_id, -1),
                     (NEW.topic_id, NEW.article_id, 1)) v (topic_id, article_id, d)
        JOIN articles a ON a.id = v.article_id
        GROUP BY 1, 2, 3
        HAVING sum(v.d) <> 0
        ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER article_topics_count_update AFTER UPDATE OF article_id, topic_id ON article_topics
    FOR EACH ROW
    WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.topic_id IS DISTINCT FROM NEW.topic_id)
    EXECUTE FUNCTION article_topics_count_update();
