package intake

import (
	"reflect"
	"testing"
)

// Idle, with or without a kept draft, the engine takes nothing but
// /complaint: every other input is left to the rest of the bot, unchanged,
// and a button of any earlier question has passed.
func TestStepIdleByInputKind(t *testing.T) {
	idle := map[string]func(t *testing.T) *run{
		"no draft": func(t *testing.T) *run {
			r := newRun(t)
			r.do(cmd(CommandStart))
			r.press("no")
			r.press("no") // consent refused: nothing kept
			return r
		},
		"kept draft": func(t *testing.T) *run {
			r := reach(t, QSector)
			r.do(cmd(CommandCancel))
			return r
		},
	}
	want := map[string][]string{
		"no draft": {
			" | Say:question_passed", " | ", " | ", " | ", " | ", " | ", " | ", " | ", " | ", " | Say:question_passed",
		},
		"kept draft": {
			" | Say:question_passed", " | ", " | ", " | ", " | ", " | ", " | ", " | ", " | ", " | Say:question_passed",
		},
	}
	for name, setup := range idle {
		for i, p := range probes {
			t.Run(name+"/"+p.name, func(t *testing.T) {
				r := setup(t)
				if r.s.Active() || len(r.last.Buttons) == 0 {
					t.Fatalf("setup left %+v", r.s)
				}
				before := r.s.clone()
				out := r.do(p.in(r))
				if got := string(r.s.Question) + " | " + describe(out); got != want[name][i] {
					t.Errorf("got %q, want %q", got, want[name][i])
				}
				if !reflect.DeepEqual(before, r.s) {
					t.Errorf("idle input changed the state:\n%+v\n%+v", before, r.s)
				}
			})
		}
		t.Run(name+"/complaint", func(t *testing.T) {
			r := setup(t)
			r.do(cmd(CommandStart))
			wantQ := QDanger
			if name == "kept draft" {
				wantQ = QResume
			}
			r.expectQ(wantQ)
		})
	}
}
