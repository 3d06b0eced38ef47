-- 0004: counts that cost nothing per request. The queue's status tabs and
-- the category, provider and topic dropdowns read these counter tables
-- instead of counting the articles on every page (four aggregate scans,
-- about 110 ms at 100,000 articles).
--
-- Each table counts articles by one key and (status, eff_published), the
-- two filters every queue has. Triggers keep them exact in the transaction
-- of every write to articles and article_topics, whatever code path makes
-- it (import, save, bulk changes, a hand-written UPDATE). A count that
-- falls to zero keeps its row (n = 0): deleting it would cost a statement
-- on every write; readers skip such rows. Check (db/counts_check.go)
-- compares the tables with a fresh GROUP BY over the articles.
--
-- With triggers, every INSERT or UPDATE of articles and article_topics
-- runs with a statement journal; the connections keep it in memory
-- (temp_store, see db.go), or it would go to a temporary file.

CREATE TABLE count_status (
    status        TEXT    NOT NULL,
    eff_published INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (status, eff_published)
) WITHOUT ROWID;

CREATE TABLE count_category (
    category      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    eff_published INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (category, status, eff_published)
) WITHOUT ROWID;

CREATE TABLE count_provider (
    provider_name TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    eff_published INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (provider_name, status, eff_published)
) WITHOUT ROWID;

-- Articles per effective topic (article_topics); no foreign key, so a
-- topic whose counts are all zero can still be removed.
CREATE TABLE count_topic (
    topic_id      INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    eff_published INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (topic_id, status, eff_published)
) WITHOUT ROWID;

-- The counts of the articles there are now.
INSERT INTO count_status (status, eff_published, n)
    SELECT status, eff_published, count(*) FROM articles GROUP BY 1, 2;
INSERT INTO count_category (category, status, eff_published, n)
    SELECT category, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3;
INSERT INTO count_provider (provider_name, status, eff_published, n)
    SELECT provider_name, status, eff_published, count(*) FROM articles GROUP BY 1, 2, 3;
INSERT INTO count_topic (topic_id, status, eff_published, n)
    SELECT at.topic_id, a.status, a.eff_published, count(*)
    FROM article_topics at JOIN articles a ON a.id = at.article_id GROUP BY 1, 2, 3;

-- A new article counts in each table but count_topic: its topics are
-- inserted after it, and article_topics_count_insert counts them.
CREATE TRIGGER articles_count_insert AFTER INSERT ON articles BEGIN
    INSERT INTO count_status (status, eff_published, n) VALUES (NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO count_category (category, status, eff_published, n)
        VALUES (NEW.category, NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO count_provider (provider_name, status, eff_published, n)
        VALUES (NEW.provider_name, NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Topics first, while the article is still there to say its status: the
-- ON DELETE CASCADE of article_topics runs after the article row is gone.
CREATE TRIGGER articles_count_delete_topics BEFORE DELETE ON articles BEGIN
    DELETE FROM article_topics WHERE article_id = OLD.id;
END;

CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
    UPDATE count_status SET n = n - 1
        WHERE status = OLD.status AND eff_published = OLD.eff_published;
    UPDATE count_category SET n = n - 1
        WHERE category = OLD.category AND status = OLD.status AND eff_published = OLD.eff_published;
    UPDATE count_provider SET n = n - 1
        WHERE provider_name = OLD.provider_name AND status = OLD.status AND eff_published = OLD.eff_published;
END;

-- Updates: one trigger per table, each firing only when its key changes.
-- eff_published is generated from published and edit_published, so those
-- are the columns named in UPDATE OF.
CREATE TRIGGER articles_count_status AFTER UPDATE OF status, published, edit_published ON articles
WHEN OLD.status IS NOT NEW.status OR OLD.eff_published IS NOT NEW.eff_published
BEGIN
    UPDATE count_status SET n = n - 1
        WHERE status = OLD.status AND eff_published = OLD.eff_published;
    INSERT INTO count_status (status, eff_published, n) VALUES (NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER articles_count_category AFTER UPDATE OF category, status, published, edit_published ON articles
WHEN OLD.category IS NOT NEW.category OR OLD.status IS NOT NEW.status OR OLD.eff_published IS NOT NEW.eff_published
BEGIN
    UPDATE count_category SET n = n - 1
        WHERE category = OLD.category AND status = OLD.status AND eff_published = OLD.eff_published;
    INSERT INTO count_category (category, status, eff_published, n)
        VALUES (NEW.category, NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER articles_count_provider AFTER UPDATE OF provider_name, status, published, edit_published ON articles
WHEN OLD.provider_name IS NOT NEW.provider_name OR OLD.status IS NOT NEW.status OR OLD.eff_published IS NOT NEW.eff_published
BEGIN
    UPDATE count_provider SET n = n - 1
        WHERE provider_name = OLD.provider_name AND status = OLD.status AND eff_published = OLD.eff_published;
    INSERT INTO count_provider (provider_name, status, eff_published, n)
        VALUES (NEW.provider_name, NEW.status, NEW.eff_published, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A status or published change moves every topic of the article.
CREATE TRIGGER articles_count_topics AFTER UPDATE OF status, published, edit_published ON articles
WHEN OLD.status IS NOT NEW.status OR OLD.eff_published IS NOT NEW.eff_published
BEGIN
    UPDATE count_topic SET n = n - 1
        WHERE status = OLD.status AND eff_published = OLD.eff_published
          AND topic_id IN (SELECT topic_id FROM article_topics WHERE article_id = OLD.id);
    INSERT INTO count_topic (topic_id, status, eff_published, n)
        SELECT topic_id, NEW.status, NEW.eff_published, 1 FROM article_topics WHERE article_id = NEW.id
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER article_topics_count_insert AFTER INSERT ON article_topics BEGIN
    INSERT INTO count_topic (topic_id, status, eff_published, n)
        SELECT NEW.topic_id, status, eff_published, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER article_topics_count_delete AFTER DELETE ON article_topics BEGIN
    UPDATE count_topic SET n = n - 1
        WHERE topic_id = OLD.topic_id
          AND (status, eff_published) = (SELECT status, eff_published FROM articles WHERE id = OLD.article_id);
END;

-- A topic merge may repoint rows to another topic.
CREATE TRIGGER article_topics_count_update AFTER UPDATE OF article_id, topic_id ON article_topics
WHEN OLD.article_id IS NOT NEW.article_id OR OLD.topic_id IS NOT NEW.topic_id
BEGIN
    UPDATE count_topic SET n = n - 1
        WHERE topic_id = OLD.topic_id
          AND (status, eff_published) = (SELECT status, eff_published FROM articles WHERE id = OLD.article_id);
    INSERT INTO count_topic (topic_id, status, eff_published, n)
        SELECT NEW.topic_id, status, eff_published, 1 FROM articles WHERE id = NEW.article_id
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
