package intake

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func happyPath(r *run) Draft {
	r.t.Helper()
	r.do(cmd(CommandStart))
	r.expectQ(QDanger)
	r.press("no")
	r.expectQ(QConsent)
	if got := r.last.Data["RetentionMonths"]; got != DefaultRetentionMonths {
		r.t.Fatalf("consent RetentionMonths = %v", got)
	}
	r.press("yes")
	r.expectQ(QIdentity)
	r.press(IdentityAnonymous)
	r.expectQ(QCategories)
	r.press("wages")
	r.press("documents")
	r.press("wages") // toggled off again
	r.press("forced")
	r.press("done")
	r.expectQ(QPlace)
	r.do(text("A")) // Almaty, Astana
	r.expectQ(QPlacePick)
	r.press("1")
	r.expectQ(QCitizenship)
	r.press("uz")
	r.expectQ(QSector)
	r.do(text("construction")) // typed label
	r.expectQ(QEmployer)
	r.do(text("Stroy LLC"))
	r.expectQ(QSince)
	r.do(text("since last spring"))
	r.expectQ(QDescription)
	r.do(text("They took my passport."))
	r.do(photo("1"))
	r.do(text("No pay since March."))
	r.press("done")
	r.expectQ(QContact)
	if r.last.Message != "intake_q_contact_anonymous" {
		r.t.Fatalf("anonymous user sees %s", r.last.Message)
	}
	r.press(ContactPhone)
	r.expectQ(QPhone)
	r.do(ownContact("+7 701 123-45-67"))
	r.expectQ(QReview)
	out := r.press("submit")
	if r.s.Question != "" || r.s.Draft != nil {
		r.t.Fatalf("after submit state keeps the draft: %+v", r.s)
	}
	for _, e := range out {
		if sub, ok := e.(Submit); ok {
			return sub.Draft
		}
	}
	r.t.Fatalf("no Submit in %s", describe(out))
	return Draft{}
}

func TestHappyPath(t *testing.T) {
	d := happyPath(newRun(t))
	want := Draft{
		Danger: "no", Consent: true, Identity: IdentityAnonymous,
		Categories:  []Category{CategoryDocuments, CategoryForced},
		Place:       &gazetteer[4],
		Citizenship: "UZ", Sector: SectorConstruct, Employer: "Stroy LLC", SinceText: "since last spring",
		Description:   "They took my passport.\n\nNo pay since March.",
		ContactMethod: ContactPhone, Phone: "+77011234567",
	}
	if len(d.Evidence) != 1 || d.Evidence[0].UniqueID != "u1" || d.Evidence[0].ReceivedAt.IsZero() {
		t.Fatalf("evidence = %+v", d.Evidence)
	}
	if d.StartedAt.IsZero() || !d.ConsentAt.After(d.StartedAt) || d.UpdatedAt.Before(d.ConsentAt) {
		t.Fatalf("times: started %v consent %v updated %v", d.StartedAt, d.ConsentAt, d.UpdatedAt)
	}
	d.Evidence, d.StartedAt, d.UpdatedAt, d.ConsentAt = nil, want.StartedAt, want.UpdatedAt, want.ConsentAt
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("draft\n got %+v\nwant %+v", d, want)
	}
}

// The same conversation with the state reloaded from JSON before every step
// must produce the same effects: restarts are invisible to the user.
func TestRestartAtEveryStep(t *testing.T) {
	mem, disk := newRun(t), newRun(t)
	disk.reload = true
	a, b := happyPath(mem), happyPath(disk)
	if describe(mem.all) != describe(disk.all) {
		t.Fatalf("effects differ:\n mem %s\ndisk %s", describe(mem.all), describe(disk.all))
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("drafts differ:\n%s\n%s", ja, jb)
	}
}

