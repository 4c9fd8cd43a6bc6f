// Package routing ranks the services that can help with a worker's case.
//
// It is pure: the caller passes the case, the services and the options, and
// gets back an explained ranking. The types are its own so that routing does
// not depend on how the directory is stored or loaded.
package routing

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
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
	// Remote services take cases from wherever they serve: no office
	// visit, so distance does not limit them.
	Remote bool
	// Consular marks a service of a state's foreign service that is not a
	// consulate or embassy by kind (a foreign ministry's consular hotline):
	// the consent rule applies to it too.
	Consular bool
	// Reach lists where a worker can be to use one of the service's
	// contacts: ISO codes, or ReachAnywhere. A service is offered only to
	// a worker it can reach, and one with an empty Reach to nobody.
	Reach []string
}

// ReachAnywhere in Service.Reach: an international number, an email or a
// website works from every country.
const ReachAnywhere = "*"

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
	// Receives, if set, says which services receive cases through the bot
	// now (linked organisations), whatever the directory says.
	Receives func(id string) bool
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
	// Receives says the service takes cases through the bot, consent or
	// not: after the worker's consent it becomes Routable.
	Receives bool
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
	weightScale      = 2.0
	bonusCitizenship = 0.3
	bonusLanguage    = 0.2
	bonusDistanceMax = 0.5
	bonusEmergency   = 0.2
	// An organisation that takes cases through the bot comes first: the
	// worker's case then reaches someone who answers here.
	bonusReceivesCases = 10
	bonusCategory      = 0.1
	factorNational     = 0.8 // fallback to the national centre
	factorOrigin       = 0.6 // fallback to the union at home
)

// Index is a directory prepared for ranking: a compact record per service
// lets a ranking skip most of a large directory without touching the
// services themselves. It is read-only and safe for concurrent use.
type Index struct {
	services []Service
	records  []record
	// byCountry lists the services that serve only the country they are
	// in; wide lists the rest. A case then reads two countries' lists.
	byCountry map[uint16][]int32
	wide      []int32
	bucketed  bool
}

type record struct {
	kind int8 // index into kinds, -1 for a kind routing does not use
	// country is the packed ISO code of where the service is; localOnly
	// means it serves only that country.
	country   uint16
	localOnly bool
	// citAny: serves every citizenship; citOne: serves exactly this one;
	// neither: a longer list, read from the service.
	citAny bool
	citOne uint16
	// catAny: listed no categories; catMask: the known ones it listed.
	catAny  bool
	catMask uint16
	// reachAny: a contact works from anywhere; reachOne: only from this
	// country; neither: from the countries listed in the service, or from
	// nowhere.
	reachAny bool
	reachOne uint16
}

// NewIndex prepares services for ranking. The slice is kept, not copied.
func NewIndex(services []Service) *Index { return newIndex(services, true) }

// newIndex without buckets is for a single ranking, where sorting services
// into countries would cost more than it saves.
func newIndex(services []Service, bucketed bool) *Index {
	x := &Index{services: services, records: make([]record, len(services)), bucketed: bucketed}
	for i, s := range services {
		rec := record{
			kind: int8(kindIndex(s.Kind)), country: packCode(s.Country), localOnly: len(s.ServesCountries) == 0,
			citAny: len(s.ServesCitizenships) == 0 || slices.Contains(s.ServesCitizenships, "*"),
			catAny: len(s.Categories) == 0 || !specialised(s.Kind),
		}
		if len(s.ServesCitizenships) == 1 && !rec.citAny {
			rec.citOne = packCode(s.ServesCitizenships[0])
		}
		rec.reachAny = slices.Contains(s.Reach, ReachAnywhere)
		if len(s.Reach) == 1 && !rec.reachAny {
			rec.reachOne = packCode(s.Reach[0])
		}
		for _, cat := range s.Categories {
			rec.catMask |= categoryBit(cat)
		}
		x.records[i] = rec
		if !bucketed {
			continue
		}
		if rec.localOnly {
			if x.byCountry == nil {
				x.byCountry = map[uint16][]int32{}
			}
			x.byCountry[rec.country] = append(x.byCountry[rec.country], int32(i))
		} else {
			x.wide = append(x.wide, int32(i))
		}
	}
	return x
}

