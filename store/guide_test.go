package store_test

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/store"
)

// realGuide indexes the shipped guide, as serve does at start.
func realGuide(tb testing.TB, db *store.DB) {
	tb.Helper()
	g, problems := guide.Load(content.FS, "guide")
	if len(problems) > 0 {
		tb.Fatalf("shipped guide has problems: %v", problems)
	}
	var docs []store.GuideDoc
	for _, d := range g.SearchDocs() {
		docs = append(docs, store.GuideDoc{Lang: d.Lang, ID: d.ID, Title: d.Title, Text: d.Text})
	}
	if err := db.IndexGuide(context.Background(), docs); err != nil {
		tb.Fatal(err)
	}
}

// A word in each language finds its topic first, whatever its case and
// whether it is typed with or without diacritics.
func TestSearchGuideFindsTopicInEveryLanguage(t *testing.T) {
	db, _ := openTest(t)
	realGuide(t, db)
	cases := []struct{ lang, query, want string }{
		{"ru", "паспорт", "documents"},
		{"az", "pasport", "documents"},
		{"ka", "პასპორტი", "documents"},
		{"ro", "pașaport", "documents"},
		{"ro", "PASAPORT", "documents"},
		{"kk", "төлқұжат", "documents"},
		{"en", "passport", "documents"},
		{"ru", "зарплата", "wages"},
		{"ru", "мне не платят зарплату", "wages"},
		{"az", "maaş", "wages"},
		{"az", "maas", "wages"},
		{"ka", "ხელფასი", "wages"},
		{"ro", "salariu", "wages"},
		{"kk", "жалақы", "wages"},
		{"en", "wages", "wages"},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.query, func(t *testing.T) {
			hits, err := db.SearchGuide(context.Background(), c.query, []string{c.lang, "en"}, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].ID != c.want {
				t.Fatalf("want %s first, got %+v", c.want, hits)
			}
			if hits[0].Lang != c.lang {
				t.Errorf("best hit in %s, want the user's language %s", hits[0].Lang, c.lang)
			}
		})
	}
}

