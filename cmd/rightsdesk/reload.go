package main

import (
	"context"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing/fstest"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/content"
)

// loadLibrary reads the content directory, or the embedded content when dir
// is empty. Content that "rightsdesk content check" would refuse is refused
// here too, with every problem as file:line: message.
func loadLibrary(dir string) (*bot.Library, error) { return loadContent(dir, false) }

// loadContent is loadLibrary with, for the demo, the sandbox organisation
// added to the directory.
func loadContent(dir string, sandbox bool) (*bot.Library, error) {
	var fsys fs.FS = content.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	if sandbox {
		var err error
		if fsys, err = withSandbox(fsys); err != nil {
			return nil, err
		}
	}
	return bot.LoadLibrary(fsys)
}

// withSandbox is the content with content/demo's organisations placed in the
// directory, as if an editor had put them there.
func withSandbox(fsys fs.FS) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: data, Mode: 0o444}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p, f := range out {
		if name, ok := strings.CutPrefix(p, "demo/"); ok {
			out["directory/ru/"+name] = f
		}
	}
	return out, nil
}

// reloadOnHangup re-reads the content directory on every SIGHUP, so editors
// can publish a fix without a restart. Content with any problem is refused
// whole and the content in service stays. The returned function stops
// listening.
func reloadOnHangup(ctx context.Context, dir string, sandbox bool, b *bot.Bot, log zerolog.Logger) (stop func()) {
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
				reloadContent(ctx, dir, sandbox, b, log)
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
func reloadContent(ctx context.Context, dir string, sandbox bool, b *bot.Bot, log zerolog.Logger) {
	if dir == "" {
		log.Info().Msg("SIGHUP: the content is embedded in the binary, so there is nothing to reload (set -content-dir)")
		return
	}
	library, err := loadContent(dir, sandbox)
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
