// Package echobot is the floor rightsdesk's benchmarks measure against: the
// smallest bot on the same Telegram library (GetUpdatesChan, then Send for
// each text, and for a button press the answer Telegram requires and an
// edit), so what rightsdesk costs beyond it is its own work. It lives
// beside the transport because it is the only other code that may speak the
// library.
package echobot

import (
	"context"
	"io"
	"log"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Button is a button of Fixed's menu.
type Button struct{ Text, Data string }

// Fixed is an answer given to every text but /start, which is echoed so a
// load generator sees it read: what rightsdesk answers a plain text with,
// so that the Bot API does the same work for both bots.
type Fixed struct {
	Text string
	HTML bool
	Menu [][]Button
}

// Config is what Run needs. APIURL is the Bot API base URL.
type Config struct {
	APIURL, Token string
	// Fixed, when set, is the answer to every text but /start.
	Fixed *Fixed
	// Presses puts a button under every echo. A press is answered as
	// Telegram requires of every press (answerCallbackQuery) and the
	// message edited to show the press, with a new button: the least a
	// bot whose people mostly press buttons does per update.
	Presses bool
}

// Run answers texts, and presses when cfg.Presses, until ctx ends.
func Run(ctx context.Context, cfg Config) error {
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
				_, _ = api.Send(pressed(q))
				continue
			}
			if upd.Message == nil {
				continue
			}
			msg := tgbotapi.NewMessage(upd.Message.Chat.ID, upd.Message.Text)
			if cfg.Presses {
				msg.ReplyMarkup = again(PressData)
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

// PressData is the data of the button under a fresh echo; every press
// lengthens it by a dot, so each edit differs from the one before.
const PressData = "e"

// Pressed is how an edited echo ends after the press of a button with data.
func Pressed(data string) string { return "\n" + data }

// pressed is the edit a press makes: the echoed text, the data pressed,
// and a button to press again.
func pressed(q *tgbotapi.CallbackQuery) tgbotapi.EditMessageTextConfig {
	text, _, _ := strings.Cut(q.Message.Text, "\n")
	return tgbotapi.NewEditMessageTextAndMarkup(q.Message.Chat.ID, q.Message.MessageID, text+Pressed(q.Data),
		again(q.Data+"."))
}

func again(data string) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("+", data)))
}