// candidates returns the lists of services that can matter for a case: those
// where the work is, those that say where they serve, and those at home (for
// fallbacks and home hotlines). homeOnly is the index of the list at home, or
// -1: its services cannot operate where the worker is, so only a national
// union centre or a hotline there can matter.
func (x *Index) candidates(work, home uint16) (lists [][]int32, homeOnly int) {
	if work == 0 || !x.bucketed {
		all := make([]int32, len(x.records))
		for i := range all {
			all[i] = int32(i)
		}
		return [][]int32{all}, -1
	}
	lists = [][]int32{x.byCountry[work], x.wide}
	if home != work {
		return append(lists, x.byCountry[home]), len(lists)
	}
	return lists, -1
}

// categoryBit gives each known category a bit; 0 for an unknown one.
func categoryBit(cat string) uint16 {
	if i := slices.Index(categories, cat); i >= 0 {
		return 1 << i
	}
	return 0
}

var categories = []string{CategoryWages, CategoryDocuments, CategoryRecruitment, CategoryForcedLabour,
	CategorySafety, CategoryViolence, CategoryContract, CategoryDismissal, CategoryOther}

// servesCitizen: a consulate must name the worker's state; anyone else may
// serve everybody.
func (x *Index) servesCitizen(i int, home uint16, citizenship string) bool {
	rec := &x.records[i]
	switch {
	case isConsular(kinds[rec.kind]):
		if rec.citOne != 0 {
			return rec.citOne == home
		}
		return !rec.citAny && lists(x.services[i].ServesCitizenships, citizenship)
	case rec.citAny:
		return true
	case rec.citOne != 0:
		return rec.citOne == home
	}
	return lists(x.services[i].ServesCitizenships, citizenship)
}

// reaches reports whether a worker in the country of work can use one of
// the service's contacts. This is where "no service without a contact that
// works" holds for every ranking: the main list, fallbacks and home lines.
// With the country unknown, any contact will do; the bot then labels each
// number with where it works.
func (x *Index) reaches(i int, work uint16, country string) bool {
	rec := &x.records[i]
	switch {
	case rec.reachAny:
		return true
	case country == "":
		return len(x.services[i].Reach) > 0
	case rec.reachOne != 0:
		return rec.reachOne == work
	}
	return lists(x.services[i].Reach, country)
}

func (x *Index) helps(i int, r *ranker) bool {
	rec := &x.records[i]
	switch {
	case rec.catAny:
		return true
	case r.catSlow:
		return r.helpsWithCase(&x.services[i])
	}
	return rec.catMask&r.catMask != 0
}

// packCode packs a two-letter ISO code, in either case, into 16 bits; 0
// stands for empty or malformed.
func packCode(code string) uint16 {
	if len(code) != 2 {
		return 0
	}
	return uint16(code[0]&^0x20)<<8 | uint16(code[1]&^0x20)
}

// Rank ranks services for a case. To rank many cases against the same
// directory, build an Index once and use its Rank.
func Rank(c Case, services []Service, opt Options) Result {
	return newIndex(services, false).Rank(c, opt)
}

