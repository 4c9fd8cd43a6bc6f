// Package routing ranks the services that can help with a worker's case.
//
// It is pure: the caller passes the case, the services and the options, and
// gets back an explained ranking. The types are its own so that routing does
// not depend on how the directory is stored or loaded.
package routing

import (
	"math"
	"slices"
	"strings"
)

// Service kinds, as in the directory.
const (
	KindTradeUnion       = "trade_union"
	KindConsulate        = "consulate"
	KindEmbassy          = "embassy"
	KindHotline          = "hotline"
	KindNGO              = "ngo"
	KindLabourInspection = "labour_inspection"
	KindMigrationService = "migration_service"
)

// Case categories, as in the intake.
const (
	CategoryWages        = "wages"
	CategoryDocuments    = "documents"
	CategoryRecruitment  = "recruitment"
	CategoryForcedLabour = "forced_labour"
	CategorySafety       = "safety"
	CategoryViolence     = "violence"
	CategoryContract     = "contract"
	CategoryDismissal    = "dismissal"
	CategoryOther        = "other"
)

// Reason codes explain a choice to the bot and to whoever audits routing.
const (
	ReasonKindForCategory         = "kind_for_category" // Detail: the category
	ReasonCategoryListed          = "category_listed"   // the service names the category itself
	ReasonCitizenship             = "citizenship"       // serves the worker's citizenship specifically
	ReasonLanguage                = "language"          // Detail: the language
	ReasonDistance                = "distance"          // Value: km
	ReasonByPhone                 = "by_phone"          // distance does not matter
	ReasonEmergency               = "emergency"         // answers around the clock
	ReasonReceivesCases           = "receives_cases"    // takes cases through the bot
	ReasonFallbackNationalCentre  = "fallback_national_centre"
	ReasonFallbackOriginUnion     = "fallback_origin_union"
	ReasonOriginHotline           = "origin_hotline" // a hotline at home, reached by phone from abroad
	ReasonConsulateNeedsConsent   = "consulate_needs_consent"
	ReasonConsulateConsentGranted = "consulate_consent_given"
	ReasonNote                    = "note" // the directory carries a note the worker must see
)

// DefaultMaxDistanceKm is how far a worker can reasonably travel to an office.
const (
	DefaultMaxDistanceKm = 300
	DefaultLimit         = 5
)

// Service is one organisation or service point. Lat and Lon of 0,0 mean
// unknown. Empty ServesCitizenships means all; empty ServesCountries means the
// country it is in. Empty Categories means any.
type Service struct {
	ID                 string
	Kind               string
	Country            string
	City               string
	Lat, Lon           float64
	ServesCitizenships []string
	ServesCountries    []string
	Categories         []string
	Languages          []string
	ReceivesCases      bool
	NationalCentre     bool
	Emergency          bool
	Note               string
}

// Case is what routing needs to know about a complaint: no free text, no
// names.
type Case struct {
	Categories       []string
	Citizenship      string
	CountryOfWork    string
	Lat, Lon         float64
	HasLocation      bool
	Language         string
	ConsentConsulate bool
}

// Options tune a ranking. Locate, if set, supplies a city centre for a service
// whose coordinates are unknown (for example from the gazetteer).
type Options struct {
	MaxDistanceKm float64
	Limit         int
	Locate        func(country, city string) (lat, lon float64, ok bool)
}

// Reason is one piece of a choice's explanation.
type Reason struct {
	Code   string
	Value  float64
	Detail string
}

// Choice is a ranked service. Routable means the bot may forward the case to
// it; Contactable means the bot may show its contacts. A consulate of the
// worker's own state without consent is neither, and has NeedsConsent set.
type Choice struct {
	Service      Service
	Score        float64
	Reasons      []Reason
	DistanceKm   float64
	HasDistance  bool
	Routable     bool
	Contactable  bool
	NeedsConsent bool
}

// Result is a ranking. NeedsConsent is set when a consulate of the worker's
// own state would help and the worker has not yet agreed to involve it.
type Result struct {
	Choices      []Choice
	NeedsConsent bool
}

