package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
)

// demoToken is the local Bot API's token; it is not a secret anywhere.
const demoToken = "123456:demo"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the local Bot API and the chat page (port 0 picks a free one)")
	dbPath := fs.String("db", "", "database path; empty means a fresh temporary one, removed on exit (Reset always starts a temporary one)")
	contentDir := fs.String("content-dir", "", "content directory to serve and preview (edits show in the editors' preview at once); empty serves the embedded content")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel, "auto")
	if err != nil {
		return err
	}
	catalog, err := locales.Load()
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		// The default port may be taken; any free one will do for a demo.
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	d := &demo{ctx: ctx, log: log, base: "http://" + ln.Addr().String(), contentDir: *contentDir,
		preview: &preview{dir: *contentDir, catalog: catalog}}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	defer srv.Close()

	fmt.Fprintf(stdout, "\nrightsdesk demo is running. Open the chat page:\n\n    %s/\n\nNo token, no network: the bot talks to a local Bot API. Press Ctrl+C to stop.\n", d.base)
	fmt.Fprintf(stdout, "A demo organisation, %q, is linked to the group %q on the page: file a complaint as a worker,\nchoose it, and answer the case from the group as %q.\n\n", sandboxName, sandboxGroup, sandboxCaseworker)

	d.mu.Lock()
	err = d.start(*dbPath)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	<-ctx.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stop()
	return nil
}

// demo runs the bot against a local Bot API behind one address, so that a
// reset can replace both while the page stays where it is.
type demo struct {
	ctx        context.Context
	log        zerolog.Logger
	base       string // the page's and the Bot API's URL
	contentDir string
	preview    *preview

	api atomic.Pointer[localapi.Server] // what the address serves now

	mu  sync.Mutex // one start, stop or reset at a time
	run *demoRun
}

// demoRun is one bot on one database and one local Bot API.
type demoRun struct {
	api    *localapi.Server
	tmp    string // a temporary directory removed when the run stops
	cancel context.CancelFunc
	done   chan error
}

func (d *demo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/demo/info":
		writeJSON(w, http.StatusOK, map[string]any{"reset": true, "preview": true, "content_dir": d.contentDir})
	case "/demo/reset":
		d.serveReset(w, r)
	case "/demo/preview":
		d.preview.serve(w, r)
	default:
		if api := d.api.Load(); api != nil {
			api.ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}

// serveReset starts over: the bot stops, the database and the local Bot
// API are dropped, and a new bot starts on a fresh temporary database with
// the sandbox organisation linked again.
func (d *demo) serveReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST required"})
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stop()
	if err := d.start(""); err != nil {
		d.log.Error().Err(err).Msg("demo reset failed")
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	d.log.Info().Msg("demo reset: a fresh database and a fresh local Bot API")
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// start runs serve on dbPath ("" a new temporary database) against a new
// local Bot API, and links the sandbox organisation once the bot polls.
// The caller holds d.mu.
func (d *demo) start(dbPath string) error {
	cfg := localapi.Config{Token: demoToken}
	if dbPath != "" {
		// The database outlives the local Bot API: its update ids must go
		// on from those it has seen, or updates would be taken for ones
		// handled before.
		first, err := firstUpdateAfter(d.ctx, dbPath)
		if err != nil {
			return err
		}
		cfg.FirstUpdateID = first
	}
	run := &demoRun{api: localapi.New(cfg), done: make(chan error, 1)}
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "rightsdesk-demo-")
		if err != nil {
			return err
		}
		run.tmp, dbPath = dir, filepath.Join(dir, "demo.db")
	}
	d.api.Store(run.api)
	c := serveConfig{
		Token:           demoToken,
		APIURL:          d.base,
		DBPath:          dbPath,
		Key:             os.Getenv("RIGHTSDESK_KEY"), // the same key linkSandbox opens the database with
		Listen:          "",
		PollTimeout:     serveDefaults().PollTimeout,
		ShutdownTimeout: serveDefaults().ShutdownTimeout,
		Limits:          telegram.DefaultLimits(),
		Jobs:            serveDefaults().Jobs,
		ContentDir:      d.contentDir,
		sandbox:         true,
	}
	ready := make(chan struct{})
	c.ready = func(string) { close(ready) }
	ctx, cancel := context.WithCancel(d.ctx)
	run.cancel = cancel
	go func() {
		err := serve(ctx, c, d.log)
		if err != nil && ctx.Err() == nil {
			d.log.Error().Err(err).Msg("the demo's bot stopped; press Reset on the page to start over")
		}
		run.done <- err
	}()
	select {
	case <-ready:
	case err := <-run.done:
		run.done <- err
		run.stop()
		return err
	}
	if err := linkSandbox(ctx, run.api, dbPath); err != nil {
		run.stop()
		return fmt.Errorf("linking the demo organisation: %w", err)
	}
	d.run = run
	return nil
}

