package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk"
	"github.com/rightsdesk/rightsdesk/bot/jobs"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/metrics"
	"github.com/rightsdesk/rightsdesk/store"
)

// serveConfig is everything serve needs; demo and the end-to-end tests
// build one too, so all three run the same path.
type serveConfig struct {
	Token           string
	APIURL          string
	DBPath          string
	KeyFile         string
	Key             string // RIGHTSDESK_KEY: hex or base64 of 32 bytes
	Listen          string
	WebhookURL      string
	PollTimeout     time.Duration
	ShutdownTimeout time.Duration
	Limits          telegram.Limits
	LogLevel        string
	LogFormat       string
	// ContentDir is the content directory read at start and on SIGHUP;
	// empty serves the content embedded in the binary.
	ContentDir string
	// RouteMaxKm is how far an office may be before routing falls back.
	RouteMaxKm float64
	// Jobs is the scheduled work; a zero value schedules nothing.
	Jobs jobsConfig
	// PProf serves net/http/pprof on the listen address.
	PProf bool

	// ready, when set, is called once the bot polls or listens (tests).
	ready func(addr string)
	// listening, when set, is called once the listen address answers,
	// before the Bot API is reached (tests).
	listening func(addr string)
	// stopping, when set, is called when shutdown begins (tests).
	stopping func()
	// sandbox adds the demo's organisation to the directory (demo only).
	sandbox bool
	// jobsNow replaces the jobs' clock, and jobsReady receives the
	// scheduler once it started (tests).
	jobsNow   func() time.Time
	jobsReady func(*jobs.Scheduler)
	// rescan is how often the sender looks for messages another process
	// queued; zero keeps the sender's default (tests).
	rescan time.Duration
}

func serveFlags(fs *flag.FlagSet, c *serveConfig) {
	limits := telegram.DefaultLimits()
	fs.StringVar(&c.Token, "token", envOr("TELEGRAM_BOT_TOKEN", ""), "bot token from @BotFather (env TELEGRAM_BOT_TOKEN)")
	fs.StringVar(&c.APIURL, "api-url", envOr("TELEGRAM_API_URL", telegram.DefaultAPIURL), "Bot API base URL; endpoint is base + \"/bot<token>/<method>\" (env TELEGRAM_API_URL)")
	fs.StringVar(&c.DBPath, "db", envOr("RIGHTSDESK_DB", "./rightsdesk.db"), "SQLite database path (env RIGHTSDESK_DB)")
	fs.StringVar(&c.KeyFile, "key-file", envOr("RIGHTSDESK_KEY_FILE", ""), "at-rest key file, created with mode 0600 if missing; default <db>.key; ignored when RIGHTSDESK_KEY is set (env RIGHTSDESK_KEY_FILE)")
	fs.StringVar(&c.Listen, "listen", envOr("RIGHTSDESK_LISTEN", "127.0.0.1:8080"), "address for /healthz and the webhook; empty disables (env RIGHTSDESK_LISTEN)")
	fs.StringVar(&c.WebhookURL, "webhook-url", envOr("RIGHTSDESK_WEBHOOK_URL", ""), "public HTTPS URL Telegram posts updates to; empty means long polling (env RIGHTSDESK_WEBHOOK_URL)")
	fs.DurationVar(&c.PollTimeout, "poll-timeout", envDuration("RIGHTSDESK_POLL_TIMEOUT", 25*time.Second), "long-poll wait (env RIGHTSDESK_POLL_TIMEOUT)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration("RIGHTSDESK_SHUTDOWN_TIMEOUT", 10*time.Second), "time to finish handling and flush the outbox on SIGTERM (env RIGHTSDESK_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&c.Limits.GroupPerMinute, "group-per-minute", limits.GroupPerMinute, "messages to one group in any minute")
	fs.Float64Var(&c.Limits.BulkPerSecond, "bulk-per-second", limits.BulkPerSecond, "bulk sends (announcements, reminders) per second overall")
	fs.IntVar(&c.Limits.MaxInFlight, "max-in-flight", limits.MaxInFlight, "concurrent Bot API requests")
	fs.StringVar(&c.LogLevel, "log-level", envOr("RIGHTSDESK_LOG_LEVEL", "info"), "debug, info, warn or error (env RIGHTSDESK_LOG_LEVEL)")
	fs.StringVar(&c.ContentDir, "content-dir", envOr("RIGHTSDESK_CONTENT_DIR", ""), "content directory (guide, directory, countries), re-read on SIGHUP; empty serves the embedded content (env RIGHTSDESK_CONTENT_DIR)")
	fs.Float64Var(&c.RouteMaxKm, "route-max-km", routing.DefaultMaxDistanceKm, "how far (km) an office may be for routing to offer it before falling back to national union centres")
	fs.StringVar(&c.LogFormat, "log-format", envOr("RIGHTSDESK_LOG_FORMAT", "auto"), "auto (console on a terminal), json or console (env RIGHTSDESK_LOG_FORMAT)")
	fs.BoolVar(&c.PProf, "pprof", false, "serve the Go profiler under /debug/pprof/ on the listen address")
	jobsFlags(fs, &c.Jobs)
	c.Limits.RetryMin, c.Limits.RetryMax, c.Limits.GroupWindow = limits.RetryMin, limits.RetryMax, limits.GroupWindow
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	serveFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.Key = os.Getenv("RIGHTSDESK_KEY")
	if c.Token == "" {
		return errors.New("no bot token: set TELEGRAM_BOT_TOKEN or -token (or try \"rightsdesk demo\")")
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("webhook URL %q is not an absolute URL", c.WebhookURL)
		}
		if c.Listen == "" {
			return errors.New("webhook mode needs -listen")
		}
	}
	if err := c.Jobs.validate(); err != nil {
		return err
	}
	log, err := newLogger(stderr, c.LogLevel, c.LogFormat)
	if err != nil {
		return err
	}
	return serve(ctx, c, log)
}

