package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The guide search forgives one wrong letter ("пасспорт" for "паспорт"):
// trigrams cannot, since a doubled or swapped letter breaks the very
// trigrams a phrase needs. A word of the query that the guide does not
// contain is widened with the guide's own words one edit away, found
// among the language's words of the same length, or one letter longer or
// shorter. That scan (a few hundred words, microseconds, and only for a
// word the guide lacks) replaced an index of single-letter deletions that
// held 63,000 keys and 6.8 MB of heap for the whole life of the process.

const (
	// minFuzzyRunes: one edit in a shorter word too often makes another
	// real word.
	minFuzzyRunes = 5
	// maxNearWords is how many neighbours a misspelt word may bring.
	maxNearWords = 3
)

// guideVocab is the guide's vocabulary per language, rebuilt with the
// search index: a misspelt word is widened only with words of the
// languages searched.
type guideVocab struct {
	langs map[string]*langVocab
}

// langVocab is held for the life of the process: word i is kept as index
// lists over two strings, not in a map or as runes, which took twice the
// heap of the words themselves.
type langVocab struct {
	words []string // as written, lower-case
	keys  []string // folded; the same string as the word when they are equal
	freq  []int32  // occurrences in the guide
	// sorted lists the words by key, for exact and prefix look-ups.
	sorted []int32
	byLen  map[int][]int32 // words by the rune length of their key
}

// vocabKey folds case and Latin diacritics as the index's
// remove_diacritics does, so "pasaport" is the guide's "pașaport".
func vocabKey(word string) string {
	word = strings.ToLower(word)
	if !strings.ContainsFunc(word, func(r rune) bool { return r > unicode.MaxASCII && unicode.Is(unicode.Latin, r) }) {
		return word
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(word) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

func searchWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

func newGuideVocab(texts func(yield func(lang, text string))) *guideVocab {
	v := &guideVocab{langs: map[string]*langVocab{}}
	// seen finds a language's words while they are counted; only the
	// sorted index outlives the build.
	seen := map[string]map[string]int32{}
	texts(func(lang, text string) {
		lv := v.langs[lang]
		if lv == nil {
			lv = &langVocab{byLen: map[int][]int32{}}
			v.langs[lang] = lv
			seen[lang] = map[string]int32{}
		}
		lv.add(text, seen[lang])
	})
	for _, lv := range v.langs {
		lv.sorted = make([]int32, len(lv.keys))
		for i := range lv.sorted {
			lv.sorted[i] = int32(i)
		}
		slices.SortFunc(lv.sorted, func(a, b int32) int { return strings.Compare(lv.keys[a], lv.keys[b]) })
		lv.words, lv.keys, lv.freq = slices.Clip(lv.words), slices.Clip(lv.keys), slices.Clip(lv.freq)
	}
	return v
}

// search returns the position in sorted of the first key not less than
// key, and whether it is key.
func (v *langVocab) search(key string) (int, bool) {
	i := sort.Search(len(v.sorted), func(i int) bool { return v.keys[v.sorted[i]] >= key })
	return i, i < len(v.sorted) && v.keys[v.sorted[i]] == key
}

func (v *langVocab) add(text string, seen map[string]int32) {
	for _, w := range searchWords(text) {
		if utf8.RuneCountInString(w) < minFuzzyRunes {
			continue
		}
		key := vocabKey(w)
		if i, ok := seen[key]; ok {
			v.freq[i]++
			continue
		}
		// Clones: a word cut from a topic's text would keep the whole text
		// alive, and the vocabulary outlives it.
		key = strings.Clone(key)
		word := strings.ToLower(w)
		if word == key {
			word = key
		} else {
			word = strings.Clone(word)
		}
		i := int32(len(v.words))
		v.words = append(v.words, word)
		v.keys = append(v.keys, key)
		v.freq = append(v.freq, 1)
		seen[key] = i
		n := utf8.RuneCountInString(key)
		v.byLen[n] = append(v.byLen[n], i)
	}
}

// known reports whether a searched language has the word, or a word its
// stem starts (an inflected form the trigram phrase of the stem finds).
func (v *guideVocab) known(key string, langs []string) bool {
	stem := stemOf([]rune(key))
	for _, lang := range langs {
		lv := v.langs[lang]
		if lv == nil {
			continue
		}
		if _, ok := lv.search(key); ok {
			return true
		}
		if stem == "" {
			continue
		}
		i, _ := lv.search(stem)
		if i < len(lv.sorted) && strings.HasPrefix(lv.keys[lv.sorted[i]], stem) {
			return true
		}
	}
	return false
}

// near returns the searched languages' words one edit from key (a letter
// more, less, changed, or two neighbours swapped), the most frequent first.
func (v *guideVocab) near(key string, langs []string) []string {
	type found struct {
		word string
		freq int32
		id   int32
	}
	var hits []found
	q := []rune(key)
	var w []rune
	for _, lang := range langs {
		lv := v.langs[lang]
		if lv == nil {
			continue
		}
		for n := len(q) - 1; n <= len(q)+1; n++ {
			for _, i := range lv.byLen[n] {
				if lv.keys[i] == key || !nearInBytes(key, lv.keys[i]) {
					continue
				}
				w = appendRunes(w[:0], lv.keys[i])
				if withinOneEdit(q, w) && !slices.ContainsFunc(hits, func(h found) bool { return h.word == lv.words[i] }) {
					hits = append(hits, found{lv.words[i], lv.freq[i], i})
				}
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b found) int {
		if a.freq != b.freq {
			return int(b.freq - a.freq)
		}
		return int(a.id - b.id)
	})
	out := make([]string, 0, min(len(hits), maxNearWords))
	for _, h := range hits[:min(len(hits), maxNearWords)] {
		out = append(out, h.word)
	}
	return out
}

// withinOneEdit: one insertion, deletion, substitution or transposition of
// neighbours (optimal string alignment distance at most 1).
func withinOneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return true
		}
		if slices.Equal(a[i+1:], b[i+1:]) {
			return true // one substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:])
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return slices.Equal(a[i:], b[i+1:])
	}
	return false
}

// vocabulary is the guide's vocabulary, read once from the index when this
// process did not build it (IndexGuide does).
func (db *DB) vocabulary(ctx context.Context) (*guideVocab, error) {
	if v := db.guideVocab.Load(); v != nil {
		return v, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT lang, title, body FROM guide_search`)
	if err != nil {
		return nil, fmt.Errorf("store: read guide vocabulary: %w", err)
	}
	defer rows.Close()
	var docs []GuideDoc
	for rows.Next() {
		var d GuideDoc
		if err := rows.Scan(&d.Lang, &d.Title, &d.Text); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	v := vocabOf(docs)
	db.guideVocab.CompareAndSwap(nil, v)
	return db.guideVocab.Load(), nil
}

func vocabOf(docs []GuideDoc) *guideVocab {
	return newGuideVocab(func(yield func(lang, text string)) {
		for _, d := range docs {
			yield(d.Lang, d.Title)
			yield(d.Lang, d.Text)
		}
	})
}

// nearInBytes is a cheap test that rules out most words before their runes
// are decoded: one edit differs in at most two runes of the longer word,
// eight bytes at most, so the rest is a common prefix and suffix.
func nearInBytes(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	p := 0
	for p < len(a) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return len(b)-p-s <= 2*utf8.UTFMax
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}