func TestDangerShowsEmergencyFirst(t *testing.T) {
	t.Run("country from profile", func(t *testing.T) {
		r := newRun(t)
		r.env.Profile.CountryOfWork = "ru"
		r.do(cmd(CommandStart))
		out := r.press("yes")
		if got := describe(out); got != "Emergency:RU Say:intake_when_safe Ask:intake_q_consent" {
			t.Fatalf("effects = %s", got)
		}
		if r.s.Draft.EmergencyCountry != "RU" || r.s.Draft.Danger != "yes" {
			t.Fatalf("draft = %+v", r.s.Draft)
		}
	})
	for _, tc := range []struct {
		name    string
		in      func(r *run) Input
		country string
	}{
		{"button", func(r *run) Input { return press(r.payload("ge")) }, "GE"},
		{"other button", func(r *run) Input { return press(r.payload(CountryOther)) }, ""},
		{"typed code", func(*run) Input { return text("kz") }, "KZ"},
		{"typed number", func(*run) Input { return text("6") }, "TR"},
		{"typed city", func(*run) Input { return text("Yekaterinburg") }, "RU"},
		{"location", func(*run) Input { return loc(40.4, 49.9) }, "AZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			r.do(cmd(CommandStart))
			// 112 comes at once, before the country is even asked.
			if got := describe(r.press("yes")); got != "Emergency112 Ask:intake_q_danger_country" {
				t.Fatalf("effects of yes = %s", got)
			}
			r.expectQ(QDangerCountry)
			out := r.do(tc.in(r))
			if len(out) == 0 || out[0] != Effect(ShowEmergency{Country: tc.country}) {
				t.Fatalf("effects = %s", describe(out))
			}
			r.expectQ(QConsent)
		})
	}
	t.Run("unknown country re-asks", func(t *testing.T) {
		r := newRun(t)
		r.do(cmd(CommandStart))
		r.press("yes")
		out := r.do(text("Atlantis"))
		if got := describe(out); got != "Say:intake_reask_choose Ask:intake_q_danger_country" {
			t.Fatalf("effects = %s", got)
		}
	})
}

func TestConsentRefusedKeepsNothing(t *testing.T) {
	r := newRun(t)
	r.do(cmd(CommandStart))
	r.press("yes")
	r.press("md")
	seq := r.s.Seq
	out := r.press("no")
	if got := describe(out); got != "Say:intake_consent_refused OfferGuide" {
		t.Fatalf("effects = %s", got)
	}
	if !reflect.DeepEqual(r.s, State{Version: CurrentVersion, Seq: seq}) {
		t.Fatalf("state after refusal = %+v", r.s)
	}
	// Nothing to resume: /complaint starts from the safety question.
	r.do(cmd(CommandStart))
	r.expectQ(QDanger)
}

func TestBack(t *testing.T) {
	r := newRun(t)
	r.do(cmd(CommandStart))
	out := r.do(cmd(CommandBack))
	if got := describe(out); got != "Say:intake_no_back Ask:intake_q_danger" {
		t.Fatalf("back at first question: %s", got)
	}
	r.press("no")
	r.press("yes")
	r.press(IdentityShared)
	r.do(text("Lela"))
	r.press("safety")
	r.press("done")
	r.do(text("Tbilisi"))
	r.expectQ(QPlaceMatch)
	for _, want := range []QuestionID{QPlace, QCategories, QName, QIdentity, QConsent, QDanger} {
		r.do(cmd(CommandBack))
		r.expectQ(want)
	}
	// Answers survive going back: the categories are still selected.
	r.press("no")
	r.press("yes")
	r.press(IdentityShared)
	r.press("skip")
	if !r.last.Buttons[4][0].Selected {
		t.Fatalf("safety not shown as selected after back: %+v", r.last.Buttons[4])
	}
	// A button of a question left by /back has passed.
	old := r.payload("done")
	r.do(cmd(CommandBack))
	before := r.s
	out = r.do(press(old))
	if got := describe(out); got != "Say:question_passed" || !reflect.DeepEqual(before, r.s) {
		t.Fatalf("stale button: %s, state changed %v", got, !reflect.DeepEqual(before, r.s))
	}
}

