package intake

import (
	"encoding/json"
	"math"
	"slices"
	"unicode/utf8"
)

// Error is a domain error with a stable code the bot can log and count.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "intake: " + e.Code + ": " + e.Message }

// Error codes.
const (
	ErrInvalidState = "invalid_state"
	ErrVersion      = "unknown_version"
	ErrDecode       = "decode"
)

func invalid(msg string) error { return &Error{Code: ErrInvalidState, Message: msg} }

// Bounds a stored state never exceeds, whatever the Env limits: they keep a
// hostile or buggy state from growing without end.
const (
	maxHistory     = 32
	maxStoredText  = 20000
	maxStoredShort = 2000
)

// Load decodes a stored state. Empty input is the idle state of a new user.
// A state written by a newer build is refused rather than misread.
func Load(data []byte) (State, error) {
	if len(data) == 0 {
		return State{Version: CurrentVersion}, nil
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return State{}, &Error{Code: ErrDecode, Message: err.Error()}
	}
	if s.Version > CurrentVersion {
		return State{}, &Error{Code: ErrVersion, Message: "state version is newer than this build"}
	}
	if s.Version == 0 && s.Question == "" && s.Draft == nil {
		s.Version = CurrentVersion
	}
	if err := s.Validate(); err != nil {
		return State{}, err
	}
	return s, nil
}

var questions = []QuestionID{
	QResume, QDanger, QDangerCountry, QConsent, QIdentity, QName, QCategories, QPlace, QPlaceStill,
	QPlaceMatch, QPlacePick, QCitizenship, QCitizenshipStill, QSector, QEmployer, QSince,
	QDescription, QContact, QPhone, QReview,
}

// Validate checks the invariants Step relies on, so a stored state can be
// trusted after a restart and the fuzz test can check every step.
func (s State) Validate() error {
	if s.Version != CurrentVersion {
		return &Error{Code: ErrVersion, Message: "unsupported state version"}
	}
	if s.Seq < 0 {
		return invalid("negative seq")
	}
	if s.Question != "" && !slices.Contains(questions, s.Question) {
		return invalid("unknown question")
	}
	if s.Question != "" && s.Seq == 0 {
		return invalid("question without seq")
	}
	if len(s.History) > maxHistory {
		return invalid("history too long")
	}
	for _, q := range s.History {
		if !slices.Contains(questions, q) || q == QResume {
			return invalid("unknown question in history")
		}
	}
	if len(s.Candidates) > MaxCandidates {
		return invalid("too many candidates")
	}
	for _, p := range s.Candidates {
		if !validPlace(p) {
			return invalid("invalid candidate")
		}
	}
	if (s.Question == QPlaceMatch || s.Question == QPlacePick) && len(s.Candidates) == 0 {
		return invalid("place choice without candidates")
	}
	if s.Draft == nil {
		if s.Question != "" || len(s.History) > 0 || s.ResumeAt != "" || s.Editing {
			return invalid("conversation without draft")
		}
		return nil
	}
	d := s.Draft
	if err := d.validate(); err != nil {
		return err
	}
	consented := []QuestionID{QDanger, QDangerCountry, QConsent}
	if !d.Consent {
		if s.Question == "" || !slices.Contains(consented, s.Question) || s.ResumeAt != "" || s.Editing {
			return invalid("draft without consent outside the consent questions")
		}
	}
	needResume := s.Question == "" || s.Question == QResume
	if needResume != (s.ResumeAt != "") && d.Consent {
		return invalid("resume point missing or stray")
	}
	if s.ResumeAt != "" && (!slices.Contains(questions, s.ResumeAt) || s.ResumeAt == QResume) {
		return invalid("invalid resume point")
	}
	at := s.Question
	if needResume {
		at = s.ResumeAt
	}
	if at == QName && d.Identity != IdentityShared {
		return invalid("name asked of a worker who stays anonymous")
	}
	if at == QReview && !d.complete() {
		return invalid("review of an incomplete draft")
	}
	if s.Editing {
		if at == QReview || !slices.Contains(reviewFields, groupOf(at)) {
			return invalid("editing outside a review field")
		}
		// Only the field under edit may be unanswered for a while.
		for _, g := range d.missing() {
			if g != groupOf(at) {
				return invalid("editing an incomplete draft")
			}
		}
	}
	return nil
}