// needs says which kinds of service each category calls for, and how much.
// Documents need the worker's own consulate and a union; money and contract
// disputes a union where the work is; forced labour a hotline, a union and the
// consulate's emergency line; violence a hotline first.
var needs = map[string]map[string]float64{
	CategoryDocuments:    {KindConsulate: 1, KindEmbassy: 1, KindTradeUnion: 0.9, KindMigrationService: 0.5},
	CategoryWages:        {KindTradeUnion: 1, KindLabourInspection: 0.6},
	CategoryContract:     {KindTradeUnion: 1, KindLabourInspection: 0.6},
	CategoryDismissal:    {KindTradeUnion: 1, KindLabourInspection: 0.6},
	CategoryRecruitment:  {KindTradeUnion: 0.9, KindLabourInspection: 0.6, KindMigrationService: 0.6, KindNGO: 0.4},
	CategoryForcedLabour: {KindHotline: 1, KindTradeUnion: 0.9, KindConsulate: 0.8, KindEmbassy: 0.8, KindNGO: 0.5},
	CategoryViolence:     {KindHotline: 1, KindNGO: 0.6, KindConsulate: 0.5, KindEmbassy: 0.5},
	CategorySafety:       {KindTradeUnion: 1, KindLabourInspection: 0.8},
	CategoryOther:        {KindTradeUnion: 0.8, KindNGO: 0.5},
}

// Score parts. The kind's fit dominates, so a distant consulate still beats
// a nearby service nobody asked for.
const (
	weightScale        = 2.0
	bonusCitizenship   = 0.3
	bonusLanguage      = 0.2
	bonusDistanceMax   = 0.5
	bonusEmergency     = 0.2
	bonusReceivesCases = 0.1
	bonusCategory      = 0.1
	factorNational     = 0.8 // fallback to the national centre
	factorOrigin       = 0.6 // fallback to the union at home
)

// Rank ranks services for a case.
func Rank(c Case, services []Service, opt Options) Result {
	if opt.MaxDistanceKm <= 0 {
		opt.MaxDistanceKm = DefaultMaxDistanceKm
	}
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	cats := c.Categories
	if len(cats) == 0 {
		cats = []string{CategoryOther}
	}
	r := ranker{c: c, opt: opt, cats: cats}
	for k, kind := range kinds {
		for _, cat := range cats {
			if w := needs[cat][kind]; w > r.weight[k] {
				r.weight[k], r.why[k] = w, cat
			}
		}
	}

	var picked []Choice
	var nationalCentres, originUnions []int
	unionNeeded, unionNear := false, false
	for i := range services {
		s := &services[i]
		k := kindIndex(s.Kind)
		if k < 0 || r.weight[k] == 0 {
			continue
		}
		if isConsular(s.Kind) && !lists(s.ServesCitizenships, c.Citizenship) {
			continue // another state's consulate cannot help this worker
		}
		if !matches(s.ServesCitizenships, c.Citizenship) || !r.helpsWithCase(s) {
			continue
		}
		if s.Kind == KindTradeUnion {
			unionNeeded = true
			if s.NationalCentre && strings.EqualFold(s.Country, c.CountryOfWork) {
				nationalCentres = append(nationalCentres, i)
			} else if s.NationalCentre && strings.EqualFold(s.Country, c.Citizenship) {
				originUnions = append(originUnions, i)
			}
		}
		fallback := ""
		if !r.operatesWhereWorkerIs(s) {
			if !r.isOriginHotline(s) {
				continue
			}
			fallback = ReasonOriginHotline
		}
		if isLocal(s.Kind) && !r.near(s) {
			continue // an office the worker cannot reach, or cannot tell
		}
		if s.Kind == KindTradeUnion {
			unionNear = true
		}
		picked = append(picked, r.choice(s, r.weight[k], r.why[k], fallback))
	}
	if unionNeeded && !unionNear {
		k := kindIndex(KindTradeUnion)
		for _, i := range nationalCentres {
			picked = append(picked, r.choice(&services[i], r.weight[k]*factorNational, r.why[k], ReasonFallbackNationalCentre))
		}
		for _, i := range originUnions {
			picked = append(picked, r.choice(&services[i], r.weight[k]*factorOrigin, r.why[k], ReasonFallbackOriginUnion))
		}
	}
	choices := diversify(picked, opt.Limit)
	res := Result{Choices: choices}
	for _, ch := range choices {
		res.NeedsConsent = res.NeedsConsent || ch.NeedsConsent
	}
	return res
}

