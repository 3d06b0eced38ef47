package views

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// DashboardView is the model of GET /dashboard. Handlers fill it from the
// store's maintained counts; every number here is shown as text in a
// table as well as drawn.
type DashboardView struct {
	Statuses []StatusTotal // in the queue's order: pending, approved, rejected
	Total    int
	Days     int          // how many days Reviews covers
	Reviews  BarChart     // decisions per day, approved and rejected stacked
	Quality  BarChart     // articles per quality bucket
	Topics   []TopicTotal // most used first
	Editors  []EditorRow  // most decisions in the period first
	Oldest   *OldestView  // nil: nothing is pending
}

// StatusTotal is the number of articles with one review status.
type StatusTotal struct {
	Status string // "pending", "approved", "rejected"
	N      int
}

// QueueURL is the queue of the articles with the status.
func (s StatusTotal) QueueURL() string { return "/articles?status=" + url.QueryEscape(s.Status) }

// TopicTotal is one topic and its number of articles.
type TopicTotal struct {
	Name string
	N    int
}

// QueueURL is the queue of every article with the topic.
func (t TopicTotal) QueueURL() string { return TopicQueueURL(t.Name, "all") }

// EditorRow is one editor's status changes: in the dashboard's period and
// all time. Reopened counts changes back to pending (undos included).
type EditorRow struct {
	Name                                  string
	Approved, Rejected, Reopened          int // in the period
	AllApproved, AllRejected, AllReopened int
}

// Decisions is the period's approvals and rejections.
func (e EditorRow) Decisions() int { return e.Approved + e.Rejected }

// AllDecisions is all time's approvals and rejections.
func (e EditorRow) AllDecisions() int { return e.AllApproved + e.AllRejected }

// OldestView is the pending article imported longest ago.
type OldestView struct {
	ID          int64
	Title       string
	Age         string // "3 days ago", see Age
	Imported    string // e.g. "27 Nov 2026, 14:05 UTC"
	ImportedISO string
}

// URL is the article's review page.
func (o OldestView) URL() string { return "/articles/" + strconv.FormatInt(o.ID, 10) }

// Age says how long ago t was, as of now, in the largest whole unit:
// "just now" under a minute, then "1 minute ago", "5 hours ago" (up to
// 47), "2 days ago".
func Age(now, t time.Time) string {
	d := now.Sub(t)
	unit := func(n int, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, name)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return unit(int(d/time.Hour), "hour")
	}
	return unit(int(d/(24*time.Hour)), "day")
}

// num is a count as pages write it ("12,345"; see Count).
func num(n int) string { return Count{N: n}.String() }
