package intake

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

var gazetteer = []Place{
	{ID: "baku", Name: "Baku", Country: "AZ", Lat: 40.41, Lon: 49.87},
	{ID: "tbilisi", Name: "Tbilisi", Country: "GE", Lat: 41.72, Lon: 44.78},
	{ID: "chisinau", Name: "Chișinău", Country: "MD", Lat: 47.01, Lon: 28.86},
	{ID: "almaty", Name: "Almaty", Country: "KZ", Lat: 43.24, Lon: 76.89},
	{ID: "astana", Name: "Astana", Country: "KZ", Lat: 51.17, Lon: 71.45},
	{ID: "moscow", Name: "Moscow", Country: "RU", Lat: 55.76, Lon: 37.62},
	{ID: "yekaterinburg", Name: "Yekaterinburg", Country: "RU", Lat: 56.84, Lon: 60.61},
	{ID: "istanbul", Name: "Istanbul", Country: "TR", Lat: 41.01, Lon: 28.98},
}

// fakeMatchCity matches a prefix of a city name, or a country code, so one
// input can yield none, one or several places.
func fakeMatchCity(text string) []Place {
	q := Fold(text)
	var out []Place
	for _, p := range gazetteer {
		if q != "" && (strings.HasPrefix(Fold(p.Name), q) || strings.EqualFold(text, p.Country)) {
			out = append(out, p)
		}
	}
	return out
}

func fakeNearest(lat, lon float64) (Place, bool) {
	best, dist := Place{}, 1e18
	for _, p := range gazetteer {
		d := (p.Lat-lat)*(p.Lat-lat) + (p.Lon-lon)*(p.Lon-lon)
		if d < dist {
			best, dist = p, d
		}
	}
	return best, dist < 4
}

var englishLabels = map[string]string{
	"btn_yes": "Yes", "btn_no": "No", "btn_done": "Done", "btn_skip": "Skip",
	"intake_btn_in_danger": "Yes, I am in danger", "intake_btn_safe": "No, I am safe now",
	"intake_btn_agree": "I agree", "intake_btn_disagree": "I do not agree",
	"intake_country_az": "Azerbaijan", "intake_country_ge": "Georgia",
	"intake_sector_construction": "Construction",
}

func testEnv() Env {
	return Env{
		MatchCity:    fakeMatchCity,
		NearestPlace: fakeNearest,
		Label:        func(id string) string { return englishLabels[id] },
		MaxText:      3000,
		MaxShort:     200,
	}
}

// Input builders.
func cmd(c string) Input   { return Input{Kind: InputCommand, Command: c} }
func text(s string) Input  { return Input{Kind: InputText, Text: s} }
func press(p string) Input { return Input{Kind: InputButton, Button: p} }
func sticker() Input       { return Input{Kind: InputUnsupported} }
func photo(id string) Input {
	return Input{Kind: InputFile, File: &File{ID: "f" + id, UniqueID: "u" + id, Kind: FilePhoto, Size: 1000}}
}
func loc(lat, lon float64) Input {
	return Input{Kind: InputLocation, Location: &Location{Lat: lat, Lon: lon}}
}
func ownContact(p string) Input {
	return Input{Kind: InputContact, Contact: &Contact{Phone: p, Own: true}}
}

// run drives the engine and remembers the last question asked, so tests
// can press its buttons by value.
type run struct {
	t      *testing.T
	env    Env
	s      State
	now    time.Time
	out    []Effect
	last   Ask
	all    []Effect
	reload bool // round-trip the state through JSON before every step
}

func newRun(t *testing.T) *run { return &run{t: t, env: testEnv(), now: t0} }

func (r *run) do(in Input) []Effect {
	r.t.Helper()
	if r.reload {
		r.s = roundTrip(r.t, r.s)
	}
	r.now = r.now.Add(time.Minute)
	r.s, r.out = Step(r.s, in, r.env, r.now)
	if err := r.s.Validate(); err != nil {
		r.t.Fatalf("after %+v: invalid state: %v\n%+v", in, err, r.s)
	}
	for _, e := range r.out {
		if a, ok := e.(Ask); ok {
			r.last = a
		}
	}
	r.all = append(r.all, r.out...)
	return r.out
}

// press finds the button with the value on the last question and presses it.
func (r *run) press(value string) []Effect {
	r.t.Helper()
	p := r.payload(value)
	if p == "" {
		r.t.Fatalf("no button %q on %s (%s)", value, r.last.Question, r.last.Message)
	}
	return r.do(press(p))
}

func (r *run) payload(value string) string {
	for _, row := range r.last.Buttons {
		for _, b := range row {
			if valueOf(b.Payload) == value {
				return b.Payload
			}
		}
	}
	return ""
}

func (r *run) expectQ(q QuestionID) {
	r.t.Helper()
	if r.s.Question != q {
		r.t.Fatalf("question = %q, want %q (effects %s)", r.s.Question, q, describe(r.out))
	}
}

func roundTrip(t testing.TB, s State) State {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(b)
	if err != nil {
		t.Fatalf("Load(%s): %v", b, err)
	}
	return got
}

// describe renders effects compactly for failure messages and comparisons.
func describe(effects []Effect) string {
	var parts []string
	for _, e := range effects {
		switch e := e.(type) {
		case Ask:
			parts = append(parts, "Ask:"+e.Message)
		case Say:
			parts = append(parts, "Say:"+e.Message)
		case ShowEmergency:
			parts = append(parts, "Emergency:"+e.Country)
		case ShowEmergencyNumber:
			parts = append(parts, "Emergency112")
		case HideReplyKeyboard:
			parts = append(parts, "HideReply")
		case OfferGuide:
			parts = append(parts, "OfferGuide")
		case OfferMenu:
			parts = append(parts, "OfferMenu")
		case Submit:
			parts = append(parts, "Submit")
		case DraftDiscarded:
			parts = append(parts, "DraftDiscarded")
		case Left:
			if e.Kept {
				parts = append(parts, "Left:kept")
			} else {
				parts = append(parts, "Left:none")
			}
		}
	}
	return strings.Join(parts, " ")
}

// toReview answers every question the short way and stops at the review.
func toReview(r *run) {
	r.t.Helper()
	r.do(cmd(CommandStart))
	r.press("no")
	r.press("yes")
	r.press(IdentityShared)
	r.do(text("Nino"))
	r.press("wages")
	r.press("done")
	r.do(text("Baku"))
	r.press("yes")
	r.press("az")
	r.press(SectorConstruct)
	r.press("skip")
	r.press(SinceOneToSix)
	r.do(text("They kept my passport."))
	r.press("done")
	r.press(ContactBot)
	r.expectQ(QReview)
}
