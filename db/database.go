package db

import (
	"context"
	"time"

	"github.com/newsdesk/newsdesk/article"
)

// Database is a newsdesk store: every method the workflow, the web app
// and the commands use. *Store is the SQLite one (this package);
// postgres.Store (package db/postgres) is the PostgreSQL one, which
// several app instances can share. Both pass the same conformance suite
// (package db/storetest), so callers cannot tell them apart by what they
// do; only Backup and the tuning differ (see the README's "Stores").
//
// The errors are this package's: ErrNotFound, ErrConflict (in
// *ConflictError), ErrUserExists, ErrBadCursor, ErrReadOnly, ErrCorrupt
// and the bulk errors, whichever store returns them.
type Database interface {
	// Articles and their history.
	Get(ctx context.Context, id int64) (*Record, error)
	GetByKey(ctx context.Context, key string) (*Record, error)
	Update(ctx context.Context, id int64, e Edit) (*Record, error)
	History(ctx context.Context, articleID int64) ([]AuditEntry, error)
	Import(ctx context.Context, arts []*article.Article) ([]ImportOutcome, error)
	Export(ctx context.Context, q ListQuery, fn func(ExportRecord) error) error

	// The queue, its search and its dropdowns.
	List(ctx context.Context, q ListQuery) (Page, error)
	Topics(ctx context.Context) ([]Facet, error)
	TopTopics(ctx context.Context, n int) ([]Facet, error)
	Categories(ctx context.Context) ([]Facet, error)
	Providers(ctx context.Context) ([]Facet, error)
	CanonicalTopic(ctx context.Context, name string) (string, error)
	TopicCounts(ctx context.Context, q TopicQuery) (TopicPage, error)
	TopicByName(ctx context.Context, name string) (TopicCount, error)

	// Bulk actions and their undo.
	SnapshotQuery(ctx context.Context, q ListQuery, userID int64, action string) (SnapshotInfo, error)
	SnapshotSeen(ctx context.Context, seen []Seen, userID int64, action string) (SnapshotInfo, error)
	SnapshotTopic(ctx context.Context, topic string, userID int64, action string) (SnapshotInfo, error)
	Snapshot(ctx context.Context, id, userID int64) (SnapshotInfo, error)
	BulkApply(ctx context.Context, snapshotID int64, b Batch, step BulkStep) (BatchCounts, error)
	UndoBatch(ctx context.Context, batchID int64, b Batch, step UndoStep) (BatchCounts, error)
	Batch(ctx context.Context, id int64) (BatchInfo, error)
	Batches(ctx context.Context, limit int) ([]BatchInfo, error)

	// Presence: who has which article open.
	OpenArticle(ctx context.Context, articleID, userID int64, now time.Time) error
	ClaimArticle(ctx context.Context, articleID, userID int64, now time.Time) (claimed bool, err error)
	RenewPresence(ctx context.Context, articleID, userID int64, now time.Time) error
	OpenBy(ctx context.Context, ids []int64, except int64, now time.Time) (map[int64][]string, error)

	// The dashboard.
	Dashboard(ctx context.Context, q DashboardQuery) (*Dashboard, error)
	ReviewsByUser(ctx context.Context) (map[int64]Reviews, error)

	// Users, sessions and logins.
	CreateUser(ctx context.Context, username, passwordHash string, role Role) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context) ([]User, error)
	SetPassword(ctx context.Context, id int64, hash string) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	SetRole(ctx context.Context, id int64, role Role) error
	BumpSessionEpoch(ctx context.Context, id int64) error
	RecordLogin(ctx context.Context, id int64) error
	SessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error)
	RotateSessionKeys(ctx context.Context) error

	// Login throttling: token buckets in the store, each taken atomically,
	// so that every server on the database shares one limit (see
	// db/throttle.go).
	LoginTake(ctx context.Context, buckets []ThrottleBucket, now time.Time) (time.Duration, error)
	LoginRefund(ctx context.Context, buckets []ThrottleBucket, now time.Time) error

	// Upkeep.
	Check(ctx context.Context) ([]Problem, error)
	Ping(ctx context.Context) error
	Close() error
}

var _ Database = (*Store)(nil)
