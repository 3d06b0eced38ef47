package db

import (
	"slices"

	"github.com/newsdesk/newsdesk/article"
)

// ExportChanges are the editor values that export writes into r's
// original bytes: each value an editor set that differs from the file's
// own. A value set back to what the file says writes nothing.
func (r *Record) ExportChanges() article.Changes {
	var c article.Changes
	up := &r.Article
	if r.Edited.Quality && r.HasQuality && (!up.HasQuality || up.Quality != r.Quality) {
		q := r.Quality
		c.Quality = &q
	}
	if r.Edited.Published && r.Published != up.Published {
		p := r.Published
		c.Published = &p
	}
	if r.Edited.Topics && !slices.Equal(up.Topics, r.Topics) {
		c.Topics, c.SetTopics = slices.Clone(r.Topics), true
	}
	return c
}
