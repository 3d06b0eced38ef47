package storetest

import (
	"cmp"
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
)

// dayLen is a UTC day.
const dayLen = 24 * time.Hour

func init() {
	add("Dashboard/Numbers", dashboardNumbers)
	add("Dashboard/AgreesWithTheArticles", dashboardAgrees)
	add("Dashboard/Empty", dashboardEmpty)
}

// dashboardEdit saves e on article id at its current version as u.
func dashboardEdit(t *testing.T, s db.Database, id int64, u *db.User, e db.Edit) {
	t.Helper()
	ctx := context.Background()
	r, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	e.Version, e.ActorID, e.Actor = r.Version, u.ID, u.Username
	if _, err := s.Update(ctx, id, e); err != nil {
		t.Fatal(err)
	}
}

func dashboardStatus(st article.Status) db.Edit { return db.Edit{Status: &st} }

// dashboardSum adds up the days' reviews.
func dashboardSum(d *db.Dashboard) db.Reviews {
	var sum db.Reviews
	for _, day := range d.Days {
		sum.Approved += day.Approved
		sum.Rejected += day.Rejected
		sum.Reopened += day.Reopened
	}
	return sum
}

// The numbers a reader sees in a small, known case: days, buckets, the
// editors, the oldest pending article. Every save is today, so the day
// series holds them all (summed, so a run across midnight holds too).
func dashboardNumbers(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 12)
	ann := usersCreate(t, s, "ann", db.RoleEditor)
	dashboardEdit(t, s, recs[0].ID, ann, dashboardStatus(article.StatusApproved))
	dashboardEdit(t, s, recs[1].ID, ann, dashboardStatus(article.StatusRejected))
	dashboardEdit(t, s, recs[2].ID, ann, dashboardStatus(article.StatusApproved))
	dashboardEdit(t, s, recs[4].ID, ann, dashboardStatus(article.StatusApproved))
	dashboardEdit(t, s, recs[4].ID, ann, dashboardStatus(article.StatusPending)) // undone

	d, err := s.Dashboard(ctx, db.DashboardQuery{Days: 7, TopTopics: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Days) != 7 || !d.Days[6].Day.Equal(d.Now.Truncate(dayLen)) || d.Days[6].Day.Location().String() != "UTC" {
		t.Fatalf("days %v, want 7 ending on %v", d.Days, d.Now)
	}
	for i := 1; i < 7; i++ {
		if d.Days[i].Day.Sub(d.Days[i-1].Day) != dayLen {
			t.Errorf("days %v are not consecutive", d.Days)
		}
	}
	all := db.Reviews{Approved: 3, Rejected: 1, Reopened: 1}
	if got := dashboardSum(d); got != all {
		t.Errorf("reviews of the days %+v, want %+v", got, all)
	}
	if want := map[article.Status]int{"pending": 9, "approved": 2, "rejected": 1}; !maps.Equal(d.Statuses, want) {
		t.Errorf("statuses %v, want %v", d.Statuses, want)
	}
	// seedFile: quality (i*53)%101, none when i%11 == 10.
	want := map[int]int{}
	for i := range 12 {
		b := db.QualityNone
		if i%11 != 10 {
			b = min((i*53)%101/10, 9)
		}
		want[b]++
	}
	if len(d.Quality) != 11 {
		t.Fatalf("%d quality buckets, want 11", len(d.Quality))
	}
	for i, b := range d.Quality {
		if b.Bucket != i-1 || b.N != want[b.Bucket] {
			t.Errorf("quality bucket %d: %+v, want %d", i, b, want[b.Bucket])
		}
	}
	if len(d.Topics) != 3 {
		t.Errorf("topics %v, want the top 3", d.Topics)
	}
	if len(d.Editors) != 1 || d.Editors[0].Name != "ann" || d.Editors[0].UserID != ann.ID ||
		d.Editors[0].All != all || d.Editors[0].Period != all {
		t.Errorf("editors %+v", d.Editors)
	}
	if d.Oldest == nil || d.Oldest.ID != recs[3].ID || d.Oldest.Title != recs[3].Article.Title {
		t.Errorf("oldest pending %+v, want article 3 (0-2 are decided)", d.Oldest)
	}
	byUser, err := s.ReviewsByUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(byUser) != 1 || byUser[ann.ID] != all {
		t.Errorf("ReviewsByUser = %v", byUser)
	}
	for _, q := range []db.DashboardQuery{{Days: -1}, {Days: db.MaxDashboardDays + 1}, {TopTopics: -1}} {
		if _, err := s.Dashboard(ctx, q); err == nil {
			t.Errorf("Dashboard(%+v) succeeded", q)
		}
	}
	if d, err := s.Dashboard(ctx, db.DashboardQuery{}); err != nil || len(d.Days) != 30 || len(d.Topics) != 10 {
		t.Errorf("default dashboard: %d days, %d topics, %v; want 30, 10", len(d.Days), len(d.Topics), err)
	}
}

