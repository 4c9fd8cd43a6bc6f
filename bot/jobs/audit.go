package jobs

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// DefaultAuditMonths is how old a contact's check may grow before the audit
// lists its entry.
const DefaultAuditMonths = 12

// Audit lists to the administrators' chat, once a week, the directory
// entries whose contacts were checked more than Months months ago, so
// that a number nobody looked at for a year is looked at. The text is in
// the default language (the administrators read English); it goes through
// the outbox as bulk, once per ISO week however often the job runs.
type Audit struct {
	Store   *store.DB
	Catalog *locales.Catalog
	// Directory is the directory in service (it changes on reload).
	Directory func() *directory.Directory
	AdminChat int64
	Notify    func(chatIDs ...int64)
	Log       zerolog.Logger
	Months    int
}

// StaleEntry is a directory entry with contacts checked too long ago.
type StaleEntry struct {
	ID, Country, Name string
	Stale, Total      int
	// Oldest is the oldest checked date, as the file gives it.
	Oldest string
}

// StaleEntries lists the services with at least one contact checked
// before cutoff (or with no readable check date), by country and id.
func StaleEntries(d *directory.Directory, cutoff time.Time) []StaleEntry {
	var out []StaleEntry
	for _, s := range d.Services() {
		var checks []string
		if s.Address != nil {
			checks = append(checks, s.Address.Checked)
		}
		for _, p := range s.Phones {
			checks = append(checks, p.Checked)
		}
		for _, e := range s.Emails {
			checks = append(checks, e.Checked)
		}
		for _, w := range s.Websites {
			checks = append(checks, w.Checked)
		}
		e := StaleEntry{ID: s.ID, Country: s.Country, Name: s.Names.In(locales.Default), Total: len(checks)}
		for _, c := range checks {
			at, err := time.Parse(time.DateOnly, c)
			if err != nil || at.Before(cutoff) {
				e.Stale++
			}
			if e.Oldest == "" || c < e.Oldest {
				e.Oldest = c
			}
		}
		if e.Stale > 0 {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b StaleEntry) int {
		if c := strings.Compare(a.Country, b.Country); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Run sends this week's list, unless no administrators' chat is set, the
// list is empty, or this week's was sent already.
func (a Audit) Run(ctx context.Context, now time.Time) (int, error) {
	if a.AdminChat == 0 {
		a.Log.Info().Msg("directory audit skipped: no -admin-chat")
		return 0, nil
	}
	dir := a.Directory()
	if dir == nil {
		return 0, fmt.Errorf("no directory loaded")
	}
	cutoff := now.AddDate(0, -a.Months, 0)
	stale := StaleEntries(dir, cutoff)
	if len(stale) == 0 {
		return 0, nil
	}
	year, week := now.ISOWeek()
	key := fmt.Sprintf("%d-W%02d", year, week)
	lang := locales.Default
	lines := []string{a.Catalog.T(lang, "audit_header", map[string]any{
		"Count": len(stale), "Months": a.Months, "Before": cutoff.Format(time.DateOnly)})}
	for _, e := range stale {
		lines = append(lines, a.Catalog.T(lang, "audit_entry", map[string]any{
			"ID": html.EscapeString(e.ID), "Country": html.EscapeString(e.Country), "Name": html.EscapeString(e.Name),
			"Stale": e.Stale, "Total": e.Total, "Oldest": html.EscapeString(e.Oldest)}))
	}
	pages := guide.Split(strings.Join(lines, "\n"), guide.PageLimit)
	sent := false
	err := a.Store.Update(ctx, func(tx *store.Tx) error {
		fresh, err := tx.MarkOnce("audit", key)
		if err != nil || !fresh {
			return err
		}
		sent = true
		for _, p := range pages {
			if err := enqueue(tx, chat.Reply{Action: chat.ActionSend, ChatID: a.AdminChat, Text: p, Priority: chat.Bulk}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if !sent {
		a.Log.Info().Str("week", key).Msg("this week's directory audit was sent already")
		return 0, nil
	}
	if a.Notify != nil {
		a.Notify(a.AdminChat)
	}
	return len(stale), nil
}