// kinds indexes the per-case weight table; kindIndex is a switch because it
// runs once per service per ranking.
var kinds = [...]string{KindTradeUnion, KindConsulate, KindEmbassy, KindHotline, KindNGO, KindLabourInspection, KindMigrationService}

func kindIndex(kind string) int {
	switch kind {
	case KindTradeUnion:
		return 0
	case KindConsulate:
		return 1
	case KindEmbassy:
		return 2
	case KindHotline:
		return 3
	case KindNGO:
		return 4
	case KindLabourInspection:
		return 5
	case KindMigrationService:
		return 6
	}
	return -1
}

type ranker struct {
	c      Case
	opt    Options
	cats   []string
	weight [len(kinds)]float64 // how much the case's categories call for each kind
	why    [len(kinds)]string  // the category that called for it
}

// near reports whether the worker can provably reach the service's office.
func (r *ranker) near(s *Service) bool {
	if !r.c.HasLocation {
		return false
	}
	lat, lon, ok := r.locate(s)
	if !ok {
		return false
	}
	// A degree of latitude is about 111 km: most offices fail this cheaply.
	if math.Abs(lat-r.c.Lat)*111 > r.opt.MaxDistanceKm {
		return false
	}
	return DistanceKm(r.c.Lat, r.c.Lon, lat, lon) <= r.opt.MaxDistanceKm
}

// helpsWithCase rules out specialised services (a domestic-violence line for
// a wage claim) while keeping those that did not list categories.
func (r *ranker) helpsWithCase(s *Service) bool {
	if len(s.Categories) == 0 {
		return true
	}
	for _, cat := range r.cats {
		if slices.Contains(s.Categories, cat) {
			return true
		}
	}
	return false
}

// operatesWhereWorkerIs: hotlines and offices serve their own country unless
// they say otherwise; consular districts are listed explicitly.
func (r *ranker) operatesWhereWorkerIs(s *Service) bool {
	if r.c.CountryOfWork == "" {
		return true
	}
	if len(s.ServesCountries) == 0 {
		return strings.EqualFold(s.Country, r.c.CountryOfWork)
	}
	return matches(s.ServesCountries, r.c.CountryOfWork)
}

// isOriginHotline: a hotline at home that has not limited itself to its own
// territory still answers its citizens abroad (La Strada's number "from
// abroad", Azerbaijan's 152 "takes calls from any country").
func (r *ranker) isOriginHotline(s *Service) bool {
	return s.Kind == KindHotline && len(s.ServesCountries) == 0 && strings.EqualFold(s.Country, r.c.Citizenship)
}

