package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/newsdesk/newsdesk/article"
)

// refoldTopics is the Go step of 0010_topic_key.sql: it gives every topic
// its key as article.TopicKey makes it and merges into the first topic
// (lowest id) any later one whose key is now the same. A merge repoints
// the later topic's articles (an article that had both keeps one) and
// deletes it; the article_topics triggers move the counts. Articles'
// own topic lists (topics, edit_topics) are left as they are: their
// spelling is the file's or the editor's, and exports write it unchanged.
func refoldTopics(ctx context.Context, tx *sql.Tx) error {
	type topic struct {
		id         int64
		name, fold string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, fold FROM topics ORDER BY id`)
	if err != nil {
		return err
	}
	var all []topic
	for rows.Next() {
		var t topic
		if err := rows.Scan(&t.id, &t.name, &t.fold); err != nil {
			rows.Close()
			return err
		}
		all = append(all, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	first := map[string]int64{} // new key -> the topic that keeps it
	for _, t := range all {
		key := article.TopicKey(t.name)
		keep, seen := first[key]
		if !seen {
			first[key] = t.id
			if key != t.fold {
				// A temporary key first: another topic may hold this one
				// until it is itself refolded or merged.
				if _, err := tx.ExecContext(ctx, `UPDATE topics SET fold = ? WHERE id = ?`, fmt.Sprintf("\x00refold %d", t.id), t.id); err != nil {
					return err
				}
			}
			continue
		}
		if err := mergeTopic(ctx, tx, t.id, keep); err != nil {
			return fmt.Errorf("merge topic %q into %d: %w", t.name, keep, err)
		}
	}
	for key, id := range first {
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET fold = ? WHERE id = ?`, key, id); err != nil {
			return err
		}
	}
	return nil
}

// mergeTopic moves the articles of topic from to topic into and deletes
// from.
func mergeTopic(ctx context.Context, tx *sql.Tx, from, into int64) error {
	steps := []struct {
		query string
		args  []any
	}{
		{`DELETE FROM article_topics WHERE topic_id = ?
			AND article_id IN (SELECT article_id FROM article_topics WHERE topic_id = ?)`, []any{from, into}},
		{`UPDATE article_topics SET topic_id = ? WHERE topic_id = ?`, []any{into, from}},
		{`DELETE FROM count_topic WHERE topic_id = ?`, []any{from}},
		{`DELETE FROM topics WHERE id = ?`, []any{from}},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return err
		}
	}
	return nil
}
