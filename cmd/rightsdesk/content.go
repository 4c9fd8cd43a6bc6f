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
// every problem and a topic × language table.
func runContent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: rightsdesk content check [dir]   (dir defaults to ./content; locales are read from dir/../locales)")
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
