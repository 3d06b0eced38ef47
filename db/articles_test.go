package db

import (
	"context"
	"slices"
	"testing"
)

func TestUpdateTopicsSyncsTopicTables(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := genArticle(1)
	mustImport(t, s, a)
	r := mustGetByKey(t, s, a.Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: 1, Actor: "alice", Topics: []string{"Zebras", "ai", "AI"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, err := s.r.Query(`SELECT t.name FROM article_topics at JOIN topics t ON t.id = at.topic_id
		WHERE at.article_id = ? ORDER BY at.position`, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	// "ai" and "AI" are one topic; it keeps its first spelling ever seen.
	if !slices.Equal(names, []string{"Zebras", "AI"}) && !slices.Equal(names, []string{"Zebras", "ai"}) {
		t.Errorf("article_topics = %v", names)
	}
}
