package gazetteer

import (
	"sort"
	"strings"
	"testing"
)

func load(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMatchAcrossScriptsAndTypos(t *testing.T) {
	g := load(t)
	cases := []struct {
		want    string // GeoNames id of the expected first match
		country string
		queries []string
	}{
		{"524901", "RU", []string{"Москва", "Moskva", "Moscow", "moscw", "MOSCOW", "Moskau", "мсква", "მოსკოვი"}},
		{"587084", "AZ", []string{"Bakı", "Baku", "Баку", "baky", "BAKI", "ბაქო"}},
		{"611717", "GE", []string{"თბილისი", "Tbilisi", "Тбилиси", "tiflis", "tblisi"}},
		{"618426", "MD", []string{"Chișinău", "Chişinău", "Chisinau", "Кишинёв", "Кишинев", "Kishinev", "ქიშინიოვი", "chisinao"}},
		{"1526384", "KZ", []string{"Алматы", "Almaty", "Алма-Ата", "alma ata", "Almati"}},
		{"1486209", "RU", []string{"Yekaterinburg", "Ekaterinburg", "Екатеринбург", "екатеренбург", "Yekaterinbug"}},
		{"745044", "TR", []string{"İstanbul", "ISTANBUL", "Стамбул", "istambul"}},
		{"498817", "RU", []string{"Санкт-Петербург", "Питер", "SPb", "St. Petersburg", "saint-petersburg"}},
		{"1526273", "KZ", []string{"Astana", "Астана", "Nur-Sultan"}},
		{"703448", "UA", []string{"Kyiv", "Киев", "Київ", "Kiev"}},
		{"586523", "AZ", []string{"Gəncə", "Ganja", "Гянджа"}},
		{"618605", "MD", []string{"Bălți", "Balti", "Бельцы"}},
		{"609655", "KZ", []string{"Karaganda", "Қарағанды", "Караганда"}},
		{"616052", "AM", []string{"Yerevan", "Ереван", "Erevan", "Jerewan"}},
		// Every served country, in the scripts and spellings its workers
		// type, with typos (Georgian too).
		{"611717", "GE", []string{"თბილსი"}},
		{"615532", "GE", []string{"ბათუმ", "Batumi", "Батуми"}},
		{"1486209", "RU", []string{"Ekaterinburq"}},
		{"1512569", "UZ", []string{"Tashkent", "Toshkent", "Тошкент", "Daşkənd"}},
		{"1528675", "KG", []string{"Bishkek", "Бишкек", "Bişkek"}},
		{"625144", "BY", []string{"Minsk", "Мінск", "Mińsk"}},
		{"738648", "TR", []string{"Trabzon", "Трабзон"}},
		{"743952", "TR", []string{"Kars", "Qars"}},
		{"618426", "MD", []string{"Кишенев"}},
		{"1514879", "TJ", []string{"Khujand", "Xujand", "Хұджанд"}},
	}
	for _, c := range cases {
		for _, q := range c.queries {
			got := g.Match(q, 5)
			if len(got) == 0 {
				t.Errorf("Match(%q): no result, want %s", q, c.want)
				continue
			}
			if got[0].ID != c.want || got[0].Country != c.country {
				t.Errorf("Match(%q)[0] = %s %s %s, want %s %s", q, got[0].ID, got[0].Name, got[0].Country, c.want, c.country)
			}
		}
	}
}

func TestMatchScoresTiers(t *testing.T) {
	g := load(t)
	exact := g.Match("Moscow", 5)
	typo := g.Match("moscw", 5)
	if exact[0].Score <= typo[0].Score {
		t.Errorf("exact score %v should beat typo score %v", exact[0].Score, typo[0].Score)
	}
	for _, m := range exact {
		if m.Score != scoreExact {
			t.Errorf("exact match for Moscow came with fuzzy %s (%v)", m.Name, m.Score)
		}
	}
}

func TestAmbiguousNameReturnsSeveralByPopulation(t *testing.T) {
	g := load(t)
	got := g.Match("Aktau", 10)
	if len(got) < 2 {
		t.Fatalf("Aktau: %d matches, want several", len(got))
	}
	if got[0].ID != "610612" {
		t.Errorf("Aktau: first is %s %s, want the port city 610612", got[0].ID, got[0].Admin)
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Population > got[j].Population }) {
		t.Errorf("Aktau: equal-score matches not ordered by population")
	}
	// Kazan is a Russian city and a Turkish town.
	countries := map[string]bool{}
	for _, m := range g.Match("Kazan", 10) {
		countries[m.Country] = true
	}
	if !countries["RU"] || !countries["TR"] {
		t.Errorf("Kazan: countries %v, want RU and TR", countries)
	}
}

func TestShortQueriesAllowOneEdit(t *testing.T) {
	g := load(t)
	for _, m := range g.Match("Ktau", 20) {
		if m.Score < scoreTypo1 {
			t.Errorf("Ktau (4 letters) matched %s with score %v: only one edit is allowed", m.Name, m.Score)
		}
	}
}

func TestMatchRejectsNoise(t *testing.T) {
	g := load(t)
	for _, q := range []string{"", "  ", "!!!", "zzzzqqqq", "東京"} {
		if got := g.Match(q, 5); len(got) != 0 {
			t.Errorf("Match(%q) = %v, want nothing", q, got[0].Name)
		}
	}
	if got := g.Match("Moscow", 0); got != nil {
		t.Errorf("limit 0 returned %d", len(got))
	}
}

