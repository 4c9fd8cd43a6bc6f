package bot

import (
	"context"
	"slices"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// maxTyped is Telegram's own message limit; text at it is accepted and
// answered like any other.
const maxTyped = 4096

// Features that can be waiting for typed input (State.Pending).
const (
	pendingGuide  = "guide"
	pendingIntake = "intake"
	pendingHelp   = "help"
	pendingCases  = "cases"
)

// private handles a one-to-one chat with a worker.
func (b *Bot) private(t *turn) {
	u := t.upd
	switch u.Kind {
	case chat.KindCommand:
		b.command(t)
		return
	case chat.KindCallback:
		b.button(t)
		return
	case chat.KindMembership:
		// The user blocked or unblocked the bot: nothing to say.
		return
	case chat.KindEdited:
		if !b.workerCorrection(t) {
			t.send(t.t("edited_ignored", nil), nil)
		}
		return
	}
	if u.Forwarded && u.Kind == chat.KindText {
		t.send(t.t("forward_note", nil), b.menuKeyboard(t))
		return
	}
	if u.ReplyTo > 0 && b.replyToCase(t) {
		return
	}
	// Input for whatever the bot is asking.
	var taken bool
	switch t.state.Pending {
	case pendingIntake:
		taken = b.intakeInput(t)
	case pendingGuide:
		taken = b.guideInput(t)
	case pendingHelp:
		taken = b.helpInput(t)
	case pendingCases:
		taken = b.casesInput(t)
	}
	if !taken {
		b.unexpected(t)
	}
}

// unexpected answers input nobody asked for, with the way forward.
func (b *Bot) unexpected(t *turn) {
	id := "unsupported_other"
	switch t.upd.Kind {
	case chat.KindText:
		id = "text_no_question"
	case chat.KindSticker:
		id = "unsupported_sticker"
	case chat.KindVoice:
		// Voice notes are taken as a complaint's story or evidence.
		id = "voice_outside_complaint"
	case chat.KindPhoto, chat.KindDocument, chat.KindMedia:
		id = "unsupported_media"
	}
	t.send(t.t(id, nil), b.menuKeyboard(t))
}

func (b *Bot) command(t *turn) {
	if t.upd.Command != "guide" {
		b.leaveGuide(t)
	}
	switch t.upd.Command {
	case "start":
		if t.chat.Language == "" {
			b.offerLanguages(t, "start_welcome")
			return
		}
		b.showMenu(t)
	case "language":
		b.offerLanguages(t, "language_prompt")
	case "menu":
		b.showMenu(t)
	case "help":
		b.helpCommand(t)
	case "delete":
		t.send(t.t("delete_confirm", nil), yesNoKeyboard(t, callbackData(cbDelete, "yes"), callbackData(cbDelete, "no")))
	case "guide":
		b.guideCommand(t)
	case "complaint":
		b.intakeStart(t)
	case "mycases":
		b.casesList(t)
	case "cancel":
		b.intakeCancel(t)
	case "back":
		b.intakeBack(t)
	case "link":
		t.send(t.t("desk_link_private", nil), b.menuKeyboard(t))
	default:
		t.send(t.t("unknown_command", map[string]any{"Command": escape("/" + truncate(t.upd.Command, echoLimit))}), b.menuKeyboard(t))
	}
}

func (b *Bot) button(t *turn) {
	cb, ok := parseCallback(t.upd.CallbackData)
	if !ok {
		b.stale(t)
		return
	}
	if cb.Feature != cbGuide {
		b.leaveGuide(t)
	}
	switch cb.Feature {
	case cbLanguage:
		if !slices.Contains(locales.Languages, cb.Payload) {
			b.stale(t)
			return
		}
		t.lang = cb.Payload
		t.chat.Language = cb.Payload
		set := t.t("language_set", map[string]any{"Language": t.t("language_name", nil)})
		t.answerCallback(set)
		t.send(set, nil)
		b.showMenu(t)
	case cbMenu:
		switch cb.Payload {
		case "help":
			b.helpCommand(t)
		case "language":
			b.offerLanguages(t, "language_prompt")
		case "guide":
			b.guideCommand(t)
		case "complaint":
			b.intakeStart(t)
		case "cases":
			b.casesList(t)
		default:
			b.stale(t)
		}
	case cbGuide:
		b.guideButton(t, cb.Payload)
	case cbIntake:
		b.intakeButton(t, cb.Payload)
	case cbCases:
		b.casesButton(t, cb.Payload)
	case cbRoute:
		b.routeButton(t, cb.Payload)
	case cbHelp:
		b.helpButton(t, cb.Payload)
	case cbNews:
		b.newsButton(t, cb.Payload)
	case cbDelete:
		switch cb.Payload {
		case "yes":
			out, err := b.desk.Erased(b.deskTurn(t), t.upd.ChatID)
			if err != nil {
				t.failed = err
				return
			}
			t.addDesk(out)
			t.erase = true
			t.send(t.t("delete_done", nil), nil)
		case "no":
			t.send(t.t("delete_cancelled", nil), b.menuKeyboard(t))
		default:
			b.stale(t)
		}
	default:
		b.stale(t)
	}
}

// stale answers a button that no longer means anything: from a message sent
// before a restart, an update, or a finished question.
func (b *Bot) stale(t *turn) {
	stale := t.t("stale_button", nil)
	t.answerCallback(stale)
	t.send(stale, b.menuKeyboard(t))
}

func (b *Bot) offerLanguages(t *turn, messageID string) {
	buttons := make([]chat.Button, 0, len(locales.Languages))
	for _, lang := range locales.Languages {
		buttons = append(buttons, chat.Button{Text: b.cfg.Catalog.T(lang, "language_name", nil), Data: callbackData(cbLanguage, lang)})
	}
	t.send(t.t(messageID, nil), &chat.Keyboard{Inline: grid(buttons, 2)})
}

// grid lays buttons out perRow to a row, the last row taking the rest; a
// label too wide to share a row on a phone gets its own (flow).
func grid(buttons []chat.Button, perRow int) [][]chat.Button { return chat.Flow(buttons, perRow) }

// yesNoKeyboard is the one confirmation every destructive step asks.
func yesNoKeyboard(t *turn, yes, no string) *chat.Keyboard {
	return &chat.Keyboard{Inline: [][]chat.Button{{
		{Text: t.t("btn_yes", nil), Data: yes},
		{Text: t.t("btn_no", nil), Data: no},
	}}}
}

func (b *Bot) showMenu(t *turn) {
	b.leaveGuide(t)
	t.send(t.t("menu_title", nil), b.menuKeyboard(t))
}

func (b *Bot) menuKeyboard(t *turn) *chat.Keyboard {
	btn := func(id, payload string) chat.Button {
		return chat.Button{Text: t.t(id, nil), Data: callbackData(cbMenu, payload)}
	}
	// Short labels, two to a row, fit a phone 360 px wide in every
	// language (chat.Fits); the menu text says what each does.
	return &chat.Keyboard{Inline: [][]chat.Button{
		{btn("menu_short_guide", "guide"), btn("menu_short_complaint", "complaint")},
		{btn("menu_short_cases", "cases"), btn("menu_short_help", "help")},
		{btn("menu_language", "language")},
	}}
}

// group keeps quiet unless addressed: a group is not a place for a
// worker's case, and other members did not ask to hear from the bot.
func (b *Bot) group(t *turn) {
	if b.deskGroup(t) {
		return
	}
	if !t.upd.Addressed {
		return
	}
	switch t.upd.Kind {
	case chat.KindCommand, chat.KindText, chat.KindCallback:
		if t.upd.Kind == chat.KindCallback {
			// The bot puts no buttons in groups, so this one is forged or
			// from an old build: stop the spinner and say nothing. The
			// greeting would not fit, a toast is cut at 200 characters and
			// Telegram refuses a longer one, leaving the press unanswered.
			t.answerCallback("")
			return
		}
		t.send(t.t("group_hello", nil), nil)
	}
}

// echoLimit is how many runes of the worker's input a reply quotes back.
const echoLimit = 64

// truncate keeps at most n runes, so an echo of user input stays short.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// RegisterCommands queues the command list for every language with
// Telegram, through the outbox so a failed start does not lose it.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	names := []string{"start", "guide", "complaint", "mycases", "help", "language", "delete", "cancel"}
	err := b.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		// The default list (no language) is English.
		for _, lang := range append([]string{""}, locales.Languages...) {
			l := lang
			if l == "" {
				l = locales.Default
			}
			cmds := make([]chat.Command, 0, len(names))
			for _, n := range names {
				cmds = append(cmds, chat.Command{Command: n, Description: b.cfg.Catalog.T(l, "cmd_"+n+"_desc", nil)})
			}
			payload, err := chat.Reply{Action: chat.ActionSetCommands, Commands: cmds, LanguageCode: lang}.Encode()
			if err != nil {
				return err
			}
			if err := tx.Enqueue(commandsChat, int(chat.Bulk), payload); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		b.cfg.Notify(commandsChat)
	}
	return err
}

// commandsChat is the outbox queue for requests that belong to no chat.
const commandsChat = 0

// replyToCase takes a reply to a message about a case (a desk's message
// relayed to the worker) as an addition to that case, as if the worker had
// pressed its Answer button.
func (b *Bot) replyToCase(t *turn) bool {
	n, err := b.cfg.Store.NameOf(t.ctx, t.upd.ChatID, t.upd.ReplyTo)
	if err != nil {
		return false
	}
	id := store.CaseOfName(n.Name)
	if id == "" {
		return false
	}
	awaiting := awaitMessage
	if t.upd.File != nil {
		awaiting = awaitEvidence
	}
	if t.state.Pending != "" && t.state.Pending != pendingCases {
		return false // the worker is answering another question
	}
	t.state.Cases = CasesState{Awaiting: awaiting, Case: id}
	t.state.Pending = pendingCases
	return b.casesInput(t)
}
