package main

import (
	"context"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/content"
)

// loadLibrary reads the content directory, or the embedded content when dir
// is empty. Content that "rightsdesk content check" would refuse is refused
// here too, with every problem as file:line: message.
func loadLibrary(dir string) (*bot.Library, error) {
	var fsys fs.FS = content.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	return bot.LoadLibrary(fsys)
}

// reloadOnHangup re-reads the content directory on every SIGHUP, so editors
// can publish a fix without a restart. Content with any problem is refused
// whole and the content in service stays. The returned function stops
// listening.
func reloadOnHangup(ctx context.Context, dir string, b *bot.Bot, log zerolog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	hangup := make(chan os.Signal, 1)
	signal.Notify(hangup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hangup:
				reloadContent(ctx, dir, b, log)
			}
		}
	}()
	return func() {
		signal.Stop(hangup)
		cancel()
		<-done
	}
}

// reloadContent is one reload: load, and only if that succeeds, index the
// search and put the new library in service.
func reloadContent(ctx context.Context, dir string, b *bot.Bot, log zerolog.Logger) {
	if dir == "" {
		log.Info().Msg("SIGHUP: the content is embedded in the binary, so there is nothing to reload (set -content-dir)")
		return
	}
	library, err := loadLibrary(dir)
	if err != nil {
		// The error lists each problem as file:line: message.
		log.Error().Err(err).Str("dir", dir).Msg("content reload refused; the content in service is kept")
		return
	}
	if err := b.UseLibrary(ctx, library); err != nil {
		log.Error().Err(err).Msg("content reload: indexing the guide failed; the content in service is kept")
		return
	}
	log.Info().Str("dir", dir).Msg("content reloaded")
}
