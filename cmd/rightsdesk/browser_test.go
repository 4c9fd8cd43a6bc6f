package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// chromium is Debian's Chromium, which .ci/run installs.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserPage drives the demo's page in headless Chromium and reads its DOM.
type browserPage struct {
	t       *testing.T
	ctx     context.Context
	catalog *locales.Catalog
}

// pageJS is the test's view of the page: the panes' rows, the bot's
// messages in them, and marking the element the next real click goes to.
const pageJS = `
const rows = (pane) => [...document.querySelectorAll('#' + pane + ' .messages .row')];
const botRows = (pane) => rows(pane).filter((r) => r.dataset.from === 'bot' && !r.classList.contains('deleted'));
const textOf = (r) => { const t = r.querySelector('.bubble .text'); return t ? t.textContent : ''; };
const recent = (pane, s, n) => botRows(pane).slice(-n).some((r) => textOf(r).includes(s));
const mark = (e) => {
  document.querySelectorAll('[data-test]').forEach((x) => x.removeAttribute('data-test'));
  if (!e) return false;
  e.setAttribute('data-test', '1');
  return true;
};
// names reports whether a button's text names label: the label itself, or
// as a phone's keyboard shows a long one, numbered and cut at a word ("2. A
// long la…").
const names = (text, label) => {
  if (text === label) return true;
  const tick = label.startsWith('✓ ');
  if (tick !== text.startsWith('✓ ')) return false;
  if (tick) { text = text.slice(2); label = label.slice(2); }
  const m = text.match(/^\d+\. (.*)$/);
  if (!m) return false;
  const rest = m[1];
  return rest === label || (rest.endsWith('…') && label.startsWith(rest.slice(0, -1)));
};
const button = (pane, label, where) => {
  for (const r of botRows(pane).reverse()) {
    if (where && !textOf(r).includes(where)) continue;
    const b = [...r.querySelectorAll('.inline-kb button')].find((b) => names(b.textContent.trim(), label));
    if (b) return b;
  }
  return null;
};
const shown = (sel) => { const e = document.querySelector(sel); return !!e && e.offsetParent !== null; };
`

// js is an expression over the page: each argument goes in as a JSON
// value, a rawJS one as code.
func js(format string, args ...any) string {
	for i, a := range args {
		if r, ok := a.(rawJS); ok {
			args[i] = string(r)
			continue
		}
		b, _ := json.Marshal(a)
		args[i] = string(b)
	}
	return "(() => {" + pageJS + "return " + fmt.Sprintf(format, args...) + ";})()"
}

func (p *browserPage) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\n%s", what, err, p.dump())
	}
}

// until waits for a JavaScript condition on the page.
func (p *browserPage) until(what, cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(30*time.Millisecond))); err != nil {
		p.t.Fatalf("waiting for %s: %v\n%s", what, err, p.dump())
	}
}

