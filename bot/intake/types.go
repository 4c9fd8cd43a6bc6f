// Package intake is the complaint-intake conversation: a pure state machine
// that asks a worker one question at a time and turns the answers into a
// Draft. Step never performs I/O and never reads the clock, so the bot can
// replay, persist and test it freely; it emits Effects that the bot renders
// through the locale files (every Message and Label is a locale message id).
package intake

import "time"

// CurrentVersion is the State layout this code writes. Bump it when a stored
// field changes meaning and teach Load to upgrade the older layout.
const CurrentVersion = 1

// QuestionID names a question. The values are stored in State JSON: never
// rename one without a migration.
type QuestionID string

const (
	QResume           QuestionID = "resume"
	QDanger           QuestionID = "danger"
	QDangerCountry    QuestionID = "danger_country"
	QConsent          QuestionID = "consent"
	QIdentity         QuestionID = "identity"
	QName             QuestionID = "name"
	QCategories       QuestionID = "categories"
	QPlace            QuestionID = "place"
	QPlaceStill       QuestionID = "place_still"
	QPlaceMatch       QuestionID = "place_match"
	QPlacePick        QuestionID = "place_pick"
	QCitizenship      QuestionID = "citizenship"
	QCitizenshipStill QuestionID = "citizenship_still"
	QSector           QuestionID = "sector"
	QEmployer         QuestionID = "employer"
	QSince            QuestionID = "since"
	QDescription      QuestionID = "description"
	QContact          QuestionID = "contact"
	QPhone            QuestionID = "phone"
	QReview           QuestionID = "review"
)

// State is everything the conversation needs between two updates. The bot
// stores it as JSON (sealed) and hands it back unchanged; the zero State is
// an idle user with no draft.
type State struct {
	Version int `json:"v"`
	// Question is the question awaiting an answer; empty when idle.
	Question QuestionID `json:"q,omitempty"`
	// Seq numbers every question asked and never goes back, not even when a
	// draft is discarded, so a button from any earlier message is recognised.
	Seq int `json:"seq"`
	// History holds the questions answered on the way here, for /back.
	History []QuestionID `json:"history,omitempty"`
	// ResumeAt is where Continue picks up: set while idle with a draft and
	// while the resume offer is on screen.
	ResumeAt QuestionID `json:"resume_at,omitempty"`
	// Editing means the question was opened from the review screen and the
	// answer returns there.
	Editing bool `json:"editing,omitempty"`
	// Candidates are the gazetteer places offered for the typed city.
	Candidates []Place `json:"candidates,omitempty"`
	// ReplyShown records that a reply keyboard (share location/contact) is
	// on the user's screen and must be hidden when no longer relevant.
	ReplyShown bool   `json:"reply_shown,omitempty"`
	Draft      *Draft `json:"draft,omitempty"`
}

// Draft is the complaint as answered so far; Submit hands it to the bot.
// Empty strings mean "not answered yet".
type Draft struct {
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Danger is "yes" or "no"; EmergencyCountry is the ISO code whose
	// emergency numbers were shown ("" when the user did not know).
	Danger           string    `json:"danger,omitempty"`
	EmergencyCountry string    `json:"emergency_country,omitempty"`
	Consent          bool      `json:"consent,omitempty"`
	ConsentAt        time.Time `json:"consent_at,omitzero"`

	// Identity is IdentityShared or IdentityAnonymous. Name is what the
	// organisation may call a worker who shares their identity: empty when
	// skipped, and cleared when they choose to stay anonymous. Drafts from
	// before the name was asked simply have none.
	Identity   string     `json:"identity,omitempty"`
	Name       string     `json:"name,omitempty"`
	Categories []Category `json:"categories,omitempty"`
	// Place is where the person works: a gazetteer place, or only
	// coordinates (ID empty) when the location was shared.
	Place       *Place `json:"place,omitempty"`
	Citizenship string `json:"citizenship,omitempty"` // ISO 3166-1 alpha-2, or "other"
	Sector      string `json:"sector,omitempty"`
	// Employer is the employer or recruiter name; EmployerSkipped records a
	// deliberate skip so the question counts as answered.
	Employer        string `json:"employer,omitempty"`
	EmployerSkipped bool   `json:"employer_skipped,omitempty"`
	// Since is one of the Since* codes, or SinceText holds a typed answer.
	Since       string     `json:"since,omitempty"`
	SinceText   string     `json:"since_text,omitempty"`
	Description string     `json:"description,omitempty"`
	Evidence    []Evidence `json:"evidence,omitempty"`
	// ContactMethod is one of the Contact* codes; Phone is set for ContactPhone.
	ContactMethod string `json:"contact_method,omitempty"`
	Phone         string `json:"phone,omitempty"`
}