func (r *ranker) choice(s *Service, weight float64, category, fallback string) Choice {
	ch := Choice{Service: *s, Score: weight * weightScale, Contactable: true, Routable: s.ReceivesCases}
	ch.Reasons = append(ch.Reasons, Reason{Code: ReasonKindForCategory, Value: weight, Detail: category})
	if fallback != "" {
		ch.Reasons = append(ch.Reasons, Reason{Code: fallback})
	}
	add := func(code string, bonus, value float64, detail string) {
		ch.Score += bonus
		ch.Reasons = append(ch.Reasons, Reason{Code: code, Value: value, Detail: detail})
	}
	if s.Categories != nil && r.helpsWithCase(s) {
		add(ReasonCategoryListed, bonusCategory, 0, "")
	}
	// A consulate serves only its own citizens by nature; the bonus is for
	// the union or NGO that made a point of serving them.
	if !isConsular(s.Kind) && lists(s.ServesCitizenships, r.c.Citizenship) {
		add(ReasonCitizenship, bonusCitizenship, 0, r.c.Citizenship)
	}
	if r.c.Language != "" && slices.Contains(s.Languages, r.c.Language) {
		add(ReasonLanguage, bonusLanguage, 0, r.c.Language)
	}
	if s.Emergency && (slices.Contains(r.cats, CategoryForcedLabour) || slices.Contains(r.cats, CategoryViolence)) {
		add(ReasonEmergency, bonusEmergency, 0, "")
	}
	if s.Kind == KindHotline {
		add(ReasonByPhone, bonusDistanceMax, 0, "") // as good as next door
	} else if lat, lon, ok := r.locate(s); ok && r.c.HasLocation {
		ch.DistanceKm, ch.HasDistance = DistanceKm(r.c.Lat, r.c.Lon, lat, lon), true
		add(ReasonDistance, bonusDistanceMax/(1+ch.DistanceKm/r.opt.MaxDistanceKm), ch.DistanceKm, "")
	}
	if s.Note != "" {
		add(ReasonNote, 0, 0, "")
	}
	if isConsular(s.Kind) {
		if r.c.ConsentConsulate {
			add(ReasonConsulateConsentGranted, 0, 0, "")
		} else {
			// A worker's own state may be the danger (a seized passport, an
			// informer at the consulate); only the worker can decide.
			ch.NeedsConsent, ch.Routable, ch.Contactable = true, false, false
			add(ReasonConsulateNeedsConsent, 0, 0, "")
		}
	}
	if ch.Routable {
		add(ReasonReceivesCases, bonusReceivesCases, 0, "")
	}
	return ch
}

func (r *ranker) locate(s *Service) (lat, lon float64, ok bool) {
	if s.Lat != 0 || s.Lon != 0 {
		return s.Lat, s.Lon, true
	}
	if r.opt.Locate != nil && s.City != "" {
		return r.opt.Locate(s.Country, s.City)
	}
	return 0, 0, false
}

// diversify returns up to limit choices: first the best of each kind, so that
// a documents case shows a consulate and a union rather than five unions, then
// the rest by score.
func diversify(picked []Choice, limit int) []Choice {
	slices.SortStableFunc(picked, func(a, b Choice) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Service.ID, b.Service.ID)
	})
	out := make([]Choice, 0, min(limit, len(picked)))
	taken := make(map[string]bool, len(picked))
	seenKind := map[string]bool{}
	for _, ch := range picked {
		group := kindGroup(ch.Service.Kind)
		if len(out) < limit && !seenKind[group] && !taken[ch.Service.ID] {
			seenKind[group], taken[ch.Service.ID] = true, true
			out = append(out, ch)
		}
	}
	for _, ch := range picked {
		if len(out) < limit && !taken[ch.Service.ID] {
			taken[ch.Service.ID] = true
			out = append(out, ch)
		}
	}
	slices.SortStableFunc(out, func(a, b Choice) int {
		if a.Score > b.Score {
			return -1
		}
		if a.Score < b.Score {
			return 1
		}
		return 0
	})
	return out
}

func kindGroup(kind string) string {
	if kind == KindEmbassy {
		return KindConsulate
	}
	return kind
}

func isConsular(kind string) bool { return kind == KindConsulate || kind == KindEmbassy }

// isLocal kinds help in person, so distance limits them; the rest help by
// phone or serve a whole country.
func isLocal(kind string) bool {
	return kind == KindTradeUnion || kind == KindNGO || kind == KindLabourInspection
}

// matches treats an empty list or "*" as everyone.
func matches(codes []string, code string) bool {
	return len(codes) == 0 || slices.Contains(codes, "*") || lists(codes, code)
}

// lists reports an explicit mention, ignoring "*".
func lists(codes []string, code string) bool {
	for _, c := range codes {
		if code != "" && strings.EqualFold(c, code) {
			return true
		}
	}
	return false
}

// DistanceKm is the great-circle (haversine) distance between two points.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0
	const rad = math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}