// untilReloaded is until across the page reloading itself.
func (p *browserPage) untilReloaded(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(30*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: %v\n%s", what, err, p.dump())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval reads a value off the page.
func eval[T any](p *browserPage, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v\n%s", expr, err, p.dump())
	}
	return v
}

// click marks the element find returns and clicks it with the mouse; a
// re-render between the two means looking again.
func (p *browserPage) click(what, find string) {
	p.t.Helper()
	for try := 0; ; try++ {
		p.until(what, js("mark(%s)", rawJS(find)))
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-test="1"]`), chromedp.NodeVisible))
		cancel()
		if err == nil {
			return
		}
		if try == 3 {
			p.t.Fatalf("clicking %s: %v\n%s", what, err, p.dump())
		}
	}
}

// rawJS is JavaScript passed through js() as code, not as a string.
type rawJS string

// press presses the inline button labelled label on the newest message of
// the bot in pane that has it.
func (p *browserPage) press(pane, label string) {
	p.t.Helper()
	p.click(fmt.Sprintf("the button %q in %s", label, pane), js("button(%s, %s)", pane, label))
}

// wait waits for one of the bot's newest messages in pane to show want.
func (p *browserPage) wait(pane, want string) {
	p.t.Helper()
	p.until(fmt.Sprintf("%q in %s", want, pane), js("recent(%s, %s, 4)", pane, want))
}

// awaitID waits for message id in the worker's language.
func (p *browserPage) awaitID(lang, id string) {
	p.t.Helper()
	p.wait("workerPane", shownPart(p.catalog, lang, id))
}

// typeIn types text into pane's message field and presses Enter.
func (p *browserPage) typeIn(pane, text string) {
	p.t.Helper()
	sel := "#" + pane + " textarea"
	p.run("typing in "+pane, chromedp.Focus(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text), enter)
	p.until("the field emptied", js("document.querySelector(%s).value === ''", sel))
}

// enter presses Enter as a keyboard does: keydown and keyup, no character
// (chromedp's "\r" adds a char event a real key does not send after a
// keydown the page cancelled).
var enter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		})
		if err != nil {
			return err
		}
	}
	return nil
})

func (p *browserPage) dump() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	out, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.pane')].map((p) => p.id + ':\n' +
		[...p.querySelectorAll('.messages .row')].slice(-6).map((r) => '  [' + (r.dataset.from || 'service') + '] ' + r.textContent.slice(0, 200)).join('\n')).join('\n')`))
	return out
}