// Evidence is a file the worker sent; the bot keeps the Telegram file ids.
type Evidence struct {
	ID         string    `json:"id"`
	UniqueID   string    `json:"unique_id"`
	Kind       string    `json:"kind"` // FilePhoto, FileDocument or FileVoice
	MIME       string    `json:"mime,omitempty"`
	Size       int64     `json:"size,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// Category is a kind of abuse the complaint is about.
type Category string

const (
	CategoryWages       Category = "wages"
	CategoryDocuments   Category = "documents"
	CategoryRecruitment Category = "recruitment"
	CategoryForced      Category = "forced"
	CategorySafety      Category = "safety"
	CategoryViolence    Category = "violence"
	CategoryContract    Category = "contract"
	CategoryDismissal   Category = "dismissal"
	CategoryOther       Category = "other"
)

// Categories lists every category in the order the question shows them; the
// typed numbers "1, 3" refer to this order.
var Categories = []Category{
	CategoryWages, CategoryDocuments, CategoryRecruitment, CategoryForced, CategorySafety,
	CategoryViolence, CategoryContract, CategoryDismissal, CategoryOther,
}

// Answer codes stored in a Draft.
const (
	IdentityShared    = "shared"
	IdentityAnonymous = "anonymous"

	ContactBot   = "bot"
	ContactPhone = "phone"
	ContactNone  = "none"

	SinceUnderMonth  = "lt1m"
	SinceOneToSix    = "1to6m"
	SinceSixToTwelve = "6to12m"
	SinceOverYear    = "gt1y"
	CountryOther     = "other"
	FilePhoto        = "photo"
	FileDocument     = "document"
	// FileVoice is a voice note or an audio recording: a worker may tell
	// the whole story that way.
	FileVoice         = "voice"
	SectorOther       = "other"
	SectorConstruct   = "construction"
	SectorAgriculture = "agriculture"
	SectorDomestic    = "domestic"
	SectorFactory     = "factory"
	SectorServices    = "services"
	SectorTransport   = "transport"
)

// Sectors, SincePeriods, DangerCountries and CitizenshipCountries are the
// offered choices, in button order.
var (
	Sectors      = []string{SectorConstruct, SectorAgriculture, SectorDomestic, SectorFactory, SectorServices, SectorTransport, SectorOther}
	SincePeriods = []string{SinceUnderMonth, SinceOneToSix, SinceSixToTwelve, SinceOverYear}
	// DangerCountries are where users are most likely to be when in danger.
	DangerCountries = []string{"AZ", "GE", "MD", "KZ", "RU", "TR"}
	// CitizenshipCountries are the countries of origin the bot serves;
	// anyone else answers "other".
	CitizenshipCountries = []string{"AZ", "GE", "MD", "KZ", "RU", "UA", "UZ", "TJ", "KG", "AM", "TR", "BY"}
)

// InputKind says what the user sent.
type InputKind string

const (
	InputText        InputKind = "text"
	InputButton      InputKind = "button"
	InputCommand     InputKind = "command"
	InputLocation    InputKind = "location"
	InputContact     InputKind = "contact"
	InputFile        InputKind = "file"
	InputUnsupported InputKind = "unsupported" // sticker, voice, video…
)

// Commands Step understands; the bot handles every other command itself.
const (
	CommandStart  = "complaint" // also what the menu's "complaint" button sends
	CommandBack   = "back"
	CommandCancel = "cancel"
)

// Input is one thing the user did.
type Input struct {
	Kind InputKind
	// Text is a message, or the caption of a File.
	Text string
	// Button is the payload of a button this package produced, with the
	// bot's namespace prefix already removed.
	Button string
	// Command is lower-case, without the slash.
	Command  string
	Location *Location
	Contact  *Contact
	File     *File
}

type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Contact is a shared contact card; Own is true when it is the sender's own.
type Contact struct {
	Phone string
	Own   bool
}

type File struct {
	ID       string
	UniqueID string
	Kind     string // FilePhoto, FileDocument or FileVoice
	MIME     string
	Size     int64
}

// Place is a gazetteer entry, or bare coordinates when ID is empty.
type Place struct {
	ID      string  `json:"id,omitempty"`
	Name    string  `json:"name,omitempty"`
	Country string  `json:"country,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

// Profile is what the bot already knows about the user from earlier cases.
type Profile struct {
	CountryOfWork string
	City          string
	Citizenship   string
	Lat, Lon      float64
}

// Env is what Step may consult besides the state. Every function must be
// pure and in-memory; nil functions are simply not used.
type Env struct {
	// MatchCity finds gazetteer places for a typed city name.
	MatchCity func(text string) []Place
	// NearestPlace names the place nearest to shared coordinates.
	NearestPlace func(lat, lon float64) (Place, bool)
	// MatchCountry turns a typed country name (in any language) into an
	// ISO 3166-1 alpha-2 code, or "".
	MatchCountry func(text string) string
	// Label returns a locale message in the user's language, so typed
	// answers can match button labels ("Yes", "Да", "Bəli").
	Label   func(messageID string) string
	Profile Profile
	// MaxText bounds the whole story (runes, across messages); MaxShort
	// bounds one-line answers. RetentionMonths fills the consent text.
	// Zero means default.
	MaxText         int
	MaxShort        int
	RetentionMonths int
}

// Defaults for zero Env limits.
const (
	// DefaultMaxText is the whole story across messages: five full
	// Telegram messages (4,096 each), so one message always fits whole.
	DefaultMaxText         = maxStoredText
	DefaultMaxShort        = 200
	DefaultRetentionMonths = 12
	// MaxEvidence bounds the files kept per draft, so a state stays small.
	MaxEvidence = 20
	// MaxCandidates is how many places a typed city may offer.
	MaxCandidates = 6
)

// Effect is something the bot must do, in order.
type Effect interface{ isEffect() }

// Ask puts a question on screen. Seq identifies it: buttons carry it, and a
// re-ask repeats the same Seq so both copies stay valid.
type Ask struct {
	Question QuestionID
	Message  string
	Data     map[string]any
	Buttons  [][]Button
	Reply    *ReplyKeyboard
	Seq      int
	// ReplaceSeq, when not zero, asks the bot to edit the message it sent
	// for that Seq instead of sending a new one (multi-select toggles).
	ReplaceSeq int
}

// Button is an inline button. Label is a locale id rendered with LabelData;
// Selected asks the bot to mark it chosen (✓) on multi-select questions.
type Button struct {
	Label     string
	LabelData map[string]any
	Payload   string
	Selected  bool
}

// ReplyKeyboard is a keyboard under the input field with buttons that share
// the user's location or phone number.
type ReplyKeyboard struct {
	Buttons []ReplyButton
}

type ReplyButton struct {
	Label   string // locale id
	Request string // RequestLocation or RequestContact
}

const (
	RequestLocation = "location"
	RequestContact  = "contact"
)

// Say is information, not a question.
type Say struct {
	Message string
	Data    map[string]any
}

// ShowEmergency asks the bot to show, before anything else, the emergency
// number and hotlines of Country (ISO code; "" when the user does not know
// the country, so the bot shows what applies everywhere).
type ShowEmergency struct{ Country string }

// ShowEmergencyNumber asks the bot to show at once the emergency number
// that works in every country the bot serves (112), while the country
// whose own numbers and hotlines follow is still being asked.
type ShowEmergencyNumber struct{}

// HideReplyKeyboard removes a share-location/contact keyboard; the bot may
// attach the removal to the next message it sends.
type HideReplyKeyboard struct{}

// OfferGuide and OfferMenu hand the user back to the rest of the bot.
type OfferGuide struct{}
type OfferMenu struct{}

// Submit asks the bot to create the case from Draft and tell the user its id.
type Submit struct{ Draft Draft }

// DraftDiscarded reports that the user deleted the unfinished draft.
type DraftDiscarded struct{}

// Left reports that the user left the intake; Kept says whether a draft
// remains to be continued later with /complaint.
type Left struct{ Kept bool }

func (Ask) isEffect()                 {}
func (Say) isEffect()                 {}
func (ShowEmergency) isEffect()       {}
func (ShowEmergencyNumber) isEffect() {}
func (HideReplyKeyboard) isEffect()   {}
func (OfferGuide) isEffect()          {}
func (OfferMenu) isEffect()           {}
func (Submit) isEffect()              {}
func (DraftDiscarded) isEffect()      {}
func (Left) isEffect()                {}

// Ref is a Data value the bot must localize before rendering: a locale id
// with its own data. A []Ref renders as a comma-separated list; Choices as
// numbered lines ("1. …"). Plain string values in Data are user text and
// must be HTML-escaped by the bot.
type Ref struct {
	ID   string
	Data map[string]any
}

// Choices lists a question's options, numbered from 1 in the order the
// user can type them.
type Choices []Ref
