package bot

import "testing"

// BenchmarkCountryPages renders every country page, the densest use of
// packMessages: many blocks, each citing sources the footer must number.
func BenchmarkCountryPages(b *testing.B) {
	tr := offlineTurn(b, "ru")
	countries := tr.lib.Directory.Countries()
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range countries {
			if len(tr.countryPages(c)) == 0 {
				b.Fatalf("%s: no page", c.Code)
			}
		}
	}
}
