package directory

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// content is the real content tree; the tests read the files editors edit.
var content = os.DirFS("..")

func loadReal(t *testing.T) *Directory {
	t.Helper()
	d, problems := Load(content)
	for _, p := range problems {
		t.Error(p)
	}
	return d
}

func TestRealContentLoadsWithoutProblems(t *testing.T) {
	d := loadReal(t)
	if len(d.Services()) < 40 {
		t.Errorf("loaded %d services, want every entry of the reference", len(d.Services()))
	}
	if len(d.Countries()) != 12 {
		t.Errorf("loaded %d countries, want 12", len(d.Countries()))
	}
}

func phone(t *testing.T, d *Directory, id, number string) Phone {
	t.Helper()
	s, ok := d.ByID(id)
	if !ok {
		t.Fatalf("no entry %q", id)
	}
	for _, p := range s.Phones {
		if p.Number == number {
			return p
		}
	}
	t.Fatalf("%s has no phone %s; has %+v", id, number, s.Phones)
	return Phone{}
}

func TestKnownFacts(t *testing.T) {
	d := loadReal(t)

	// The reference gives the number without naming its source, in 2022:
	// kept, unconfirmed, with the trail in research.
	md := phone(t, d, "md-embassy-moscow", "+79299649079")
	if md.Label.In("ru") == md.Label.EN || md.Verified || md.Source != "" || md.Research == "" || md.Year() != "2022" {
		t.Errorf("Moldovan embassy line = %+v", md)
	}
	if s, _ := d.ByID("md-embassy-moscow"); !s.Emergency || !s.Serves("MD", "RU") || s.Serves("GE", "RU") {
		t.Errorf("Moldovan embassy in Moscow: emergency=%v serves=%v", s.Emergency, s.ServesCitizenships)
	}

	fund := phone(t, d, "ge-state-fund-trafficking", "+995322100229")
	if !slices.Contains(fund.AlsoPrinted, "2 100 229") {
		t.Errorf("State Fund line lost the seed's local form: %+v", fund)
	}

	az := phone(t, d, "az-mia-152", "152")
	if az.Format != PhoneFormatAsGiven || !slices.Contains(az.FreeFrom, "AZ") || az.Reach() != "AZ" ||
		!az.DialableFrom("AZ") || az.DialableFrom("RU") || az.DialableFrom("") {
		t.Errorf("AZ 152 = %+v, reach %q", az, az.Reach())
	}
	if p := phone(t, d, "az-mia-152", "562-21-12"); p.Verified || !p.AreaCodeMissing || p.Reach() != "" || p.DialableFrom("AZ") {
		t.Error("562-21-12 has no area code in any source: unverified and dialable from nowhere")
	}
	if s, _ := d.ByID("az-mia-152"); s.ReachableFrom("RU") || !s.ReachableFrom("AZ") || !s.ReachableFrom("") {
		t.Errorf("the MIA line can be reached only from inside Azerbaijan: reach %v", s.Reach())
	}
	if s, _ := d.ByID("la-strada-md"); !s.ReachableFrom("RU") || !phone(t, d, "la-strada-md", "+37322233309").DialableFrom("RU") {
		t.Errorf("La Strada has a number from abroad: reach %v", s.Reach())
	}
	if !slices.ContainsFunc(d.Hotlines("az"), func(s Service) bool { return s.ID == "az-mia-152" }) {
		t.Error("AZ hotlines miss the MIA line")
	}

	ahik, ok := d.NationalCentre("AZ")
	if !ok || ahik.ID != "ahik" || ahik.City != "Baku" || ahik.Lat == nil || ahik.Address == nil || ahik.Address.Verified {
		t.Errorf("AZ national centre = %+v", ahik)
	}

	// Entries with nothing a worker could use are kept for editors but
	// never offered; every other entry has a contact.
	for _, s := range d.Services() {
		withheld := slices.Contains([]string{"az-embassy-moscow", "az-cg-aktau", "az-cg-st-petersburg", "az-cg-yekaterinburg",
			"kz-embassy-moscow", "az-cg-kars", "ge-cg-istanbul", "ge-embassy-ankara", "civic-assistance-committee",
			"anti-violence-network-ge"}, s.ID)
		if s.Offered() == withheld {
			t.Errorf("%s: offered %v, reach %v", s.ID, s.Offered(), s.Reach())
		}
	}
	if slices.ContainsFunc(d.Hotlines("GE"), func(s Service) bool { return s.ID == "anti-violence-network-ge" }) {
		t.Error("a hotline without a usable number is listed")
	}
	// Sourced before 2023: unconfirmed.
	if p := phone(t, d, "ge-interests-section-moscow", "+79269262740"); p.Verified || p.Year() != "2020" {
		t.Errorf("Interests Section line of 2020 = %+v", p)
	}

	for _, id := range []string{"md-embassy-ankara"} {
		s, _ := d.ByID(id)
		if len(s.Phones) != 2 || s.Phones[0].Verified || s.Phones[1].Verified {
			t.Errorf("%s: conflicting numbers must both be kept unverified: %+v", id, s.Phones)
		}
	}
	if p := phone(t, d, "iom-moscow-hotline", "8-800-333-00-16"); p.Verified {
		t.Error("IOM Moscow line may be obsolete and must be unverified")
	}
	if s, _ := d.ByID("az-cg-yekaterinburg"); s.Lat != nil || s.District == "" {
		t.Errorf("Yekaterinburg: coordinates are not in the reference, district is: %+v", s)
	}
	for _, s := range d.Services() {
		if s.ReceivesCases {
			t.Errorf("%s receives cases, but no organisation has agreed yet", s.ID)
		}
	}

	numbers := d.PhoneNumbers()
	for _, n := range []string{"+7 929 964 9079", "2 100 229", "152", "112", "0 800 77777"} {
		if !numbers[NormalizePhone(n)] {
			t.Errorf("PhoneNumbers misses %s", n)
		}
	}
	if numbers[NormalizePhone("+373 22 690990")] {
		t.Error("the superseded 2011 MFA number must not be listed")
	}
}

