package gazetteer

import (
	"strings"
	"unicode"

	"github.com/rightsdesk/rightsdesk/content/gazetteer/internal/fold"
)

// NameIn returns the city's name as a reader of lang would write it, in
// that language's script, chosen among the GeoNames alternate names and the
// curated aliases: Москва for ru, Мәскеу-style Kazakh forms for kk when the
// data has them, მოსკოვი for ka, Bakı for az. Without a name in that script
// it returns Name. Nothing is transliterated or invented here.
func (p Place) NameIn(lang string) string {
	want, ok := scripts[lang]
	if !ok {
		return p.Name
	}
	best, bestRank, bestDist := "", 0, 0
	key := fold.Key(p.Name)
	for i, n := range p.Names {
		rank := want(n)
		if rank == 0 {
			continue
		}
		// Curated spellings beat generated ones of the same rank; among
		// generated ones, the closest to the main name is the likeliest
		// to be this language's and not a neighbour's.
		if i < p.curated {
			rank += 2
		}
		dist := osaDistance(trimKey(fold.Key(n)), trimKey(key), maxKeyLen)
		if rank > bestRank || rank == bestRank && dist < bestDist {
			best, bestRank, bestDist = n, rank, dist
		}
	}
	if best == "" {
		return p.Name
	}
	return best
}

func trimKey(k string) string {
	if len(k) > maxKeyLen {
		return k[:maxKeyLen]
	}
	return k
}

// A script test returns 0 for a name a reader of the language would not
// use, 1 for one in the right script, and 2 for one that also carries the
// language's own letters.
var scripts = map[string]func(string) int{
	"ru": func(n string) int { return inScript(n, unicode.Cyrillic, russian, "") },
	"kk": func(n string) int { return inScript(n, unicode.Cyrillic, russian+kazakh, kazakh) },
	"ka": func(n string) int { return inScript(n, unicode.Georgian, "", "") },
	"az": func(n string) int { return latinWith(n, "əğıöüşçİƏĞÖÜŞÇ", "ăâîșțĂÂÎȘȚ") },
	"ro": func(n string) int { return latinWith(n, "ăâîșțşţĂÂÎȘȚŞŢ", "əıƏ") },
}

const (
	russian = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
	kazakh  = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
)

// inScript accepts a name whose letters are all of script and, when letters
// is given, all among letters; own names the letters that rank it higher.
func inScript(n string, script *unicode.RangeTable, letters, own string) int {
	hasOwn := false
	for _, r := range n {
		if !unicode.IsLetter(r) {
			continue
		}
		if !unicode.Is(script, r) || letters != "" && !strings.ContainsRune(letters, r) {
			return 0
		}
		hasOwn = hasOwn || strings.ContainsRune(own, r)
	}
	if hasOwn {
		return 2
	}
	return 1
}

// latinWith prefers a Latin name that carries the language's own letters
// (Bakı, Chișinău) and none of a neighbour's (ş is Azerbaijani and
// Romanian, ă only Romanian); a plain Latin name is Name already, so it
// ranks 0.
func latinWith(n, own, foreign string) int {
	if strings.ContainsAny(n, foreign) || inScript(n, unicode.Latin, "", own) != 2 {
		return 0
	}
	return 2
}
