package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// GuideDoc is one guide topic in one language, as the search index holds it.
type GuideDoc struct {
	Lang, ID, Title, Text string
}

// GuideHit is a topic that matched a search, in the language it matched in.
type GuideHit struct {
	Lang, ID, Title string
	// Rank is bm25: lower is better.
	Rank float64
}

// Weights of the title and body columns in bm25: a word in a topic's title
// says far more about what the topic is for than the same word in its text.
const (
	titleWeight = 10.0
	bodyWeight  = 1.0
)

// Search terms: trigrams cannot match fewer than three characters, and a
// long paste would only slow the query down.
const (
	minTermRunes = 3
	maxTerms     = 8
)

// IndexGuide replaces the whole guide index with docs, in one transaction,
// so a search never sees half of an old guide and half of a new one.
func (db *DB) IndexGuide(ctx context.Context, docs []GuideDoc) error {
	err := db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM guide_search`); err != nil {
			return fmt.Errorf("store: clear guide index: %w", err)
		}
		stmt, err := tx.tx.conn.PrepareContext(ctx, `INSERT INTO guide_search (title, body, lang, topic) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, d := range docs {
			if _, err := stmt.ExecContext(ctx, d.Title, d.Text, d.Lang, d.ID); err != nil {
				return fmt.Errorf("store: index guide topic %s/%s: %w", d.Lang, d.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.guideVocab.Store(vocabOf(docs))
	return nil
}

// SearchGuide finds the topics matching what a user typed, in the languages
// given (most wanted first): hits in langs[0] come before hits in langs[1],
// each group best first, and a topic appears once, in the first language it
// matched in. Any input is safe: it is reduced to quoted terms, so FTS5
// syntax in it is never interpreted. No term long enough means no hits.
func (db *DB) SearchGuide(ctx context.Context, query string, langs []string, limit int) ([]GuideHit, error) {
	vocab, err := db.vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	match := guideMatch(query, vocab, langs)
	if match == "" || len(langs) == 0 || limit <= 0 {
		return nil, nil
	}
	// A topic whose title has one of the words comes before any that only
	// mentions them: bm25 alone lets a long text full of a common word
	// ("платят") outweigh the short title that names the subject.
	args := []any{titleWeight, bodyWeight, "{title} : (" + match + ")", match}
	for _, l := range langs {
		args = append(args, l)
	}
	rows, err := db.read.QueryContext(ctx, `
		SELECT lang, topic, title, bm25(guide_search, ?, ?) AS score,
			rowid IN (SELECT rowid FROM guide_search WHERE guide_search MATCH ?) AS in_title
		FROM guide_search
		WHERE guide_search MATCH ? AND lang IN (?`+strings.Repeat(", ?", len(langs)-1)+`)
		ORDER BY in_title DESC, score`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search guide: %w", err)
	}
	defer rows.Close()
	var hits []GuideHit
	for rows.Next() {
		var h GuideHit
		var inTitle bool
		if err := rows.Scan(&h.Lang, &h.ID, &h.Title, &h.Rank, &inTitle); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Stable: within a language the bm25 order stays.
	slices.SortStableFunc(hits, func(a, b GuideHit) int {
		return slices.Index(langs, a.Lang) - slices.Index(langs, b.Lang)
	})
	seen := map[string]bool{}
	out := hits[:0]
	for _, h := range hits {
		if seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		out = append(out, h)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// guideMatch turns free text into an FTS5 query: each word becomes a quoted
// phrase (so quotes, stars, NEAR, column filters and the like are just
// text), words too short for trigrams are dropped, and any word may match.
// A long word may also match by its stem, so an inflected form ("зарплату",
// "maaşımı") still finds the topic that uses another form of it; a long word
// the guide does not have brings the guide's words one letter away
// ("пасспорт" brings "паспорт") from the languages searched. vocab may be
// nil.
func guideMatch(query string, vocab *guideVocab, langs []string) string {
	words := searchWords(query)
	var phrases []string
	seen := map[string]bool{}
	add := func(s string) {
		if k := strings.ToLower(s); !seen[k] {
			seen[k] = true
			phrases = append(phrases, `"`+s+`"`)
		}
	}
	terms := 0
	for _, w := range words {
		r := []rune(w)
		if len(r) < minTermRunes {
			continue
		}
		if terms == maxTerms {
			break
		}
		terms++
		add(w)
		if stem := stemOf(r); stem != "" {
			add(stem)
		}
		if key := vocabKey(w); vocab != nil && len(r) >= minFuzzyRunes && !vocab.known(key, langs) {
			for _, near := range vocab.near(key, langs) {
				add(near)
			}
		}
	}
	return strings.Join(phrases, " OR ")
}

// stemOf cuts the usual length of a case or possessive ending off a long
// word. It is crude on purpose: it needs no dictionary per language, and
// bm25 still ranks the exact word above the stem.
func stemOf(word []rune) string {
	switch n := len(word); {
	case n >= 7:
		return string(word[:n-2])
	case n >= 5:
		return string(word[:n-1])
	}
	return ""
}