func TestCountries(t *testing.T) {
	d := loadReal(t)
	ratified := func(code, instrument string) Ratification {
		c, ok := d.Country(code)
		if !ok {
			t.Fatalf("no country %s", code)
		}
		r, _ := c.Ratification(instrument)
		return r
	}
	for _, tc := range []struct {
		code, instrument, status string
		year                     int
	}{
		{"AZ", "ICRMW", "yes", 1999}, {"GE", "C181", "yes", 2002}, {"MD", "C97", "yes", 2005},
		{"MD", "C190", "yes", 0}, {"KG", "C190", "yes", 0}, {"KZ", "P29", "unknown", 0},
		{"RU", "P29", "yes", 2019}, {"AM", "ICRMW", "signed", 2013}, {"UZ", "C97", "unknown", 0},
		{"TR", "C98", "yes", 1952}, {"BY", "C143", "no", 0},
	} {
		r := ratified(tc.code, tc.instrument)
		if r.Status != tc.status || r.Year != tc.year || r.Source == "" && r.Research == "" {
			t.Errorf("%s %s = %+v, want %s %d", tc.code, tc.instrument, r, tc.status, tc.year)
		}
	}
	if r := ratified("GE", "C190"); r.Instrument != "" {
		t.Errorf("GE C190 is not in the reference but is listed: %+v", r)
	}
	if got := d.Emergency("tr"); len(got) != 1 || got[0].Number != "112" {
		t.Errorf("TR emergency = %+v", got)
	}
	if got := d.Emergency("ru"); len(got) != 5 {
		t.Errorf("RU emergency = %+v", got)
	}
	if got := d.Emergency("AM"); len(got) != 0 {
		t.Errorf("AM has no verified emergency numbers, got %+v", got)
	}
	if c, _ := d.Country("KZ"); c.Names.In("kk") != "Қазақстан" || c.Names.In("xx") != "Kazakhstan" {
		t.Errorf("KZ names = %+v", c.Names)
	}
}

// copyContent returns a writable copy of the real content tree.
func copyContent(t *testing.T) fstest.MapFS {
	t.Helper()
	copied := fstest.MapFS{}
	err := fs.WalkDir(content, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(content, path)
		copied[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return copied
}

func lineOf(t *testing.T, text, needle string) int {
	t.Helper()
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, needle) {
			return i + 1
		}
	}
	t.Fatalf("%q not in the edited file", needle)
	return 0
}

func TestBrokenCopiesAreCaughtWithFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new string
		wantLineAt, wantMsg  string
		lineOffset           int
	}{
		{"phone not E.164", "directory/ru/md-embassy-moscow.toml", `number = "+79299649079"`, `number = "+7 929 96x 9079"`,
			`"+7 929 96x 9079"`, "not E.164", 0},
		{"E.164 with spaces", "directory/ru/md-embassy-moscow.toml", `number = "+79299649079"`, `number = "+7 929 964 9079"`,
			`"+7 929 964 9079"`, "not E.164", 0},
		{"worker note missing a language", "directory/ru/ge-interests-section-moscow.toml", "\nkk = \"2008", "\n# kk = \"2008",
			"[worker_note]", "worker_note needs all six languages (kk missing)", 0},
		{"missing source", "directory/ge/ge-state-fund-trafficking.toml", `source = "Ministry of Foreign Affairs of Georgia"`, `source = ""`,
			"[[phones]]", "missing source", 0},
		{"bad checked date", "directory/az/ahik.toml", `checked = "2026-11-23"`, `checked = "23.11.2026"`,
			`"23.11.2026"`, "not a YYYY-MM-DD date", 0},
		{"missing verified", "directory/az/az-mia-152.toml", "verified = false\n", "",
			`number = "562-21-12"`, "missing verified", -1}, // reported at the [[phones]] header
		{"id differs from file name", "directory/az/ahik.toml", `id = "ahik"`, `id = "ahik-baku"`,
			`id = "ahik-baku"`, "does not match the file name", 0},
		{"latitude out of range", "directory/az/ahik.toml", `lat = 40.37767`, `lat = 140.37767`,
			`lat = 140.37767`, "outside -90..90", 0},
		{"unknown kind", "directory/ge/gtuc.toml", `kind = "trade_union"`, `kind = "union"`,
			`kind = "union"`, "kind \"union\"", 0},
		{"unknown category", "directory/ge/gtuc.toml", `"wages", `, `"pay", `,
			`categories =`, "category \"pay\"", 0},
		{"bad country", "directory/md/cnsm.toml", `country = "MD"`, `country = "XX"`,
			`country = "XX"`, "not an upper-case ISO", 0},
		{"misspelt key", "directory/md/md-bma.toml", `en = "call centre"`, `eng = "call centre"`,
			`eng =`, "unknown key", 0},
		{"syntax error", "directory/md/md-bma.toml", `en = "call centre"`, `en = "call centre`,
			`en = "call centre`, "", 0},
		// Issue 16: contacts that work from where the worker stands.
		{"offered without contact", "directory/ge/gtuc.toml", "[[websites]]\nurl = \"gtuc.ge\"\nsource = \"gtuc.ge\"\nchecked = \"2026-11-23\"\nverified = true\n", "",
			`id = "gtuc"`, "offered without a contact", 0},
		{"short code without dialling area", "directory/az/az-860-support-line.toml", "dial_from = \"AZ\"\n", "",
			`number = "860"`, "no dialling area", 0},
		{"bad dialling area", "directory/az/az-860-support-line.toml", `dial_from = "AZ"`, `dial_from = "Azerbaijan"`,
			`dial_from = "Azerbaijan"`, "dial_from", 0},
		{"dialling area on an international number", "directory/ge/ge-scmi.toml", `number = "+995322401010"`, "number = \"+995322401010\"\ndial_from = \"GE\"",
			`number = "+995322401010"`, "international", 0},
		{"research note in a shown source", "directory/az/ahik.toml", `source = "ahik.org"`, `source = "ahik.org; seed 000"`,
			`source = "ahik.org; seed 000"`, "research note", 0},
		{"reference named as a source", "directory/md/md-police-cctp.toml", `source = ""`, `source = "reference directory.md"`,
			`source = "reference directory.md"`, "research note", 0},
		{"mirror named as a source", "countries/ru.toml", `source = "mos.ru; TASS"`, `source = "mos.ru mirror"`,
			`source = "mos.ru mirror"`, "research note", 0},
		{"unnamed source claimed verified", "directory/md/md-police-cctp.toml", "verified = false", "verified = true",
			`number = "(22) 254 998"`, "missing source", -1},
		{"old source verified", "directory/ge/ge-scmi.toml", "verified = false\nresearch", "verified = true\nresearch",
			`verified = true`, "older than 2023", 0},
		{"name missing a language", "directory/ge/gtuc.toml", "\nkk = ", "\n# kk = ",
			"[names]", "names needs all six languages (kk missing)", 0},
		{"label missing a language", "directory/az/az-860-support-line.toml", "\nka = \"მხარდაჭერის", "\n# ka = \"მხარდაჭერის",
			"[phones.label]", "label needs all six languages (ka missing)", 0},
		{"withheld hotline listed", "countries/md.toml", `"la-strada-md", `, `"anti-violence-network-ge", `,
			"hotlines =", "withheld or has no usable contact", 0},
		{"dangling hotline", "countries/az.toml", `"az-mia-152", `, `"az-mia-125", `,
			"hotlines =", "az-mia-125", 0},
		{"national union not a centre", "countries/ru.toml", `national_union = "fnpr"`, `national_union = "iom-moscow-hotline"`,
			"national_union =", "national_centre", 0},
		{"unknown ratification status", "countries/kz.toml", `status = "unknown"`, `status = "maybe"`,
			`status = "maybe"`, "status \"maybe\"", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := copyContent(t)
			text := string(fsys[tc.file].Data)
			if !strings.Contains(text, tc.old) {
				t.Fatalf("%s no longer contains %q", tc.file, tc.old)
			}
			text = strings.Replace(text, tc.old, tc.new, 1)
			fsys[tc.file] = &fstest.MapFile{Data: []byte(text)}
			want := lineOf(t, text, tc.wantLineAt) + tc.lineOffset

			problems := Validate(fsys)
			for _, p := range problems {
				if p.File == tc.file && p.Line == want && strings.Contains(p.Message, tc.wantMsg) {
					return
				}
			}
			t.Errorf("want a problem at %s:%d containing %q; got %v", tc.file, want, tc.wantMsg, problems)
		})
	}
}

