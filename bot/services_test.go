package bot

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/locales"
)

var (
	testCatalogOnce sync.Once
	testCatalogVal  *locales.Catalog
	testCatalogErr  error
)

func testCatalog(t testing.TB) *locales.Catalog {
	t.Helper()
	testCatalogOnce.Do(func() { testCatalogVal, testCatalogErr = locales.Load() })
	if testCatalogErr != nil {
		t.Fatal(testCatalogErr)
	}
	return testCatalogVal
}

// offlineTurn is a turn that is never committed: for rendering tests.
func offlineTurn(t testing.TB, lang string) *turn {
	t.Helper()
	b := New(Config{Catalog: testCatalog(t)})
	return &turn{bot: b, lib: testDirectoryLibrary(t), lang: lang, upd: chat.Update{ChatID: 1, ChatType: chat.ChatPrivate}}
}

// telegramLength counts what Telegram limits: UTF-16 code units.
func telegramLength(s string) int { return len(utf16.Encode([]rune(s))) }

func TestAdapterCarriesWhatRoutingRanksOn(t *testing.T) {
	lib := testDirectoryLibrary(t)
	services := lib.Directory.Services()
	adapted := routingServices(services)
	byID := map[string]int{}
	for i, r := range adapted {
		byID[r.ID] = i
	}
	for _, s := range services {
		i, ok := byID[s.ID]
		if s.Kind == directory.KindEmergency || !s.Offered() {
			if ok {
				t.Errorf("%s: an emergency entry, or one not offered, is not a service to route to", s.ID)
			}
			continue
		}
		if !ok {
			t.Fatalf("%s missing from the routing index", s.ID)
		}
		r := adapted[i]
		if r.Kind != string(s.Kind) || r.Country != s.Country || r.City != s.City || r.NationalCentre != s.NationalCentre ||
			r.Emergency != s.Emergency || r.ReceivesCases != s.ReceivesCases || fmt.Sprint(r.Reach) != fmt.Sprint(s.Reach()) ||
			fmt.Sprint(r.ServesCitizenships, r.ServesCountries, r.Categories, r.Languages) !=
				fmt.Sprint(s.ServesCitizenships, s.ServesCountries, s.Categories, s.Languages) {
			t.Errorf("%s adapted wrongly: %+v", s.ID, r)
		}
		if (s.Lat != nil) != (r.Lat != 0 || r.Lon != 0) || (s.Lat != nil && (r.Lat != *s.Lat || r.Lon != *s.Lon)) {
			t.Errorf("%s: coordinates %v,%v lost", s.ID, r.Lat, r.Lon)
		}
	}
}

var checkedDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Every number, address and link the bot can show names its source and the
// day it was checked: the footer of every card depends on it.
func TestEveryContactIsTraceable(t *testing.T) {
	lib := testDirectoryLibrary(t)
	check := func(where string, c directory.Citation) {
		// A source the team cannot name publicly leaves its trail in
		// research, and the contact is shown unconfirmed.
		if strings.TrimSpace(c.Source) == "" && (c.Research == "" || c.Verified) {
			t.Errorf("%s: no source", where)
		}
		if !checkedDate.MatchString(c.Checked) {
			t.Errorf("%s: checked %q is not a date", where, c.Checked)
		}
	}
	phones := 0
	for _, s := range lib.Directory.Services() {
		for _, p := range s.Phones {
			phones++
			check(s.ID+" phone "+p.Number, p.Citation)
		}
		for _, e := range s.Emails {
			check(s.ID+" email "+e.Address, e.Citation)
		}
		for _, w := range s.Websites {
			check(s.ID+" website "+w.URL, w.Citation)
		}
		if s.Address != nil {
			check(s.ID+" address", s.Address.Citation)
		}
	}
	for _, c := range lib.Directory.Countries() {
		for _, e := range c.Emergency {
			phones++
			check(c.Code+" emergency "+e.Number, e.Citation)
		}
	}
	if phones < 20 {
		t.Fatalf("only %d phone numbers seen: is the directory loaded?", phones)
	}
}

func TestPackMessagesStaysUnderTheLimit(t *testing.T) {
	tr := offlineTurn(t, "ka")
	var blocks []func(*sources) string
	for i := range 40 {
		blocks = append(blocks, func(refs *sources) string {
			n := refs.ref(directory.Citation{Source: fmt.Sprintf("source %d", i%7), Checked: "2026-11-23"})
			return fmt.Sprintf("block %02d [%d] %s", i, n, strings.Repeat("ქართული ", 40))
		})
	}
	msgs := tr.packMessages("head", blocks)
	if len(msgs) < 2 {
		t.Fatalf("40 long blocks fit one message of %d bytes?", len(msgs[0]))
	}
	next := 0
	for i, m := range msgs {
		if len(m) > messageBudget {
			t.Errorf("message %d is %d bytes, over %d", i, len(m), messageBudget)
		}
		// Each message numbers its own sources from 1 and lists them.
		if !strings.Contains(m, "[1]") || !strings.Contains(m, tr.t("service_sources_title", nil)) {
			t.Errorf("message %d lacks its own footer", i)
		}
		for _, line := range strings.Split(m, "\n\n") {
			if strings.HasPrefix(line, "block ") {
				if got := fmt.Sprintf("block %02d", next); !strings.HasPrefix(line, got) {
					t.Fatalf("blocks out of order: want %s, got %.8s", got, line)
				}
				next++
			}
		}
	}
	if next != 40 {
		t.Fatalf("%d of 40 blocks sent", next)
	}
}
