package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/rightsdesk/rightsdesk/store"
)

func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rightsdesk %s (schema %d, %s)\n", Version, store.SchemaVersion(), runtime.Version())
	return nil
}
