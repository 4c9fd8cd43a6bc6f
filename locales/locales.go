// Package locales holds every user-visible UI string of rightsdesk in six
// languages and wraps go-i18n so callers never handle bundles, localizers or
// missing-message errors themselves.
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages lists the supported languages in the order they are offered to a
// worker. All six are first-class: none is a translation "extra".
var Languages = []string{"az", "ru", "ka", "ro", "kk", "en"}

// Default is the language used when a worker's language is unknown and the
// source language every other file is checked against.
const Default = "en"

// statusFile records which languages a native speaker has reviewed.
const statusFile = "status.toml"

//go:embed active.*.toml status.toml
var embedded embed.FS

// messageFile names the active file of a language, as goi18n merge writes it.
func messageFile(lang string) string { return "active." + lang + ".toml" }

// Match maps a Telegram language_code (an IETF tag such as "ru-RU" or
// "az-Latn") to a supported language, or Default.
func Match(telegramLanguageCode string) string {
	code := strings.ToLower(strings.TrimSpace(telegramLanguageCode))
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	switch code {
	case "mo": // deprecated tag for Moldovan, i.e. Romanian
		return "ro"
	case "kz": // the country code, which people often type for Kazakh
		return "kk"
	}
	if slices.Contains(Languages, code) {
		return code
	}
	// Three-letter and other aliases ("rus", "rum", "geo") canonicalise to a
	// two-letter base; only an explicit base counts, never a guessed one.
	if tag, err := language.Parse(code); err == nil {
		if base, conf := tag.Base(); conf == language.Exact && slices.Contains(Languages, base.String()) {
			return base.String()
		}
	}
	return Default
}

// Review is a language's review status as kept in status.toml.
type Review struct {
	ReviewedBy string `toml:"reviewed_by"`
	ReviewedOn string `toml:"reviewed_on"` // YYYY-MM-DD
	Note       string `toml:"note"`
}

// Reviewed reports whether a native speaker has signed the language off.
func (r Review) Reviewed() bool { return r.ReviewedBy != "" && r.ReviewedOn != "" }

// Catalog localizes message ids. It is safe for concurrent use; reload by
// building a new Catalog and swapping the pointer.
type Catalog struct {
	localizers map[string]*i18n.Localizer
	// plain keeps, per language, what messages asked for without data
	// rendered to: buttons and headings are most of a turn's strings, and
	// go-i18n renders each one afresh (a few percent of the bot's CPU).
	// Filled as they are asked for, so it holds only the ones in use.
	plain  map[string]*sync.Map
	ids    []string
	status map[string]Review
	onMiss func(lang, id string, err error)
}

// Load builds the Catalog from the files compiled into the binary.
func Load() (*Catalog, error) { return load(embedded) }

// LoadDir builds the Catalog from files on disk, for hot reload and for
// editors trying changes without a rebuild.
func LoadDir(dir string) (*Catalog, error) { return load(os.DirFS(dir)) }

// unmarshalers are the file formats go-i18n's parser is given.
var unmarshalers = map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal}

func load(fsys fs.FS) (*Catalog, error) {
	bundle := i18n.NewBundle(language.Make(Default))
	c := &Catalog{localizers: make(map[string]*i18n.Localizer, len(Languages)),
		plain: make(map[string]*sync.Map, len(Languages))}
	copies := map[string]string{}
	for _, lang := range Languages {
		name := messageFile(lang)
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		// Parsed apart from the bundle, which would keep each message as
		// parsed for as long as the process lives (see trimForRuntime).
		mf, err := i18n.ParseMessageFileBytes(buf, name, unmarshalers)
		if err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			trimForRuntime(m, copies)
		}
		// Even a file without messages is added: that is what makes its
		// language one the bundle matches, as ParseMessageFileBytes would.
		if err := bundle.AddMessages(mf.Tag, mf.Messages...); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
		if lang == Default {
			for _, m := range mf.Messages {
				c.ids = append(c.ids, m.ID)
			}
			slices.Sort(c.ids)
		}
		// Each localizer names one language only: the bundle's default
		// language is the fallback, so a mismatch never picks a third one.
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
		c.plain[lang] = new(sync.Map)
	}
	status, err := readStatus(fsys)
	if err != nil {
		return nil, err
	}
	c.status = status
	return c, nil
}

// trimForRuntime leaves in m only what rendering reads: the description and
// hash serve translators and goi18n merge, which read the files, not the
// bundle. The TOML decoder hands out every string as a slice of the whole
// file, so one template kept as decoded would keep all of the file alive,
// descriptions and comments included; each string is copied instead, once
// for all languages, since ids and some texts recur in every file.
func trimForRuntime(m *i18n.Message, copies map[string]string) {
	m.Description, m.Hash = "", ""
	for _, s := range []*string{&m.ID, &m.LeftDelim, &m.RightDelim, &m.Zero, &m.One, &m.Two, &m.Few, &m.Many, &m.Other} {
		kept, ok := copies[*s]
		if !ok {
			kept = strings.Clone(*s)
			copies[kept] = kept
		}
		*s = kept
	}
}

func readStatus(fsys fs.FS) (map[string]Review, error) {
	buf, err := fs.ReadFile(fsys, statusFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return map[string]Review{}, nil
		}
		return nil, fmt.Errorf("locales: %w", err)
	}
	status := map[string]Review{}
	if err := toml.Unmarshal(buf, &status); err != nil {
		return nil, fmt.Errorf("locales: %s: %w", statusFile, err)
	}
	return status, nil
}

// OnMiss sets a function told about every message that could not be rendered
// as asked (missing id, missing translation, missing template data), so the
// caller can log it. Set it before the Catalog is shared.
func (c *Catalog) OnMiss(report func(lang, id string, err error)) { c.onMiss = report }

// T localizes id into lang. A message missing in lang falls back to English;
// an unknown id comes back as the id itself, so a gap shows but never breaks
// a reply. data may be nil.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	return c.localize(lang, id, nil, data)
}

// Plural is T for messages with plural forms. The template sees the count as
// {{.Count}}.
func (c *Catalog) Plural(lang, id string, count int, data map[string]any) string {
	withCount := make(map[string]any, len(data)+2)
	for k, v := range data {
		withCount[k] = v
	}
	withCount["Count"] = count
	withCount["PluralCount"] = count
	return c.localize(lang, id, count, withCount)
}

func (c *Catalog) localize(lang, id string, count any, data map[string]any) string {
	if c == nil {
		return id
	}
	lang = Match(lang)
	cacheable := data == nil && count == nil
	if cacheable {
		if msg, ok := c.plain[lang].Load(id); ok {
			return msg.(string)
		}
	}
	localizer := c.localizers[lang]
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count, TemplateParser: strictParser}
	msg, err := localizer.Localize(cfg)
	if err == nil {
		if cacheable {
			c.plain[lang].Store(id, msg)
		}
		return msg
	}
	c.miss(lang, id, err)
	if msg != "" {
		return msg
	}
	cfg.TemplateParser = lenientParser
	if msg, _ = localizer.Localize(cfg); msg != "" {
		return msg
	}
	return id
}

func (c *Catalog) miss(lang, id string, err error) {
	if c.onMiss != nil {
		c.onMiss(lang, id, err)
	}
}

// IDs returns the message ids of the source language, sorted.
func (c *Catalog) IDs() []string { return slices.Clone(c.ids) }

// Reviewed reports whether a native speaker has reviewed lang.
func (c *Catalog) Reviewed(lang string) bool { return c.status[lang].Reviewed() }

// Status returns lang's review metadata from status.toml.
func (c *Catalog) Status(lang string) Review { return c.status[lang] }
