package desk

import (
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

// FuzzParseDeskCallback: a desk button's payload, forged or not, parses or
// is refused without a panic; what parses names a valid case and a
// revision and is exactly what cardData would have made for it.
func FuzzParseDeskCallback(f *testing.F) {
	for _, s := range []string{"t:RD-ABCD-EFGH:3", "a:RD-ABCD-EFGH:0", "ft:RD-ABCD-EFGH:12:fnpr", "fr:RD-ABCD-EFGH:2:fnpr:x",
		"ro:RD-ABCD-EFGH:1:helped", "l:ru", "l:", "t:RD-0000-0000:1", "t:RD-ABCD-EFGH:-1", "t:RD-ABCD-EFGH:01",
		"zz:RD-ABCD-EFGH:1", "l:RD-ABCD-EFGH:0", "t:RD-ABCD-EFGH:99999999999999999999", "t::", ":::", "",
		"t:RD-ABCD-EFGH", "t:rd-abcd-efgh:1", "m", "m:", "m:RD-ABCD-EFGH:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		cb, ok := parseDeskCallback(payload)
		if !ok {
			return
		}
		if cb.op == opMine {
			if payload != opMine {
				t.Fatalf("%q parsed as %+v", payload, cb)
			}
			return
		}
		if cb.op == opLanguage {
			if payload != opLanguage+":"+strings.Join(cb.args, ":") || len(cb.args) != 1 {
				t.Fatalf("%q parsed as %+v", payload, cb)
			}
			return
		}
		if !slices.Contains(caseOps, cb.op) || !store.ValidCaseID(cb.caseID) || cb.revision < 0 {
			t.Fatalf("%q parsed as %+v", payload, cb)
		}
		if want := "v1:" + CallbackFeature + ":" + payload; cardData(cb.op, cb.caseID, cb.revision, cb.args...) != want {
			t.Fatalf("%q parsed as %+v, which a card would carry as %q", payload, cb, cardData(cb.op, cb.caseID, cb.revision, cb.args...))
		}
	})
}
