package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// minCell is the smallest count a report shows: fewer cases than this could
// point at the people behind them.
const minCell = 5

// hidden is how a suppressed cell reads.
const hidden = "<5"

// statsTable is one breakdown: its cells as shown and the total they are
// part of.
type statsTable struct {
	Title string            `json:"title"`
	Total string            `json:"total"`
	Cells map[string]string `json:"cells"`
	order []string
}

// suppress shows each count of at least minCell. A count under it is
// hidden, and when exactly one count in the table is hidden the smallest
// shown one is hidden too, so no hidden count can be worked out from the
// total and the rest.
func suppress(title string, counts map[string]int, total int) statsTable {
	t := statsTable{Title: title, Cells: map[string]string{}}
	for k := range counts {
		t.order = append(t.order, k)
	}
	sort.Slice(t.order, func(i, j int) bool {
		a, b := counts[t.order[i]], counts[t.order[j]]
		if a != b {
			return a > b
		}
		return t.order[i] < t.order[j]
	})
	var hiddenCells []string
	for _, k := range t.order {
		n := counts[k]
		if n > 0 && n < minCell {
			hiddenCells = append(hiddenCells, k)
			t.Cells[k] = hidden
			continue
		}
		t.Cells[k] = strconv.Itoa(n)
	}
	if len(hiddenCells) == 1 {
		// The total would give it away: hide the next smallest as well.
		for i := len(t.order) - 1; i >= 0; i-- {
			k := t.order[i]
			if counts[k] >= minCell {
				t.Cells[k] = hidden
				break
			}
		}
	}
	t.Total = strconv.Itoa(total)
	if total > 0 && total < minCell {
		t.Total = hidden
		for k, v := range t.Cells {
			if v != "0" {
				t.Cells[k] = hidden
			}
		}
	}
	return t
}

// statsReport is every breakdown of the cases.
type statsReport struct {
	Cases  string       `json:"cases"`
	Tables []statsTable `json:"tables"`
	// Median and 90th-percentile hours to take a case up and to resolve
	// it, over at least minCell cases; hidden otherwise.
	HoursToTake    map[string]string `json:"hours_to_take"`
	HoursToResolve map[string]string `json:"hours_to_resolve"`
}

func buildStats(records []store.CaseRecord) statsReport {
	byCategory, byCountry, byCitizenship, byMonth, byStatus, byOutcome := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var toTake, toResolve []time.Duration
	counted, resolved := 0, 0
	for _, r := range records {
		f := r.Facts
		if f == nil {
			continue // erased by the worker: not counted at all
		}
		counted++
		for _, c := range f.Categories {
			byCategory[c]++
		}
		byCountry[orUnknown(f.WorkCountry)]++
		byCitizenship[orUnknown(f.Citizenship)]++
		byMonth[f.Month]++
		byStatus[r.Status]++
		var first, firstTaken, lastResolved time.Time
		outcome := ""
		for _, d := range r.Deliveries {
			if d.Status == store.DeliveryAwaitingConsent || d.Status == store.DeliveryDeclined {
				continue
			}
			if first.IsZero() {
				first = d.CreatedAt
			}
			if firstTaken.IsZero() && !d.TakenAt.IsZero() {
				firstTaken = d.TakenAt
				toTake = append(toTake, d.TakenAt.Sub(d.CreatedAt))
			}
			if d.Status == store.DeliveryResolved {
				lastResolved, outcome = d.ResolvedAt, d.Outcome
			}
		}
		if outcome != "" {
			resolved++
			byOutcome[outcome]++
			toResolve = append(toResolve, lastResolved.Sub(first))
		}
	}
	rep := statsReport{Cases: strconv.Itoa(counted), HoursToTake: quantiles(toTake), HoursToResolve: quantiles(toResolve)}
	if counted > 0 && counted < minCell {
		rep.Cases = hidden
	}
	rep.Tables = []statsTable{
		suppress("category", byCategory, counted),
		suppress("country of work", byCountry, counted),
		suppress("citizenship", byCitizenship, counted),
		suppress("month submitted", byMonth, counted),
		suppress("status", byStatus, counted),
		suppress("outcome", byOutcome, resolved),
	}
	return rep
}

func orUnknown(code string) string {
	if code == "" {
		return "unknown"
	}
	return code
}

// quantiles gives the median and the 90th percentile in hours, or hides
// them for fewer than minCell cases.
func quantiles(ds []time.Duration) map[string]string {
	if len(ds) < minCell {
		return map[string]string{"cases": hidden, "median": hidden, "p90": hidden}
	}
	slices.Sort(ds)
	at := func(q float64) string { return strconv.Itoa(int(ds[int(q*float64(len(ds)-1))] / time.Hour)) }
	return map[string]string{"cases": strconv.Itoa(len(ds)), "median": at(0.5), "p90": at(0.9)}
}

// runStats prints counts of cases for reports; no cell under minCell.
func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	records, err := db.CaseRecords(ctx, "")
	if err != nil {
		return err
	}
	rep := buildStats(records)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "Cases counted: %s (counts under %d are shown as %q; cases their workers erased are not counted)\n", rep.Cases, minCell, hidden)
	for _, t := range rep.Tables {
		fmt.Fprintf(stdout, "\nBy %s (of %s)\n", t.Title, t.Total)
		for _, k := range t.order {
			fmt.Fprintf(stdout, "  %-24s %s\n", k, t.Cells[k])
		}
	}
	fmt.Fprintf(stdout, "\nHours from arrival to being taken up: median %s, 90%% within %s (cases: %s)\n",
		rep.HoursToTake["median"], rep.HoursToTake["p90"], rep.HoursToTake["cases"])
	fmt.Fprintf(stdout, "Hours from arrival to resolution: median %s, 90%% within %s (cases: %s)\n",
		rep.HoursToResolve["median"], rep.HoursToResolve["p90"], rep.HoursToResolve["cases"])
	return nil
}
