package db

import (
	"context"
	"database/sql"
	"testing"
)

// TestRefoldTopicsMergesLookAlikes: a database from before 0010 could
// hold "Genève" twice, once typed with a combining accent (NFD, as macOS
// writes it) under its own unnormalised key. The migration's Go step
// merges them into the first, keeps one link for an article that had
// both, and leaves the counters exact.
func TestRefoldTopicsMergesLookAlikes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	arts := genArticles(3)
	for _, a := range arts {
		a.Topics = []string{"Genève", "Other"}
	}
	mustImport(t, s, arts...)
	ids := make([]int64, len(arts))
	for i, a := range arts {
		ids[i] = mustGetByKey(t, s, a.Key).ID
	}
	// The state an older newsdesk left: a second topic, NFD, under its own
	// key, on the second article, and on the third beside the NFC one.
	nfd := "Gene\u0300ve"
	execTx(t, s, `INSERT INTO topics (name, fold) VALUES ('`+nfd+`', lower('`+nfd+`'))`)
	var old int64
	if err := s.r.QueryRowContext(ctx, `SELECT id FROM topics WHERE name = ?`, nfd).Scan(&old); err != nil {
		t.Fatal(err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE article_topics SET topic_id = ? WHERE article_id = ? AND topic_id = (SELECT id FROM topics WHERE name = 'Genève')`, old, ids[1]); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO article_topics (article_id, topic_id, position) VALUES (?, ?, 5)`, ids[2], old)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, s, "topics"); got != 3 {
		t.Fatalf("before: %d topics, want 3 (two look-alikes and Other)", got)
	}

	if err := s.inTx(ctx, func(tx *sql.Tx) error { return refoldTopics(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, s, "topics"); got != 2 {
		t.Errorf("after: %d topics, want 2", got)
	}
	var n, links int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM article_topics WHERE topic_id = ?`, old).Scan(&n); err != nil || n != 0 {
		t.Errorf("links to the merged topic: %d, %v", n, err)
	}
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM article_topics at JOIN topics t ON t.id = at.topic_id WHERE t.fold = 'genève'`).Scan(&links); err != nil || links != 3 {
		t.Errorf("articles with Genève: %d, want 3 (one each), %v", links, err)
	}
	problems, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("check after the merge: %v", p)
	}
	if name, err := s.CanonicalTopic(ctx, "GENE\u0300VE"); err != nil || name != "Genève" {
		t.Errorf("CanonicalTopic of the NFD spelling: %q, %v", name, err)
	}
}