// dashboardFresh computes the statuses, quality buckets and top topics
// from the articles themselves (Get), without the counter tables.
func dashboardFresh(t *testing.T, s db.Database, ids []int64, top int) (map[article.Status]int, []db.QualityBucket, []db.Facet) {
	t.Helper()
	statuses := map[article.Status]int{}
	for _, st := range article.Statuses {
		statuses[st] = 0
	}
	quality := make([]db.QualityBucket, 11)
	for i := range quality {
		quality[i].Bucket = i - 1
	}
	topics := map[string]int{}
	for _, id := range ids {
		r, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		statuses[r.Status]++
		b := db.QualityNone
		if r.HasQuality {
			b = min(r.Quality/10, 9)
		}
		quality[b+1].N++
		for _, tp := range r.Topics {
			topics[tp]++
		}
	}
	var facets []db.Facet
	for name, n := range topics {
		facets = append(facets, db.Facet{Name: name, Count: n})
	}
	// Most used first, then by name ignoring ASCII case (SQLite's NOCASE).
	slices.SortFunc(facets, func(a, b db.Facet) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(asciiLower(a.Name), asciiLower(b.Name)))
	})
	return statuses, quality, facets[:min(top, len(facets))]
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// After imports and saves by two editors (statuses, quality across
// buckets, cleared quality, topics), the dashboard equals a count of the
// articles, and the editors' reviews what they did.
func dashboardAgrees(t *testing.T, s db.Database) {
	ctx := context.Background()
	recs := seed(t, s, 60)
	alice := usersCreate(t, s, "alice", db.RoleEditor)
	bob := usersCreate(t, s, "Bob", db.RoleAdmin)
	q := func(n int) *int { return &n }
	for i := 0; i < 20; i += 2 {
		dashboardEdit(t, s, recs[i].ID, alice, dashboardStatus(article.StatusApproved))
	}
	dashboardEdit(t, s, recs[1].ID, bob, dashboardStatus(article.StatusRejected))
	dashboardEdit(t, s, recs[3].ID, bob, dashboardStatus(article.StatusRejected))
	dashboardEdit(t, s, recs[0].ID, alice, dashboardStatus(article.StatusRejected))
	dashboardEdit(t, s, recs[2].ID, alice, dashboardStatus(article.StatusPending))
	dashboardEdit(t, s, recs[5].ID, bob, db.Edit{Quality: q(100)})
	dashboardEdit(t, s, recs[7].ID, bob, db.Edit{Quality: q(5)})
	dashboardEdit(t, s, recs[10].ID, bob, db.Edit{Quality: q(42)}) // had none
	dashboardEdit(t, s, recs[13].ID, alice, db.Edit{Quality: q(article.MaxQuality)})
	dashboardEdit(t, s, recs[13].ID, alice, db.Edit{ClearQuality: true})
	dashboardEdit(t, s, recs[22].ID, bob, db.Edit{Status: statusPtr(article.StatusApproved), Quality: q(77), Topics: []string{"Space", "Mars"}, SetTopics: true})
	dashboardEdit(t, s, recs[23].ID, bob, db.Edit{Topics: []string{"Mars"}, SetTopics: true})
	// A re-import of unchanged files changes nothing.
	seedAgain := make([]*article.Article, 0, 10)
	for i := range 10 {
		seedAgain = append(seedAgain, seedArticle(t, i))
	}
	if _, err := s.Import(ctx, seedAgain); err != nil {
		t.Fatal(err)
	}

	d, err := s.Dashboard(ctx, db.DashboardQuery{TopTopics: 50})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	statuses, quality, topics := dashboardFresh(t, s, ids, 50)
	if !maps.Equal(d.Statuses, statuses) {
		t.Errorf("statuses %v, want %v", d.Statuses, statuses)
	}
	if !reflect.DeepEqual(d.Quality, quality) {
		t.Errorf("quality %v, want %v", d.Quality, quality)
	}
	if !reflect.DeepEqual(d.Topics, topics) {
		t.Errorf("topics\n got %v\nwant %v", d.Topics, topics)
	}
	// alice: 10 approvals, 1 rejection, 1 reopening; Bob: 3 decisions.
	// Most decisions in the period first.
	wantEditors := []db.EditorReviews{
		{UserID: alice.ID, Name: "alice", Period: db.Reviews{Approved: 10, Rejected: 1, Reopened: 1}},
		{UserID: bob.ID, Name: "Bob", Period: db.Reviews{Approved: 1, Rejected: 2}},
	}
	for i := range wantEditors {
		wantEditors[i].All = wantEditors[i].Period
	}
	if !reflect.DeepEqual(d.Editors, wantEditors) {
		t.Errorf("editors\n got %+v\nwant %+v", d.Editors, wantEditors)
	}
	if got, want := dashboardSum(d), (db.Reviews{Approved: 11, Rejected: 3, Reopened: 1}); got != want {
		t.Errorf("reviews of the days %+v, want %+v", got, want)
	}
	byUser, err := s.ReviewsByUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(byUser) != 2 || byUser[alice.ID] != wantEditors[0].All || byUser[bob.ID] != wantEditors[1].All {
		t.Errorf("ReviewsByUser = %v", byUser)
	}
	if d.Oldest == nil || d.Oldest.ID != recs[2].ID { // reopened, and imported first of the pending
		t.Errorf("oldest pending %+v, want article 2", d.Oldest)
	}
}

func statusPtr(st article.Status) *article.Status { return &st }

// An empty store has every status, bucket and day at zero, and nothing
// pending.
func dashboardEmpty(t *testing.T, s db.Database) {
	d, err := s.Dashboard(context.Background(), db.DashboardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Statuses) != len(article.Statuses) || len(d.Quality) != 11 || len(d.Days) != 30 ||
		len(d.Topics) != 0 || len(d.Editors) != 0 || d.Oldest != nil {
		t.Errorf("empty dashboard %+v", d)
	}
	for st, n := range d.Statuses {
		if n != 0 {
			t.Errorf("status %s: %d", st, n)
		}
	}
	if dashboardSum(d) != (db.Reviews{}) {
		t.Errorf("reviews on an empty store: %+v", dashboardSum(d))
	}
	byUser, err := s.ReviewsByUser(context.Background())
	if err != nil || len(byUser) != 0 {
		t.Errorf("ReviewsByUser = %v, %v", byUser, err)
	}
}
