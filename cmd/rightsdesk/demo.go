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
	fmt.Fprintf(stdout, "\nrightsdesk demo is running. Open the chat page:\n\n    %s/\n\nNo token, no network: the bot talks to a local Bot API. Press Ctrl+C to stop.\n\n", baseURL)

	c := serveConfig{
		Token:           demoToken,
		APIURL:          baseURL,
		DBPath:          path,
		Listen:          "",
		PollTimeout:     serveDefaults().PollTimeout,
		ShutdownTimeout: serveDefaults().ShutdownTimeout,
		Limits:          telegram.DefaultLimits(),
		Jobs:            serveDefaults().Jobs,
	}
	return serve(ctx, c, log)
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
