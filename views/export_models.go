package views

// ExportView is the model of the export page: the filters, the formats
// and how many articles they select.
type ExportView struct {
	Filters  Filters
	Choices  FilterChoices
	Statuses []Option // approved first, then pending, rejected and all
	Formats  []Option // zip and yaml
	Notices  []string
	Matching int // articles the filters select now
}
