package intake

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// reach drives a fresh run to question q along the shortest path.
func reach(t *testing.T, q QuestionID) *run {
	t.Helper()
	r := newRun(t)
	if q == QPlaceStill || q == QCitizenshipStill {
		r.env.Profile = Profile{City: "Baku", CountryOfWork: "AZ", Citizenship: "AZ", Lat: 40.41, Lon: 49.87}
	}
	steps := []func(){
		func() { r.do(cmd(CommandStart)) },
		func() {
			if q == QDangerCountry {
				r.press("yes")
				return
			}
			r.press("no")
		},
		func() { r.press("yes") },
		func() { r.press(IdentityShared) },
		func() { r.do(text("Nino")) },
		func() { r.press("wages"); r.press("done") },
		func() {
			switch {
			case q == QPlaceMatch:
				r.do(text("Baku"))
			case q == QPlacePick:
				r.do(text("A"))
			case q == QResume:
				r.do(cmd(CommandCancel))
				r.do(cmd(CommandStart))
			case r.s.Question == QPlaceStill:
				r.press("yes")
			default:
				r.do(text("Tbilisi"))
				r.press("yes")
			}
		},
		func() {
			if r.s.Question == QCitizenshipStill {
				r.press("yes")
				return
			}
			r.press("ge")
		},
		func() { r.press(SectorAgriculture) },
		func() { r.do(text("Farm Ltd")) },
		func() { r.press(SinceUnderMonth) },
		func() { r.do(text("No wages for two months.")); r.press("done") },
		func() {
			if q == QPhone {
				r.press(ContactPhone)
				return
			}
			r.press(ContactNone)
		},
	}
	for _, step := range steps {
		if r.s.Question == q {
			break
		}
		step()
	}
	r.expectQ(q)
	return r
}

type probe struct {
	name string
	in   func(r *run) Input
}

var probes = []probe{
	{"button", func(r *run) Input { return press(r.last.Buttons[0][0].Payload) }},
	{"text 1", func(*run) Input { return text("1") }},
	{"wrong text", func(*run) Input { return text("qqq") }},
	{"photo", func(*run) Input { return photo("7") }},
	{"sticker", func(*run) Input { return sticker() }},
	{"location", func(*run) Input { return loc(41.7, 44.8) }},
	{"contact", func(*run) Input { return ownContact("+995 599 00 11 22") }},
	{"back", func(*run) Input { return cmd(CommandBack) }},
	{"cancel", func(*run) Input { return cmd(CommandCancel) }},
	{"stale button", func(r *run) Input { return press(fmt.Sprintf("%d:%s:x", r.s.Seq-1, codeOf(r.s.Question))) }},
}