func TestCancelAndResume(t *testing.T) {
	start := func(t *testing.T) *run {
		r := newRun(t)
		r.do(cmd(CommandStart))
		r.press("no")
		r.press("yes")
		r.press(IdentityShared)
		r.do(text("Ana"))
		r.press("violence")
		r.press("done")
		r.expectQ(QPlace)
		out := r.do(cmd(CommandCancel))
		if got := describe(out); got != "HideReply Left:kept OfferMenu" {
			t.Fatalf("cancel: %s", got)
		}
		if r.s.Active() || !r.s.HasDraft() {
			t.Fatalf("after cancel: %+v", r.s)
		}
		// Text while idle is not for the intake.
		if s, out := Step(r.s, text("hello"), r.env, r.now); len(out) != 0 || !reflect.DeepEqual(s, r.s) {
			t.Fatalf("idle text handled: %s", describe(out))
		}
		r.now = r.now.AddDate(0, 0, 9) // days of silence
		r.do(cmd(CommandStart))
		r.expectQ(QResume)
		return r
	}
	t.Run("continue", func(t *testing.T) {
		r := start(t)
		r.press("continue")
		r.expectQ(QPlace)
		if r.s.Draft.Categories[0] != CategoryViolence {
			t.Fatal("draft lost")
		}
		r.do(cmd(CommandBack))
		r.expectQ(QCategories)
	})
	t.Run("start over", func(t *testing.T) {
		r := start(t)
		r.press("over")
		r.expectQ(QDanger)
		if r.s.Draft.Consent || len(r.s.Draft.Categories) > 0 || len(r.s.History) > 0 {
			t.Fatalf("start over kept answers: %+v", r.s.Draft)
		}
	})
	t.Run("discard", func(t *testing.T) {
		r := start(t)
		out := r.press("discard")
		if got := describe(out); got != "DraftDiscarded OfferMenu" || r.s.Draft != nil || r.s.Active() {
			t.Fatalf("discard: %s %+v", got, r.s)
		}
	})
	t.Run("complaint while answering offers resume", func(t *testing.T) {
		r := start(t)
		r.press("continue")
		r.do(text("Baku"))
		r.expectQ(QPlaceMatch)
		r.do(cmd(CommandStart))
		r.expectQ(QResume)
		r.press("continue")
		r.expectQ(QPlaceMatch)
	})
	t.Run("cancel before consent keeps nothing", func(t *testing.T) {
		r := newRun(t)
		r.do(cmd(CommandStart))
		out := r.do(cmd(CommandCancel))
		if got := describe(out); got != "Left:none OfferMenu" || r.s.Draft != nil {
			t.Fatalf("cancel: %s %+v", got, r.s)
		}
	})
}

func TestEditFromReviewReturnsToReview(t *testing.T) {
	edits := []struct {
		field  QuestionID
		answer func(r *run)
		check  func(d *Draft) bool
	}{
		{QIdentity, func(r *run) { r.press(IdentityAnonymous) }, func(d *Draft) bool { return d.Identity == IdentityAnonymous && d.Name == "" }},
		{QName, func(r *run) { r.do(text("  Giorgi \n Beridze ")) }, func(d *Draft) bool { return d.Name == "Giorgi Beridze" }},
		{QCategories, func(r *run) { r.press("wages"); r.press("contract"); r.press("done") }, func(d *Draft) bool {
			return slices.Equal(d.Categories, []Category{CategoryContract})
		}},
		{QPlace, func(r *run) { r.do(text("Istanbul")); r.press("yes") }, func(d *Draft) bool { return d.Place.ID == "istanbul" }},
		{QCitizenship, func(r *run) { r.do(text("GE")) }, func(d *Draft) bool { return d.Citizenship == "GE" }},
		{QSector, func(r *run) { r.press(SectorDomestic) }, func(d *Draft) bool { return d.Sector == SectorDomestic }},
		{QEmployer, func(r *run) { r.do(text("Mr X")) }, func(d *Draft) bool { return d.Employer == "Mr X" && !d.EmployerSkipped }},
		{QSince, func(r *run) { r.press(SinceOverYear) }, func(d *Draft) bool { return d.Since == SinceOverYear }},
		{QDescription, func(r *run) { r.press("clear"); r.do(text("New text")); r.press("done") }, func(d *Draft) bool {
			return d.Description == "New text"
		}},
		{QContact, func(r *run) { r.press(ContactPhone); r.do(text("+995 555 12 34 56")) }, func(d *Draft) bool {
			return d.Phone == "+995555123456"
		}},
	}
	for _, e := range edits {
		t.Run(string(e.field), func(t *testing.T) {
			r := newRun(t)
			r.env.Profile = Profile{City: "Baku", CountryOfWork: "AZ", Citizenship: "AZ"}
			toReviewWithProfile(r)
			history := slices.Clone(r.s.History)
			r.press("e-" + string(e.field))
			if r.s.Question != e.field || !r.s.Editing {
				t.Fatalf("edit opened %s editing=%v", r.s.Question, r.s.Editing)
			}
			e.answer(r)
			r.expectQ(QReview)
			if !e.check(r.s.Draft) || r.s.Editing || !slices.Equal(history, r.s.History) {
				t.Fatalf("after edit: %+v history %v", r.s.Draft, r.s.History)
			}
		})
	}
	t.Run("back from edit returns to review", func(t *testing.T) {
		r := newRun(t)
		toReview(r)
		r.press("e-sector")
		r.do(cmd(CommandBack))
		r.expectQ(QReview)
	})
	t.Run("back from edit with the field emptied asks for it", func(t *testing.T) {
		r := newRun(t)
		toReview(r)
		r.press("e-categories")
		r.press("wages")
		out := r.do(cmd(CommandBack))
		if got := describe(out); got != "Say:intake_answer_needed Ask:intake_q_categories" {
			t.Fatalf("effects = %s", got)
		}
	})
}

