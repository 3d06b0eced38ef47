package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/article"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review"
	"github.com/newsdesk/newsdesk/views"
)

// maxNoteLen bounds an editor's note, in characters.
const maxNoteLen = 2000

// The review form's buttons (the action field). Anything else is Save.
const (
	actionSave    = "save"    // save and stay
	actionNext    = "next"    // save and open the next article
	actionApprove = "approve" // status approved, save, open the next
	actionReject  = "reject"  // status rejected, save, open the next
)

// addedTopics reads the add-topic field: commas and line breaks separate
// topics there (an editor types "a, b"), so it becomes one topic a line,
// the form article.CheckTopicInput and NormalizeTopics read. Only this
// field splits at commas: a kept topic may hold one.
func addedTopics(s string) string {
	return strings.ReplaceAll(s, ",", "\n")
}

// reviewForm is the POST /articles/:id form as the editor sent it.
type reviewForm struct {
	Version   int64
	Quality   string   // as typed
	Topics    []string // one value per topic input, as typed
	Removed   map[int]bool
	NewTopic  string // the add-topic field; may hold several lines
	Published bool
	Status    string
	Note      string
	From      string // clean queue query string
	Action    string // the button: "save", "next", "approve" or "reject"
	Next      bool   // open the next article after the save

	// QualityOptional lets the quality stay empty: for articles that
	// have none, an empty field means "still none".
	QualityOptional bool

	// Set by Validate when the form is valid.
	quality *int
	topics  []string
	status  article.Status
}

// formErrors are Validate's findings: per field, and per topic input.
type formErrors struct {
	views.FormErrors
	topics map[int]string
}

func (e formErrors) any() bool {
	return len(e.topics) > 0 || e.Quality != "" || e.Topics != "" || e.NewTopic != "" || e.Published != "" || e.Status != "" || e.Note != ""
}

// formRefusal is why a posted form is refused as a whole: a sentence for
// the 400 page.
type formRefusal struct{ msg string }

func (e *formRefusal) Error() string { return e.msg }

func refuseForm(format string, args ...any) error {
	return &formRefusal{fmt.Sprintf(format, args...)}
}

// singleFields are the review form's fields that carry one value; topics
// and remove_topic are lists.
var singleFields = []string{"version", "quality", "new_topic", "published", "status", "note", "from", "action", "topics_from"}

// readReviewForm reads the posted values. It refuses, with a message for
// the 400 page, what no form of ours sends: a missing or bad version
// (without it no save can be checked against newer ones), a field of one
// value sent twice (which one would count?) and an unknown action. The
// values themselves are checked by Validate.
func readReviewForm(v url.Values) (*reviewForm, error) {
	for _, name := range singleFields {
		if len(v[name]) > 1 {
			return nil, refuseForm("The form sent %d values for %s; reload the article and try again.", len(v[name]), name)
		}
	}
	version, err := strconv.ParseInt(strings.TrimSpace(v.Get("version")), 10, 64)
	if err != nil || version <= 0 {
		return nil, refuseForm("The form has no valid version: reload the article and try again.")
	}
	f := &reviewForm{
		Version:   version,
		Quality:   v.Get("quality"),
		Topics:    v["topics"],
		Removed:   map[int]bool{},
		NewTopic:  v.Get("new_topic"),
		Published: checked(v.Get("published")),
		Status:    strings.TrimSpace(v.Get("status")),
		Note:      normalizeNote(v.Get("note")),
		From:      cleanFrom(v.Get("from")),
		Action:    v.Get("action"),
	}
	// Approve and Reject are the status and "next" in one button; every
	// button but Save moves on.
	switch f.Action {
	case actionApprove:
		f.Status = string(article.StatusApproved)
	case actionReject:
		f.Status = string(article.StatusRejected)
	case actionNext, actionSave:
	case "":
		f.Action = actionSave // a client that sends no button
	default:
		return nil, refuseForm("The form asks for %q, which is not an action here; reload the article and try again.", cleanText(f.Action, 40))
	}
	f.Next = f.Action != actionSave
	if err := resolveChoices(v, f); err != nil {
		return nil, err
	}
	for _, s := range v["remove_topic"] {
		if i, err := strconv.Atoi(s); err == nil {
			f.Removed[i] = true
		}
	}
	return f, nil
}

// resolveChoices reads the conflict page's choices (views.Conflict): each
// field named by a "choose" value must have been chosen, since a missing
// field would otherwise save as empty; the topics radio picks the list
// of one side (topics_mine or topics_theirs).
func resolveChoices(v url.Values, f *reviewForm) error {
	for _, name := range v["choose"] {
		sent := v.Has(name)
		if name == "topics" {
			sent = v.Get("topics_from") == "mine" || v.Get("topics_from") == "theirs"
		}
		if !sent {
			return refuseForm("Choose whether to keep your %s or take theirs, then save again.", cleanText(name, 20))
		}
	}
	if from := v.Get("topics_from"); from == "mine" || from == "theirs" {
		f.Topics = v["topics_"+from]
	}
	return nil
}