// firstUpdateAfter is an update id above every one the database at dbPath
// has stored or confirmed; 0 when it has seen none.
func firstUpdateAfter(ctx context.Context, dbPath string) (int64, error) {
	db, err := storeFlags{DBPath: dbPath}.open(ctx)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	offset, err := db.NextOffset(ctx)
	if err != nil {
		return 0, err
	}
	last, err := db.LastUpdateID(ctx)
	if err != nil {
		return 0, err
	}
	if last == 0 && offset == 0 {
		return 0, nil
	}
	return max(offset, last+1), nil
}

// stop ends the current run; the caller holds d.mu.
func (d *demo) stop() {
	if d.run != nil {
		d.run.stop()
		d.run = nil
	}
}

func (r *demoRun) stop() {
	r.cancel()
	<-r.done // serve returns within its shutdown timeout
	r.api.Close()
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
	}
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

// preview is the editors' preview: a guide topic as the bot sends it, with
// what the content check finds in its file. With a content directory the
// content is read again whenever a file in it changes.
type preview struct {
	dir     string // "" the embedded content
	catalog *locales.Catalog

	mu       sync.Mutex
	stamp    string
	lib      *bot.Library
	problems []content.Problem
}

// previewMessage is one message as the page draws it.
type previewMessage struct {
	Text   string              `json:"text"`
	Nodes  []*localapi.Node    `json:"nodes,omitempty"`
	Error  string              `json:"error,omitempty"` // why Telegram would refuse it
	Length int                 `json:"length"`          // in UTF-16 units, as Telegram counts
	Inline [][]localapi.Button `json:"inline,omitempty"`
}

type previewTopic struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

type previewCountry struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type previewAnswer struct {
	Topic     string           `json:"topic"`
	Lang      string           `json:"lang"`
	Work      string           `json:"work"`
	File      string           `json:"file"`
	Status    string           `json:"status"`
	Messages  []previewMessage `json:"messages"`
	Findings  []string         `json:"findings"`
	Other     int              `json:"other"` // findings in other files
	Topics    []previewTopic   `json:"topics"`
	Countries []previewCountry `json:"countries"`
	Stamp     string           `json:"stamp"`
	Watching  string           `json:"watching,omitempty"`
}