func TestDuplicatesAreCaught(t *testing.T) {
	fsys := copyContent(t)
	orig := fsys["directory/az/ahik.toml"].Data
	fsys["directory/az/ahik-copy.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(orig), `id = "ahik"`, `id = "ahik-copy"`, 1))}
	fsys["directory/ge/ahik.toml"] = &fstest.MapFile{Data: orig}

	var sameName, sameID, wrongFolder bool
	for _, p := range Validate(fsys) {
		sameName = sameName || strings.HasPrefix(p.File, "directory/az/ahik") && strings.Contains(p.Message, "same kind, country, city and name")
		sameID = sameID || p.File == "directory/ge/ahik.toml" && strings.Contains(p.Message, `id "ahik" is also used`)
		wrongFolder = wrongFolder || p.File == "directory/ge/ahik.toml" && strings.Contains(p.Message, "does not match the folder")
	}
	if !sameName || !sameID || !wrongFolder {
		t.Errorf("duplicate name %v, duplicate id %v, wrong folder %v", sameName, sameID, wrongFolder)
	}
}

// The same number or email in two entries, or twice in one, is caught at
// the second listing.
func TestDuplicateContactsAreCaught(t *testing.T) {
	fsys := copyContent(t)
	const file = "directory/md/md-bma.toml"
	text := string(fsys[file].Data)
	text = strings.Replace(text, `number = "022 820 007"`, `number = "+37322233309"`, 1)
	text = strings.Replace(text, `address = "info@bma.gov.md"`, `address = "Istanbul@mfa.gov.md"`, 1)
	fsys[file] = &fstest.MapFile{Data: []byte(text)}

	var phone, email bool
	for _, p := range Validate(fsys) {
		phone = phone || p.File == file && p.Line == lineOf(t, text, `"+37322233309"`) &&
			strings.Contains(p.Message, "also listed in directory/md/la-strada-md.toml")
		// Files are read in path order: md/ before tr/.
		email = email || p.File == "directory/tr/md-cg-istanbul.toml" &&
			strings.Contains(p.Message, `email "istanbul@mfa.gov.md" is also listed in `+file)
	}
	if !phone || !email {
		t.Errorf("duplicate phone caught %v, duplicate email caught %v: %v", phone, email, Validate(fsys))
	}
}

func TestWorkerNote(t *testing.T) {
	d := loadReal(t)
	s, _ := d.ByID("ge-interests-section-moscow")
	for _, lang := range Languages {
		if note := s.WorkerNote.In(lang); note == "" || lang != "en" && note == s.WorkerNote.EN {
			t.Errorf("Interests Section note in %s: %q", lang, note)
		}
	}
	if !strings.Contains(s.WorkerNote.EN, "2008") || !strings.Contains(s.WorkerNote.EN, "Switzerland") || !s.WorkerNoteUnreviewed {
		t.Errorf("Interests Section note = %+v", s.WorkerNote)
	}
	if (Texts{EN: "x"}).In("kk") != "x" || !(Texts{}).Empty() {
		t.Error("Texts falls back to English")
	}
}

func TestScanKeyLines(t *testing.T) {
	lines := scanKeyLines("id = \"x\"\nnote = \"\"\"\nfake = 1\n\"\"\"\n[names]\nen = \"X\"\n\n[[phones]]\nnumber = \"1\"\n[[phones]]\nnumber = \"2\"\n[phones.label]\nen = \"x\"\n")
	for path, want := range map[string]int{"id": 1, "note": 2, "names.en": 6, "phones.0.number": 9, "phones.1.number": 11, "phones.1.label.en": 13} {
		if got := lines[path]; got != want {
			t.Errorf("%s on line %d, want %d", path, got, want)
		}
	}
	if lines.has("fake") {
		t.Error("a key inside a multi-line string was taken for a key")
	}
	if got := lines.line("phones", 1, "hours"); got != 10 {
		t.Errorf("missing key falls back to its table on line %d, want 10", got)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, problems := Load(content); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}
