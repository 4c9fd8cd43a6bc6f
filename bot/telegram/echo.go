package telegram

// The echo bot is the floor rightsdesk's benchmarks measure against: the
// smallest bot on the same Telegram library (GetUpdatesChan, then Send for
// each text, and for a button press the answer Telegram requires and an
// edit), so what rightsdesk costs beyond it is its own work. It is here
// because this package is the only one that speaks the library; it shares
// none of the transport's code, so the floor stays the library's own.

import (
	"context"
	"io"
	"log"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// EchoButton is a button of EchoFixed's menu.
type EchoButton struct{ Text, Data string }

// EchoFixed is an answer given to every text but /start, which is echoed so a
// load generator sees it read: what rightsdesk answers a plain text with,
// so that the Bot API does the same work for both bots.
type EchoFixed struct {
	Text string
	HTML bool
	Menu [][]EchoButton
}

// EchoConfig is what RunEchoBot needs. APIURL is the Bot API base URL.
type EchoConfig struct {
	APIURL, Token string
	// Fixed, when set, is the answer to every text but /start.
	Fixed *EchoFixed
	// Presses puts a button under every echo. A press is answered as
	// Telegram requires of every press (answerCallbackQuery) and the
	// message edited to show the press, with a new button: the least a
	// bot whose people mostly press buttons does per update.
	Presses bool
}

// RunEchoBot answers texts, and presses when cfg.Presses, until ctx ends.
func RunEchoBot(ctx context.Context, cfg EchoConfig) error {
	fixed := cfg.Fixed
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(cfg.Token, cfg.APIURL+"/bot%s/%s")
	if err != nil {
		return err
	}
	// The library reports the long poll the end of ctx cuts.
	tgbotapi.SetLogger(log.New(io.Discard, "", 0))
	var menu tgbotapi.InlineKeyboardMarkup
	if fixed != nil {
		for _, row := range fixed.Menu {
			var buttons []tgbotapi.InlineKeyboardButton
			for _, b := range row {
				buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
			menu.InlineKeyboard = append(menu.InlineKeyboard, buttons)
		}
	}
	uc := tgbotapi.NewUpdate(0)
	uc.Timeout = 25
	updates := api.GetUpdatesChan(uc)
	defer api.StopReceivingUpdates()
	for {
		select {
		case <-ctx.Done():
			return nil
		case upd := <-updates:
			if q := upd.CallbackQuery; q != nil && cfg.Presses && q.Message != nil {
				_, _ = api.Request(tgbotapi.NewCallback(q.ID, ""))
				_, _ = api.Send(echoPressed(q))
				continue
			}
			if upd.Message == nil {
				continue
			}
			msg := tgbotapi.NewMessage(upd.Message.Chat.ID, upd.Message.Text)
			if cfg.Presses {
				msg.ReplyMarkup = echoAgain(EchoPressData)
			}
			if fixed != nil && upd.Message.Text != "/start" {
				msg.Text = fixed.Text
				if fixed.HTML {
					msg.ParseMode = tgbotapi.ModeHTML
				}
				if len(menu.InlineKeyboard) > 0 {
					msg.ReplyMarkup = menu
				}
			}
			// A failed send shows as a text never answered.
			_, _ = api.Send(msg)
		}
	}
}

// EchoPressData is the data of the button under a fresh echo; every press
// lengthens it by a dot, so each edit differs from the one before.
const EchoPressData = "e"

// EchoPressed is how an edited echo ends after the press of a button with data.
func EchoPressed(data string) string { return "\n" + data }

// echoPressed is the edit a press makes: the echoed text, the data pressed,
// and a button to press again.
func echoPressed(q *tgbotapi.CallbackQuery) tgbotapi.EditMessageTextConfig {
	text, _, _ := strings.Cut(q.Message.Text, "\n")
	return tgbotapi.NewEditMessageTextAndMarkup(q.Message.Chat.ID, q.Message.MessageID, text+EchoPressed(q.Data),
		echoAgain(q.Data+"."))
}

func echoAgain(data string) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("+", data)))
}