func TestMatchRespectsLimitAndPrefix(t *testing.T) {
	g := load(t)
	got := g.Match("Novo", 3)
	if len(got) != 3 {
		t.Fatalf("Novo: %d results, want 3", len(got))
	}
	for _, m := range got {
		if !strings.HasPrefix(strings.ToLower(m.Name), "novo") && m.Score == scorePrefix {
			t.Errorf("prefix match %s does not start with novo", m.Name)
		}
	}
	if got := g.Match("Ekaterinbu", 1); len(got) != 1 || got[0].ID != "1486209" {
		t.Errorf("prefix Ekaterinbu: %v", got)
	}
}

func TestAliasesPointAtTheirCities(t *testing.T) {
	g := load(t)
	// Every alias must resolve to its own city first; a failure means the
	// alias collides with a bigger city and needs a second look.
	err := eachRow(aliasesTSV, 4, func(line int, f []string) error {
		for _, a := range strings.Split(f[3], ",") {
			got := g.Match(a, 1)
			if len(got) == 0 || got[0].ID != f[0] {
				t.Errorf("aliases.tsv line %d: %q does not lead to %s", line, a, f[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBadAlias(t *testing.T) {
	g := &Gazetteer{}
	if err := g.readCities(citiesTSV); err != nil {
		t.Fatal(err)
	}
	if err := g.readAliases("524901\tMoskva\tRU\tX\n"); err == nil {
		t.Error("alias with a wrong name was accepted")
	}
	if err := g.readAliases("1\tMoscow\tRU\tX\n"); err == nil {
		t.Error("alias with an unknown id was accepted")
	}
}

func TestOSADistance(t *testing.T) {
	cases := []struct {
		a, b string
		max  int
		want int
	}{
		{"moscow", "moscow", 2, 0},
		{"moscow", "moscw", 2, 1},
		{"moscow", "mocsow", 2, 1}, // transposition
		{"baku", "bkau", 1, 1},
		{"tbilisi", "tiblsii", 2, 2},
		{"baku", "minsk", 2, 3},
		{"", "abc", 5, 3},
	}
	for _, c := range cases {
		if got := osaDistance(c.a, c.b, c.max); got != c.want {
			t.Errorf("osaDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.max, got, c.want)
		}
	}
}

func TestNearestAndByID(t *testing.T) {
	g := load(t)
	p, ok := g.Nearest(55.70, 37.50, 30)
	if !ok || p.ID != "524901" {
		t.Errorf("Nearest to south-west Moscow = %s %s, want Moscow", p.ID, p.Name)
	}
	if _, ok := g.Nearest(0, 0, 100); ok {
		t.Error("Nearest found a city in the Gulf of Guinea")
	}
	if p, ok := g.Locate("RU", "Yekaterinburg"); !ok || p.ID != "1486209" {
		t.Errorf("Locate(RU, Yekaterinburg) = %v %v", p.ID, ok)
	}
	if p, ok := g.Locate("TR", "Kazan"); !ok || p.Country != "TR" {
		t.Errorf("Locate(TR, Kazan) = %v %v %v, want the Turkish town", p.ID, p.Country, ok)
	}
	if _, ok := g.Locate("GE", "Moscow"); ok {
		t.Error("Locate found Moscow in Georgia")
	}
	if p, ok := g.ByID("611717"); !ok || p.Name != "Tbilisi" {
		t.Errorf("ByID(611717) = %v %v", p.Name, ok)
	}
	if d := DistanceKm(40.37767, 49.89201, 41.69143, 44.83412); d < 440 || d > 460 {
		t.Errorf("Baku-Tbilisi = %.0f km, want about 450", d)
	}
}

func TestDataStaysSmall(t *testing.T) {
	if n := len(citiesTSV); n > 1536*1024 {
		t.Errorf("cities.tsv is %d bytes, over the 1.5 MiB budget", n)
	}
	if !strings.Contains(citiesTSV[:1024], "CC BY 4.0") || !strings.Contains(citiesTSV[:1024], "GeoNames") {
		t.Error("cities.tsv header lost its source and licence")
	}
}

var sink []Match

func BenchmarkMatch(b *testing.B) {
	g := load(b)
	queries := []string{"Москва", "Baku", "თბილისი", "moscw", "Ekaterinbrug", "Кишинёв", "Novo", "Chisinau"}
	for _, q := range queries {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				sink = g.Match(q, 5)
			}
		})
	}
}

// A city is shown in the reader's script from the names the data has.
func TestNameIn(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, lang, want string }{
		{"524901", "ru", "Москва"}, {"524901", "ka", "მოსკოვი"}, {"524901", "en", "Moscow"}, {"524901", "ro", "Moscow"},
		{"524901", "kk", "Москва"}, // no Kazakh form in the data: the Cyrillic one
		{"610612", "kk", "Ақтау"}, {"610612", "ru", "Актау"},
		{"745044", "kk", "Ыстамбұл"}, {"745044", "ru", "Стамбул"}, {"745044", "az", "İstanbul"},
		{"618426", "ro", "Chișinău"}, {"618426", "ru", "Кишинёв"}, {"618426", "az", "Kişinev"},
		{"587084", "az", "Bakı"}, {"587084", "ka", "ბაქო"}, {"587084", "ru", "Баку"},
		{"611717", "ka", "თბილისი"},
	} {
		p, ok := g.ByID(tc.id)
		if !ok {
			t.Fatalf("no place %s", tc.id)
		}
		if got := p.NameIn(tc.lang); got != tc.want {
			t.Errorf("%s in %s = %q, want %q", p.Name, tc.lang, got, tc.want)
		}
	}
	// A town without a name in the script keeps its own.
	if got := (Place{Name: "Nowhere", Names: []string{"Nowhere"}}).NameIn("ka"); got != "Nowhere" {
		t.Errorf("fallback = %q", got)
	}
}