// The user's language comes before English, each topic appears once, and
// other languages are left out.
func TestSearchGuideLanguageOrderAndDeduplication(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	docs := []store.GuideDoc{
		{Lang: "en", ID: "wages", Title: "Your wages", Text: "Wages are paid in money."},
		{Lang: "en", ID: "contract", Title: "Your contract", Text: "The contract states the wages."},
		{Lang: "ro", ID: "wages", Title: "Salariul dvs.", Text: "Salariul (wages) se plătește în bani."},
		{Lang: "ru", ID: "wages", Title: "Ваша зарплата", Text: "wages wages wages"},
	}
	if err := db.IndexGuide(ctx, docs); err != nil {
		t.Fatal(err)
	}
	hits, err := db.SearchGuide(ctx, "wages", []string{"ro", "en"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.Lang+"/"+h.ID)
	}
	if want := []string{"ro/wages", "en/contract"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	hits, err = db.SearchGuide(ctx, "wages", []string{"en"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != "wages" {
		t.Fatalf("title match should win over body match, limit 1: %+v", hits)
	}
}

// Reindexing replaces everything: a topic gone from the content is gone
// from search.
func TestIndexGuideReplacesIndex(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.IndexGuide(ctx, []store.GuideDoc{{Lang: "en", ID: "old", Title: "Old topic", Text: "zebra"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexGuide(ctx, []store.GuideDoc{{Lang: "en", ID: "new", Title: "New topic", Text: "giraffe"}}); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]int{"zebra": 0, "giraffe": 1} {
		hits, err := db.SearchGuide(ctx, query, []string{"en"}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != want {
			t.Errorf("%q: %d hits, want %d: %+v", query, len(hits), want, hits)
		}
	}
}

// Whatever a user types, the search answers without an error: FTS5 syntax
// is never interpreted, and words too short for trigrams are dropped.
func TestSearchGuideNeverFailsOnInput(t *testing.T) {
	db, _ := openTest(t)
	realGuide(t, db)
	inputs := []string{
		"", " ", "a", "ab", "я", "ok ok", `"`, `""passport`, `pass"port`, "passport*", "*", "^passport",
		"title:passport", "body : wages", "NEAR(passport wages)", "passport AND", "OR", "NOT wages", "AND OR NOT",
		"(passport", "passport)", "{lang}: x", "-wages", "+wages", "wages -", "'; DROP TABLE guide_search; --",
		"\x00passport", "passport\u200b", "🙂🙂🙂", "паспорт!!!", "c181", "C181 art. 7(1)", "ICRMW", "112",
		string([]rune{0xFFFD, 0xFFFD, 0xFFFD}), "e\u0301e\u0301e\u0301", string(make([]byte, 300)),
	}
	for _, in := range inputs {
		hits, err := db.SearchGuide(context.Background(), in, []string{"ru", "en"}, 3)
		if err != nil {
			t.Errorf("%q: %v", in, err)
		}
		if len(hits) > 3 {
			t.Errorf("%q: %d hits over the limit", in, len(hits))
		}
	}
	// The sanitising does not make everything match.
	hits, err := db.SearchGuide(context.Background(), `"passport*"`, []string{"en"}, 3)
	if err != nil || len(hits) == 0 || hits[0].ID != "documents" {
		t.Fatalf("quoted passport: %+v, %v", hits, err)
	}
	hits, err = db.SearchGuide(context.Background(), "ab xy", []string{"en"}, 3)
	if err != nil || len(hits) != 0 {
		t.Fatalf("two-letter words match nothing: %+v, %v", hits, err)
	}
}

// One wrong letter (doubled, missing, changed or swapped with its
// neighbour) still finds the topic, in every language; a word that is
// nothing like the guide's still finds nothing.
func TestSearchGuideForgivesOneLetter(t *testing.T) {
	db, path := openTest(t)
	realGuide(t, db)
	cases := []struct{ lang, query, want string }{
		{"ru", "пасспорт", "documents"}, // doubled letter
		{"ru", "у меня забрали пасспорт", "documents"},
		{"en", "pasport", "documents"},  // missing letter
		{"en", "passprot", "documents"}, // swapped letters
		{"ka", "პასსპორტი", "documents"},
		{"az", "müqavile", "contract"}, // ə typed as e
		{"ro", "salarui", "wages"},
		{"kk", "жалакы", "wages"}, // қ typed as к
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.query, func(t *testing.T) {
			hits, err := db.SearchGuide(context.Background(), c.query, []string{c.lang, "en"}, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].ID != c.want {
				t.Fatalf("want %s first, got %+v", c.want, hits)
			}
		})
	}
	for _, nothing := range []string{"qqqqqqq", "zzxxyyww"} {
		if hits, err := db.SearchGuide(context.Background(), nothing, []string{"ru", "en"}, 3); err != nil || len(hits) != 0 {
			t.Errorf("%q found %+v, %v", nothing, hits, err)
		}
	}
	// A database opened by another process (no IndexGuide here) reads its
	// vocabulary from the index.
	reopened, err := store.Open(context.Background(), path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if hits, err := reopened.SearchGuide(context.Background(), "пасспорт", []string{"ru"}, 3); err != nil || len(hits) == 0 || hits[0].ID != "documents" {
		t.Errorf("reopened: %+v, %v", hits, err)
	}
}

// BenchmarkGuideSearch measures one search over the whole shipped guide,
// with queries in all six languages, and reports the 99th percentile.
func BenchmarkGuideSearch(b *testing.B) {
	benchmarkGuideSearch(b, []struct{ lang, q string }{
		{"az", "pasport"}, {"az", "maaşımı vermirlər"}, {"az", "müqavilə"}, {"az", "həmkarlar ittifaqı"},
		{"ru", "паспорт забрали"}, {"ru", "не платят зарплату"}, {"ru", "договор"}, {"ru", "профсоюз"},
		{"ka", "პასპორტი"}, {"ka", "ხელფასი"}, {"ka", "ხელშეკრულება"}, {"ka", "პროფკავშირი"},
		{"ro", "pașaport"}, {"ro", "salariu neplătit"}, {"ro", "contract"}, {"ro", "sindicat"},
		{"kk", "төлқұжат"}, {"kk", "жалақы төлемейді"}, {"kk", "келісімшарт"}, {"kk", "кәсіподақ"},
		{"en", "passport"}, {"en", "unpaid wages"}, {"en", "recruitment fees debt"}, {"en", "trade union"},
	})
}

// BenchmarkGuideSearchMisspelt is BenchmarkGuideSearch with one wrong letter
// in a word of each query: the forgiving fallback's cost.
func BenchmarkGuideSearchMisspelt(b *testing.B) {
	benchmarkGuideSearch(b, []struct{ lang, q string }{
		{"az", "passport"}, {"az", "maaşımı vermirlər"}, {"az", "müqavile"}, {"az", "həmkarlar ittifaqi"},
		{"ru", "пасспорт забрали"}, {"ru", "не платят зарплпту"}, {"ru", "догвор"}, {"ru", "профсоюзз"},
		{"ka", "პასსპორტი"}, {"ka", "ხელფასიი"}, {"ka", "ხელშკრულება"}, {"ka", "პროფკავშრი"},
		{"ro", "pașapport"}, {"ro", "salarui neplătit"}, {"ro", "conttract"}, {"ro", "sindicatt"},
		{"kk", "төлқұжатт"}, {"kk", "жалакы төлемейді"}, {"kk", "келісімшат"}, {"kk", "кәсіподақк"},
		{"en", "pasport"}, {"en", "unpaid wagse"}, {"en", "recruitment fess debt"}, {"en", "trade unoin"},
	})
}

func benchmarkGuideSearch(b *testing.B, queries []struct{ lang, q string }) {
	db, _ := openTest(b)
	realGuide(b, db)
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		start := time.Now()
		if _, err := db.SearchGuide(ctx, q.q, []string{q.lang, "en"}, 3); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	p := func(q float64) float64 {
		return float64(durations[min(len(durations)-1, int(q*float64(len(durations))))].Microseconds())
	}
	b.ReportMetric(p(0.50), "p50-µs")
	b.ReportMetric(p(0.99), "p99-µs")
}
