package handlers

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/views"
)

// Export formats: a zip of the original files, or one YAML stream.
const (
	formatZip  = "zip"
	formatYAML = "yaml"
)

// Export serves GET /export. Without a format it shows the export form;
// with one it streams the matching articles, each patched with the
// editors' values. Any invalid parameter is a 400 with the form again, its
// bad values reset and each explained, so nothing is downloaded by guess.
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
	return a.streamExport(c, f, format)
}

func (a *Articles) exportPage(c echo.Context, status int, f filters) error {
	ctx := c.Request().Context()
	q := f.query
	q.Limit = 1 // only the total is needed
	page, err := a.store.List(ctx, q)
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
		Formats: options(formatZip, []string{formatZip, formatYAML},
			[]string{"Zip of files (one per article, original names)", "One YAML stream (a document per article)"}),
		Matching: page.Total,
		Notices:  f.problems,
	}
	p, err := pageFor(c, a.sessions, "Export", "export")
	if err != nil {
		return err
	}
	return render(c, status, views.Export(p, v))
}

// streamExport writes the download as the store reads the articles, so an
// export of any size needs little memory. Headers go out with the first
// bytes (the exporters buffer some): an error before that is an ordinary
// error page; after it the connection is cut, so a client never takes a
// partial file for a whole one.
func (a *Articles) streamExport(c echo.Context, f filters, format string) error {
	now := a.now().UTC()
	name := fmt.Sprintf("newsdesk-%s-%s.%s", f.view.Status, now.Format("20060102-1504"), format)
	res := c.Response()
	setDownloadHeaders(res.Header(), name, format)

	var exp article.Exporter = article.NewZipExporter(res, now)
	if format == formatYAML {
		exp = article.NewStreamExporter(res)
	}
	err := a.store.Export(c.Request().Context(), f.query, func(r db.ExportRecord) error {
		data, err := article.Patch(r.Raw, r.Changes)
		if err != nil {
			return fmt.Errorf("export %s: %w", r.FileName, err)
		}
		return exp.Add(r.FileName, data)
	})
	if err == nil {
		err = exp.Close()
	}
	switch {
	case err == nil:
		return nil
	case res.Committed:
		slog.ErrorContext(c.Request().Context(), "export failed mid-stream", "file", name, "err", err)
		panic(http.ErrAbortHandler)
	}
	// Nothing was sent: the error page must not arrive as the file.
	res.Header().Del(echo.HeaderContentDisposition)
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
