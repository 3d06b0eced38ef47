package transfer_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/bench/gen"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/db/postgres"
	"github.com/newsdesk/newsdesk/db/postgres/pgtest"
	"github.com/newsdesk/newsdesk/db/transfer"
	"github.com/newsdesk/newsdesk/review"
)

// A small batch, so a few hundred articles take many batches.
const testBatch = 64

func newSQLite(t *testing.T, name string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newPostgres(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill gives s a newsroom of n generated articles and what editors leave:
// two users (one logged in, one with a raised session epoch), the session
// keys, single edits (quality, topics, a new topic, status, note), a bulk
// approval and its undo (batches that refer to each other), a second bulk
// action, and a snapshot never used.
func fill(t *testing.T, s db.Database, n int) {
	t.Helper()
	ctx := context.Background()
	g := gen.New(gen.Options{Seed: 7, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	var arts []*article.Article
	for i := range n {
		name, data := g.Article(i)
		a, err := article.Parse(name, bytes.Clone(data))
		if err != nil {
			t.Fatalf("article %d: %v", i, err)
		}
		arts = append(arts, a)
		if len(arts) == 100 || i == n-1 {
			if _, err := s.Import(ctx, arts); err != nil {
				t.Fatal(err)
			}
			arts = nil
		}
	}
	alice, err := s.CreateUser(ctx, "alice", "$argon2id$alice", db.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.CreateUser(ctx, "Bob", "$argon2id$bob", db.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordLogin(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.BumpSessionEpoch(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	approved, rejected := article.StatusApproved, article.StatusRejected
	for id := int64(1); id <= int64(n); id += 7 {
		rec, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		q, note, pub := int(id%101), fmt.Sprintf("note %d", id), id%2 == 0
		e := db.Edit{Version: rec.Version, Quality: &q, Note: &note, Published: &pub, Status: &approved,
			ActorID: alice.ID, Actor: "alice"}
		if id%3 == 0 {
			e.Status, e.ActorID, e.Actor = &rejected, bob.ID, "Bob"
			e.SetTopics, e.Topics = true, []string{"Copy Topic", fmt.Sprintf("Topic %d", id%5)}
		}
		if _, err := s.Update(ctx, id, e); err != nil {
			t.Fatalf("update %d: %v", id, err)
		}
	}
	svc := review.New(s)
	bulk := func(a review.BulkAction, q db.ListQuery) review.BatchOutcome {
		snap, err := svc.SnapshotQuery(ctx, q, a, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		out, err := svc.Bulk(ctx, snap.ID, a, alice.ID, "alice", nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	some, err := s.Get(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	out := bulk(review.BulkAction{Kind: review.BulkApprove}, db.ListQuery{Status: article.StatusPending, Category: some.Article.Category})
	if _, err := svc.UndoBatch(ctx, out.BatchID, alice.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	bulk(review.BulkAction{Kind: review.BulkAddTopic, Topic: "Bulk Topic"}, db.ListQuery{Status: article.StatusRejected})
	if _, err := svc.SnapshotQuery(ctx, db.ListQuery{}, review.BulkAction{Kind: review.BulkReject}, bob.ID); err != nil {
		t.Fatal(err)
	}
}

// exported is every article of s as export writes it: file name -> bytes.
func exported(t *testing.T, s db.Database) map[string][]byte {
	t.Helper()
	w := &collect{files: map[string][]byte{}}
	rep, err := review.New(s).Export(context.Background(), db.ListQuery{}, w)
	if err != nil {
		t.Fatalf("export: %v (%v)", err, rep.Skipped)
	}
	return w.files
}

type collect struct{ files map[string][]byte }

func (c *collect) Add(name string, data []byte) error {
	c.files[name] = bytes.Clone(data)
	return nil
}

func (c *collect) Close([]review.Skipped) error { return nil }

func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files exported, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || !bytes.Equal(g, w) {
			t.Errorf("%s: %s differs from the source's export", what, name)
		}
	}
}

func copyOrFail(t *testing.T, from, to transfer.Side, source string) *transfer.Report {
	t.Helper()
	rep, err := transfer.Copy(context.Background(), from, to, transfer.Options{Source: source, Batch: testBatch})
	var ve *transfer.VerifyError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			t.Log(p)
		}
	}
	if err != nil {
		t.Fatalf("copy from %s: %v", source, err)
	}
	return rep
}

// TestCopyRoundTrip copies a newsroom from SQLite to PostgreSQL and from
// there to a new SQLite file: every article exports byte-identical from
// each copy, and users, sessions, history, batches and the dashboard's
// counts come along; new rows get ids past the copied ones.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newSQLite(t, "src.db")
	fill(t, src, 300)
	pg := newPostgres(t)
	back := newSQLite(t, "back.db")

	rep := copyOrFail(t, src, pg, "src.db")
	if rep.Resumed || rep.Articles != 300 {
		t.Errorf("report: resumed %t, %d articles; want a fresh copy of 300", rep.Resumed, rep.Articles)
	}
	for _, tc := range rep.Tables {
		if tc.Copied != tc.Rows {
			t.Errorf("%s: copied %d of %d rows", tc.Name, tc.Copied, tc.Rows)
		}
	}
	copyOrFail(t, pg, back, "postgres")

	want := exported(t, src)
	if len(want) != 300 {
		t.Fatalf("source exports %d files, want 300", len(want))
	}
	sameFiles(t, "PostgreSQL", want, exported(t, pg))
	sameFiles(t, "SQLite again", want, exported(t, back))

	for _, s := range []db.Database{pg, back} {
		wantUsers, _ := src.Users(ctx)
		gotUsers, err := s.Users(ctx)
		if err != nil || fmt.Sprint(gotUsers) != fmt.Sprint(wantUsers) {
			t.Errorf("users: got %v (%v), want %v", gotUsers, err, wantUsers)
		}
		h1, b1, _ := src.SessionKeys(ctx)
		h2, b2, err := s.SessionKeys(ctx)
		if err != nil || !bytes.Equal(h1, h2) || !bytes.Equal(b1, b2) {
			t.Errorf("session keys differ after the copy (%v): sessions would end", err)
		}
		for _, id := range []int64{1, 8, 22} {
			wh, _ := src.History(ctx, id)
			gh, err := s.History(ctx, id)
			if err != nil || fmt.Sprint(gh) != fmt.Sprint(wh) {
				t.Errorf("history of %d: got %v (%v), want %v", id, gh, err, wh)
			}
		}
		wb, _ := src.Batches(ctx, 10)
		gb, err := s.Batches(ctx, 10)
		if err != nil || fmt.Sprint(gb) != fmt.Sprint(wb) {
			t.Errorf("batches: got %v (%v), want %v", gb, err, wb)
		}
		wt, _ := src.Topics(ctx)
		gt, err := s.Topics(ctx)
		if err != nil || fmt.Sprint(gt) != fmt.Sprint(wt) {
			t.Errorf("topics: got %v (%v), want %v", gt, err, wt)
		}
		// The search index was rebuilt: a search finds the same articles.
		rec, err := src.Get(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		word := strings.Fields(rec.Article.Title)[0]
		if got, want := searchIDs(t, s, word), searchIDs(t, src, word); fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
			t.Errorf("search %q finds %v, the source finds %v", word, got, want)
		}
		// The copy checks clean: search index, counts, content hashes.
		if ps, err := s.Check(ctx); err != nil || len(ps) > 0 {
			t.Errorf("check of the copy: %v %v", ps, err)
		}
		// New rows take ids after the copied ones, and snapshot ids used
		// and deleted in the source are not handed out again.
		high, err := src.CopyHighWater(ctx, "bulk_snapshots")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := src.CopyCount(ctx, "bulk_snapshots"); n >= high {
			t.Fatalf("the fixture has %d snapshots up to id %d: none was used", n, high)
		}
		snap, err := s.SnapshotQuery(ctx, db.ListQuery{}, 1, `{"kind":"approve"}`)
		if err != nil || snap.ID != high+1 {
			t.Errorf("a new snapshot after the copy: %+v, %v; want id %d", snap, err, high+1)
		}
		u, err := s.CreateUser(ctx, "carol", "$argon2id$carol", db.RoleEditor)
		if err != nil || u.ID != 3 {
			t.Errorf("a new user after the copy: %v, %v; want id 3", u, err)
		}
		name, data := gen.New(gen.Options{Seed: 8}).Article(0)
		a, err := article.Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Import(ctx, []*article.Article{a})
		if err != nil {
			t.Fatalf("import after the copy: %v", err)
		}
		if rec, err := s.GetByKey(ctx, a.Key); err != nil || rec.ID != 301 {
			t.Errorf("a new article after the copy: %v, %v (%v); want id 301", rec, err, out)
		}
	}
}

// searchIDs are the ids of the articles a search for text finds, at most
// 200.
func searchIDs(t *testing.T, s db.Database, text string) []int64 {
	t.Helper()
	page, err := s.List(context.Background(), db.ListQuery{Text: text, Limit: 200})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	var ids []int64
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// TestCopyResumes interrupts a copy after a few batches (as a kill would:
// the batch in flight is rolled back) and runs it again: it resumes where
// the target stops, copies only the rest, and verifies. Both directions.
func TestCopyResumes(t *testing.T) {
	t.Run("SQLite to PostgreSQL", func(t *testing.T) {
		src := newSQLite(t, "src.db")
		fill(t, src, 200)
		testResume(t, src, newPostgres(t), newSQLite(t, "other.db"))
	})
	t.Run("PostgreSQL to SQLite", func(t *testing.T) {
		src := newPostgres(t)
		fill(t, src, 200)
		testResume(t, src, newSQLite(t, "dst.db"), newPostgres(t))
	})
}

// sideStore is a store as the tests use it: a copy's side and a database.
type sideStore interface {
	transfer.Side
	db.Database
}

func testResume(t *testing.T, src, dst, other sideStore) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := 0
	_, err := transfer.Copy(ctx, src, dst, transfer.Options{Source: "src", Batch: testBatch,
		Progress: func(table string, done, total int64) {
			if table == "articles" && done > 0 {
				if batches++; batches == 2 {
					cancel()
				}
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted copy: %v, want context.Canceled", err)
	}
	n, err := dst.CopyCount(context.Background(), "articles")
	if err != nil || n == 0 || n >= 200 || n%testBatch != 0 {
		t.Fatalf("after the interruption the target holds %d articles (%v): want whole batches, not all", n, err)
	}

	// Another source is refused: the target holds this one's copy.
	var ne *transfer.NotEmptyError
	if _, err := transfer.Copy(context.Background(), other, dst, transfer.Options{Source: "other"}); !errors.As(err, &ne) ||
		!strings.Contains(err.Error(), "interrupted copy of src") {
		t.Errorf("copy of another source into a half-copied target: %v, want a refusal naming src", err)
	}

	rep := copyOrFail(t, src, dst, "src")
	if !rep.Resumed {
		t.Error("the second run did not say it resumed")
	}
	for _, tc := range rep.Tables {
		if tc.Name == "articles" && tc.Copied != 200-n {
			t.Errorf("the second run copied %d articles, want the %d left", tc.Copied, 200-n)
		}
		if tc.Name == "users" && tc.Copied != 0 {
			t.Errorf("the second run copied %d users, want none (the first run had)", tc.Copied)
		}
	}
	sameFiles(t, "resumed copy", exported(t, src), exported(t, dst))

	// A finished copy run again copies nothing and verifies again.
	rep = copyOrFail(t, src, dst, "src")
	if !rep.Finished {
		t.Error("a copy run after it finished did not say so")
	}
	for _, tc := range rep.Tables {
		if tc.Copied != 0 {
			t.Errorf("a copy run after it finished copied %d rows of %s", tc.Copied, tc.Name)
		}
	}
}

// TestCopyRefusesNonEmptyTarget: a target holding a newsroom (here just a
// user) is not written to, in either direction.
func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	src := newSQLite(t, "src.db")
	fill(t, src, 20)
	pg := newPostgres(t)
	if _, err := pg.CreateUser(ctx, "someone", "$argon2id$x", db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	// Its own session keys do not make it non-empty.
	if _, _, err := pg.SessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	var ne *transfer.NotEmptyError
	_, err := transfer.Copy(ctx, src, pg, transfer.Options{Source: "src.db"})
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "1 users") {
		t.Fatalf("copy into a target with a user: %v, want a refusal saying it holds 1 users", err)
	}
	if n, _ := pg.CopyCount(ctx, "articles"); n != 0 {
		t.Errorf("the refused copy wrote %d articles", n)
	}

	_, err = transfer.Copy(ctx, pg, src, transfer.Options{Source: "pg"})
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "20 articles") {
		t.Fatalf("copy into a full SQLite store: %v, want a refusal saying it holds 20 articles", err)
	}

	// An empty target that has its own session keys takes the source's.
	empty := newPostgres(t)
	if _, _, err := empty.SessionKeys(ctx); err != nil {
		t.Fatal(err)
	}
	copyOrFail(t, src, empty, "src.db")
}

// TestCopyVerifyNamesCorruptArticle: an article whose stored bytes no
// longer match its content hash in the source is copied as it is, and the
// verification fails naming it.
func TestCopyVerifyNamesCorruptArticle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "src.db")
	src, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, src, 30)
	src.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE article_content SET raw = CAST(raw || x'0a' AS BLOB) WHERE article_id = 17`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	src, err = db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	_, err = transfer.Copy(ctx, src, newPostgres(t), transfer.Options{Source: path, Batch: testBatch})
	var ve *transfer.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("copy of a corrupt source: %v, want a VerifyError", err)
	}
	if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].String(), "id 17:") {
		t.Errorf("problems %v, want one naming id 17", ve.Problems)
	}
}

// TestCopyVerifyFindsDifferences: rows missing, extra or changed on the target
// are named by table and key, and a counter table off by one is reported.
func TestCopyVerifyFindsDifferences(t *testing.T) {
	ctx := context.Background()
	src := newSQLite(t, "src.db")
	fill(t, src, 40)
	pg := newPostgres(t)
	copyOrFail(t, src, pg, "src.db")
	for _, q := range []string{
		`UPDATE articles SET note = 'changed' WHERE id = 3`,
		`DELETE FROM audit WHERE id = (SELECT min(id) FROM audit)`,
		`UPDATE count_status SET n = n + 1 WHERE status = 'pending' AND eff_published = 0`,
	} {
		if _, err := pg.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := transfer.Verify(ctx, src, pg, testBatch)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	for _, want := range []string{"articles: id 3: differs in note", "audit: id 1: missing on the target", "count_status: status pending, published false: the counter says"} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("verify found %q, want a problem containing %q", got, want)
		}
	}
}
