package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/store"
)

// The drafts index follows the sealed draft turn by turn: written when the
// draft changes, untouched when it does not, gone when it is submitted.
func TestDraftIndexFollowsTheDraft(t *testing.T) {
	d := newIKDesk(t, "ro")
	ctx := context.Background()
	entry := func() (store.DraftEntry, bool) {
		t.Helper()
		e, err := d.db.Draft(ctx, d.chatID)
		if errors.Is(err, store.ErrNotFound) {
			return e, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return e, true
	}
	agrees := func(when string) {
		t.Helper()
		e, ok := entry()
		dr := d.state().Intake.Draft
		if !ok || dr == nil || !e.StartedAt.Equal(dr.StartedAt) || !e.UpdatedAt.Equal(dr.UpdatedAt) {
			t.Fatalf("%s: index %+v (%v), draft %+v", when, e, ok, dr)
		}
	}
	if _, ok := entry(); ok {
		t.Fatal("an index entry before any draft")
	}
	d.reach(intake.QConsent)
	if e, ok := entry(); !ok || e.Consented {
		t.Fatalf("at the consent question: %+v %v", e, ok)
	}
	d.command("cancel") // nothing was consented to: the draft goes
	if e, ok := entry(); ok {
		t.Fatalf("index entry of a draft dropped at /cancel: %+v", e)
	}
	d.reach(intake.QSector)
	agrees("at the sector question")
	if e, _ := entry(); !e.Consented {
		t.Fatal("a consented draft indexed as not consented")
	}
	started := d.state().Intake.Draft.StartedAt
	d.command("cancel")
	agrees("after /cancel")
	before, _ := entry()
	d.text("hello") // not for the intake
	d.command("guide")
	if after, _ := entry(); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("a turn that left the draft alone moved the index: %v → %v", before.UpdatedAt, after.UpdatedAt)
	}
	d.command("complaint")
	d.press("continue")
	agrees("after resuming")
	if e, _ := entry(); !e.StartedAt.Equal(started) {
		t.Fatal("resuming looked like a new draft")
	}
	for _, step := range ikScript {
		if d.question() == step.q {
			step.act(d)
		}
	}
	d.press("submit")
	if d.state().Intake.Draft != nil {
		t.Fatalf("not submitted: at %s", d.question())
	}
	if e, ok := entry(); ok {
		t.Fatalf("index entry after submitting: %+v", e)
	}
}

// A dropped draft is gone from the sealed state: the worker's next
// /complaint starts afresh instead of offering to continue, and old
// buttons of the dropped questions have passed.
func TestDropDraftThenStartAfresh(t *testing.T) {
	d := newIKDesk(t, "kk")
	ctx := context.Background()
	d.reach(intake.QEmployer)
	seq := d.state().Intake.Seq
	dropped, err := d.db.DropDraft(ctx, d.chatID, d.now.Add(time.Hour), DropDraft)
	if err != nil || !dropped {
		t.Fatalf("dropped %v %v", dropped, err)
	}
	st := d.state()
	if st.Intake.Draft != nil || st.Intake.Active() || st.Pending != "" || st.Intake.Seq != seq {
		t.Fatalf("state after the drop: pending %q intake %+v", st.Pending, st.Intake)
	}
	out := d.press(intake.SectorConstruct) // a button of the dropped draft
	if len(out) != 1 || out[0].Reply.CallbackText != d.tr("question_passed", nil) {
		t.Fatalf("old button: %+v", out)
	}
	d.command("complaint")
	if q := d.question(); q != intake.QDanger {
		t.Fatalf("after the drop /complaint asks %s, want a fresh start", q)
	}
	if e, err := d.db.Draft(ctx, d.chatID); err != nil || !e.RemindedAt.IsZero() {
		t.Fatalf("new draft's index %+v %v", e, err)
	}
}

// Drafts written before the index existed are indexed once, at start.
func TestIndexDraftsOnce(t *testing.T) {
	d := newIKDesk(t, "ru")
	ctx := context.Background()
	d.reach(intake.QSector)
	want := d.state().Intake.Draft
	// As a database from before the index would have it: no entry.
	if err := d.db.Update(ctx, func(tx *store.Tx) error { return tx.ForgetDraft(d.chatID) }); err != nil {
		t.Fatal(err)
	}
	if n, err := d.b.IndexDrafts(ctx); err != nil || n != 1 {
		t.Fatalf("indexed %d, %v", n, err)
	}
	e, err := d.db.Draft(ctx, d.chatID)
	if err != nil || !e.StartedAt.Equal(want.StartedAt) || !e.UpdatedAt.Equal(want.UpdatedAt) || !e.Consented {
		t.Fatalf("index %+v %v, draft %+v", e, err, want)
	}
	if n, err := d.b.IndexDrafts(ctx); err != nil || n != 0 {
		t.Fatalf("a second pass indexed %d, %v", n, err)
	}
}