// toReviewWithProfile goes through the "still in …?" confirmations.
func toReviewWithProfile(r *run) {
	r.t.Helper()
	r.do(cmd(CommandStart))
	r.press("no")
	r.press("yes")
	r.press(IdentityShared)
	r.press("skip")
	r.press("wages")
	r.press("done")
	r.expectQ(QPlaceStill)
	if r.last.Data["City"] != "Baku" {
		r.t.Fatalf("still-in data = %v", r.last.Data)
	}
	r.press("yes")
	r.expectQ(QCitizenshipStill)
	r.press("yes")
	r.press(SectorConstruct)
	r.press("skip")
	r.press(SinceOneToSix)
	r.do(photo("9"))
	r.press("done")
	r.press(ContactBot)
	r.expectQ(QReview)
	if r.s.Draft.Place.Name != "Baku" || r.s.Draft.Citizenship != "AZ" {
		r.t.Fatalf("profile answers not used: %+v", r.s.Draft)
	}
}

func TestReviewData(t *testing.T) {
	r := newRun(t)
	toReview(r)
	a := r.last
	for _, key := range []string{"Identity", "Categories", "Place", "Citizenship", "Sector", "Employer", "Since", "Description", "Files", "Contact"} {
		if _, ok := a.Data[key]; !ok {
			t.Errorf("review data lacks %s", key)
		}
	}
	if a.Data["Description"] != "They kept my passport." || !reflect.DeepEqual(a.Data["Employer"], Ref{ID: "intake_value_not_given"}) {
		t.Errorf("review data = %+v", a.Data)
	}
	edits := 0
	for _, row := range a.Buttons {
		for _, b := range row {
			if len(b.Payload) > MaxPayload {
				t.Errorf("payload %q too long", b.Payload)
			}
			if valueOf(b.Payload)[:2] == "e-" {
				edits++
			}
		}
	}
	// The name has its own button while the identity is shared.
	if edits != len(reviewFields)+1 {
		t.Errorf("%d edit buttons, want %d", edits, len(reviewFields)+1)
	}
}

