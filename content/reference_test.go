package content_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
)

// referenceStates names the rows of the ratification table in
// reference/norms.md.
var referenceStates = map[string]string{
	"Azerbaijan": "AZ", "Georgia": "GE", "Moldova": "MD", "Kazakhstan": "KZ", "Russia": "RU", "Armenia": "AM",
	"Kyrgyzstan": "KG", "Tajikistan": "TJ", "Uzbekistan": "UZ", "Ukraine": "UA", "Belarus": "BY", "Türkiye": "TR",
}

var cellYear = regexp.MustCompile(`\b(19|20)\d\d\b`)

// cellStatus reads a cell of the table: "yes 1992", "yes (accession 11 Jan
// 1999)", "signed only (2013)", "no", "?".
func cellStatus(cell string) (status string, year int) {
	if y := cellYear.FindString(cell); y != "" {
		year, _ = strconv.Atoi(y)
	}
	switch {
	case cell == "?":
		return "unknown", 0
	case cell == "no":
		return "no", 0
	case strings.HasPrefix(cell, "signed"):
		return "signed", year
	case strings.HasPrefix(cell, "yes"):
		return "yes", year
	}
	return "", 0
}

// The country pages show the ratifications of every state in the
// reference table, exactly as the table gives them: status and year.
func TestCountryPagesMatchReferenceTable(t *testing.T) {
	norms, err := content.FS.ReadFile("reference/norms.md")
	if err != nil {
		t.Fatal(err)
	}
	d, problems := directory.Load(content.FS)
	if len(problems) > 0 {
		t.Fatalf("directory problems: %v", problems)
	}
	var header []string
	rows := 0
	for _, line := range strings.Split(string(norms), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "" && len(cells) > 1 && cells[1] == "C97" {
			header = cells
			continue
		}
		code, ok := referenceStates[cells[0]]
		if header == nil || !ok {
			continue
		}
		rows++
		c, ok := d.Country(code)
		if !ok {
			t.Errorf("%s (%s) is in the reference table but has no country page", cells[0], code)
			continue
		}
		for i, instrument := range header[1:] {
			status, year := cellStatus(cells[i+1])
			if status == "" {
				t.Fatalf("%s %s: cannot read the cell %q", code, instrument, cells[i+1])
			}
			r, ok := c.Ratification(instrument)
			if !ok || r.Status != status || r.Year != year {
				t.Errorf("%s %s: page says %q %d, the reference says %q (%s %d)", code, instrument, r.Status, r.Year, cells[i+1], status, year)
			}
			if r.Source == "" || r.Checked == "" {
				t.Errorf("%s %s: no source or date checked", code, instrument)
			}
		}
	}
	if rows != len(referenceStates) {
		t.Fatalf("read %d rows of the ratification table, want %d", rows, len(referenceStates))
	}
}