// want is "<question after> | <effects>" for each probe, in probe order.
var stateTable = map[QuestionID][]string{
	QResume: {
		"place | Ask:intake_q_place",
		"place | Ask:intake_q_place",
		"resume | Say:intake_reask_choose Ask:intake_q_resume",
		"resume | Say:intake_file_not_now Ask:intake_q_resume",
		"resume | Say:intake_unsupported Ask:intake_q_resume",
		"resume | Say:intake_reask_choose Ask:intake_q_resume",
		"resume | Say:intake_reask_choose Ask:intake_q_resume",
		"resume | Say:intake_no_back Ask:intake_q_resume",
		" | Left:kept OfferMenu",
		"resume | Say:question_passed",
	},
	QDanger: {
		"danger_country | Emergency112 Ask:intake_q_danger_country",
		"danger_country | Emergency112 Ask:intake_q_danger_country",
		"danger | Say:intake_reask_choose Ask:intake_q_danger",
		"danger | Say:intake_file_not_now Ask:intake_q_danger",
		"danger | Say:intake_unsupported Ask:intake_q_danger",
		"danger | Say:intake_reask_choose Ask:intake_q_danger",
		"danger | Say:intake_reask_choose Ask:intake_q_danger",
		"danger | Say:intake_no_back Ask:intake_q_danger",
		" | Left:none OfferMenu",
		"danger | Say:question_passed",
	},
	QDangerCountry: {
		"consent | Emergency:AZ Say:intake_when_safe Ask:intake_q_consent",
		"consent | Emergency:AZ Say:intake_when_safe Ask:intake_q_consent",
		"danger_country | Say:intake_reask_choose Ask:intake_q_danger_country",
		"danger_country | Say:intake_file_not_now Ask:intake_q_danger_country",
		"danger_country | Say:intake_unsupported Ask:intake_q_danger_country",
		"consent | Emergency:GE Say:intake_when_safe Ask:intake_q_consent",
		"danger_country | Say:intake_reask_choose Ask:intake_q_danger_country",
		"danger | Ask:intake_q_danger",
		" | Left:none OfferMenu",
		"danger_country | Say:question_passed",
	},
	QConsent: {
		"identity | Ask:intake_q_identity",
		"identity | Ask:intake_q_identity",
		"consent | Say:intake_reask_choose Ask:intake_q_consent",
		"consent | Say:intake_file_not_now Ask:intake_q_consent",
		"consent | Say:intake_unsupported Ask:intake_q_consent",
		"consent | Say:intake_reask_choose Ask:intake_q_consent",
		"consent | Say:intake_reask_choose Ask:intake_q_consent",
		"danger | Ask:intake_q_danger",
		" | Left:none OfferMenu",
		"consent | Say:question_passed",
	},
	QIdentity: {
		"name | Ask:intake_q_name",
		"name | Ask:intake_q_name",
		"identity | Say:intake_reask_choose Ask:intake_q_identity",
		"identity | Say:intake_file_not_now Ask:intake_q_identity",
		"identity | Say:intake_unsupported Ask:intake_q_identity",
		"identity | Say:intake_reask_choose Ask:intake_q_identity",
		"identity | Say:intake_reask_choose Ask:intake_q_identity",
		"consent | Ask:intake_q_consent",
		" | Left:kept OfferMenu",
		"identity | Say:question_passed",
	},
	QName: {
		"categories | Ask:intake_q_categories",
		"categories | Ask:intake_q_categories",
		"categories | Ask:intake_q_categories",
		"name | Say:intake_file_not_now Ask:intake_q_name",
		"name | Say:intake_unsupported Ask:intake_q_name",
		"name | Say:intake_name_reask Ask:intake_q_name",
		"name | Say:intake_name_reask Ask:intake_q_name",
		"identity | Ask:intake_q_identity",
		" | Left:kept OfferMenu",
		"name | Say:question_passed",
	},
	QCategories: {
		"categories | Ask:intake_q_categories",
		"place | Ask:intake_q_place",
		"categories | Say:intake_reask_categories Ask:intake_q_categories",
		"categories | Say:intake_file_not_now Ask:intake_q_categories",
		"categories | Say:intake_unsupported Ask:intake_q_categories",
		"categories | Say:intake_reask_categories Ask:intake_q_categories",
		"categories | Say:intake_reask_categories Ask:intake_q_categories",
		"name | Ask:intake_q_name",
		" | Left:kept OfferMenu",
		"categories | Say:question_passed",
	},
	QPlace: {
		"place | Say:question_passed",
		"place | Say:intake_place_not_found Ask:intake_q_place",
		"place | Say:intake_place_not_found Ask:intake_q_place",
		"place | Say:intake_file_not_now Ask:intake_q_place",
		"place | Say:intake_unsupported Ask:intake_q_place",
		"citizenship | HideReply Ask:intake_q_citizenship",
		"place | Say:intake_place_reask Ask:intake_q_place",
		"categories | HideReply Ask:intake_q_categories",
		" | HideReply Left:kept OfferMenu",
		"place | Say:question_passed",
	},
	QPlaceStill: {
		"citizenship_still | Ask:intake_q_citizenship_still",
		"citizenship_still | Ask:intake_q_citizenship_still",
		"place | Say:intake_place_not_found Ask:intake_q_place",
		"place_still | Say:intake_file_not_now Ask:intake_q_place_still",
		"place_still | Say:intake_unsupported Ask:intake_q_place_still",
		"citizenship_still | Ask:intake_q_citizenship_still",
		"place_still | Say:intake_reask_choose Ask:intake_q_place_still",
		"categories | Ask:intake_q_categories",
		" | Left:kept OfferMenu",
		"place_still | Say:question_passed",
	},
	QPlaceMatch: {
		"citizenship | Ask:intake_q_citizenship",
		"citizenship | Ask:intake_q_citizenship",
		"place | Say:intake_place_not_found Ask:intake_q_place",
		"place_match | Say:intake_file_not_now Ask:intake_q_place_match",
		"place_match | Say:intake_unsupported Ask:intake_q_place_match",
		"citizenship | Ask:intake_q_citizenship",
		"place_match | Say:intake_reask_choose Ask:intake_q_place_match",
		"place | Ask:intake_q_place",
		" | Left:kept OfferMenu",
		"place_match | Say:question_passed",
	},
	QPlacePick: {
		"citizenship | Ask:intake_q_citizenship",
		"citizenship | Ask:intake_q_citizenship",
		"place | Say:intake_place_not_found Ask:intake_q_place",
		"place_pick | Say:intake_file_not_now Ask:intake_q_place_pick",
		"place_pick | Say:intake_unsupported Ask:intake_q_place_pick",
		"citizenship | Ask:intake_q_citizenship",
		"place_pick | Say:intake_reask_choose Ask:intake_q_place_pick",
		"place | Ask:intake_q_place",
		" | Left:kept OfferMenu",
		"place_pick | Say:question_passed",
	},
	QCitizenship: {
		"sector | Ask:intake_q_sector",
		"sector | Ask:intake_q_sector",
		"citizenship | Say:intake_reask_choose Ask:intake_q_citizenship",
		"citizenship | Say:intake_file_not_now Ask:intake_q_citizenship",
		"citizenship | Say:intake_unsupported Ask:intake_q_citizenship",
		"citizenship | Say:intake_reask_choose Ask:intake_q_citizenship",
		"citizenship | Say:intake_reask_choose Ask:intake_q_citizenship",
		"place_match | Ask:intake_q_place_match",
		" | Left:kept OfferMenu",
		"citizenship | Say:question_passed",
	},
	QCitizenshipStill: {
		"sector | Ask:intake_q_sector",
		"sector | Ask:intake_q_sector",
		"citizenship_still | Say:intake_reask_choose Ask:intake_q_citizenship_still",
		"citizenship_still | Say:intake_file_not_now Ask:intake_q_citizenship_still",
		"citizenship_still | Say:intake_unsupported Ask:intake_q_citizenship_still",
		"citizenship_still | Say:intake_reask_choose Ask:intake_q_citizenship_still",
		"citizenship_still | Say:intake_reask_choose Ask:intake_q_citizenship_still",
		"place_still | Ask:intake_q_place_still",
		" | Left:kept OfferMenu",
		"citizenship_still | Say:question_passed",
	},
	QSector: {
		"employer | Ask:intake_q_employer",
		"employer | Ask:intake_q_employer",
		"sector | Say:intake_reask_choose Ask:intake_q_sector",
		"sector | Say:intake_file_not_now Ask:intake_q_sector",
		"sector | Say:intake_unsupported Ask:intake_q_sector",
		"sector | Say:intake_reask_choose Ask:intake_q_sector",
		"sector | Say:intake_reask_choose Ask:intake_q_sector",
		"citizenship | Ask:intake_q_citizenship",
		" | Left:kept OfferMenu",
		"sector | Say:question_passed",
	},
	QEmployer: {
		"since | Ask:intake_q_since",
		"since | Ask:intake_q_since",
		"since | Ask:intake_q_since",
		"employer | Say:intake_file_not_now Ask:intake_q_employer",
		"employer | Say:intake_unsupported Ask:intake_q_employer",
		"employer | Say:intake_employer_reask Ask:intake_q_employer",
		"employer | Say:intake_employer_reask Ask:intake_q_employer",
		"sector | Ask:intake_q_sector",
		" | Left:kept OfferMenu",
		"employer | Say:question_passed",
	},
	QSince: {
		"description | Ask:intake_q_story",
		"description | Ask:intake_q_story",
		"description | Ask:intake_q_story",
		"since | Say:intake_file_not_now Ask:intake_q_since",
		"since | Say:intake_unsupported Ask:intake_q_since",
		"since | Say:intake_reask_choose Ask:intake_q_since",
		"since | Say:intake_reask_choose Ask:intake_q_since",
		"employer | Ask:intake_q_employer",
		" | Left:kept OfferMenu",
		"since | Say:question_passed",
	},
	QDescription: {
		"description | Say:intake_description_empty Ask:intake_q_story",
		"description | Ask:intake_description_more",
		"description | Ask:intake_description_more",
		"description | Ask:intake_description_more",
		"description | Say:intake_unsupported Ask:intake_q_story",
		"description | Say:intake_description_reask Ask:intake_q_story",
		"description | Say:intake_description_reask Ask:intake_q_story",
		"since | Ask:intake_q_since",
		" | Left:kept OfferMenu",
		"description | Say:question_passed",
	},
	QContact: {
		"review | Ask:intake_q_review",
		"review | Ask:intake_q_review",
		"contact | Say:intake_reask_choose Ask:intake_q_contact",
		"contact | Say:intake_file_not_now Ask:intake_q_contact",
		"contact | Say:intake_unsupported Ask:intake_q_contact",
		"contact | Say:intake_reask_choose Ask:intake_q_contact",
		"review | Ask:intake_q_review",
		"description | Ask:intake_q_story",
		" | Left:kept OfferMenu",
		"contact | Say:question_passed",
	},
	QPhone: {
		"phone | Say:question_passed",
		"phone | Say:intake_phone_invalid Ask:intake_q_phone",
		"phone | Say:intake_phone_invalid Ask:intake_q_phone",
		"phone | Say:intake_file_not_now Ask:intake_q_phone",
		"phone | Say:intake_unsupported Ask:intake_q_phone",
		"phone | Say:intake_phone_reask Ask:intake_q_phone",
		"review | HideReply Ask:intake_q_review",
		"contact | HideReply Ask:intake_q_contact",
		" | HideReply Left:kept OfferMenu",
		"phone | Say:question_passed",
	},
	QReview: {
		"identity | Ask:intake_q_identity",
		"identity | Ask:intake_q_identity",
		"review | Say:intake_reask_choose Ask:intake_q_review",
		"review | Say:intake_file_not_now Ask:intake_q_review",
		"review | Say:intake_unsupported Ask:intake_q_review",
		"review | Say:intake_reask_choose Ask:intake_q_review",
		"review | Say:intake_reask_choose Ask:intake_q_review",
		"contact | Ask:intake_q_contact",
		" | Left:kept OfferMenu",
		"review | Say:question_passed",
	},
}

