package bot

// The ranking acceptance table from the issue, run against the real
// directory through the adapter and index the bot itself uses (moved here
// from bot/routing, which kept its own copy of the adapter).

import (
	"slices"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/gazetteer"
)

var (
	directoryLibraryOnce sync.Once
	directoryLibrary     *Library
	directoryLibraryErr  string
)

// testDirectoryLibrary is the real directory and gazetteer with the routing
// index built as LoadLibrary builds it; the guide is left out so these tests
// do not depend on guide content being mid-edit.
func testDirectoryLibrary(t testing.TB) *Library {
	t.Helper()
	directoryLibraryOnce.Do(func() {
		d, problems := directory.Load(content.FS)
		if len(problems) > 0 {
			directoryLibraryErr = problems[0].String()
			return
		}
		gz, err := gazetteer.Load()
		if err != nil {
			directoryLibraryErr = err.Error()
			return
		}
		directoryLibrary = &Library{Directory: d, Gazetteer: gz, Routes: routing.NewIndex(routingServices(d.Services()))}
	})
	if directoryLibrary == nil {
		t.Fatalf("directory does not load: %s", directoryLibraryErr)
	}
	return directoryLibrary
}

type realWorld struct {
	index *routing.Index
	gaz   *gazetteer.Gazetteer
	opt   routing.Options
}

func loadRealWorld(t *testing.T) realWorld {
	t.Helper()
	lib := testDirectoryLibrary(t)
	return realWorld{index: lib.Routes, gaz: lib.Gazetteer, opt: routing.Options{Locate: lib.locateCity, Limit: 8}}
}

// in builds a case located at the centre of a named city.
func (w realWorld) in(t *testing.T, citizenship, country, city string, cats ...string) routing.Case {
	t.Helper()
	p, ok := w.gaz.Locate(country, city)
	if !ok {
		t.Fatalf("gazetteer has no %s in %s", city, country)
	}
	return routing.Case{Categories: cats, Citizenship: citizenship, CountryOfWork: country,
		Lat: p.Lat, Lon: p.Lon, HasLocation: true, Language: "ru"}
}

func choice(res routing.Result, id string) (routing.Choice, int) {
	for i, c := range res.Choices {
		if c.Service.ID == id {
			return c, i
		}
	}
	return routing.Choice{}, -1
}

func has(c routing.Choice, code string) bool {
	return slices.ContainsFunc(c.Reasons, func(r routing.Reason) bool { return r.Code == code })
}

func idsOf(res routing.Result) []string {
	var out []string
	for _, c := range res.Choices {
		out = append(out, c.Service.ID)
	}
	return out
}

// The reference names Azerbaijan's consulate general in Yekaterinburg and
// its embassy in Moscow but gives no contact for either: they are never
// offered. The worker gets the Russian union centre, by the fallback.
func TestRealAzerbaijaniInYekaterinburgWithoutPassport(t *testing.T) {
	w := loadRealWorld(t)
	c := w.in(t, "AZ", "RU", "Yekaterinburg", routing.CategoryDocuments)
	for _, consent := range []bool{false, true} {
		c.ConsentConsulate = consent
		res := w.index.Rank(c, w.opt)
		for _, id := range []string{"az-cg-yekaterinburg", "az-embassy-moscow"} {
			if _, i := choice(res, id); i >= 0 {
				t.Errorf("%s has no contact in any source but is offered: %v", id, idsOf(res))
			}
		}
		union := -1
		for j, ch := range res.Choices {
			if ch.Service.Kind == routing.KindTradeUnion && ch.Service.Country == "RU" && ch.Service.NationalCentre {
				union = j
				if !has(ch, routing.ReasonFallbackNationalCentre) {
					t.Errorf("%s: Moscow is 1,400 km away, expected the national-centre fallback reason", ch.Service.ID)
				}
			}
		}
		if union < 0 {
			t.Errorf("no Russian union centre in %v", idsOf(res))
		}
	}
}

func TestRealMoldovanInMoscowTrafficked(t *testing.T) {
	w := loadRealWorld(t)
	c := w.in(t, "MD", "RU", "Moscow", routing.CategoryForcedLabour)
	c.ConsentConsulate = true
	res := w.index.Rank(c, w.opt)
	if len(res.Choices) == 0 || res.Choices[0].Service.Kind != routing.KindHotline {
		t.Fatalf("want a hotline first, got %v", idsOf(res))
	}
	embassy, i := choice(res, "md-embassy-moscow")
	if i < 0 || !embassy.Service.Emergency || !has(embassy, routing.ReasonEmergency) || !embassy.Contactable {
		t.Errorf("embassy's 24/7 line missing or not marked: %v", idsOf(res))
	}
	for _, ch := range res.Choices {
		if ch.Service.Kind == routing.KindHotline && ch.Service.Country != "RU" && ch.Service.Country != "MD" {
			t.Errorf("hotline of a third country offered: %s", ch.Service.ID)
		}
	}
	// Without consent the embassy is held back, the hotline is not.
	c.ConsentConsulate = false
	res = w.index.Rank(c, w.opt)
	if embassy, _ := choice(res, "md-embassy-moscow"); embassy.Contactable || !embassy.NeedsConsent {
		t.Errorf("embassy contactable without consent")
	}
	if res.Choices[0].Service.Kind != routing.KindHotline || !res.Choices[0].Contactable {
		t.Errorf("hotline should stay first and contactable: %v", idsOf(res))
	}
}

func TestRealGeorgianInMoscow(t *testing.T) {
	w := loadRealWorld(t)
	c := w.in(t, "GE", "RU", "Moscow", routing.CategoryDocuments)
	res := w.index.Rank(c, w.opt)
	section, i := choice(res, "ge-interests-section-moscow")
	if i != 0 {
		t.Fatalf("Interests Section not first: %v", idsOf(res))
	}
	if !has(section, routing.ReasonNote) || section.Service.Note == "" {
		t.Error("the Interests Section must carry its note (no Georgian embassy in Russia)")
	}
	if !section.NeedsConsent {
		t.Error("the Interests Section acts for Georgia: it needs the worker's consent")
	}
}

func TestRealWageCaseInBaku(t *testing.T) {
	w := loadRealWorld(t)
	res := w.index.Rank(w.in(t, "AZ", "AZ", "Baku", routing.CategoryWages), w.opt)
	if len(res.Choices) == 0 || res.Choices[0].Service.ID != "ahik" {
		t.Fatalf("want AHİK first, got %v", idsOf(res))
	}
	if has(res.Choices[0], routing.ReasonFallbackNationalCentre) {
		t.Error("AHİK is in Baku: no fallback needed")
	}
}

func TestRealNoServiceNearFallsBack(t *testing.T) {
	w := loadRealWorld(t)
	// Vladivostok: no union within 300 km.
	res := w.index.Rank(w.in(t, "AZ", "RU", "Vladivostok", routing.CategoryWages), w.opt)
	national, origin := -1, -1
	for i, ch := range res.Choices {
		switch {
		case has(ch, routing.ReasonFallbackNationalCentre) && ch.Service.Country == "RU":
			if national < 0 {
				national = i
			}
		case has(ch, routing.ReasonFallbackOriginUnion) && ch.Service.ID == "ahik":
			origin = i
		}
	}
	if national < 0 || origin < 0 || national > origin {
		t.Errorf("want the Russian national centre, then AHİK; got %v", idsOf(res))
	}
}
