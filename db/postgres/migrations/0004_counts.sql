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
--   articles_count_update_quality, then articles_count_update_topics. A
--   writer of several articles makes its change one statement for all of
--   them (the import's updates, a bulk action), or its locks would follow
--   the articles' order, not the keys'.
-- - Inserts, updates and deletes of articles, and inserts and deletes of
--   article_topics, are counted once per statement, from a GROUP BY over
--   the statement's transition tables (REFERENCING NEW/OLD TABLE ... FOR
--   EACH STATEMENT), in key order: a 500-article import batch or bulk
--   action is a few dozen counter upserts, not one per row (a row trigger
--   per article doubled an import batch's time), and takes each counter
--   row's lock once, in the same order as any other writer. Only a topic
--   merge (an UPDATE of article_topics, rare) is counted row by row.
-- - The counter rows are hot: writers that change the same count wait for
--   each other until commit, much as SQLite's single writer does.
-- - SQLite's four update triggers on articles are two here
--   (articles_count_update for status, category and provider, and
--   articles_count_update_topics).
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

-- Updates, once per statement too: -1 for each old row and +1 for each
-- new one, summed by key, so a row whose keys did not move adds nothing
-- (HAVING sum <> 0), and an update that moves no key (a note, a quality,
-- a version) touches and locks no counter row. A bulk action's one
-- UPDATE of 500 articles is one upsert per table, in key order. The
-- topics of the articles whose status or published state moved move with
-- them, in a trigger of its own, articles_count_update_topics: triggers
-- on one event fire in name order, so it runs after this one and after
-- 0009's articles_count_update_quality, keeping the lock order (see the
-- top). A transition table allows no UPDATE OF column list, so these run
-- for every UPDATE of articles, which costs a save a few small queries.
CREATE FUNCTION articles_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO count_status AS c (status, eff_published, n)
        SELECT status, eff_published, sum(d)
        FROM (SELECT status, eff_published, -1 AS d FROM old_rows
              UNION ALL SELECT status, eff_published, 1 FROM new_rows) v
        GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
        ON CONFLICT (status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_category AS c (category, status, eff_published, n)
        SELECT category, status, eff_published, sum(d)
        FROM (SELECT category, status, eff_published, -1 AS d FROM old_rows
              UNION ALL SELECT category, status, eff_published, 1 FROM new_rows) v
        GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (category, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO count_provider AS c (provider_name, status, eff_published, n)
        SELECT provider_name, status, eff_published, sum(d)
        FROM (SELECT provider_name, status, eff_published, -1 AS d FROM old_rows
              UNION ALL SELECT provider_name, status, eff_published, 1 FROM new_rows) v
        GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (provider_name, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_update AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_update();

-- Only the articles whose state moved are looked up in article_topics.
-- EXECUTE: see article_topics_count_insert. Most updates (a note, a
-- quality, an import's new title) move no state: the EXCEPT, linear
-- whatever its plan, spares them EXECUTE's planning.
CREATE FUNCTION articles_count_update_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT id, status, eff_published FROM old_rows
                   EXCEPT ALL SELECT id, status, eff_published FROM new_rows) THEN
        RETURN NULL;
    END IF;
    EXECUTE $q$INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, v.status, v.eff_published, sum(v.d)
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.status, o.eff_published, -1),
                                   (n.status, n.eff_published, 1)) v (status, eff_published, d)
        JOIN article_topics t ON t.article_id = n.id
        WHERE (o.status, o.eff_published) IS DISTINCT FROM (n.status, n.eff_published)
        GROUP BY 1, 2, 3 HAVING sum(v.d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n$q$;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_count_update_topics AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_count_update_topics();

-- Topics are counted once per statement too, by the state of their
-- articles when the statement ends (the article rows are written first).
-- A deletion is the same upsert with -count(*): when an article is
-- deleted its topics go first (articles_count_delete_topics), while the
-- article is there to say its state.
--
-- The queries that join a transition table with a table (here, articles)
-- run through EXECUTE, planned at each call for the rows at hand: PL/pgSQL
-- would plan them once per connection, for the size of the first
-- transition table, and a plan made for an import's 1,000 topic rows
-- (a hash join over every article) then served each save's two rows
-- (23 ms instead of 0.1 with 50,000 articles).
CREATE FUNCTION article_topics_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, a.status, a.eff_published, count(*)
        FROM inserted t JOIN articles a ON a.id = t.article_id
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n$q$;
    RETURN NULL;
END $$;

CREATE TRIGGER article_topics_count_insert AFTER INSERT ON article_topics
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION article_topics_count_insert();

CREATE FUNCTION article_topics_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$INSERT INTO count_topic AS c (topic_id, status, eff_published, n)
        SELECT t.topic_id, a.status, a.eff_published, -count(*)
        FROM deleted t JOIN articles a ON a.id = t.article_id
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (topic_id, status, eff_published) DO UPDATE SET n = c.n + EXCLUDED.n$q$;
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