// checked reads a checkbox: browsers send "on"; API clients may say true.
func checked(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// normalizeNote makes valid UTF-8 with \n line ends: browsers send \r\n.
func normalizeNote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// Validate checks every field and, when all are fine, keeps the clean
// values for the save.
func (f *reviewForm) Validate() formErrors {
	e := formErrors{topics: map[int]string{}}
	e.Quality = f.validateQuality()
	e.Status = f.validateStatus()
	if utf8.RuneCountInString(f.Note) > maxNoteLen {
		e.Note = fmt.Sprintf("The note is %d characters long; the limit is %d.", utf8.RuneCountInString(f.Note), maxNoteLen)
	}
	f.validateTopics(&e)
	return e
}

func (f *reviewForm) validateQuality() string {
	if strings.TrimSpace(f.Quality) == "" && f.QualityOptional {
		f.quality = nil
		return ""
	}
	q, err := article.ValidateQuality(f.Quality)
	if err != nil {
		return "Enter the quality as a whole number from 0 to 100."
	}
	f.quality = &q
	return ""
}

func (f *reviewForm) validateStatus() string {
	st, err := article.ParseStatus(f.Status)
	if err != nil {
		return "Choose pending, approved or rejected."
	}
	f.status = st
	return ""
}

// validateTopics checks each kept topic input and the add field, then the
// list as a whole. A value with several lines is several topics.
func (f *reviewForm) validateTopics(e *formErrors) {
	var kept []string
	for i, t := range f.Topics {
		if f.Removed[i] {
			continue
		}
		if msg := checkTopicInput(t, false); msg != "" {
			e.topics[i] = fmt.Sprintf("Topic %d %s.", i+1, msg)
			continue
		}
		kept = append(kept, t)
	}
	if msg := checkNewTopics(f.NewTopic); msg != "" {
		e.NewTopic = msg
	} else {
		kept = append(kept, addedTopics(f.NewTopic))
	}
	if len(e.topics) > 0 || e.NewTopic != "" {
		return
	}
	topics, err := article.NormalizeTopics(kept)
	if err != nil {
		e.Topics = fmt.Sprintf("Too many topics: at most %d. Remove some.", article.MaxTopics)
		return
	}
	f.topics = topics
}

// checkTopicInput checks one input with the article rules (each line is a
// topic), as a sentence ending for "Topic 2 …" or "The new topic …".
func checkTopicInput(s string, optional bool) string {
	var te *article.TopicError
	if err := article.CheckTopicInput(s, optional); errors.As(err, &te) {
		return te.Reason
	} else if err != nil {
		return err.Error()
	}
	return ""
}

// checkNewTopics checks the add-topic field; with several topics in it the
// message names the one at fault.
func checkNewTopics(s string) string {
	lines := addedTopics(s)
	var te *article.TopicError
	err := article.CheckTopicInput(lines, true)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &te) && strings.Contains(strings.TrimSpace(lines), "\n"):
		return "The new topic “" + cleanText(te.Topic, 40) + "” " + te.Reason + "."
	case errors.As(err, &te):
		return "The new topic " + te.Reason + "."
	}
	return "The new topic " + err.Error() + "."
}

// edit is the valid form as the workflow's edit by user. The topics are
// always sent: review.Save tells a list posted back as shown from an edit.
func (f *reviewForm) edit(user *db.User) review.Edit {
	published, status, note := f.Published, f.status, f.Note
	return review.Edit{
		Version:   f.Version,
		Quality:   f.quality,
		Topics:    f.topics,
		SetTopics: true,
		Published: &published,
		Status:    &status,
		Note:      &note,
		ActorID:   user.ID,
		Actor:     user.Username,
	}
}

// formView shows the form again as the editor sent it, with the errors.
func (f *reviewForm) formView(id int64, e formErrors) views.ReviewForm {
	v := views.ReviewForm{
		Action:    articleURL(id, ""),
		Version:   f.Version,
		From:      f.From,
		Quality:   cleanText(f.Quality, 20),
		NewTopic:  strings.ToValidUTF8(f.NewTopic, "\uFFFD"),
		Published: f.Published,
		Status:    f.Status,
		Note:      f.Note,
		Errors:    e.FormErrors,
		Invalid:   e.any(),
	}
	for i, t := range f.Topics {
		v.Topics = append(v.Topics, views.TopicField{
			Value: strings.ToValidUTF8(t, "\uFFFD"), Removed: f.Removed[i], Error: e.topics[i],
		})
	}
	return v
}
