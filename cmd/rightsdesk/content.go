package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/content"
)

// runContent serves the editors: "content check [dir]" validates the guide,
// the directory and the locale files beside dir, printing file:line for
// every problem and a topic × language table; "content stamp" records that
// a translation matches the current English text.
func runContent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "stamp" {
		if len(args) < 2 {
			fmt.Fprintln(stderr, "usage: rightsdesk content stamp content/guide/<lang>/<topic>.md ...")
			return errUsage
		}
		return content.Stamp(args[1:])
	}
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, `usage:
  rightsdesk content check [dir]          validate guide, directory and locales (dir defaults to ./content;
                                          locales are read from dir/../locales)
  rightsdesk content stamp FILE...        mark translations as up to date with their English original`)
		return errUsage
	}
	fs := flag.NewFlagSet("content check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	dir := "content"
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	if !content.Check(dir, stdout) {
		return exitCodeError{code: 1, err: errors.New("content check found problems")}
	}
	return nil
}
