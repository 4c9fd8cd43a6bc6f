// Package echobot is the floor rightsdesk's benchmarks measure against: the
// smallest bot on the same Telegram library (GetUpdatesChan, then Send for
// each text), so what rightsdesk costs beyond it is its own work. It lives
// beside the transport because it is the only other code that may speak the
// library.
package echobot

import (
	"context"
	"io"
	"log"

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

// Run answers texts until ctx ends: with the text itself, or with fixed
// when it is set. apiURL is the Bot API base URL.
func Run(ctx context.Context, apiURL, token string, fixed *Fixed) error {
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, apiURL+"/bot%s/%s")
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
			if upd.Message == nil {
				continue
			}
			msg := tgbotapi.NewMessage(upd.Message.Chat.ID, upd.Message.Text)
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
