// Package fold reduces a place name in any of the served scripts to a plain
// ASCII key, so that Москва, Moskva and MOSKVA meet, and so do Bakı and Baku.
//
// The key is deliberately lossy: workers type on whatever keyboard they have,
// often without diacritics or in another alphabet, and a false match costs
// one extra button while a miss costs the whole lookup.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// letters maps every non-ASCII letter we expect to a Latin spelling. Cyrillic
// follows the Russian passport convention, extended with the Kazakh, Ukrainian,
// Belarusian, Kyrgyz, Tajik and Uzbek letters; Georgian follows the 2002
// national system. Letters that Unicode decomposes into ASCII plus a mark
// (é, ü, ș) need no entry: Key strips the mark.
var letters = map[rune]string{
	// Russian
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	// Ukrainian and Belarusian
	'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u",
	// Kazakh, Kyrgyz, Tajik, Uzbek and Azerbaijani Cyrillic
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'һ': "h", 'ӣ': "i", 'ӯ': "u", 'ҳ': "h", 'ҷ': "j", 'ҹ': "j", 'ј': "y",
	// Georgian (Mkhedruli)
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z",
	'თ': "t", 'ი': "i", 'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o",
	'პ': "p", 'ჟ': "zh", 'რ': "r", 'ს': "s", 'ტ': "t", 'უ': "u", 'ფ': "p",
	'ქ': "k", 'ღ': "gh", 'ყ': "q", 'შ': "sh", 'ჩ': "ch", 'ც': "ts", 'ძ': "dz",
	'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j", 'ჰ': "h",
	// Latin letters that do not decompose. Azerbaijani ə is written "a" in the
	// English forms GeoNames uses (Gəncə → Ganja, Şəki → Shaki).
	'ə': "a", 'ı': "i", 'ø': "o", 'ł': "l", 'đ': "d", 'ß': "ss", 'æ': "ae",
	'œ': "oe", 'þ': "th",
}

// digraphs folds spellings that differ only by transliteration habit: ş is
// typed "s" by a Turk and "sh" by an English speaker, х becomes "kh" or "h".
// Initial "ye" is BGN's spelling of е (Yekaterinburg, Yerevan).
var digraphs = strings.NewReplacer(
	"ye", "e", "sh", "s", "ch", "c", "zh", "z", "kh", "h",
)

// Key returns the matching key of s: lower-case ASCII letters and digits only.
func Key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteRune(r)
			case r >= 'A' && r <= 'Z':
				b.WriteRune(r + ('a' - 'A'))
			}
			continue
		}
		if r == 'İ' { // Turkish dotted capital: ToLower would leave a stray mark
			b.WriteByte('i')
			continue
		}
		lr := unicode.ToLower(r)
		if s, ok := letters[lr]; ok {
			b.WriteString(s)
			continue
		}
		writeStripped(&b, lr)
	}
	return squeeze(digraphs.Replace(b.String()))
}

// writeStripped writes the ASCII base of a decomposable letter (ș → s) and
// drops anything else: marks, punctuation and scripts we do not serve.
func writeStripped(b *strings.Builder, r rune) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, d := range norm.NFD.String(string(buf[:n])) {
		if d >= 'a' && d <= 'z' {
			b.WriteRune(d)
		}
	}
}

// squeeze turns y into i and collapses doubled letters, which transliterations
// disagree on (Tbilissi, Almaty/Алматы, Kyiv/Київ).
func squeeze(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'y' {
			c = 'i'
		}
		if n := len(out); n > 0 && out[n-1] == c && c >= 'a' {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}
