package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

// demoToken is the local Bot API's token; it is not a secret anywhere.
const demoToken = "123456:demo"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the local Bot API and the chat page (port 0 picks a free one)")
	dbPath := fs.String("db", "", "database path; empty means a fresh temporary one, removed on exit")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel, "auto")
	if err != nil {
		return err
	}

	api := localapi.New(localapi.Config{Token: demoToken})
	baseURL, err := api.Start(*addr)
	if err != nil {
		// The default port may be taken; any free one will do for a demo.
		if baseURL, err = api.Start("127.0.0.1:0"); err != nil {
			return err
		}
	}
	defer api.Close()

	path := *dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "rightsdesk-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "demo.db")
	}
	fmt.Fprintf(stdout, "\nrightsdesk demo is running. Open the chat page:\n\n    %s/\n\nNo token, no network: the bot talks to a local Bot API. Press Ctrl+C to stop.\n", baseURL)
	fmt.Fprintf(stdout, "A demo organisation, %q, is linked to the group %q on the page: file a complaint as a worker,\nchoose it, and answer the case from the group as %q.\n\n", sandboxName, sandboxGroup, sandboxCaseworker)

	c := serveConfig{
		Token:           demoToken,
		APIURL:          baseURL,
		DBPath:          path,
		Listen:          "",
		PollTimeout:     serveDefaults().PollTimeout,
		ShutdownTimeout: serveDefaults().ShutdownTimeout,
		Limits:          telegram.DefaultLimits(),
		Jobs:            serveDefaults().Jobs,
		sandbox:         true,
	}
	c.ready = func(string) {
		go func() {
			if err := linkSandbox(ctx, api, path); err != nil {
				log.Error().Err(err).Msg("the demo organisation could not be linked")
			}
		}()
	}
	return serve(ctx, c, log)
}

// The demo's organisation and the group that is its desk.
const (
	sandboxService    = "sandbox-union"
	sandboxName       = "Sandbox union"
	sandboxGroup      = "Sandbox union — desk"
	sandboxCaseworker = "Caseworker Ana"
)

// linkSandbox links the demo organisation to a group on the chat page, the
// way an operator and a caseworker would: a code, then /link in the group.
func linkSandbox(ctx context.Context, api *localapi.Server, dbPath string) error {
	db, err := storeFlags{DBPath: dbPath}.open(ctx)
	if err != nil {
		return err
	}
	code, err := db.NewLinkCode(ctx, sandboxService)
	db.Close()
	if err != nil {
		return err
	}
	ana := api.NewUser(sandboxCaseworker, "en")
	// A plain group: the page replies to a card to write in its thread.
	group := api.NewGroup(sandboxGroup, ana)
	group.Send(ana, "/link "+code)
	return nil
}

// serveDefaults are serve's flag defaults, without reading the environment
// for anything that would point the demo at a real bot.
func serveDefaults() serveConfig {
	var c serveConfig
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	serveFlags(fs, &c)
	_ = fs.Parse(nil)
	return c
}
