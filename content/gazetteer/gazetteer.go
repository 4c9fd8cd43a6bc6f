// Package gazetteer finds the city a worker names, in whatever alphabet and
// spelling they use, among the cities of the countries the bot serves.
//
// The data is GeoNames (CC BY 4.0), filtered and embedded; see README.md for
// the attribution that must accompany it.
package gazetteer

import (
	_ "embed"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rightsdesk/rightsdesk/content/gazetteer/internal/fold"
)

//go:embed cities.tsv
var citiesTSV string

//go:embed aliases.tsv
var aliasesTSV string

// Place is one city. ID is the GeoNames id; Admin is the first-level region in
// English; Names are the other spellings it is known by, in any script.
type Place struct {
	ID         string
	Name       string
	Names      []string
	Country    string
	Admin      string
	Lat, Lon   float64
	Population int
	// curated is how many of Names, at the front, come from aliases.tsv:
	// hand-picked common spellings, preferred when a name is shown.
	curated int
}

// Match is a candidate for a query. Score is 1 for an exact (folded) name,
// lower for a typo or a prefix; see Match for the tiers.
type Match struct {
	Place
	Score float64
}

// Score tiers. Within a tier the more populous city comes first: a worker who
// types "Aktau" most likely means the port, not the village.
const (
	scoreExact   = 1.0
	scoreTypo1   = 0.8
	scorePrefix  = 0.7
	scoreTypo2   = 0.6
	minPrefixLen = 4
	maxKeyLen    = 48
)

// Gazetteer holds the places and their precomputed name keys. It is held
// for the life of the process, so the index is kept in flat lists rather
// than maps, a slice per key or a string per key: each of those cost more
// than the data itself, and every byte held costs two of the bot's RSS.
type Gazetteer struct {
	places []Place
	// byID lists the places' indexes sorted by GeoNames id.
	byID []int32
	// The keys, sorted, so a prefix is a contiguous range and an exact name
	// a binary search: key i is keyText[keyEnd[i-1]:keyEnd[i]], and the
	// places known by it are holders[holderAt[i]:holderAt[i+1]].
	keyText  string
	keyEnd   []int32
	holderAt []int32
	holders  []int32
	// byLen[n] lists the keys of length n with their letter masks, which
	// rule most keys out before the edit distance is computed.
	byLen [][]lenEntry
}

type lenEntry struct {
	mask uint64
	key  int32
}

// Load parses the embedded data.
func Load() (*Gazetteer, error) {
	g := &Gazetteer{}
	if err := g.readCities(citiesTSV); err != nil {
		return nil, err
	}
	if err := g.readAliases(aliasesTSV); err != nil {
		return nil, err
	}
	g.index()
	return g, nil
}

func (g *Gazetteer) readCities(data string) error {
	g.places = make([]Place, 0, strings.Count(data, "\n"))
	seen := make(map[string]bool, cap(g.places))
	err := eachRow(data, 8, func(line int, f []string) error {
		lat, err1 := strconv.ParseFloat(f[4], 64)
		lon, err2 := strconv.ParseFloat(f[5], 64)
		pop, err3 := strconv.Atoi(f[6])
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("gazetteer: cities.tsv line %d: bad number", line)
		}
		if seen[f[0]] {
			return fmt.Errorf("gazetteer: cities.tsv line %d: duplicate id %s", line, f[0])
		}
		seen[f[0]] = true
		var names []string
		if f[7] != "" {
			names = strings.Split(f[7], ",")
		}
		g.places = append(g.places, Place{
			ID: f[0], Name: f[1], Country: f[2], Admin: f[3],
			Lat: lat, Lon: lon, Population: pop, Names: names,
		})
		return nil
	})
	if err != nil {
		return err
	}
	g.places = slices.Clip(g.places)
	g.byID = make([]int32, len(g.places))
	for i := range g.byID {
		g.byID[i] = int32(i)
	}
	slices.SortFunc(g.byID, func(a, b int32) int { return strings.Compare(g.places[a].ID, g.places[b].ID) })
	return nil
}

// indexOf returns the index in places of the place with a GeoNames id.
func (g *Gazetteer) indexOf(id string) (int, bool) {
	i, ok := slices.BinarySearchFunc(g.byID, id, func(p int32, id string) int { return strings.Compare(g.places[p].ID, id) })
	if !ok {
		return 0, false
	}
	return int(g.byID[i]), true
}

