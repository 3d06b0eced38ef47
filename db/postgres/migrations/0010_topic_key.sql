-- 0010 (PostgreSQL): mirrors db/migrations/0010_topic_key.sql, which has
-- no schema change. There a topic's identity (topics.fold) becomes
-- article.TopicKey (trimmed, Unicode NFC, lower-cased), and a Go step
-- (refoldTopics, db/topic_refold.go) recomputes every key and merges the
-- topics whose keys meet. A PostgreSQL store never held a topic under the
-- old key (it starts empty at the latest version and writes TopicKey from
-- the first topic), so there is nothing to recompute: this migration only
-- takes its number.
SELECT 1;
