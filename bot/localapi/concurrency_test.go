package localapi

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoBot is a minimal bot: it long-polls and answers every text with an
// edited-able message carrying a button, and every press with an answer and
// an edit.
func echoBot(ctx context.Context, bot *botClient) {
	offset := 0
	for ctx.Err() == nil {
		status, env := bot.call("getUpdates", map[string]string{"offset": strconv.Itoa(offset), "timeout": "1"})
		if status != 200 {
			continue
		}
		var ups []tgUpdate
		if err := jsonUnmarshal(env.Result, &ups); err != nil {
			return
		}
		for _, u := range ups {
			offset = u.UpdateID + 1
			switch {
			case u.Message != nil:
				bot.call("sendMessage", map[string]string{
					"chat_id": id(u.Message.Chat.ID), "text": "echo: " + u.Message.Text,
					"reply_markup": inlineKeyboard([]Button{{Text: "Done", CallbackData: "done:" + u.Message.Text}}),
				})
			case u.CallbackQuery != nil:
				cq := u.CallbackQuery
				bot.call("answerCallbackQuery", map[string]string{"callback_query_id": cq.ID, "text": "ok"})
				bot.call("editMessageText", map[string]string{
					"chat_id": id(cq.Message.Chat.ID), "message_id": strconv.Itoa(cq.Message.MessageID),
					"text": "<b>closed</b> " + strings.TrimPrefix(cq.Data, "done:"), "parse_mode": "HTML",
				})
			}
		}
	}
}

func TestConcurrentUsers(t *testing.T) {
	s, bot := startServer(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	botCtx, stopBot := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { echoBot(botCtx, bot); close(done) }()
	defer func() { stopBot(); <-done }()

	const users, messages = 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := s.NewUser(fmt.Sprintf("user%d", i), []string{"az", "ru", "ka", "ro", "kk", "en"}[i%6])
			for j := range messages {
				text := fmt.Sprintf("m%d-%d", i, j)
				u.SendText(text)
				m, err := u.WaitFor(ctx, func(m Message) bool { return m.PlainText == "echo: "+text })
				if err != nil {
					errs <- err
					return
				}
				if j%5 == 0 {
					if err := u.Press(m.ID, "Done"); err != nil {
						errs <- err
						return
					}
					if _, err := u.WaitFor(ctx, func(e Message) bool { return e.ID == m.ID && e.PlainText == "closed "+text }); err != nil {
						errs <- err
						return
					}
				}
			}
			if got := len(u.Messages()); got != messages {
				errs <- fmt.Errorf("user %d has %d bot messages", i, got)
			}
			if got := len(u.CallbackAnswers()); got != messages/5 {
				errs <- fmt.Errorf("user %d has %d answers", i, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, r := range s.Requests() {
		if r.Status != 200 {
			t.Errorf("request failed: %+v", r)
		}
	}
}
