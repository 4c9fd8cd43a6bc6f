package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// reportDB makes a database with cases as the bot leaves them: details with
// names and phones, deliveries to two desks, some taken and resolved.
func reportDB(t *testing.T) (path string, names []string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "reports.db")
	var errs bytes.Buffer
	db, err := storeFlags{DBPath: path}.open(context.Background())
	if err != nil {
		t.Fatal(err, errs.String())
	}
	defer db.Close()
	now := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ctx := context.Background()
	// 12 wage cases in RU from KZ, 4 document cases in TR from AZ, 7 more in
	// RU from AZ; wages cases go to fnpr, some are resolved.
	add := func(i int, cat, country, citizenship string, deliver bool) {
		id := store.NewCaseID()
		name := fmt.Sprintf("Secretname%02d", i)
		names = append(names, name, "+9989000000"+strconv.Itoa(i))
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(store.NewCase{ID: id, ChatID: int64(5_000_000 + i), Details: store.CaseDetails{
				Identity: "shared", Name: name, Phone: "+9989000000" + strconv.Itoa(i), ContactMethod: "phone",
				Categories: []string{cat}, Citizenship: citizenship, Sector: "construction", Since: "lt1m",
				Employer: "Employer " + name, Description: "Story of " + name,
				Place: &store.CasePlace{Name: "City", Country: country}}}); err != nil {
				return err
			}
			if !deliver {
				return nil
			}
			d := store.Delivery{CaseID: id, ServiceID: "fnpr", ChatID: -100777, Status: store.DeliveryOpen}
			if err := tx.SaveDelivery(&d); err != nil {
				return err
			}
			if i%2 == 0 {
				d.Status, d.Assignee = store.DeliveryTaken, 424242
				if err := tx.SaveDelivery(&d); err != nil {
					return err
				}
			}
			if i%4 == 0 {
				d.Status, d.Outcome = store.DeliveryResolved, "solved"
				return tx.SaveDelivery(&d)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(3 * time.Hour)
	}
	i := 0
	for ; i < 12; i++ {
		add(i, "wages", "RU", "KZ", true)
	}
	for ; i < 16; i++ {
		add(i, "documents", "TR", "AZ", false)
	}
	for ; i < 23; i++ {
		add(i, "contract", "RU", "AZ", false)
	}
	return path, names
}

// An organisation's export carries its cases without names, phones,
// employers, stories or Telegram ids — in CSV and in JSON.
func TestCasesExportHasNoPersonalData(t *testing.T) {
	path, names := reportDB(t)
	for _, format := range []string{"csv", "json"} {
		var out, errs bytes.Buffer
		if err := run(context.Background(), []string{"cases", "export", "-org", "fnpr", "-format", format, "-db", path}, &out, &errs); err != nil {
			t.Fatalf("%s: %v %s", format, err, errs.String())
		}
		text := out.String()
		for _, secret := range append(names, "Employer", "Story of", "424242", "-100777", "5000000") {
			if strings.Contains(text, secret) {
				t.Errorf("%s export carries %q", format, secret)
			}
		}
		if format == "csv" {
			if rows := strings.Count(text, "\n"); rows != 13 {
				t.Errorf("csv has %d lines, want a header and 12 cases:\n%s", rows, text)
			}
			continue
		}
		var rows []exportRow
		if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 12 {
			t.Fatalf("json: %d rows %v", len(rows), err)
		}
		resolved := 0
		for _, r := range rows {
			if r.Outcome == "solved" {
				resolved++
			}
			if r.WorkCountry != "RU" || r.Citizenship != "KZ" || r.Categories[0] != "wages" || r.Delivered == "" {
				t.Errorf("row %+v", r)
			}
		}
		if resolved != 3 {
			t.Errorf("%d resolved rows, want 3", resolved)
		}
	}
}

// Statistics never show a count under five, and a hidden count cannot be
// worked out from the total and the other counts.
func TestStatsSuppressSmallCells(t *testing.T) {
	path, names := reportDB(t)
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"stats", "-format", "json", "-db", path}, &out, &errs); err != nil {
		t.Fatalf("%v %s", err, errs.String())
	}
	for _, secret := range names {
		if strings.Contains(out.String(), secret) {
			t.Errorf("stats carry %q", secret)
		}
	}
	var rep statsReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Cases != "23" {
		t.Errorf("cases %s, want 23", rep.Cases)
	}
	tables := map[string]statsTable{}
	for _, tb := range rep.Tables {
		tables[tb.Title] = tb
	}
	cat := tables["category"].Cells
	// documents has 4 cases: hidden; the total would give it away, so the
	// next smallest (contract, 7) is hidden too; wages (12) shows.
	if cat["documents"] != hidden || cat["contract"] != hidden || cat["wages"] != "12" {
		t.Errorf("category cells %v", cat)
	}
	country := tables["country of work"].Cells
	if country["TR"] != hidden || country["RU"] != hidden {
		t.Errorf("a lone hidden cell can be derived: %v", country)
	}
	// Three cases resolved: the outcome table and the durations are hidden.
	if out := tables["outcome"]; out.Total != hidden || out.Cells["solved"] != hidden {
		t.Errorf("outcome table %+v", out)
	}
	if rep.HoursToResolve["median"] != hidden || rep.HoursToTake["cases"] != "6" {
		t.Errorf("durations: take %v resolve %v", rep.HoursToTake, rep.HoursToResolve)
	}
	// Nothing shown anywhere is a number from 1 to 4.
	for _, tb := range rep.Tables {
		for k, v := range tb.Cells {
			if n, err := strconv.Atoi(v); err == nil && n > 0 && n < minCell {
				t.Errorf("%s/%s shows %d", tb.Title, k, n)
			}
		}
	}
}

// suppress: with two or more hidden counts nothing more is hidden; with
// exactly one, one more; a table whose total is small is hidden whole.
func TestSuppressRules(t *testing.T) {
	two := suppress("x", map[string]int{"a": 3, "b": 2, "c": 9}, 14)
	if two.Cells["a"] != hidden || two.Cells["b"] != hidden || two.Cells["c"] != "9" {
		t.Errorf("two hidden: %v", two.Cells)
	}
	one := suppress("x", map[string]int{"a": 4, "b": 30, "c": 9, "z": 0}, 43)
	if one.Cells["a"] != hidden || one.Cells["c"] != hidden || one.Cells["b"] != "30" || one.Cells["z"] != "0" {
		t.Errorf("one hidden: %v", one.Cells)
	}
	small := suppress("x", map[string]int{"a": 3}, 3)
	if small.Total != hidden || small.Cells["a"] != hidden {
		t.Errorf("small table: %+v", small)
	}
}