func (g *Gazetteer) readAliases(data string) error {
	return eachRow(data, 4, func(line int, f []string) error {
		i, ok := g.indexOf(f[0])
		if !ok || g.places[i].Name != f[1] || g.places[i].Country != f[2] {
			return fmt.Errorf("gazetteer: aliases.tsv line %d: no city %s %q in %s", line, f[0], f[1], f[2])
		}
		p := &g.places[i]
		// Curated names go first, in the order written, so that showing a
		// city picks the common spelling (Москва) over rarer ones.
		var curated []string
		for _, a := range strings.Split(f[3], ",") {
			if a = strings.TrimSpace(a); a != "" && a != p.Name && !slices.Contains(curated, a) {
				curated = append(curated, a)
			}
		}
		rest := slices.DeleteFunc(p.Names, func(n string) bool { return slices.Contains(curated, n) })
		p.Names = append(curated, rest...)
		p.curated = len(curated)
		return nil
	})
}

// eachRow calls fn for every non-comment row, which must have n columns.
// The fields are substrings of the embedded data, not copies: the places
// keep their names for the life of the process.
func eachRow(data string, n int, fn func(line int, fields []string) error) error {
	line := 0
	for text := range strings.Lines(data) {
		line++
		text = strings.TrimRight(text, "\r\n")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != n {
			return fmt.Errorf("gazetteer: line %d: %d columns, want %d", line, len(f), n)
		}
		if err := fn(line, f); err != nil {
			return err
		}
	}
	return nil
}

func (g *Gazetteer) index() {
	holders := map[string][]int32{}
	for i, p := range g.places {
		for _, n := range append([]string{p.Name}, p.Names...) {
			k := fold.Key(n)
			if k == "" || len(k) > maxKeyLen {
				continue
			}
			if h := holders[k]; len(h) == 0 || h[len(h)-1] != int32(i) {
				holders[k] = append(h, int32(i))
			}
		}
	}
	keys := make([]string, 0, len(holders))
	total, text := 0, 0
	perLen := make([]int, maxKeyLen+1)
	for k, h := range holders {
		keys = append(keys, k)
		total += len(h)
		text += len(k)
		perLen[len(k)]++
	}
	sort.Strings(keys)
	var kt strings.Builder
	kt.Grow(text)
	g.keyEnd = make([]int32, 0, len(keys))
	g.holderAt = make([]int32, 0, len(keys)+1)
	g.holders = make([]int32, 0, total)
	g.byLen = make([][]lenEntry, maxKeyLen+1)
	for n, count := range perLen {
		g.byLen[n] = make([]lenEntry, 0, count)
	}
	for i, k := range keys {
		kt.WriteString(k)
		g.keyEnd = append(g.keyEnd, int32(kt.Len()))
		g.holderAt = append(g.holderAt, int32(len(g.holders)))
		g.holders = append(g.holders, holders[k]...)
		g.byLen[len(k)] = append(g.byLen[len(k)], lenEntry{mask: letterMask(k), key: int32(i)})
	}
	g.holderAt = append(g.holderAt, int32(len(g.holders)))
	g.keyText = kt.String()
}

// key returns key i.
func (g *Gazetteer) key(i int32) string {
	from := int32(0)
	if i > 0 {
		from = g.keyEnd[i-1]
	}
	return g.keyText[from:g.keyEnd[i]]
}

