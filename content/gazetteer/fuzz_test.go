package gazetteer

import (
	"reflect"
	"testing"
)

// FuzzMatch feeds what a worker might type as a city: Match never panics,
// gives at most limit places, each once, best first, each a real place
// with a score in (0, 1], and the same answer every time (the scratch it
// pools must not leak from one query into the next).
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"Baku", "Баку", "Bakı", "Tbilisi", "თბილისი", "Mosow", "Novo", "Aktau", "Chișinău",
		"kishinev", "Yekaterinburg", "ekb", "a", "", "   ", "Москва!!", "İstanbul", "\u0130\u0307", "x\x00y", "\xff"} {
		f.Add(s, 5)
	}
	g, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string, limit int) {
		limit = limit % 20
		got := g.Match(query, limit)
		if len(got) > max(limit, 0) {
			t.Fatalf("Match(%q, %d): %d results", query, limit, len(got))
		}
		seen := map[string]bool{}
		for i, m := range got {
			if m.Score <= 0 || m.Score > 1 {
				t.Fatalf("Match(%q): score %v", query, m.Score)
			}
			if i > 0 && m.Score > got[i-1].Score {
				t.Fatalf("Match(%q): not best first: %v", query, got)
			}
			if p, ok := g.ByID(m.ID); !ok || p.Name != m.Name {
				t.Fatalf("Match(%q): %q is not a place", query, m.ID)
			}
			if seen[m.ID] {
				t.Fatalf("Match(%q): %q twice", query, m.ID)
			}
			seen[m.ID] = true
		}
		// A busy query in between, to dirty the pooled scratch.
		g.Match("Novo", 10)
		if again := g.Match(query, limit); !reflect.DeepEqual(got, again) {
			t.Fatalf("Match(%q) changed: %v then %v", query, got, again)
		}
	})
}
