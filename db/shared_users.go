package db

// The pure logic of users, session keys, presence, the dashboard and
// Check that the PostgreSQL store (package db/postgres) shares with this
// one: constants, the dashboard's shape and the problems' wording. SQL
// stays with each store.

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Session cookie keys: their names in the settings table and their sizes
// in bytes (a 64-byte HMAC-SHA256 key, a 32-byte AES-256 key).
const (
	SettingSessionHashKey  = settingSessionHashKey
	SettingSessionBlockKey = settingSessionBlockKey
	SessionHashKeyLen      = sessionHashKeyLen
	SessionBlockKeyLen     = sessionBlockKeyLen
)

// NewSecret returns n random bytes from crypto/rand for the setting key.
// The error (crypto/rand failing) names the setting.
func NewSecret(key string, n int) ([]byte, error) {
	v := make([]byte, n)
	if _, err := rand.Read(v); err != nil {
		return nil, fmt.Errorf("setting %s: random: %w", key, err)
	}
	return v, nil
}

// CheckSecret returns an error when the value stored under key is not n
// bytes long: a damaged database, which a store reports rather than
// silently replacing the value.
func CheckSecret(key string, v []byte, n int) error {
	if len(v) != n {
		return fmt.Errorf("setting %s: stored %d bytes, want %d", key, len(v), n)
	}
	return nil
}

// UnixDay is t's UTC day as the counter tables number it.
func UnixDay(t time.Time) int64 { return unixDay(t) }

// Normalize returns q with its defaults filled in (30 days, 10 topics),
// or an error when it is out of range (Days 1..MaxDashboardDays,
// TopTopics >= 0).
func (q DashboardQuery) Normalize() (DashboardQuery, error) {
	if q.Days == 0 {
		q.Days = 30
	}
	if q.TopTopics == 0 {
		q.TopTopics = 10
	}
	if q.Days < 1 || q.Days > MaxDashboardDays || q.TopTopics < 0 {
		return q, fmt.Errorf("db: dashboard: %d days, %d topics: out of range", q.Days, q.TopTopics)
	}
	return q, nil
}

// NewDashboard is an empty dashboard read at now for q (normalized): every
// status at zero, q.Days days ending on now's UTC day with no reviews, and
// every quality bucket at zero, for a store to fill in.
func NewDashboard(now time.Time, q DashboardQuery) *Dashboard {
	d := &Dashboard{Now: now.UTC(), Statuses: NewStatusCounts().N}
	first := d.FirstDay(q)
	d.Days = make([]DayReviews, q.Days)
	for i := range d.Days {
		d.Days[i].Day = time.UnixMilli((first + int64(i)) * dayMillis).UTC()
	}
	d.Quality = make([]QualityBucket, 11)
	for i := range d.Quality {
		d.Quality[i].Bucket = i - 1
	}
	return d
}

// FirstDay is the unix day (see UnixDay) of the first of q's days, the
// last being d.Now's.
func (d *Dashboard) FirstDay(q DashboardQuery) int64 { return unixDay(d.Now) - int64(q.Days) + 1 }

// AddDay adds n status changes to status on the unix day day; a day
// outside d.Days is ignored.
func (d *Dashboard) AddDay(day int64, status string, n int) {
	if len(d.Days) == 0 {
		return
	}
	if i := day - unixDay(d.Days[0].Day); i >= 0 && i < int64(len(d.Days)) {
		d.Days[i].add(status, n)
	}
}

// AddQuality sets the count of quality bucket b (QualityNone..9); other
// buckets are ignored.
func (d *Dashboard) AddQuality(b, n int) {
	if b >= QualityNone && b <= 9 {
		d.Quality[b+1].N += n
	}
}

// Add counts n status changes to status (approved, rejected, or pending
// for a reopening); other values are ignored.
func (r *Reviews) Add(status string, n int) { r.add(status, n) }

// SortEditors orders editors as Dashboard.Editors are: by decisions in
// the period, then all time; stable, so ties keep their order.
func SortEditors(es []EditorReviews) { sortEditors(es) }

// Check's problems, worded the same by both stores.

// ContentHashProblem is the problem of article key whose stored bytes do
// not match their content hash (sha256 hex), or nil when they do.
func ContentHashProblem(key string, raw []byte, hash string) *Problem {
	if err := checkHash(raw, hash); err != nil {
		return &Problem{Check: "content hash", Table: "articles", Key: key, Detail: err.Error()}
	}
	return nil
}

// MissingSearchProblem is the problem of article key having no search
// index row (document); table is the store's index table.
func MissingSearchProblem(table, key string) Problem {
	return Problem{Check: "search index", Table: table, Key: key, Detail: "the article is missing from the search index"}
}

// NFCTwinProblem is the problem of key, not in NFC, whose NFC form is
// another article's key: the same file imported twice by an older
// newsdesk.
func NFCTwinProblem(key string) Problem {
	return Problem{Check: "keys", Table: "articles", Key: key, Detail: fmt.Sprintf(
		"key %s is article %s written in Unicode NFD, as a Mac names files: an older newsdesk imported the same file twice; reject one of them",
		strconv.QuoteToASCII(key), strconv.QuoteToASCII(norm.NFC.String(key)))}
}

// CounterProblem is the problem of a row of a queue counter table
// (count_status, count_category, count_provider, count_topic) that
// disagrees with a fresh count of the articles. keyText names the row's
// key ("" for count_status, else e.g. `category "tech", `).
func CounterProblem(table, keyText, status string, published bool, counted, fresh int) Problem {
	return Problem{Check: "counts", Table: table, Detail: fmt.Sprintf(
		"%sstatus %s, published %t: the counter says %d articles, the articles are %d",
		keyText, status, published, counted, fresh)}
}

// DashboardCounterProblem is the problem of a row of a dashboard counter
// table (count_review, count_review_user, count_quality) that disagrees
// with a fresh count; key is the row's key as text.
func DashboardCounterProblem(table, key, status string, counted, fresh int) Problem {
	return Problem{Check: "counts", Table: table, Detail: fmt.Sprintf(
		"%s, status %s: the counter says %d, a fresh count says %d", key, status, counted, fresh)}
}

// EffectiveTopics decodes an article row's effective topics: the editor's
// (editTopics, a JSON list) when set, else upstream's (topics). An error
// when the stored text is not a JSON list of strings.
func EffectiveTopics(topics string, editTopics *string) ([]string, error) {
	if editTopics != nil {
		topics = *editTopics
	}
	return decodeTopics(topics)
}

// TopicsProblem is the problem of article key whose stored topics are not
// a JSON list (err says why).
func TopicsProblem(key string, err error) Problem {
	return Problem{Check: "search index", Table: "articles", Key: key,
		Detail: fmt.Sprintf("topics are not a JSON list: %v", err)}
}
