package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// runAnnounce schedules an announcement: a Markdown file rendered to
// Telegram HTML by the guide's renderer, for the subscribers of one
// language (and one country of work, or all). The running bot sends it
// from -at on, at the bulk pace; it may run while the bot runs.
func runAnnounce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("announce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	lang := fs.String("lang", "", "language of the text and of its readers: "+strings.Join(locales.Languages, ", "))
	country := fs.String("country", "", "country of work of its readers (ISO code such as RU); empty for every country")
	at := fs.String("at", "", "when to send, UTC: 2026-12-24T09:00:00Z, \"2026-12-24 09:00\" or 2026-12-24; empty for now")
	list := fs.Bool("list", false, "list the latest announcements instead")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: rightsdesk announce -lang ru [-country RU] [-at TIME] FILE.md\n       rightsdesk announce -list")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		return listAnnouncements(ctx, sf, stdout)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	if !slices.Contains(locales.Languages, *lang) {
		return fmt.Errorf("-lang must be one of %s", strings.Join(locales.Languages, ", "))
	}
	cc := strings.ToUpper(strings.TrimSpace(*country))
	if cc != "" && (len(cc) != 2 || strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		return fmt.Errorf("-country %q is not a two-letter country code", *country)
	}
	sendAt, err := parseWhen(*at, time.Now())
	if err != nil {
		return err
	}
	src, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	pages, err := announcementPages(src)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	db, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := db.CreateAnnouncement(ctx, store.Announcement{Language: *lang, Country: cc, Pages: pages, SendAt: sendAt})
	if err != nil {
		return err
	}
	n, err := db.CountSubscribers(ctx, *lang, cc)
	if err != nil {
		return err
	}
	where := "every country"
	if cc != "" {
		where = cc
	}
	fmt.Fprintf(stdout, "announcement %d: %d message(s) per reader, from %s, to the subscribers in %s for %s (%d today)\n",
		id, len(pages), sendAt.UTC().Format(time.RFC3339), *lang, where, n)
	return nil
}

// announcementPages renders Markdown as the guide is rendered, in messages
// Telegram accepts, leaving room under the last one for its button.
func announcementPages(src []byte) ([]string, error) {
	if strings.TrimSpace(string(src)) == "" {
		return nil, errors.New("the announcement is empty")
	}
	html := guide.Render(src)
	if err := guide.ValidateHTML(html); err != nil {
		return nil, err
	}
	return guide.Split(html, guide.PageLimit), nil
}

func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("-at %q: use 2026-12-24T09:00:00Z, \"2026-12-24 09:00\" (UTC) or 2026-12-24", s)
}

func listAnnouncements(ctx context.Context, sf storeFlags, stdout io.Writer) error {
	db, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	all, err := db.LatestAnnouncements(ctx, 20)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tLANG\tCOUNTRY\tSEND AT (UTC)\tENQUEUED\tSTATE")
	for _, a := range all {
		state := "waiting"
		switch {
		case !a.FinishedAt.IsZero():
			state = "enqueued for all at " + a.FinishedAt.UTC().Format("2006-01-02 15:04")
		case a.Enqueued > 0:
			state = "sending"
		}
		country := a.Country
		if country == "" {
			country = "all"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Language, country, a.SendAt.UTC().Format("2006-01-02 15:04"), a.Enqueued, state)
	}
	return w.Flush()
}