func (d *Draft) validate() error {
	switch d.Danger {
	case "", "yes", "no":
	default:
		return invalid("danger")
	}
	if d.EmergencyCountry != "" && (d.Danger != "yes" || !validCountry(d.EmergencyCountry) || d.EmergencyCountry == CountryOther) {
		return invalid("emergency country")
	}
	if !d.Consent && (d.Identity != "" || d.Name != "" || len(d.Categories) > 0 || d.Place != nil || d.Citizenship != "" ||
		d.Sector != "" || d.Employer != "" || d.Since != "" || d.SinceText != "" || d.Description != "" ||
		len(d.Evidence) > 0 || d.ContactMethod != "" || d.Phone != "") {
		return invalid("answers stored without consent")
	}
	switch d.Identity {
	case "", IdentityShared, IdentityAnonymous:
	default:
		return invalid("identity")
	}
	if d.Name != "" && (d.Identity != IdentityShared || Blank(d.Name)) {
		return invalid("name without shared identity, or blank")
	}
	for i, c := range d.Categories {
		if !slices.Contains(Categories, c) || slices.Contains(d.Categories[:i], c) {
			return invalid("categories")
		}
	}
	if d.Place != nil && !validPlace(*d.Place) {
		return invalid("place")
	}
	if d.Citizenship != "" && !validCountry(d.Citizenship) {
		return invalid("citizenship")
	}
	if d.Sector != "" && !slices.Contains(Sectors, d.Sector) {
		return invalid("sector")
	}
	if d.Since != "" && (!slices.Contains(SincePeriods, d.Since) || d.SinceText != "") {
		return invalid("since")
	}
	if d.EmployerSkipped && d.Employer != "" {
		return invalid("employer both skipped and given")
	}
	if !validText(d.Name, maxStoredShort) || !validText(d.Employer, maxStoredShort) || !validText(d.SinceText, maxStoredShort) || !validText(d.Description, maxStoredText) {
		return invalid("text too long or not UTF-8")
	}
	if len(d.Evidence) > MaxEvidence {
		return invalid("too much evidence")
	}
	for i, e := range d.Evidence {
		if !validFile(File{ID: e.ID, UniqueID: e.UniqueID, Kind: e.Kind, MIME: e.MIME, Size: e.Size}) {
			return invalid("evidence")
		}
		if slices.ContainsFunc(d.Evidence[:i], func(o Evidence) bool { return o.UniqueID == e.UniqueID }) {
			return invalid("duplicate evidence")
		}
	}
	switch d.ContactMethod {
	case "", ContactBot, ContactNone:
		if d.Phone != "" {
			return invalid("phone without phone contact")
		}
	case ContactPhone:
		if _, ok := normalizePhone(d.Phone); !ok {
			return invalid("phone")
		}
	default:
		return invalid("contact method")
	}
	return nil
}

// missing lists the review fields still unanswered.
func (d *Draft) missing() []QuestionID {
	answered := map[QuestionID]bool{
		QIdentity:    d.Identity != "",
		QCategories:  len(d.Categories) > 0,
		QPlace:       d.Place != nil,
		QCitizenship: d.Citizenship != "",
		QSector:      d.Sector != "",
		QEmployer:    d.Employer != "" || d.EmployerSkipped,
		QSince:       d.Since != "" || d.SinceText != "",
		QDescription: d.Description != "" || len(d.Evidence) > 0,
		QContact:     d.ContactMethod != "",
	}
	var out []QuestionID
	for _, f := range reviewFields {
		if !answered[f] {
			out = append(out, f)
		}
	}
	return out
}

// complete reports whether every question the review shows is answered.
func (d *Draft) complete() bool { return d.Consent && len(d.missing()) == 0 }

func validText(s string, max int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max
}

func validCountry(c string) bool {
	if c == CountryOther {
		return true
	}
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func validCoords(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

func validPlace(p Place) bool {
	if !validCoords(p.Lat, p.Lon) || len(p.ID) > 64 || !validText(p.Name, 200) {
		return false
	}
	if p.ID != "" && p.Name == "" {
		return false
	}
	return p.Country == "" || validCountry(p.Country)
}

func (s State) clone() State {
	s.History = slices.Clone(s.History)
	s.Candidates = slices.Clone(s.Candidates)
	s.Draft = s.Draft.clone()
	return s
}

func (d *Draft) clone() *Draft {
	if d == nil {
		return nil
	}
	c := *d
	c.Categories = slices.Clone(d.Categories)
	c.Evidence = slices.Clone(d.Evidence)
	if d.Place != nil {
		p := *d.Place
		c.Place = &p
	}
	return &c
}