func TestDescriptionLimits(t *testing.T) {
	r := newRun(t)
	toReview(r)
	r.env.MaxText = 30
	r.press("e-description")
	// 22 + 2 + 10 > 30: what fits is kept, and the worker is told.
	out := r.do(text("0123456789"))
	if got := describe(out); got != "Say:intake_story_full Ask:intake_description_more" {
		t.Fatalf("too long: %s", got)
	}
	if r.s.Draft.Description != "They kept my passport.\n\n012345" {
		t.Fatalf("kept %q", r.s.Draft.Description)
	}
	if say := out[0].(Say); say.Data["Kept"] != 6 || say.Data["Sent"] != 10 || say.Data["Max"] != 30 {
		t.Errorf("told %+v", say.Data)
	}
	// Full: nothing more fits, and the worker hears it again.
	if got := describe(r.do(text("more"))); got != "Say:intake_story_full Ask:intake_description_more" {
		t.Fatalf("full: %s", got)
	}
	r.press("clear")
	out = r.press("done")
	if got := describe(out); got != "Say:intake_description_empty Ask:intake_q_story_edit" {
		t.Fatalf("done with nothing: %s", got)
	}
	r.do(text("0123456789"))
	r.press("done")
	r.expectQ(QReview)
}

// A story longer than 3,000 characters is kept: a message up to Telegram's
// 4,096 whole, and a story told over several messages up to the bound,
// where the overflowing message keeps what fits, cut between words.
func TestLongStoryIsKept(t *testing.T) {
	r := newRun(t)
	r.env.MaxText = 0 // the default
	toReview(r)
	r.press("e-description")
	r.press("clear")
	long := strings.Repeat("word ", 800) // 4,000 characters
	long = strings.TrimSpace(long) + "!"
	if got := describe(r.do(text(long))); got != "Ask:intake_description_more" {
		t.Fatalf("4,000 characters: %s", got)
	}
	if r.s.Draft.Description != strings.TrimSpace(long) {
		t.Fatalf("kept %d of %d characters", len(r.s.Draft.Description), len(long))
	}
	full := strings.Repeat("слово ", 681) + "конец" // 4,091 runes
	for range 3 {
		r.do(text(full))
	}
	before := runes(r.s.Draft.Description)
	out := r.do(text(full))
	if got := describe(out); got != "Say:intake_story_full Ask:intake_description_more" {
		t.Fatalf("past the bound: %s", got)
	}
	d := r.s.Draft.Description
	if runes(d) > DefaultMaxText || runes(d) < DefaultMaxText-runes(full)/5 || runes(d) <= before {
		t.Fatalf("story is %d runes (was %d), bound %d", runes(d), before, DefaultMaxText)
	}
	if !strings.HasSuffix(d, "слово") {
		t.Errorf("cut inside a word: …%q", d[len(d)-20:])
	}
	if err := r.s.Validate(); err != nil {
		t.Fatalf("the kept story does not validate: %v", err)
	}
	r.press("done")
	r.expectQ(QReview)
}

// A voice note is the account: it alone answers the story question, is
// kept as evidence of kind voice, and is refused (kindly) at other
// questions.
func TestVoiceNoteIsTheStory(t *testing.T) {
	voice := Input{Kind: InputFile, File: &File{ID: "v1", UniqueID: "uv1", Kind: FileVoice, MIME: "audio/ogg", Size: 9800}}
	r := newRun(t)
	r.do(cmd(CommandStart))
	r.press("no")
	if got := describe(r.do(voice)); got != "Say:intake_voice_not_now Ask:intake_q_consent" {
		t.Fatalf("voice at the consent question: %s", got)
	}
	toReview(r)
	r.press("e-description")
	r.press("clear")
	r.s.Draft.Evidence = nil
	if got := describe(r.do(voice)); got != "Ask:intake_description_more" {
		t.Fatalf("voice as the story: %s", got)
	}
	ev := r.s.Draft.Evidence
	if len(ev) != 1 || ev[0].Kind != FileVoice || ev[0].ID != "v1" || ev[0].MIME != "audio/ogg" {
		t.Fatalf("evidence %+v", ev)
	}
	r.press("done")
	r.expectQ(QReview)
}

