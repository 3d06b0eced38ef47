package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
)

// openBulk opens a fresh migrated store (see pgtest.URL), closed when tb
// ends.
func openBulk(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), pgtest.URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// benchArticles imports n generated articles, 500 an Import call.
func benchArticles(tb testing.TB, s *postgres.Store, n int) {
	tb.Helper()
	topics := []string{"AI", "Climate", "Space", "Energy", "Privacy", "Robotics", "Vaccines"}
	for lo := 0; lo < n; lo += 500 {
		var batch []*article.Article
		for i := lo; i < min(lo+500, n); i++ {
			raw := fmt.Sprintf("---\ncategory: news\ntitle: \"Bench article number %d\"\nexcerpt: \"A study of %s finds %d things.\"\n"+
				"publishedDateTime: %s\nquality: %d\nheat: %d\npublished: %t\nprovider:\n  name: Reuters\n  domain: reuters.com\n"+
				"topics:\n  - %s\n  - %s\n---\n",
				i, topics[i%len(topics)], i, time.Date(2022, 11, 2, 8, 30, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC3339),
				i%101, i%97, i%3 == 0, topics[i%len(topics)], topics[(i+3)%len(topics)])
			a, err := article.Parse(fmt.Sprintf("bench_%06d.md", i), []byte(raw))
			if err != nil {
				tb.Fatal(err)
			}
			batch = append(batch, a)
		}
		if _, err := s.Import(context.Background(), batch); err != nil {
			tb.Fatal(err)
		}
	}
}

// A snapshot can be confirmed for db.SnapshotTTL; after that Snapshot
// and BulkApply refuse it, and the next snapshot removes it, items
// included. The conformance suite cannot age a snapshot (package db has
// the same test for SQLite, with its clock moved); here its created_at
// is moved back.
func TestSnapshotExpiry(t *testing.T) {
	ctx := context.Background()
	s := openBulk(t)
	benchArticles(t, s, 3)
	snap, err := s.SnapshotQuery(ctx, db.ListQuery{}, 0, "")
	if err != nil || snap.Count != 3 {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	age := func(d time.Duration) {
		t.Helper()
		if _, err := s.Pool().Exec(ctx, `UPDATE bulk_snapshots SET created_at = created_at - $1`, d.Milliseconds()); err != nil {
			t.Fatal(err)
		}
	}
	age(db.SnapshotTTL - time.Minute)
	if _, err := s.Snapshot(ctx, snap.ID, 0); err != nil {
		t.Errorf("a snapshot within its hour: %v", err)
	}
	age(2 * time.Minute)
	if _, err := s.Snapshot(ctx, snap.ID, 0); !errors.Is(err, db.ErrSnapshotExpired) {
		t.Errorf("an old snapshot: %v", err)
	}
	approve := func(*db.Record) (db.Edit, error) { st := article.StatusApproved; return db.Edit{Status: &st}, nil }
	if _, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: "approve", Actor: "alice"}, approve); !errors.Is(err, db.ErrSnapshotExpired) {
		t.Errorf("bulk on an old snapshot: %v", err)
	}
	if _, err := s.SnapshotTopic(ctx, "no such topic", 0, ""); err != nil {
		t.Fatal(err)
	}
	var snaps, items int
	if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM bulk_snapshots), (SELECT count(*) FROM bulk_snapshot_items)`).Scan(&snaps, &items); err != nil {
		t.Fatal(err)
	}
	if snaps != 0 || items != 0 {
		t.Errorf("%d snapshots and %d items of expired snapshots remain", snaps, items)
	}
}

// BenchmarkBulkApprove50k approves (and, every other round, rejects) all
// of 50,000 generated articles on PostgreSQL, as db's benchmark of the
// same name does on SQLite: a snapshot of "all matching", then one batch
// of the 50,000, audited article by article. It prints articles/s of the
// batch and the snapshot's time. Building the store takes a minute or so.
//
//	NEWSDESK_TEST_POSTGRES=postgres://... go test ./db/postgres -run '^$' -bench BulkApprove50k -benchtime 3x
func BenchmarkBulkApprove50k(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	s := openBulk(b)
	benchArticles(b, s, n)
	var snapping, applying time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := article.StatusApproved
		if i%2 == 1 {
			st = article.StatusRejected
		}
		start := time.Now()
		snap, err := s.SnapshotQuery(ctx, db.ListQuery{}, 0, "")
		if err != nil || snap.Count != n {
			b.Fatalf("snapshot %+v, %v", snap, err)
		}
		taken := time.Now()
		out, err := s.BulkApply(ctx, snap.ID, db.Batch{Kind: string(st), Actor: "bench"}, func(*db.Record) (db.Edit, error) {
			return db.Edit{Status: &st}, nil
		})
		if err != nil || out.Changed != n {
			b.Fatalf("bulk %+v, %v", out, err)
		}
		snapping += taken.Sub(start)
		applying += time.Since(taken)
	}
	b.ReportMetric(float64(n*b.N)/applying.Seconds(), "articles/s")
	b.ReportMetric(snapping.Seconds()*1000/float64(b.N), "snapshot-ms")
	b.ReportMetric(applying.Seconds()*1000/float64(b.N), "bulk-ms")
}
