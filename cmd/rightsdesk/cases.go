package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// exportRow is one case as an organisation's export has it. What names or
// reaches the worker — name, phone, employer, account, Telegram ids — is
// never in it; the case number is, so the organisation can match its cards.
type exportRow struct {
	CaseID      string   `json:"case_id"`
	Submitted   string   `json:"submitted"`
	Categories  []string `json:"categories"`
	WorkCountry string   `json:"work_country"`
	City        string   `json:"city"`
	Citizenship string   `json:"citizenship"`
	Sector      string   `json:"sector"`
	Since       string   `json:"since"`
	Status      string   `json:"status"`
	Delivered   string   `json:"delivered"`
	Taken       string   `json:"taken"`
	Resolved    string   `json:"resolved"`
	Outcome     string   `json:"outcome"`
	Feedback    string   `json:"feedback"`
	ReferredTo  string   `json:"referred_to"`
}

var exportHeader = []string{"case_id", "submitted", "categories", "work_country", "city", "citizenship", "sector",
	"since", "status", "delivered", "taken", "resolved", "outcome", "feedback", "referred_to"}

func (r exportRow) fields() []string {
	return []string{r.CaseID, r.Submitted, strings.Join(r.Categories, ";"), r.WorkCountry, r.City, r.Citizenship,
		r.Sector, r.Since, r.Status, r.Delivered, r.Taken, r.Resolved, r.Outcome, r.Feedback, r.ReferredTo}
}

func reportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// exportRows makes an organisation's rows: one per delivery to it, the
// latest state of each.
func exportRows(records []store.CaseRecord) []exportRow {
	var out []exportRow
	for _, r := range records {
		for _, d := range r.Deliveries {
			if d.Status == store.DeliveryAwaitingConsent || d.Status == store.DeliveryDeclined {
				continue
			}
			row := exportRow{CaseID: r.ID, Submitted: reportTime(r.CreatedAt), Status: d.Status,
				Delivered: reportTime(d.CreatedAt), Taken: reportTime(d.TakenAt), Resolved: reportTime(d.ResolvedAt),
				Outcome: d.Outcome, Feedback: d.Feedback, ReferredTo: d.ReferredTo,
				Sector: r.Sector, Since: r.Since, City: r.City, Categories: []string{}}
			if f := r.Facts; f != nil {
				row.Categories, row.WorkCountry, row.Citizenship = f.Categories, f.WorkCountry, f.Citizenship
			}
			out = append(out, row)
		}
	}
	return out
}

// runCases is "cases export": an organisation's cases for its own records.
func runCases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: rightsdesk cases export -org SERVICE-ID [-format csv|json] [-db] [-key-file]")
		return errUsage
	}
	fs := flag.NewFlagSet("cases export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	org := fs.String("org", "", "the organisation (directory service id) whose cases to export")
	format := fs.String("format", "csv", "csv or json")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *org == "" || (*format != "csv" && *format != "json") {
		fmt.Fprintln(stderr, "cases export needs -org and -format csv or json")
		return errUsage
	}
	db, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	records, err := db.CaseRecords(ctx, *org)
	if err != nil {
		return err
	}
	rows := exportRows(records)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []exportRow{}
		}
		return enc.Encode(rows)
	}
	w := csv.NewWriter(stdout)
	if err := w.Write(exportHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r.fields()); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
