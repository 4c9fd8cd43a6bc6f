package main

import (
	"context"
	"errors"
	"io"
)

func runContent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("content check: not wired yet")
}