// A phone number without its country code is asked again with an example;
// the international prefix 00 counts as +; a shared contact is taken whole.
func TestPhoneNeedsACountryCode(t *testing.T) {
	r := newRun(t)
	toReview(r)
	r.press("e-contact")
	r.press(ContactPhone)
	r.expectQ(QPhone)
	for _, national := range []string{"050 123 45 67", "8 (900) 123-45-67", "0501234567"} {
		if got := describe(r.do(text(national))); got != "Say:intake_phone_no_country_code Ask:intake_q_phone" {
			t.Fatalf("%s: %s", national, got)
		}
	}
	r.do(text("00 994 50 123 45 67"))
	if r.s.Draft.Phone != "+994501234567" {
		t.Fatalf("00 prefix kept as %q", r.s.Draft.Phone)
	}
	// Typed at the contact question itself: straight to the phone question.
	r.press("e-contact")
	if got := describe(r.do(text("050 123 45 67"))); got != "Say:intake_phone_no_country_code Ask:intake_q_phone" {
		t.Fatalf("national number at the contact question: %s", got)
	}
	r.do(ownContact("994501234567"))
	if r.s.Draft.Phone != "+994501234567" {
		t.Fatalf("shared contact kept as %q", r.s.Draft.Phone)
	}
}

func TestNameQuestion(t *testing.T) {
	t.Run("asked after sharing, typed, shown on the review", func(t *testing.T) {
		r := newRun(t)
		r.do(cmd(CommandStart))
		r.press("no")
		r.press("yes")
		r.press(IdentityShared)
		r.expectQ(QName)
		if r.s.Draft.Identity != IdentityShared || r.payload("skip") == "" {
			t.Fatalf("name asked with identity %q, buttons %+v", r.s.Draft.Identity, r.last.Buttons)
		}
		if got := describe(r.do(text(" \u200b "))); got != "Say:intake_name_reask Ask:intake_q_name" {
			t.Fatalf("blank name: %s", got)
		}
		if got := describe(r.do(text(strings.Repeat("n", 201)))); got != "Say:text_too_long Ask:intake_q_name" {
			t.Fatalf("long name: %s", got)
		}
		r.do(text("  Nino\n  Beridze "))
		r.expectQ(QCategories)
		if r.s.Draft.Name != "Nino Beridze" {
			t.Fatalf("name kept as %q", r.s.Draft.Name)
		}
	})
	t.Run("anonymous is never asked", func(t *testing.T) {
		r := newRun(t)
		r.do(cmd(CommandStart))
		r.press("no")
		r.press("yes")
		r.press(IdentityAnonymous)
		r.expectQ(QCategories)
	})
	t.Run("skip keeps no name", func(t *testing.T) {
		r := newRun(t)
		toReview(r)
		r.press("e-name")
		r.expectQ(QName)
		r.press("skip")
		r.expectQ(QReview)
		if r.s.Draft.Name != "" || r.s.Draft.Identity != IdentityShared {
			t.Fatalf("after skip: %+v", r.s.Draft)
		}
		if !reflect.DeepEqual(r.last.Data["Identity"], Ref{ID: "intake_value_shared"}) {
			t.Fatalf("review identity = %+v", r.last.Data["Identity"])
		}
	})
	t.Run("review shows and edits it; anonymous clears it", func(t *testing.T) {
		r := newRun(t)
		toReview(r)
		want := Ref{ID: "intake_value_shared_name", Data: map[string]any{"Name": "Nino"}}
		if !reflect.DeepEqual(r.last.Data["Identity"], want) {
			t.Fatalf("review identity = %+v", r.last.Data["Identity"])
		}
		r.press("e-name")
		if !r.s.Editing {
			t.Fatal("the name is not edited from the review")
		}
		r.do(text("Lela"))
		r.expectQ(QReview)
		if r.s.Draft.Name != "Lela" {
			t.Fatalf("name = %q", r.s.Draft.Name)
		}
		r.press("e-identity")
		r.press(IdentityAnonymous)
		r.expectQ(QReview)
		if r.s.Draft.Name != "" || r.payload("e-name") != "" {
			t.Fatalf("anonymous keeps the name %q or its edit button", r.s.Draft.Name)
		}
		if !reflect.DeepEqual(r.last.Data["Identity"], Ref{ID: "intake_value_anonymous"}) {
			t.Fatalf("review identity = %+v", r.last.Data["Identity"])
		}
		// A forged "edit name" for an anonymous worker changes nothing.
		before := r.s
		if got := describe(r.do(press(payload(r.s.Seq, codeOf(QReview), "e-name")))); got != "Say:question_passed" || !reflect.DeepEqual(before, r.s) {
			t.Fatalf("e-name while anonymous: %s", got)
		}
		// Going back through the answers skips the name nobody shares.
		var visited []QuestionID
		for range 12 {
			r.do(cmd(CommandBack))
			visited = append(visited, r.s.Question)
			if r.s.Question == QIdentity {
				break
			}
		}
		if slices.Contains(visited, QName) || r.s.Question != QIdentity {
			t.Fatalf("/back visited %v", visited)
		}
		r.do(cmd(CommandBack))
		r.expectQ(QConsent)
	})
	t.Run("sharing again from the review asks the name", func(t *testing.T) {
		r := newRun(t)
		r.env.Profile = Profile{City: "Baku", CountryOfWork: "AZ", Citizenship: "AZ"}
		toReviewWithProfile(r)
		r.press("e-identity")
		r.press(IdentityAnonymous)
		r.press("e-identity")
		r.press(IdentityShared)
		r.expectQ(QName)
		if !r.s.Editing {
			t.Fatal("not editing")
		}
		r.do(cmd(CommandBack)) // the name is optional: back is the review
		r.expectQ(QReview)
		r.press("e-name")
		r.do(text("Ana"))
		r.expectQ(QReview)
		if r.s.Draft.Name != "Ana" || r.s.Draft.Identity != IdentityShared {
			t.Fatalf("draft %+v", r.s.Draft)
		}
	})
}

