// Command rightsdesk is the Telegram bot for migrant workers' rights: one
// binary, one file per subcommand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// memProfileRate is Go's default sampling of allocations, restored by
// serve -pprof for heap profiles.
const memProfileRate = 512 * 1024

func main() {
	// Sampling allocations for a heap profile nobody can ask for keeps a
	// hash table of call stacks for the process's life: 1.5 MB of the
	// bot's resident memory in the bench.
	runtime.MemProfileRate = 0
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "rightsdesk:", err)
		}
		os.Exit(exitCode(err))
	}
}

var errUsage = errors.New("usage")

// exitCodeError lets a subcommand choose its exit status.
type exitCodeError struct {
	code int
	err  error
}

func (e exitCodeError) Error() string { return e.err.Error() }

func exitCode(err error) int {
	var ec exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "content":
		return runContent(ctx, args[1:], stdout, stderr)
	case "org":
		return runOrg(ctx, args[1:], stdout, stderr)
	case "cases":
		return runCases(ctx, args[1:], stdout, stderr)
	case "stats":
		return runStats(ctx, args[1:], stdout, stderr)
	case "jobs":
		return runJobs(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "announce":
		return runAnnounce(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "version":
		return runVersion(args[1:], stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n", args[0])
		usage(stderr)
		return errUsage
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `rightsdesk — a Telegram bot that helps migrant workers know their rights and reach a trade union.

Usage:
  rightsdesk serve [flags]          run the bot against Telegram (or a self-hosted Bot API)
  rightsdesk demo [flags]           run the whole bot against a local Bot API with a chat page in the browser
  rightsdesk content check [dir]    validate the guide, the directory and the locale files
  rightsdesk content stamp FILE...  mark translations as up to date with their English original
  rightsdesk org link|list|unlink   link an organisation's Telegram group as its desk, list and unlink desks
  rightsdesk cases export -org ID   an organisation's cases as CSV or JSON, without names, phones or Telegram ids
  rightsdesk stats                  case counts by category, country, citizenship, month and outcome (cells under 5 hidden)
  rightsdesk jobs [flags]           list the last runs of the scheduled jobs
  rightsdesk backup [flags]         back the database up now (also while the bot runs)
  rightsdesk announce [flags] FILE  schedule a Markdown announcement to the subscribers of a language
  rightsdesk bench [flags]          measure the bot under simulated people, against an echo bot floor
  rightsdesk version                print the version

Run "rightsdesk <command> -h" for the flags of a command.
`)
}

// envOr is a flag default that an environment variable can set.
func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

func envInt(name string, fallback int) int {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return fallback
}

func envInt64(name string, fallback int64) int64 {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n
		}
	}
	return fallback
}

func envDuration(name string, fallback time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return fallback
}

// newLogger writes JSON, or a readable console format on a terminal.
func newLogger(w io.Writer, level, format string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("log level %q: %w", level, err)
	}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "console"
			}
		}
	}
	out := w
	if format == "console" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	} else if format != "json" {
		return zerolog.Logger{}, fmt.Errorf("log format %q: want auto, json or console", format)
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}