// The whole sandbox in a real browser: a Georgian worker reads the guide
// and files a complaint on the left, the case arrives as a card on the
// right, the caseworker takes it and replies to the card, and the reply
// and the worker's answer cross over. Then the preview, a phone-sized
// screen and Reset. Every step goes through the page.
func TestSandboxInBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium: CI must run the browser test (.ci/run installs it with apt-get install chromium)")
		}
		t.Skip("no Chromium on this machine (apt-get install chromium); CI runs this test")
	}
	t.Setenv("TMPDIR", t.TempDir())
	catalog := testCatalog(t)
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	d := startDemo(t)
	start := time.Now()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860),
		// Without these Chromium reaches for the network, which is closed here.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	p := &browserPage{t: t, ctx: ctx, catalog: catalog}

	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	p.run("opening the page", chromedp.EmulateViewport(1280, 860), chromedp.Navigate(d.base+"/"))

	// The organisation's group is there and linked; no worker yet.
	p.wait("groupPane", linkedText(t))
	p.until("the new-worker form", js("shown('#newWorker')"))

	// A worker whose Telegram speaks Georgian.
	const lang = "ka"
	tr := func(id string) string { return catalog.T(lang, id, nil) }
	p.run("a new worker", chromedp.SendKeys(chromedp.ID("workerName"), "Nino"),
		chromedp.SetValue(chromedp.ID("workerNewLang"), lang))
	p.click("Open the chat", `document.querySelector('#workerCreate')`)
	p.click("START", `document.querySelector('#workerPane [data-part=start]')`)
	p.awaitID(lang, "start_welcome")
	p.press("workerPane", tr("language_name"))
	p.awaitID(lang, "menu_title")

	// The guide: the profile questions skipped, the first topic read.
	p.press("workerPane", tr("menu_short_guide"))
	p.awaitID(lang, "profile_work_question")
	p.press("workerPane", tr("btn_skip"))
	p.awaitID(lang, "profile_citizenship_question")
	p.press("workerPane", tr("btn_skip"))
	p.awaitID(lang, "guide_list_title")
	topic := lib.Guide.Topics(lang)[0]
	p.press("workerPane", topic.Title)
	p.until("the topic's title in bold", js(`botRows('workerPane').some((r) => [...r.querySelectorAll('.text strong')].some((s) => s.textContent === %s))`, topic.Title))
	p.press("workerPane", tr("btn_menu"))
	p.awaitID(lang, "menu_title")

	// The complaint, as a worker answers it.
	p.press("workerPane", tr("menu_short_complaint"))
	p.awaitID(lang, "intake_q_danger")
	p.press("workerPane", tr("intake_btn_safe"))
	p.awaitID(lang, "intake_q_consent")
	p.press("workerPane", tr("intake_btn_agree"))
	p.awaitID(lang, "intake_q_identity")
	p.press("workerPane", tr("intake_btn_identity_anonymous"))
	p.awaitID(lang, "intake_q_categories")
	p.press("workerPane", tr("intake_cat_wages"))
	p.until("the category ticked", js("!!button('workerPane', %s)", "✓ "+tr("intake_cat_wages")))
	p.press("workerPane", tr("btn_done"))
	p.awaitID(lang, "intake_q_place")
	// Where: shared as a location, Tbilisi picked from the list.
	p.click("the share-location key", js(`[...document.querySelectorAll('#workerPane .reply-keyboard button')].find((b) => b.textContent.includes(%s))`, tr("btn_share_location")))
	p.until("the location dialog", js("shown('#locationCity')"))
	eval[bool](p, `(() => { const s = document.querySelector('#locationCity'); s.value = 'Tbilisi'; s.dispatchEvent(new Event('change')); return true })()`)
	p.click("OK", `document.querySelector('#dialogOk')`)
	p.awaitID(lang, "intake_q_citizenship")
	p.press("workerPane", tr("intake_country_az"))
	p.awaitID(lang, "intake_q_sector")
	p.press("workerPane", tr("intake_sector_construction"))
	p.awaitID(lang, "intake_q_employer")
	p.typeIn("workerPane", "შპს მშენებელი")
	p.awaitID(lang, "intake_q_since")
	p.press("workerPane", tr("intake_since_lt1m"))
	p.awaitID(lang, "intake_q_story")
	story := "სამი თვეა ხელფასს არ მიხდიან."
	p.typeIn("workerPane", story)
	p.awaitID(lang, "intake_description_more")
	p.press("workerPane", tr("btn_done"))
	p.awaitID(lang, "intake_q_contact")
	p.press("workerPane", tr("intake_contact_bot"))
	p.awaitID(lang, "intake_q_review")
	p.press("workerPane", tr("intake_btn_submit"))
	p.awaitID(lang, "intake_submitted")
	submitted := eval[string](p, js("botRows('workerPane').map(textOf).filter((t) => t.includes(%s)).pop()", shownPart(catalog, lang, "intake_submitted")))
	i := strings.Index(submitted, "RD-")
	if i < 0 || len(submitted) < i+12 || !store.ValidCaseID(submitted[i:i+12]) {
		t.Fatalf("no case number in %q", submitted)
	}
	caseID := submitted[i : i+12]

	// The sandbox union is offered; the worker sends the case there.
	name := serviceNameIn(t, lib, sandboxService, lang)
	p.awaitID(lang, "route_choose_receiving")
	p.click("📨 "+name, js(`[...document.querySelectorAll('#workerPane .inline-kb button')].reverse().find((b) => b.textContent.startsWith('📨') && b.textContent.includes(%s))`, string([]rune(name)[:min(len([]rune(name)), 20)])))
	p.awaitID(lang, "route_send_confirm")
	p.press("workerPane", tr("route_btn_send"))
	p.wait("workerPane", shownText(catalog.T(lang, "desk_worker_arrived", map[string]any{"CaseID": caseID, "Name": name})))

	// On the right: the card. Ana takes it; the card says so.
	p.until("the card in the group", js(`botRows('groupPane').some((r) => textOf(r).startsWith('📋') && textOf(r).includes(%s) && textOf(r).includes(%s))`, caseID, story))
	// The card names the city as its readers write it, not as the worker did.
	cardText := eval[string](p, js(`botRows('groupPane').map(textOf).filter((t) => t.startsWith('📋') && t.includes(%s)).pop()`, caseID))
	if !strings.Contains(cardText, "Tbilisi") || strings.Contains(cardText, "თბილისი") {
		t.Errorf("the English card does not name the city in English:\n%s", cardText)
	}
	take := catalog.T("en", "desk_btn_take", nil)
	taken := js(`botRows('groupPane').some((r) => textOf(r).startsWith('📋') && textOf(r).includes(%s) && textOf(r).includes(%s))`, caseID, sandboxCaseworker)
	for try := 0; ; try++ {
		// The bot learns the card's id a moment after it shows; a press
		// before that is refused as stale, and a person presses again.
		p.click("Take", js("button('groupPane', %s, %s)", take, caseID))
		ok := false
		deadline := time.Now().Add(3 * time.Second)
		for !ok && time.Now().Before(deadline) {
			ok = eval[bool](p, taken)
			time.Sleep(30 * time.Millisecond)
		}
		if ok {
			break
		}
		if try == 2 {
			t.Fatalf("the card never said Ana took it\n%s", p.dump())
		}
	}

	// Ana replies to the card; the worker reads it under the case number.
	p.click("↩ on the card", js(`botRows('groupPane').reverse().find((r) => textOf(r).startsWith('📋') && textOf(r).includes(%s)).querySelector('.reply-btn')`, caseID))
	p.until("the reply banner", js("shown('#groupPane [data-part=banner]')"))
	reply := "Hello Nino, we have your case. How much are you owed?"
	p.typeIn("groupPane", reply)
	p.until("the reply quoting the card", js(`rows('groupPane').some((r) => r.dataset.from === 'me' && textOf(r) === %s && r.querySelector('.reply-quote'))`, reply))
	p.wait("workerPane", reply)
	p.press("workerPane", tr("desk_worker_btn_answer"))
	p.awaitID(lang, "cases_ask_message")
	answer := "4 500 ლარი."
	p.typeIn("workerPane", answer)
	p.wait("groupPane", answer)
	t.Logf("from the page's opening to the answer in the group: %v", time.Since(start).Round(time.Millisecond))

	// Ana corrects her message; the correction follows it to the worker.
	p.click("✎ on Ana's reply", js(`rows('groupPane').find((r) => r.dataset.from === 'me' && textOf(r) === %s).querySelector('[data-key=edit]')`, reply))
	p.until("the edit banner", js("shown('#groupPane [data-part=banner]')"))
	eval[bool](p, `(document.querySelector('#groupPane textarea').value = '') === ''`)
	corrected := "Hello Nino, we have your case. How much are you owed, and since when?"
	p.typeIn("groupPane", corrected)
	p.until("the reply edited in the group", js(`rows('groupPane').some((r) => r.dataset.from === 'me' && textOf(r) === %s)`, corrected))
	p.wait("workerPane", shownText(catalog.T(lang, "desk_worker_message_edited", map[string]any{"CaseID": caseID, "Name": name})))
	p.wait("workerPane", corrected)

	// /cases lists the case; its number, a member's link to the card in
	// Telegram, opens the card in the pane.
	p.typeIn("groupPane", "/cases")
	p.until("the list of cases", js(`botRows('groupPane').some((r) => r.querySelector('a.message-link') && textOf(r).includes(%s))`, caseID))
	p.click("the case's number", js(`botRows('groupPane').filter((r) => r.querySelector('a.message-link')).pop().querySelector('a.message-link')`))
	p.until("the card shown", js(`botRows('groupPane').some((r) => r.classList.contains('flash') && textOf(r).startsWith('📋') && textOf(r).includes(%s))`, caseID))

	// Every control on the chats is a button the keyboard reaches.
	if n := eval[int](p, `[...document.querySelectorAll('.inline-kb button, .reply-btn, .reply-keyboard button, .composer button, .worker-tabs button')].filter((b) => b.tagName !== 'BUTTON' || b.tabIndex < 0).length`); n != 0 {
		t.Errorf("%d controls cannot be reached with Tab", n)
	}

	// A button's answer shows over its own pane, not across both.
	for _, pane := range []string{"workerPane", "groupPane"} {
		inside := eval[bool](p, `(() => {
			toast("answer", $("`+pane+`"));
			const t = $("toast").getBoundingClientRect(), r = $("`+pane+`").getBoundingClientRect();
			return t.left >= r.left && t.right <= r.right && t.top >= r.top && t.bottom <= r.bottom;
		})()`)
		if !inside {
			t.Errorf("a toast about the %s is drawn outside it", pane)
		}
	}

	// The screenshots, without a focus ring or a passing toast. They
	// replace the README's only when asked (RIGHTSDESK_SCREENSHOTS=1): case
	// numbers and times differ every run, and a test run should not leave
	// the tree changed.
	eval[bool](p, `document.activeElement.blur() || ($("toast").hidden = true)`)
	dir := t.TempDir()
	if os.Getenv("RIGHTSDESK_SCREENSHOTS") != "" {
		dir = filepath.Join("..", "..", "docs", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, pane := range []string{"worker", "group"} {
		png, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.ID(pane+"Pane")))
		if err != nil {
			t.Fatalf("screenshot of the %s pane: %v", pane, err)
		}
		if len(png) == 0 || len(png) > 300<<10 {
			t.Errorf("the %s screenshot is %d bytes", pane, len(png))
		}
		if err := os.WriteFile(filepath.Join(dir, "sandbox-"+pane+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The editors' preview shows the topic as the bot sent it above.
	p.click("the preview", `document.querySelector('#viewPreview')`)
	p.until("the preview's languages", js("shown('#previewLang') && document.querySelectorAll('#previewLang option').length === 6"))
	eval[bool](p, js(`(() => { const s = document.querySelector('#previewLang'); s.value = %s; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`, lang))
	p.until("the preview of the first topic", js(`shown('#previewMessages') && [...document.querySelectorAll('#previewMessages .text strong')].some((s) => s.textContent === %s) && document.querySelector('#previewFile').textContent.includes(%s)`, topic.Title, filepath.Join("guide", lang, topic.ID+".md")))
	p.until("the findings", js(`document.querySelector('#previewFindings li') !== null`))

	// A phone: one pane at a time, and the switch.
	p.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	p.click("the worker view", `document.querySelector('#viewWorker')`)
	p.until("only the worker's pane", js("shown('#workerPane') && !shown('#groupPane') && !shown('#previewPane')"))
	p.click("the group view", `document.querySelector('#viewGroup')`)
	p.until("only the group's pane", js("shown('#groupPane') && !shown('#workerPane')"))
	p.run("a wide screen again", chromedp.EmulateViewport(1280, 860))

	// Reset: a new sandbox, the organisation linked again, no worker.
	p.click("Reset", `document.querySelector('#resetBtn')`)
	p.click("OK", `document.querySelector('#dialogOk')`)
	p.untilReloaded("a fresh sandbox", js(`shown('#newWorker') && !botRows('groupPane').some((r) => textOf(r).includes(%s)) && recent('groupPane', %s, 4)`, caseID, linkedText(t)))

	// Nothing but the demo's own address was ever asked for.
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requested {
		if !strings.HasPrefix(u, d.base+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page asked for %s", u)
		}
	}
	if len(requested) < 10 {
		t.Errorf("only %d requests recorded: is the network listener working?", len(requested))
	}
}

func serviceNameIn(t *testing.T, lib *bot.Library, id, lang string) string {
	t.Helper()
	s, ok := lib.Directory.ByID(id)
	if !ok {
		// The sandbox union is added to the directory by the demo only.
		sb, err := loadContent("", true)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok = sb.Directory.ByID(id); !ok {
			t.Fatalf("no service %s", id)
		}
	}
	return s.Names.In(lang)
}
