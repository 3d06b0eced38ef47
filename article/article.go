// Package article is the domain core of newsdesk: the Article type, the
// validation rules of the item format, the front-matter parser that keeps the
// original bytes, and the lossless patch that writes editor values back.
//
// It imports nothing of ours, so every other package can depend on it.
package article

import (
	"fmt"
	"time"
)

// Status is where an article stands in review.
type Status string

const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
)

// Statuses lists every status in the order the UI shows them.
var Statuses = []Status{StatusPending, StatusApproved, StatusRejected}

// ParseStatus turns user text into a Status, refusing anything unknown.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusPending, StatusApproved, StatusRejected:
		return Status(s), nil
	}
	return "", fmt.Errorf("unknown status %q (want pending, approved or rejected)", s)
}

// Limits on quality and topics. Import and the review form apply the same
// rules (CheckQuality, CheckTopic, CheckTopicCount), so every article that
// imports can be saved unchanged.
const (
	MinQuality     = 0
	MaxQuality     = 100
	MaxTopics      = 20
	MaxTopicLength = 64 // in characters (runes)
)

// DefaultMaxFileSize is the largest article file Parse accepts unless told otherwise.
const DefaultMaxFileSize = 4 << 20

// Provider is the publisher of an article.
type Provider struct {
	Name   string
	Domain string
}

// Image is one picture of an article.
type Image struct {
	URL      string
	Width    int
	Height   int
	IsCached bool
}

// Related is another article on the same story.
type Related struct {
	Title       string
	Excerpt     string
	PublishedAt time.Time
	WebURL      string
	Type        string
	Provider    Provider
	Quality     int
}

// Article is one parsed article file: the typed fields newsdesk shows and
// edits, and the original bytes, which stay the source of truth for every
// key newsdesk does not edit.
type Article struct {
	Key      string // file name without extension: the article's identity
	FileName string // base file name with extension, used again on export

	Category    string
	Title       string
	Excerpt     string
	PublishedAt time.Time // zero when absent or unparseable
	OriginalURL string
	WebURL      string
	Type        string
	Heat        int
	Provider    Provider
	Images      []Image
	Related     []Related
	HasSecured  bool   // a secured payload is present; never decoded
	Body        string // Markdown after the closing fence, may be empty

	// Upstream values of the editable keys, as the file has them.
	Quality    int
	HasQuality bool // false when the key is absent
	Published  bool
	Topics     []string

	Raw []byte // the file exactly as read
}

// Changes are editor values to write into an article's original bytes.
// A nil field is left as the file has it.
type Changes struct {
	Quality   *int
	Topics    []string // used when SetTopics is true; nil or empty writes []
	SetTopics bool
	Published *bool
}

// IsZero reports whether c changes nothing.
func (c Changes) IsZero() bool {
	return c.Quality == nil && !c.SetTopics && c.Published == nil
}
