package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
)

// "Yes, I am in danger" with no country known: 112, which works in every
// country the bot serves, is on screen before the country is even asked.
func TestIntakeDangerShows112BeforeAskingTheCountry(t *testing.T) {
	for _, lang := range []string{"ru", "az"} {
		t.Run(lang, func(t *testing.T) {
			d := newIKDesk(t, lang)
			d.command("complaint")
			out := d.press("yes")
			if len(out) < 3 || out[0].Reply.Action != chat.ActionAnswerCallback {
				t.Fatalf("replies %+v", out)
			}
			if got, want := out[1].Reply.Text, d.tr("intake_emergency_now", nil); got != want || !strings.Contains(got, "112") {
				t.Fatalf("first message after yes = %q, want the 112 note %q", got, want)
			}
			if !strings.Contains(ikJoined(out[2:]), firstLineOf(d.tr("intake_q_danger_country", nil))) {
				t.Errorf("the country is not asked after the 112 note: %q", ikTexts(out))
			}
			if d.question() != intake.QDangerCountry {
				t.Fatalf("at %s", d.question())
			}
			ikCheck(t, out)
		})
	}
}

// Refusing consent keeps nothing but the language: no case, no draft, no
// answer given before the refusal, nothing learnt about the worker.
func TestIntakeConsentRefusedStoresNothing(t *testing.T) {
	d := newIKDesk(t, "ro")
	d.command("complaint")
	d.press("yes")
	// The country typed as a city: an answer that must not survive.
	d.text("Chișinău")
	if d.question() != intake.QConsent || d.state().Intake.Draft.EmergencyCountry != "MD" {
		t.Fatalf("at %s with %+v", d.question(), d.state().Intake.Draft)
	}
	out := d.press("no")
	if !strings.Contains(ikJoined(out), d.tr("intake_consent_refused", nil)) {
		t.Fatalf("refusal answered %q", ikTexts(out))
	}

	c, err := d.db.Chat(context.Background(), d.chatID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Language != "ro" {
		t.Errorf("the language choice was lost: %q", c.Language)
	}
	var st State
	if err := json.Unmarshal(c.State, &st); err != nil {
		t.Fatal(err)
	}
	if st.Intake.Draft != nil || st.Intake.Active() || st.Intake.ResumeAt != "" || len(st.Intake.History) > 0 {
		t.Errorf("intake state after refusal: %+v", st.Intake)
	}
	if st.Profile != (Profile{}) || st.Cases != (CasesState{}) {
		t.Errorf("something learnt about the worker: profile %+v cases %+v", st.Profile, st.Cases)
	}
	for _, answer := range []string{"MD", "danger", "Chi", "emergency", "consent"} {
		if strings.Contains(string(c.State), answer) {
			t.Errorf("state still mentions %q: %s", answer, c.State)
		}
	}
	if cases, err := d.db.ChatCases(context.Background(), d.chatID); err != nil || len(cases) != 0 {
		t.Errorf("cases after refusal: %+v %v", cases, err)
	}
	// And nothing to continue: /complaint starts from the safety question.
	d.command("complaint")
	if d.question() != intake.QDanger {
		t.Errorf("after refusal /complaint asks %s", d.question())
	}
}

// A draft waits through weeks of silence: the question on screen still
// takes its buttons, and a draft left with /cancel is offered again.
func TestIntakeSurvivesWeeksOfSilence(t *testing.T) {
	d := newIKDesk(t, "kk")
	d.reach(intake.QSector)
	d.now = d.now.Add(30 * 24 * time.Hour)
	d.press(intake.SectorAgriculture)
	if d.question() != intake.QEmployer || d.state().Intake.Draft.Sector != intake.SectorAgriculture {
		t.Fatalf("after a month the sector button gave %s", d.question())
	}
	d.command("cancel")
	d.now = d.now.Add(60 * 24 * time.Hour)
	d.command("complaint")
	if d.question() != intake.QResume {
		t.Fatalf("no resume offer after two months: %s", d.question())
	}
	d.press("continue")
	if d.question() != intake.QEmployer {
		t.Fatalf("continued at %s", d.question())
	}
	d.text("Farm")
	if st := d.state().Intake; st.Question != intake.QSince || st.Draft.Employer != "Farm" || st.Draft.Sector != intake.SectorAgriculture {
		t.Fatalf("draft after the silence: at %s, %+v", st.Question, st.Draft)
	}
}
