package db

import (
	"context"
	"testing"
)

func TestFacets(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, b, c := genArticle(1), genArticle(2), genArticle(3)
	a.Topics, b.Topics, c.Topics = []string{"AI", "Space"}, []string{"ai", "Climate"}, []string{"Space", "AI"}
	a.Category, b.Category, c.Category = "tech", "tech", "news"
	a.Provider.Name, b.Provider.Name, c.Provider.Name = "Reuters", "BBC", "Reuters"
	a.Raw, b.Raw, c.Raw = renderRaw(a), renderRaw(b), renderRaw(c)
	mustImport(t, s, a, b, c)

	r := mustGetByKey(t, s, c.Key)
	if _, err := s.Update(ctx, r.ID, Edit{Version: r.Version, Actor: "alice", Topics: []string{"Climate"}, SetTopics: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		get  func(context.Context) ([]Facet, error)
		want []Facet
	}{
		// Effective topics: c's editor topics replace its upstream ones;
		// "ai" counts as "AI", the first spelling.
		{"topics", s.Topics, []Facet{{"AI", 2}, {"Climate", 2}, {"Space", 1}}},
		{"categories", s.Categories, []Facet{{"tech", 2}, {"news", 1}}},
		{"providers", s.Providers, []Facet{{"Reuters", 2}, {"BBC", 1}}},
	}
	for _, tt := range tests {
		got, err := tt.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}

	for in, want := range map[string]string{"ai": "AI", "SPACE": "Space", "climate": "Climate", "Brand New": "Brand New"} {
		got, err := s.CanonicalTopic(ctx, in)
		if err != nil || got != want {
			t.Errorf("CanonicalTopic(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
