package intake

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Text that shows nothing is no answer: not an employer, not a story, not a
// city to look up. Every question asks again and keeps the draft as it was.
func TestBlankTextIsNoAnswer(t *testing.T) {
	for _, blank := range []string{"\u200b", " \u200b\u2060 ", "\ufeff\u200d", "\u3164", "\u2800\u00a0\u200c"} {
		for _, q := range questions {
			t.Run(fmt.Sprintf("%s/%+q", q, blank), func(t *testing.T) {
				r := reach(t, q)
				before := r.s
				out := r.do(text(blank))
				if r.s.Question != q || r.s.Seq != before.Seq {
					t.Fatalf("%+q moved %s on to %s (%s)", blank, q, r.s.Question, describe(out))
				}
				if d := r.s.Draft; d != nil {
					got, want := *d, *before.Draft
					got.UpdatedAt = want.UpdatedAt
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%+q changed the draft at %s:\n%+v\n%+v", blank, q, got, want)
					}
				}
				if len(out) == 0 || !strings.HasPrefix(describe(out), "Say:") {
					t.Errorf("%+q at %s: %s, want a reason and the question again", blank, q, describe(out))
				}
			})
		}
	}
}

func TestBlank(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, " \t\n": true, "\u200b": true, "\u3164\u2800": true,
		"a": false, "\u200bx": false, "·": false, "ə": false, "ა": false,
	} {
		if got := Blank(s); got != want {
			t.Errorf("Blank(%+q) = %v, want %v", s, got, want)
		}
	}
}