// A draft saved before the name was asked (version 1, no "name") still
// loads: it goes on where it was, and its review offers to add a name.
func TestStateWithoutNameLoads(t *testing.T) {
	old := `{"v":1,"q":"review","seq":16,"history":["danger","consent","identity","categories","place","place_match","citizenship","sector","employer","since","description"],` +
		`"draft":{"started_at":"2025-03-01T09:00:00Z","updated_at":"2025-03-01T09:20:00Z","danger":"no","consent":true,"consent_at":"2025-03-01T09:02:00Z",` +
		`"identity":"shared","categories":["wages"],"place":{"id":"baku","name":"Baku","country":"AZ","lat":40.41,"lon":49.87},"citizenship":"AZ",` +
		`"sector":"construction","employer_skipped":true,"since":"1to6m","description":"Unpaid.","contact_method":"bot"}}`
	s, err := Load([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(t)
	r.s = s
	r.do(cmd(CommandStart))
	r.press("continue")
	r.expectQ(QReview)
	if !reflect.DeepEqual(r.last.Data["Identity"], Ref{ID: "intake_value_shared"}) || r.payload("e-name") == "" {
		t.Fatalf("old draft's review: %+v", r.last.Data["Identity"])
	}
	r.press("e-name")
	r.do(text("Nino"))
	r.press("submit")
	var sub *Submit
	for _, e := range r.out {
		if e, ok := e.(Submit); ok {
			sub = &e
		}
	}
	if sub == nil || sub.Draft.Name != "Nino" {
		t.Fatalf("submitted %s", describe(r.out))
	}
}

// A stored name must belong to a worker who shares their identity.
func TestValidateName(t *testing.T) {
	r := newRun(t)
	toReview(r)
	for name, mutate := range map[string]func(s *State){
		"anonymous with a name": func(s *State) { s.Draft.Identity = IdentityAnonymous },
		"blank name":            func(s *State) { s.Draft.Name = "\u200b" },
		"name too long":         func(s *State) { s.Draft.Name = strings.Repeat("n", maxStoredShort+1) },
		"asked while anonymous": func(s *State) { s.Question, s.Draft.Identity, s.Draft.Name = QName, IdentityAnonymous, "" },
		"name without consent": func(s *State) {
			*s = State{Version: CurrentVersion, Seq: 3, Question: QConsent, Draft: &Draft{Name: "X", Identity: IdentityShared}}
		},
	} {
		s := r.s.clone()
		mutate(&s)
		if s.Validate() == nil {
			t.Errorf("%s: validates", name)
		}
	}
	if err := r.s.Validate(); err != nil {
		t.Fatal(err)
	}
}
