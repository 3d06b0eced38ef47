package db

import (
	"context"
	"testing"
	"time"
)

// BenchmarkDashboard100k times one Store.Dashboard (what GET /dashboard
// asks of the store) on 100,000 articles, 60,000 of them decided by 12
// editors over 90 days (40,000 approved, 20,000 rejected) (one audit row each, written in SQL as a bulk
// action does, so the triggers count them), and prints ms per dashboard.
//
//	go test -run '^$' -bench Dashboard100k -benchtime 200x ./db
func BenchmarkDashboard100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	s := newStore(b)
	arts := genArticles(n)
	for lo := 0; lo < n; lo += 5000 {
		mustImport(b, s, arts[lo:min(lo+5000, n)]...)
	}
	now := time.Now()
	for i := range 12 {
		if _, err := s.CreateUser(ctx, "editor"+string(rune('a'+i)), "hash", RoleEditor); err != nil {
			b.Fatal(err)
		}
	}
	// Article id i is decided on day i % 90 before today by user i % 12 + 1:
	// approved when i % 5 is 0 or 1, rejected when 4.
	for _, q := range []string{
		`INSERT INTO audit (article_id, user_id, actor, at, field, old_value, new_value, version)
			SELECT a.id, u.id, u.username, ? - (a.id % 90) * 86400000, 'status', 'pending',
				CASE WHEN a.id % 5 < 3 THEN 'approved' ELSE 'rejected' END, a.version + 1
			FROM articles a JOIN users u ON u.id = a.id % 12 + 1 WHERE a.id % 5 < 2 OR a.id % 5 = 4`,
		`UPDATE articles SET status = CASE WHEN id % 5 < 3 THEN 'approved' ELSE 'rejected' END,
			version = version + 1 WHERE id % 5 < 2 OR id % 5 = 4`,
	} {
		if _, err := s.w.ExecContext(ctx, q, now.UnixMilli()); err != nil {
			b.Fatal(err)
		}
	}
	d, err := s.Dashboard(ctx, DashboardQuery{})
	if err != nil {
		b.Fatal(err)
	}
	if len(d.Editors) != 12 || d.Oldest == nil || d.Statuses["approved"] != 40_000 {
		b.Fatalf("the fixture is not what it claims: %d editors, oldest %v, statuses %v", len(d.Editors), d.Oldest, d.Statuses)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.Dashboard(ctx, DashboardQuery{}); err != nil {
			b.Fatal(err)
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/dashboard")
	b.Logf("dashboard at %d articles: %.3f ms", n, ms)
}
