package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// DashboardStore is what the dashboard needs of the database: numbers
// read from maintained counts, whatever the size of the newsroom.
type DashboardStore interface {
	Dashboard(ctx context.Context, q db.DashboardQuery) (*db.Dashboard, error)
}

// DashboardDays is how many days of reviews the dashboard shows.
const DashboardDays = 30

// dashboardTopics is how many topics the dashboard lists.
const dashboardTopics = 10

// Dashboard serves GET /dashboard, for every member.
type Dashboard struct {
	store   DashboardStore
	flasher Flasher
}

// NewDashboard returns the dashboard handler.
func NewDashboard(store DashboardStore, fl Flasher) *Dashboard {
	return &Dashboard{store: store, flasher: fl}
}

// Show is GET /dashboard.
func (h *Dashboard) Show(c echo.Context) error {
	d, err := h.store.Dashboard(c.Request().Context(), db.DashboardQuery{Days: DashboardDays, TopTopics: dashboardTopics})
	if err != nil {
		return err
	}
	p, err := pageFor(c, h.flasher, "Dashboard", "dashboard")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Dashboard(p, dashboardView(d)))
}

// Series of the charts; dashboard.css colours each class.
var (
	seriesApproved = views.Series{Name: "approved", Class: "series-approved"}
	seriesRejected = views.Series{Name: "rejected", Class: "series-rejected"}
	seriesArticles = views.Series{Name: "articles", Class: "series-quality"}
)

// dashboardView turns the store's numbers into the page's model.
func dashboardView(d *db.Dashboard) views.DashboardView {
	v := views.DashboardView{Days: len(d.Days)}
	for _, st := range article.Statuses {
		v.Statuses = append(v.Statuses, views.StatusTotal{Status: string(st), N: d.Statuses[st]})
		v.Total += d.Statuses[st]
	}
	v.Reviews = reviewsChart(d.Days)
	v.Quality = qualityChart(d.Quality)
	for _, t := range d.Topics {
		v.Topics = append(v.Topics, views.TopicTotal{Name: t.Name, N: t.Count})
	}
	for _, e := range d.Editors {
		v.Editors = append(v.Editors, views.EditorRow{Name: e.Name,
			Approved: e.Period.Approved, Rejected: e.Period.Rejected, Reopened: e.Period.Reopened,
			AllApproved: e.All.Approved, AllRejected: e.All.Rejected, AllReopened: e.All.Reopened})
	}
	if o := d.Oldest; o != nil {
		v.Oldest = &views.OldestView{ID: o.ID, Title: o.Title, Age: views.Age(d.Now, o.ImportedAt),
			Imported: o.ImportedAt.UTC().Format("2 Jan 2006, 15:04 UTC"), ImportedISO: o.ImportedAt.UTC().Format(time.RFC3339)}
	}
	return v
}

func reviewsChart(days []db.DayReviews) views.BarChart {
	c := views.BarChart{ID: "chart-reviews", Title: "Decisions per day",
		Series: []views.Series{seriesApproved, seriesRejected}}
	var total db.Reviews
	for _, d := range days {
		c.Bars = append(c.Bars, views.Bar{Label: d.Day.Format("2 Jan"), Long: d.Day.Format("Mon 2 Jan 2006"),
			Values: []int{d.Approved, d.Rejected}})
		total.Approved += d.Approved
		total.Rejected += d.Rejected
		total.Reopened += d.Reopened
	}
	c.Desc = views.Count{N: total.Decisions()}.String() + " decisions in the last " +
		views.Count{N: len(days)}.String() + " days: " + views.Count{N: total.Approved}.String() + " approved, " +
		views.Count{N: total.Rejected}.String() + " rejected; " + views.Count{N: total.Reopened}.String() + " reopened."
	return c
}

func qualityChart(buckets []db.QualityBucket) views.BarChart {
	c := views.BarChart{ID: "chart-quality", Title: "Articles by quality", Series: []views.Series{seriesArticles}, Width: 420}
	none := 0
	for _, b := range buckets {
		// The axis names each bucket by where it starts ("40"), to fit.
		label, long := strconv.Itoa(b.Bucket*10), "quality "+b.Label()
		if b.Bucket == db.QualityNone {
			label, long, none = "none", "no quality", b.N
		}
		c.Bars = append(c.Bars, views.Bar{Label: label, Long: long, Values: []int{b.N}})
	}
	c.Desc = "Articles by effective quality, in tens; " + views.Count{N: none}.String() + " have no quality."
	return c
}