// serve runs the bot until ctx ends, then shuts down in order: stop taking
// updates, finish the ones in hand, flush the outbox, close the database.
func serve(ctx context.Context, c serveConfig, log zerolog.Logger) error {
	keyPath := c.KeyFile
	if keyPath == "" {
		keyPath = c.DBPath + ".key"
	}
	key, err := store.LoadKey(c.Key, keyPath)
	if err != nil {
		return err
	}
	if c.Key == "" && keyFileOpenToOthers(keyPath) {
		log.Warn().Str("key_file", keyPath).Msg("the at-rest key file can be read by other users; chmod 600 it")
	}
	db, err := store.Open(ctx, c.DBPath, key)
	if err != nil {
		return err
	}
	defer db.Close()

	// /healthz, /readyz and /metrics answer from here on, so a bot that
	// waits for the Bot API shows as alive but not ready.
	m := metrics.New(db.TakeCensus, db.WriteStats)
	ready := &readiness{}
	if c.PProf && runtime.MemProfileRate == 0 {
		runtime.MemProfileRate = memProfileRate
	}
	mux := opsMux(db, m, ready, c.PProf)
	var httpSrv *http.Server
	listenAddr := ""
	if c.Listen != "" {
		ln, err := net.Listen("tcp", c.Listen)
		if err != nil {
			return err
		}
		listenAddr = ln.Addr().String()
		httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
		go func() {
			if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error().Err(err).Msg("HTTP server stopped")
			}
		}()
		// Only when serve returns early; the orderly stop closes it last.
		defer httpSrv.Close()
		log.Info().Str("addr", listenAddr).Msg("listening for /healthz, /readyz and /metrics")
		if c.listening != nil {
			c.listening(listenAddr)
		}
	}

	catalog, err := locales.Load()
	if err != nil {
		return err
	}
	catalog.OnMiss(func(lang, id string, err error) {
		log.Warn().Str("lang", lang).Str("message_id", id).Msg("locale message missing")
	})

	library, err := loadContent(c.ContentDir, c.sandbox)
	if err != nil {
		return err
	}

	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()

	control := telegram.NewClient(pollCtx, c.Token, c.APIURL, 30*time.Second)
	me, err := getMe(pollCtx, control, log)
	if err != nil {
		return err
	}
	log.Info().Str("bot", me.Username).Msg("connected to the Bot API")
	decoder := telegram.Decoder{BotID: me.ID, BotUsername: me.Username}

	sender := &telegram.Sender{
		Client: telegram.NewClient(sendCtx, c.Token, c.APIURL, 30*time.Second),
		Store:  db,
		Log:    log.With().Str("component", "sender").Logger(),
		Limits: c.Limits,
		Rescan: c.rescan,
		OnResult: func(_ int64, action chat.Action, queued time.Duration, err error) {
			m.Send(string(action), string(telegram.KindOf(err)), queued)
		},
	}
	members := telegram.NewClient(ctx, c.Token, c.APIURL, 10*time.Second)
	b := bot.New(bot.Config{Store: db, Catalog: catalog, Decode: decoder.Decode, Notify: sender.Notify, Answer: sender.Answer,
		Log: log.With().Str("component", "bot").Logger(), Library: library, RouteMaxDistanceKm: c.RouteMaxKm,
		Observe: func(kind chat.Kind, took, since time.Duration) { m.Update(string(kind), took, since) },
		Members: func(ctx context.Context, chatID, userID int64) (desk.Member, error) {
			m, err := members.ChatMember(chatID, userID)
			return desk.Member{Current: m.Current(), FirstName: m.FirstName}, err
		},
		BotRights: func(ctx context.Context, chatID int64) (desk.Rights, error) {
			m, err := members.ChatMember(chatID, me.ID)
			return desk.Rights{OpenTopics: m.MayOpenTopics, Pin: m.MayPin}, err
		}})
	if err := b.UseLibrary(ctx, library); err != nil {
		return err
	}
	stopReloading := reloadOnHangup(ctx, c.ContentDir, c.sandbox, b, log.With().Str("component", "content").Logger())
	defer stopReloading()
	// The poller hears from the executor which turns committed: those
	// updates it need not store.
	poller := &telegram.Poller{Client: control, Store: db, Decoder: decoder,
		Log: log.With().Str("component", "poller").Logger(), Timeout: c.PollTimeout, Stored: m.Stored}
	exec := &bot.Executor{Handle: b.Handle, Log: log.With().Str("component", "executor").Logger(),
		Recover: func(ctx context.Context, u store.InboxUpdate) { m.Panic(); b.Recover(ctx, u) },
		Handled: poller.Handled}
	poller.Submit = exec.Submit
	exec.Start(ctx)

	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		if err := sender.Run(sendCtx); err != nil {
			log.Error().Err(err).Msg("sender stopped")
		}
	}()

	// Drafts kept before the drafts index existed are indexed once, before
	// any update is handled.
	if n, err := b.IndexDrafts(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info().Int("drafts", n).Msg("indexed the drafts kept before the drafts index")
	}

	// Work a crash left behind: updates stored but not handled.
	pending, err := db.UnhandledUpdates(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		log.Info().Int("updates", len(pending)).Msg("resuming updates left unhandled")
		exec.Submit(pending)
	}
	if err := b.RegisterCommands(ctx); err != nil {
		return err
	}

	// Scheduled work starts once the sender takes what it enqueues.
	jobsNow := c.jobsNow
	if jobsNow == nil {
		jobsNow = db.Now
	}
	sched := jobs.New(db, log.With().Str("component", "jobs").Logger(), jobsNow)
	sched.OnRun = func(job string, _ time.Duration, err error, panicked bool) { m.JobRun(job, err, panicked) }
	if err := registerJobs(sched, c, db, catalog, b, sender.Notify, log); err != nil {
		return err
	}
	if err := sched.Start(ctx); err != nil {
		return err
	}
	defer func() {
		// Only when serve returns early; the orderly stop is below.
		stop, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
		defer cancel()
		_ = sched.Stop(stop)
	}()
	if c.jobsReady != nil {
		c.jobsReady(sched)
	}

	var webhookSecret string
	if c.WebhookURL != "" {
		webhookSecret = telegram.NewSecretToken()
		u, _ := url.Parse(c.WebhookURL)
		path := u.Path
		if path == "" {
			path = "/"
		}
		mux.Handle("POST "+path, &telegram.Webhook{Secret: webhookSecret, Store: db, Decoder: decoder,
			Submit: exec.Submit, Log: log.With().Str("component", "webhook").Logger()})
	}
	if c.WebhookURL != "" {
		if err := control.SetWebhook(c.WebhookURL, webhookSecret); err != nil {
			return fmt.Errorf("setWebhook: %w", err)
		}
		log.Info().Msg("webhook registered")
		ready.set(true)
		if c.ready != nil {
			c.ready(listenAddr)
		}
		<-ctx.Done()
	} else {
		if err := control.DeleteWebhook(); err != nil && pollCtx.Err() == nil {
			log.Warn().Err(err).Msg("deleteWebhook failed; polling may conflict with an old webhook")
		}
		ready.set(true)
		if c.ready != nil {
			c.ready(listenAddr)
		}
		if err := poller.Run(pollCtx); err != nil {
			log.Error().Err(err).Msg("poller stopped")
		}
	}

	// Not ready from here: a load balancer moves on while the updates in
	// hand finish and the outbox drains; /healthz and /metrics go on
	// answering until the end.
	ready.set(false)
	log.Info().Msg("shutting down")
	if c.stopping != nil {
		c.stopping()
	}
	stopPolling()
	deadline, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	// Jobs stop first: what they enqueue is committed with their progress,
	// so a job cut short resumes at its next run.
	if err := sched.Stop(deadline); err != nil {
		log.Warn().Msg("jobs still running at the deadline; they resume at their next run")
	}
	if err := exec.Stop(deadline); err != nil {
		log.Warn().Msg("updates still in progress at the deadline; they resume at the next start")
	}
	if err := sender.Flush(deadline); err != nil {
		log.Warn().Msg("outbox not empty at the deadline; it is sent at the next start")
	}
	stopSending()
	<-senderDone
	if httpSrv != nil {
		// A webhook update that comes now is stored and handled at the
		// next start; the server closes before the database does.
		stop, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(stop)
	}
	log.Info().Msg("stopped")
	return nil
}

// getMe waits for the Bot API to answer, so a bot started before its
// network is up keeps trying instead of exiting.
func getMe(ctx context.Context, c *telegram.Client, log zerolog.Logger) (telegram.Me, error) {
	wait := time.Second
	for {
		me, err := c.GetMe()
		if err == nil {
			return me, nil
		}
		if errors.Is(err, telegram.ErrUnauthorized) {
			return me, fmt.Errorf("the Bot API refused the token: %w", err)
		}
		if ctx.Err() != nil {
			return me, ctx.Err()
		}
		log.Warn().Err(err).Dur("retry_in", wait).Msg("Bot API not reachable yet")
		select {
		case <-ctx.Done():
			return me, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 30*time.Second)
	}
}

// keyFileOpenToOthers reports whether anyone but the owner may read or
// write the key file: whoever can read it can read every sealed value.
func keyFileOpenToOthers(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o077 != 0
}
