-- 0010: a topic's identity (topics.fold) is article.TopicKey: trimmed, in
-- Unicode NFC, lower-cased. Before, it was not normalised, so "Genève"
-- typed with a combining accent (as macOS writes it) and "Genève" were two
-- topics that look the same. The Go step of this migration (refoldTopics,
-- db/topic_refold.go) recomputes every key and merges topics whose keys
-- now meet, in the same transaction; the counter triggers of 0004 move
-- their counts.
SELECT 1;
