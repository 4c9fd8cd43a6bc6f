package intake

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

var fuzzTexts = []string{
	"1", "2", "1, 3", "3 9", "10", "Baku", "A", "Yekaterinburg", "qqq", "+7 701 123 45 67", "12",
	"yes", "no", "done", "skip", "GE", "kz", "other", "", "   ", "Да", strings.Repeat("x", 250),
}

// FuzzStep feeds random input sequences: Step must never panic, every state
// must validate and survive a JSON round trip, and a passed button must
// change nothing.
func FuzzStep(f *testing.F) {
	f.Add([]byte{7, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 5, 8, 9, 7, 0, 0})
	f.Add([]byte{7, 0, 1, 0, 0, 0, 0, 2, 6, 0, 0, 2, 7, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 6, 1})
	f.Add([]byte("\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x05\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env := testEnv()
		if len(data) > 0 && data[0]%2 == 1 {
			env.Profile = Profile{City: "Baku", CountryOfWork: "az", Citizenship: "AZ", Lat: 40.41, Lon: 49.87}
		}
		var s State
		var asks []Ask
		now := t0
		next := func(i *int) byte {
			if *i >= len(data) {
				return 0
			}
			b := data[*i]
			*i++
			return b
		}
		for i := 0; i < len(data) && i < 400; {
			op := next(&i)
			var in Input
			stale := false
			switch op % 12 {
			case 0, 1:
				if len(asks) == 0 {
					in = cmd(CommandStart)
					break
				}
				a := asks[len(asks)-1]
				if op%12 == 1 {
					a = asks[int(next(&i))%len(asks)]
					stale = a.Seq != s.Seq
				}
				var all []Button
				for _, row := range a.Buttons {
					all = append(all, row...)
				}
				if len(all) == 0 {
					in = press("0:x:y")
					stale = true
					break
				}
				in = press(all[int(next(&i))%len(all)].Payload)
			case 2:
				in = text(fuzzTexts[int(next(&i))%len(fuzzTexts)])
			case 3:
				in = photo(string(rune('a' + next(&i)%30)))
			case 4:
				in = sticker()
			case 5:
				in = loc(float64(int(next(&i)))-60, float64(int(next(&i)))*2-200)
			case 6:
				c := ownContact("+994 50 123 45 67")
				c.Contact.Own = next(&i)%2 == 0
				in = c
			case 7:
				in = cmd(CommandStart)
			case 8:
				in = cmd(CommandBack)
			case 9:
				in = cmd(CommandCancel)
			case 10:
				n := int(next(&i)) % 45
				in = press(string(data[i:min(i+n, len(data))]))
			case 11:
				n := int(next(&i))
				in = text(string(data[i:min(i+n, len(data))]))
				in.File = &File{ID: "x", UniqueID: "y", Kind: "photo"}
				if n%3 == 0 {
					in.Kind = InputFile
				}
			}
			now = now.Add(time.Duration(op) * time.Hour)
			before := s
			ns, out := Step(s, in, env, now)
			if err := ns.Validate(); err != nil {
				t.Fatalf("input %+v on %+v: %v", in, before, err)
			}
			if stale && !reflect.DeepEqual(ns, before) {
				t.Fatalf("passed button %q changed the state", in.Button)
			}
			checkAsks(t, ns, out)
			b, err := json.Marshal(ns)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Load(b)
			if err != nil {
				t.Fatalf("Load: %v\n%s", err, b)
			}
			b2, _ := json.Marshal(back)
			if string(b) != string(b2) {
				t.Fatalf("JSON round trip differs:\n%s\n%s", b, b2)
			}
			for _, e := range out {
				if a, ok := e.(Ask); ok {
					asks = append(asks, a)
				}
			}
			s = back
		}
	})
}