func TestStepStatesByInputKind(t *testing.T) {
	for _, q := range questions {
		wants, ok := stateTable[q]
		if !ok || len(wants) != len(probes) {
			t.Fatalf("stateTable[%s] needs %d entries", q, len(probes))
		}
		for i, p := range probes {
			t.Run(string(q)+"/"+p.name, func(t *testing.T) {
				r := reach(t, q)
				if p.name == "button" && len(r.last.Buttons) == 0 {
					// Reply-keyboard questions have no inline button; a
					// payload aimed at them is forged or outdated.
					r.last.Buttons = [][]Button{{{Payload: fmt.Sprintf("%d:%s:yes", r.s.Seq, codeOf(q))}}}
				}
				before := r.s
				in := p.in(r)
				out := r.do(in)
				got := string(r.s.Question) + " | " + describe(out)
				if got != wants[i] {
					t.Errorf("got  %q\nwant %q", got, wants[i])
				}
				checkAsks(t, r.s, out)
				if strings.HasSuffix(got, "Say:question_passed") && !reflect.DeepEqual(before, r.s) {
					t.Errorf("a passed question changed the state")
				}
			})
		}
	}
}

// checkAsks verifies what every Ask must satisfy: it asks the current
// question with the current Seq, and its buttons carry that Seq.
func checkAsks(t testing.TB, s State, out []Effect) {
	t.Helper()
	for _, e := range out {
		a, ok := e.(Ask)
		if !ok {
			continue
		}
		if a.Seq != s.Seq || a.Question != s.Question {
			t.Errorf("Ask %s seq %d, state %s seq %d", a.Question, a.Seq, s.Question, s.Seq)
		}
		if a.ReplaceSeq != 0 && a.ReplaceSeq != a.Seq {
			t.Errorf("Ask replaces seq %d of another question", a.ReplaceSeq)
		}
		for _, row := range a.Buttons {
			for _, b := range row {
				seq, code, _, ok := parsePayload(b.Payload)
				if !ok || seq != a.Seq || code != codeOf(a.Question) || len(b.Payload) > MaxPayload {
					t.Errorf("bad payload %q on %s", b.Payload, a.Question)
				}
				if !strings.HasPrefix(b.Label, "intake_") && !strings.HasPrefix(b.Label, "btn_") {
					t.Errorf("label %q is not a locale id", b.Label)
				}
			}
		}
	}
}