// Rank ranks the indexed services for a case.
func (x *Index) Rank(c Case, opt Options) Result {
	services := x.services
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
			need, known := needs[cat]
			if !known {
				need = needs[CategoryOther] // a category newer than this table
			}
			if w := need[kind]; w > r.weight[k] {
				r.weight[k], r.why[k] = w, cat
			}
		}
	}

	unionK, hotlineK := int8(kindIndex(KindTradeUnion)), int8(kindIndex(KindHotline))
	// picked is scratch kept between rankings: a forced-labour case can match
	// hundreds of hotlines, and growing a fresh slice each time was most of a
	// ranking's garbage, and so of its slowest runs.
	buf := pickedPool.Get().(*[]candidate)
	picked := (*buf)[:0]
	defer func() {
		*buf = picked[:0]
		pickedPool.Put(buf)
	}()
	var nationalCentres, originUnions []int
	unionNear := false
	for _, cat := range cats {
		bit := categoryBit(cat)
		r.catMask |= bit
		r.catSlow = r.catSlow || bit == 0
	}
	workCode, homeCode := packCode(c.CountryOfWork), packCode(c.Citizenship)
	lists, homeOnly := x.candidates(workCode, homeCode)
	for l, list := range lists {
		for _, i32 := range list {
			i := int(i32)
			rec := &x.records[i]
			if rec.kind < 0 || r.weight[rec.kind] == 0 {
				continue
			}
			if l == homeOnly && rec.kind != hotlineK && (rec.kind != unionK || !services[i].NationalCentre) {
				continue
			}
			// An organisation that receives cases here is reached through
			// the bot, wherever the worker is.
			if !(x.reaches(i, workCode, c.CountryOfWork) || r.receives(&services[i])) || !x.servesCitizen(i, homeCode, c.Citizenship) || !x.helps(i, &r) {
				continue
			}
			k, s := rec.kind, &services[i]
			operates := r.operatesWhereWorkerIs(s)
			nationalHere := k == unionK && s.NationalCentre && strings.EqualFold(s.Country, c.CountryOfWork)
			nationalHome := k == unionK && s.NationalCentre && !nationalHere && strings.EqualFold(s.Country, c.Citizenship)
			originHotline := !operates && r.isOriginHotline(s)
			if !operates && !nationalHome && !originHotline {
				continue
			}
			if nationalHere {
				nationalCentres = append(nationalCentres, i)
			}
			if nationalHome {
				originUnions = append(originUnions, i)
			}
			if !operates && !originHotline {
				continue
			}
			fallback := ""
			if originHotline {
				fallback = ReasonOriginHotline
			}
			if isLocal(s.Kind) && !s.Remote && !r.near(s) {
				continue // an office the worker cannot reach, or cannot tell
			}
			unionNear = unionNear || k == unionK
			picked = append(picked, r.candidate(services, i, r.weight[k], r.why[k], fallback))
		}
	}
	if r.weight[unionK] > 0 && !unionNear {
		for _, i := range nationalCentres {
			picked = append(picked, r.candidate(services, i, r.weight[unionK]*factorNational, r.why[unionK], ReasonFallbackNationalCentre))
		}
		for _, i := range originUnions {
			picked = append(picked, r.candidate(services, i, r.weight[unionK]*factorOrigin, r.why[unionK], ReasonFallbackOriginUnion))
		}
	}
	var res Result
	chosen := diversify(services, picked, opt.Limit)
	res.Choices = make([]Choice, 0, len(chosen))
	for _, cd := range chosen {
		ch := r.choice(&services[cd.index], cd.weight, cd.why, cd.fallback, true)
		res.Choices = append(res.Choices, ch)
		res.NeedsConsent = res.NeedsConsent || ch.NeedsConsent
	}
	return res
}

var pickedPool = sync.Pool{New: func() any { return new([]candidate) }}

// candidate is a service that passed the filters, scored but not yet
// explained: only the few that are returned get their reasons written out.
type candidate struct {
	index    int
	weight   float64
	score    float64
	why      string
	fallback string
}