func (p *preview) serve(w http.ResponseWriter, r *http.Request) {
	lib, problems, stamp, err := p.load()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	q := r.URL.Query()
	a := previewAnswer{Lang: q.Get("lang"), Topic: q.Get("topic"), Work: q.Get("work"), Stamp: stamp,
		Messages: []previewMessage{}, Findings: []string{}, Topics: []previewTopic{}, Countries: []previewCountry{}}
	if !slices.Contains(guide.Languages, a.Lang) {
		a.Lang = guide.SourceLanguage
	}
	for _, ref := range lib.Guide.Topics(a.Lang) {
		a.Topics = append(a.Topics, previewTopic{ID: ref.ID, Title: ref.Title, Status: ref.Status.String()})
	}
	if !slices.ContainsFunc(a.Topics, func(t previewTopic) bool { return t.ID == a.Topic }) && len(a.Topics) > 0 {
		a.Topic = a.Topics[0].ID
	}
	for _, code := range bot.ProfileCountries() {
		if c, ok := lib.Directory.Country(code); ok {
			a.Countries = append(a.Countries, previewCountry{Code: code, Name: c.Names.In(a.Lang)})
		}
	}
	if !slices.ContainsFunc(a.Countries, func(c previewCountry) bool { return c.Code == a.Work }) {
		a.Work = ""
	}
	for _, reply := range bot.PreviewTopic(lib, p.catalog, a.Lang, a.Topic, a.Work) {
		a.Messages = append(a.Messages, previewOf(reply.Text, reply.Keyboard))
	}

	// The file in the reader's language, and the one shown: the English
	// original while there is no translation.
	topic, status := lib.Guide.Topic(a.Lang, a.Topic)
	a.Status = status.String()
	own := path.Join(content.GuideDir, a.Lang, a.Topic+".md")
	shown := topic.File
	if shown == "" {
		shown = own
	}
	a.File = p.path(shown)
	for _, pr := range problems {
		if pr.File == own || pr.File == shown {
			pr.File = p.path(pr.File)
			a.Findings = append(a.Findings, pr.String())
		} else {
			a.Other++
		}
	}
	if p.dir != "" {
		a.Watching = p.dir
	}
	writeJSON(w, http.StatusOK, a)
}

// path names a content file as an editor finds it on disk.
func (p *preview) path(name string) string {
	if p.dir == "" {
		return filepath.Join("content", filepath.FromSlash(name))
	}
	return filepath.Join(p.dir, filepath.FromSlash(name))
}

// previewOf is a message of the bot as the page draws it, with the verdict
// Telegram would give on it.
func previewOf(text string, kb *chat.Keyboard) previewMessage {
	m := previewMessage{Text: text}
	nodes, err := localapi.ParseHTML(text)
	if err == nil {
		m.Nodes = nodes
		m.Length = localapi.UTF16Len(localapi.PlainText(nodes))
	}
	if err := localapi.CheckText(text, "HTML"); err != nil {
		m.Error = err.Error()
	}
	if kb != nil {
		for _, row := range kb.Inline {
			var r []localapi.Button
			for _, b := range row {
				r = append(r, localapi.Button{Text: b.Text, CallbackData: b.Data, URL: b.URL})
			}
			m.Inline = append(m.Inline, r)
		}
	}
	return m
}

// load reads the content again when it changed since the last load.
func (p *preview) load() (*bot.Library, []content.Problem, string, error) {
	stamp := "embedded"
	var fsys fs.FS = content.FS
	if p.dir != "" {
		var err error
		if stamp, err = dirStamp(p.dir); err != nil {
			return nil, nil, "", err
		}
		fsys = os.DirFS(p.dir)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lib == nil || stamp != p.stamp {
		g, d, problems := content.Load(fsys)
		// The preview shows what it can of content with problems; the
		// bot itself refuses such content.
		p.lib, p.problems, p.stamp = &bot.Library{Guide: g, Directory: d}, problems, stamp
	}
	return p.lib, p.problems, p.stamp, nil
}

// dirStamp changes whenever a file under dir is added, removed or written.
func dirStamp(dir string) (string, error) {
	var files int
	var newest, size int64
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		files++
		newest = max(newest, info.ModTime().UnixNano())
		size += info.Size()
		return nil
	})
	if err != nil {
		return "", errors.New("reading the content directory: " + err.Error())
	}
	return strconv.Itoa(files) + "-" + strconv.FormatInt(newest, 36) + "-" + strconv.FormatInt(size, 36), nil
}
