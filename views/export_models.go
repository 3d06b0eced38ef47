package views

// ExportView is the model of the export page: the filters, how many
// articles they select, and the download of exactly those.
type ExportView struct {
	Filters     Filters
	Choices     FilterChoices
	Statuses    []Option // approved first, then pending, rejected and all
	Notices     []string
	Matching    int    // articles the filters select now
	DownloadURL string // /export with exactly these filters; the format is added

	// Checked is set when every matching article was tried (see the
	// handler's preview limit): then Writable is what the download will
	// hold and LeftOut names the others, with the reason.
	Checked    bool
	CheckLimit int // the most articles the page checks one by one
	Writable   int
	LeftOut    []string
}

// Count is the number of articles the download will hold, as far as the
// page knows.
func (v ExportView) Count() int {
	if v.Checked {
		return v.Writable
	}
	return v.Matching
}