func (r *ranker) candidate(services []Service, i int, weight float64, why, fallback string) candidate {
	ch := r.choice(&services[i], weight, why, fallback, false)
	return candidate{index: i, weight: weight, score: ch.Score, why: why, fallback: fallback}
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
	// catMask has the case's known categories; catSlow says one is unknown
	// and the services' lists must be read.
	catMask uint16
	catSlow bool
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

// specialised kinds are held to the categories they list: a domestic-violence
// line cannot take a wage claim. A union, an inspectorate or a consulate
// helps with whatever needs sends to it; its list only earns a bonus.
func specialised(kind string) bool {
	return kind == KindHotline || kind == KindNGO || kind == KindMigrationService
}

// helpsWithCase reports whether the service lists one of the case's
// categories, or lists none.
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

// operatesWhereWorkerIs: offices serve their own country unless they say
// otherwise; consular districts are listed explicitly. A hotline serves its
// own country, or one it names: "*" on a hotline means it takes calls from
// abroad, which helps its own citizens (isOriginHotline), not everyone.
func (r *ranker) operatesWhereWorkerIs(s *Service) bool {
	if r.c.CountryOfWork == "" {
		return true
	}
	if s.Kind == KindHotline {
		return strings.EqualFold(s.Country, r.c.CountryOfWork) || lists(s.ServesCountries, r.c.CountryOfWork)
	}
	if len(s.ServesCountries) == 0 {
		return strings.EqualFold(s.Country, r.c.CountryOfWork)
	}
	return matches(s.ServesCountries, r.c.CountryOfWork)
}

// isOriginHotline: a hotline at home that has not limited itself to a list of
// countries still answers its citizens abroad (La Strada's number "from
// abroad", Azerbaijan's 152 "takes calls from any country").
func (r *ranker) isOriginHotline(s *Service) bool {
	return s.Kind == KindHotline && strings.EqualFold(s.Country, r.c.Citizenship) &&
		(len(s.ServesCountries) == 0 || slices.Contains(s.ServesCountries, "*"))
}

// choice scores a service for the case; with explain it also copies the
// service and writes out the reasons.
func (r *ranker) choice(s *Service, weight float64, category, fallback string, explain bool) Choice {
	receives := r.receives(s)
	ch := Choice{Score: weight * weightScale, Contactable: true, Routable: receives, Receives: receives}
	add := func(code string, bonus, value float64, detail string) {
		ch.Score += bonus
		if explain {
			ch.Reasons = append(ch.Reasons, Reason{Code: code, Value: value, Detail: detail})
		}
	}
	if explain {
		ch.Service = *s
		ch.Reasons = make([]Reason, 0, 8)
	}
	add(ReasonKindForCategory, 0, weight, category)
	if fallback != "" {
		add(fallback, 0, 0, "")
	}
	if s.Categories != nil && r.helpsWithCase(s) {
		add(ReasonCategoryListed, bonusCategory, 0, "")
	}
	// A consulate serves only its own citizens by nature; the bonus is for
	// the union or NGO that made a point of serving them.
	ownState := r.ownState(s)
	if !ownState && lists(s.ServesCitizenships, r.c.Citizenship) {
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
	if ownState {
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

// receives reports whether the service takes cases through the bot now.
func (r *ranker) receives(s *Service) bool {
	return s.ReceivesCases || r.opt.Receives != nil && r.opt.Receives(s.ID)
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

// diversify returns up to limit candidates: first the best of each kind, so
// that a documents case shows a consulate and a union rather than five
// unions, then the rest by score. It keeps only short lists instead of
// sorting everything: a case can match hundreds of hotlines in a big
// directory.
func diversify(services []Service, picked []candidate, limit int) []candidate {
	better := func(a, b candidate) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return services[a.index].ID < services[b.index].ID
	}
	var bestOfGroup [len(kinds)]int
	for g := range bestOfGroup {
		bestOfGroup[g] = -1
	}
	top := make([]int, 0, 2*limit+1) // indexes into picked, best first
	for i, cd := range picked {
		g := kindGroup(services[cd.index].Kind)
		if b := bestOfGroup[g]; b < 0 || better(cd, picked[b]) {
			bestOfGroup[g] = i
		}
		pos := sort.Search(len(top), func(j int) bool { return better(cd, picked[top[j]]) })
		if pos < 2*limit {
			top = slices.Insert(top, pos, i)
			if len(top) > 2*limit {
				top = top[:2*limit]
			}
		}
	}
	var reps []int
	for _, b := range bestOfGroup {
		if b >= 0 {
			reps = append(reps, b)
		}
	}
	slices.SortFunc(reps, func(a, b int) int {
		if better(picked[a], picked[b]) {
			return -1
		}
		return 1
	})
	out := make([]candidate, 0, limit)
	taken := make([]int, 0, limit) // indexes into picked; limit is small
	for _, list := range [][]int{reps, top} {
		for _, i := range list {
			if len(out) < limit && !slices.Contains(taken, i) {
				taken = append(taken, i)
				out = append(out, picked[i])
			}
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if a.score > b.score {
			return -1
		}
		if a.score < b.score {
			return 1
		}
		return 0
	})
	return out
}

// kindGroup counts an embassy and a consulate as the same kind of help.
func kindGroup(kind string) int {
	if kind == KindEmbassy {
		kind = KindConsulate
	}
	return kindIndex(kind)
}

func isConsular(kind string) bool { return kind == KindConsulate || kind == KindEmbassy }

// OwnState reports whether s belongs to the state of a worker of that
// citizenship, so that involving it takes the worker's consent.
func OwnState(s Service, citizenship string) bool {
	r := ranker{c: Case{Citizenship: citizenship}}
	return r.ownState(&s)
}

// ownState reports a service of the worker's own state: a consulate or
// embassy, a service marked Consular, or a hotline at home that serves only
// its own citizens, which is what a foreign ministry's line for citizens
// abroad looks like. Erring towards asking for consent is the safe side.
func (r *ranker) ownState(s *Service) bool {
	if isConsular(s.Kind) || s.Consular {
		return lists(s.ServesCitizenships, r.c.Citizenship)
	}
	if s.Kind != KindHotline || len(s.ServesCitizenships) == 0 || !strings.EqualFold(s.Country, r.c.Citizenship) {
		return false
	}
	for _, c := range s.ServesCitizenships {
		if !strings.EqualFold(c, r.c.Citizenship) {
			return false
		}
	}
	return true
}

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