// search returns the index of the first key not less than key, and whether
// it is key.
func (g *Gazetteer) search(key string) (int32, bool) {
	lo, hi := int32(0), int32(len(g.keyEnd))
	for lo < hi {
		if mid := int32(uint32(lo+hi) >> 1); g.key(mid) < key {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, int(lo) < len(g.keyEnd) && g.key(lo) == key
}

// holdersOf lists the places known by key k.
func (g *Gazetteer) holdersOf(k int32) []int32 {
	return g.holders[g.holderAt[k]:g.holderAt[k+1]]
}

// Places returns every place, in file order.
func (g *Gazetteer) Places() []Place { return g.places }

// ByID returns the place with a GeoNames id.
func (g *Gazetteer) ByID(id string) (Place, bool) {
	i, ok := g.indexOf(id)
	if !ok {
		return Place{}, false
	}
	return g.places[i], true
}

// Locate returns the most populous place in country whose name matches
// exactly (after folding). It suits names an editor wrote, such as a
// directory entry's city, not a worker's typing.
func (g *Gazetteer) Locate(country, name string) (Place, bool) {
	k, ok := g.search(fold.Key(name))
	if !ok {
		return Place{}, false
	}
	best := -1
	for _, p := range g.holdersOf(k) {
		if strings.EqualFold(g.places[p].Country, country) && (best < 0 || g.places[p].Population > g.places[best].Population) {
			best = int(p)
		}
	}
	if best < 0 {
		return Place{}, false
	}
	return g.places[best], true
}

// Nearest returns the most populous place within radiusKm of a point, or the
// closest one if none is bigger: a shared location near a city's suburb
// should read as the city.
func (g *Gazetteer) Nearest(lat, lon, radiusKm float64) (Place, bool) {
	best, bestDist := -1, math.Inf(1)
	for i, p := range g.places {
		d := DistanceKm(lat, lon, p.Lat, p.Lon)
		if d > radiusKm {
			continue
		}
		if best < 0 || p.Population > g.places[best].Population ||
			(p.Population == g.places[best].Population && d < bestDist) {
			best, bestDist = i, d
		}
	}
	if best < 0 {
		return Place{}, false
	}
	return g.places[best], true
}

// Match returns up to limit places a query may name, best first. An exact
// match on any known name hides the fuzzy ones; otherwise typos (one edit for
// names up to six letters, two for longer) and prefixes of at least four
// letters count. Several results mean the caller should let the worker choose.
func (g *Gazetteer) Match(query string, limit int) []Match {
	q := fold.Key(query)
	if q == "" || limit <= 0 {
		return nil
	}
	if k, ok := g.search(q); ok {
		return g.collect([]candidate{{k, scoreExact}}, limit)
	}
	if len(q) > maxKeyLen {
		return nil
	}
	var found []candidate
	if len(q) >= minPrefixLen {
		lo, _ := g.search(q)
		for i := lo; int(i) < len(g.keyEnd) && strings.HasPrefix(g.key(i), q); i++ {
			found = append(found, candidate{i, scorePrefix})
		}
	}
	maxEdits := editBudget(len(q))
	if maxEdits > 0 {
		qm := letterMask(q)
		for n := max(1, len(q)-maxEdits); n <= min(maxKeyLen, len(q)+maxEdits); n++ {
			for _, e := range g.byLen[n] {
				if bits.OnesCount64(qm^e.mask) > 2*maxEdits {
					continue
				}
				switch d := osaDistance(q, g.key(e.key), maxEdits); {
				case d > maxEdits:
				case d == 1:
					found = append(found, candidate{e.key, scoreTypo1})
				case d == 2:
					found = append(found, candidate{e.key, scoreTypo2})
				}
			}
		}
	}
	return g.collect(found, limit)
}

type candidate struct {
	key   int32
	score float64
}

// scratch is per-query working memory, pooled because prefix queries such as
// "Novo" touch hundreds of places.
type scratch struct {
	best    []float64 // best score per place index, 0 = not found
	touched []int32
}

var scratchPool sync.Pool

// collect turns matched keys into the limit best places, keeping each place's
// best score.
func (g *Gazetteer) collect(found []candidate, limit int) []Match {
	sc, _ := scratchPool.Get().(*scratch)
	if sc == nil || len(sc.best) != len(g.places) {
		sc = &scratch{best: make([]float64, len(g.places))}
	}
	for _, c := range found {
		for _, p := range g.holdersOf(c.key) {
			if sc.best[p] == 0 {
				sc.touched = append(sc.touched, p)
			}
			sc.best[p] = max(sc.best[p], c.score)
		}
	}
	// Insertion into a short sorted slice: limit is a handful of buttons.
	out := make([]Match, 0, min(limit, len(sc.touched)))
	for _, p := range sc.touched {
		m := Match{Place: g.places[p], Score: sc.best[p]}
		sc.best[p] = 0
		i := sort.Search(len(out), func(i int) bool { return better(m, out[i]) })
		if i >= limit {
			continue
		}
		if len(out) < limit {
			out = append(out, Match{})
		}
		copy(out[i+1:], out[i:])
		out[i] = m
	}
	sc.touched = sc.touched[:0]
	scratchPool.Put(sc)
	return out
}

func better(a, b Match) bool {
	switch {
	case a.Score != b.Score:
		return a.Score > b.Score
	case a.Population != b.Population:
		return a.Population > b.Population
	}
	return a.ID < b.ID
}

// editBudget allows fewer typos in short names, where one edit already turns
// one real city into another (Kars, Kara).
func editBudget(n int) int {
	switch {
	case n < 4:
		return 0
	case n <= 6:
		return 1
	default:
		return 2
	}
}

// letterMask has a bit per letter or digit present. One edit changes at most
// two bits, so the XOR of two masks bounds the distance from below.
func letterMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z':
			m |= 1 << (c - 'a')
		case c >= '0' && c <= '9':
			m |= 1 << (26 + c - '0')
		}
	}
	return m
}

// osaDistance is the optimal-string-alignment (restricted Damerau-Levenshtein)
// distance between a and b, or max+1 once it must exceed max. Both are at most
// maxKeyLen bytes.
func osaDistance(a, b string, maxDist int) int {
	var rows [3][maxKeyLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if rowMin > maxDist {
			return maxDist + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], maxDist+1)
}

// DistanceKm is the great-circle distance between two points.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}
