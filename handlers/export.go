package handlers

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// Export formats: a zip of the original files, or one YAML stream.
const (
	formatZip  = "zip"
	formatYAML = "yaml"
)

// previewLimit bounds the dry run of the export page: up to this many
// matching articles the page checks each one and names those the
// download would leave out, so its count is the download's.
const previewLimit = 5000

// Export serves GET /export. Without a format it shows the export form
// and what the download of those filters will hold; with one it streams
// the matching articles, each patched with the editors' values. Any
// invalid parameter is a 400 with the form again, its bad values reset and
// each explained, so nothing is downloaded by guess.
func (a *Articles) Export(c echo.Context) error {
	params := c.QueryParams()
	f := parseFilters(params, exportDefaults)
	format := strings.TrimSpace(params.Get("format"))
	if format != "" && format != formatZip && format != formatYAML {
		f.problem("There is no export format %s: choose zip or yaml.", shown(format))
	}
	switch {
	case len(f.problems) > 0:
		return a.exportPage(c, http.StatusBadRequest, f)
	case format == "":
		return a.exportPage(c, http.StatusOK, f)
	}
	if n, err := a.matching(c.Request().Context(), f); err != nil {
		return err
	} else if n == 0 {
		// A download link kept from before the last match left: the page
		// says so instead of handing out an empty file.
		f.problem("No article matches these filters now, so there is nothing to download.")
		return a.exportPage(c, http.StatusNotFound, f)
	}
	return a.streamExport(c, f, format)
}

// matching is how many articles the filters select now.
func (a *Articles) matching(ctx context.Context, f filters) (int, error) {
	q := f.query
	q.Limit = 1 // only the total is needed
	page, err := a.store.List(ctx, q)
	return page.Total, err
}

func (a *Articles) exportPage(c echo.Context, status int, f filters) error {
	ctx := c.Request().Context()
	total, err := a.matching(ctx, f)
	if err != nil {
		return err
	}
	choices, err := a.choices(ctx, f.view)
	if err != nil {
		return err
	}
	v := views.ExportView{
		Filters: f.view,
		Choices: choices,
		Statuses: options(f.view.Status, []string{"approved", "pending", "rejected", "all"},
			[]string{"Approved", "Pending", "Rejected", "All"}),
		Matching:    total,
		CheckLimit:  previewLimit,
		Notices:     f.problems,
		DownloadURL: "/export?" + filterValues(f.view).Encode(),
	}
	if status == http.StatusOK && total > 0 {
		if err := a.preview(ctx, f, &v); err != nil {
			return err
		}
	}
	p, err := pageFor(c, a.sessions, "Export", "export")
	if err != nil {
		return err
	}
	return render(c, status, views.Export(p, v))
}

// preview runs the export into nothing when the set is small enough, so
// the page can name what the download would leave out.
func (a *Articles) preview(ctx context.Context, f filters, v *views.ExportView) error {
	if v.Matching > previewLimit {
		return nil
	}
	rep, err := a.review.Export(ctx, f.query, review.Discard{})
	if err != nil && !errors.Is(err, review.ErrIncomplete) {
		return err
	}
	v.Checked = true
	v.Writable = rep.Written
	for _, s := range rep.Skipped {
		v.LeftOut = append(v.LeftOut, s.String())
	}
	return nil
}

// streamExport writes the download as the store reads the articles, so an
// export of any size needs little memory. An article that cannot be
// written is left out and named in the download itself (a note in the
// zip, a comment at the end of the stream). Headers go out with the first
// bytes: a store error before that is an ordinary error page, without
// the download headers; after it the connection is cut, so a client never
// takes a partial file for a whole one.
func (a *Articles) streamExport(c echo.Context, f filters, format string) error {
	ctx := c.Request().Context()
	now := a.now().UTC()
	name := fmt.Sprintf("newsdesk-%s-%s.%s", f.view.Status, now.Format("20060102-1504"), format)
	res := c.Response()
	setDownloadHeaders(res.Header(), name, format)

	var w review.Writer = review.NewZipWriter(res, now)
	if format == formatYAML {
		w = review.NewStreamWriter(res)
	}
	rep, err := a.review.Export(ctx, f.query, w)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, review.ErrIncomplete):
		a.log.WarnContext(ctx, "export left articles out", "file", name, "skipped", len(rep.Skipped))
		return nil
	case res.Committed:
		a.log.ErrorContext(ctx, "export failed mid-stream", "file", name, "err", err)
		panic(http.ErrAbortHandler)
	}
	// Nothing was sent: the error page must not arrive as the file.
	h := res.Header()
	h.Del(echo.HeaderContentDisposition)
	h.Del(echo.HeaderContentType)
	return err
}

func setDownloadHeaders(h http.Header, name, format string) {
	h.Set(echo.HeaderContentType, "application/zip")
	if format == formatYAML {
		h.Set(echo.HeaderContentType, "application/yaml; charset=utf-8")
	}
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}
