package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// runOrg is the operator's side of the desk: linking organisations.
func runOrg(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() error {
		fmt.Fprintln(stderr, `usage:
  rightsdesk org link <service-id>     print a one-time code (valid 24 h) that links an organisation's group
  rightsdesk org list                  linked organisations: group, open cases, last activity
  rightsdesk org unlink <service-id>   end an organisation's desk; its open cases go back to their workers
flags (after the verb): -db, -key-file, -content-dir`)
		return errUsage
	}
	if len(args) == 0 {
		return usage()
	}
	verb := args[0]
	fs := flag.NewFlagSet("org "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	contentDir := fs.String("content-dir", envOr("RIGHTSDESK_CONTENT_DIR", ""), "content directory; empty uses the embedded content (env RIGHTSDESK_CONTENT_DIR)")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	needID := verb == "link" || verb == "unlink"
	if needID != (len(positional) == 1) || verb != "link" && verb != "list" && verb != "unlink" {
		return usage()
	}
	lib, err := loadLibrary(*contentDir)
	if err != nil {
		return err
	}
	id := ""
	if needID {
		id = positional[0]
		if _, ok := lib.Directory.ByID(id); !ok {
			return fmt.Errorf("no service %q in the directory (see content/directory)", id)
		}
	}
	// A code may be made before the bot first ran; the rest needs its data.
	open := sf.openExisting
	if verb == "link" {
		open = sf.open
	}
	db, err := open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "link":
		code, err := db.NewLinkCode(ctx, id)
		if err != nil {
			return err
		}
		s, _ := lib.Directory.ByID(id)
		fmt.Fprintf(stdout, "Link code for %s (%s), valid for %s and once.\n", s.Names.In("en"), id, store.LinkCodeTTL)
		fmt.Fprintln(stdout, "Add the bot to the organisation's group (as an administrator in a forum group), then send there:")
		fmt.Fprintf(stdout, "  /link %s\n", code)
		fmt.Fprintln(stdout, code)
		return nil
	case "list":
		orgs, err := db.Orgs(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SERVICE\tGROUP\tFORUM\tLANGUAGE\tOPEN CASES\tLAST ACTIVITY (UTC)")
		for _, o := range orgs {
			fmt.Fprintf(w, "%s\t%d\t%v\t%s\t%d\t%s\n", o.ServiceID, o.ChatID, o.Forum, o.Language, o.OpenCases,
				o.LastActivity.UTC().Format(time.DateTime))
		}
		return w.Flush()
	default:
		catalog, err := locales.Load()
		if err != nil {
			return err
		}
		b := bot.New(bot.Config{Store: db, Catalog: catalog, Library: lib, Log: zerolog.New(stderr)})
		n, err := b.Unlink(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s is not linked", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s unlinked; %d open case(s) went back to their workers (a running bot sends their messages within a minute).\n", id, n)
		return nil
	}
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("org link fnpr -db x"), returning the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
