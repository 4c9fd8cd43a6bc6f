package telegram_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

func TestDecode(t *testing.T) {
	d := telegram.Decoder{BotID: 99, BotUsername: "rightsdesk_bot"}
	private := `"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A","language_code":"ru"}`
	group := `"chat":{"id":-100,"type":"supergroup"},"from":{"id":5,"is_bot":false,"first_name":"A"}`
	cases := []struct {
		name      string
		raw       string
		kind      chat.Kind
		command   string
		addressed bool
		check     func(t *testing.T, u chat.Update)
	}{
		{"command", `{"update_id":1,"message":{"message_id":1,"date":1,` + private + `,"text":"/Start@rightsdesk_bot hello","entities":[{"type":"bot_command","offset":0,"length":21}]}}`,
			chat.KindCommand, "start", true, func(t *testing.T, u chat.Update) {
				if u.Args != "hello" || u.LanguageCode != "ru" {
					t.Errorf("args %q lang %q", u.Args, u.LanguageCode)
				}
			}},
		{"command for another bot", `{"update_id":2,"message":{"message_id":1,"date":1,` + group + `,"text":"/start@other_bot","entities":[{"type":"bot_command","offset":0,"length":16}]}}`,
			chat.KindText, "", false, nil},
		{"command for another bot in a private chat", `{"update_id":2,"message":{"message_id":1,"date":1,` + private + `,"text":"/start@other_bot","entities":[{"type":"bot_command","offset":0,"length":16}]}}`,
			chat.KindCommand, "start@other_bot", true, nil},
		{"group chatter", `{"update_id":3,"message":{"message_id":1,"date":1,` + group + `,"text":"hello all"}}`,
			chat.KindText, "", false, nil},
		{"group mention", `{"update_id":4,"message":{"message_id":1,"date":1,` + group + `,"text":"@RightsDesk_bot help"}}`,
			chat.KindText, "", true, nil},
		{"group reply to bot", `{"update_id":5,"message":{"message_id":2,"date":1,` + group + `,"text":"ok","reply_to_message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":99,"is_bot":true,"first_name":"B"}}}}`,
			chat.KindText, "", true, nil},
		{"group upgraded, in the old chat", `{"update_id":7,"message":{"message_id":9,"date":1,"chat":{"id":-7,"type":"group"},"from":{"id":5,"is_bot":false,"first_name":"A"},"migrate_to_chat_id":-1007}}`,
			chat.KindMigrated, "", false, func(t *testing.T, u chat.Update) {
				if u.MigratedTo != -1007 || u.MigratedFrom != 0 {
					t.Errorf("to %d from %d", u.MigratedTo, u.MigratedFrom)
				}
			}},
		{"group upgraded, in the new chat", `{"update_id":8,"message":{"message_id":1,"date":1,"chat":{"id":-1007,"type":"supergroup"},"from":{"id":5,"is_bot":false,"first_name":"A"},"migrate_from_chat_id":-7}}`,
			chat.KindMigrated, "", false, func(t *testing.T, u chat.Update) {
				if u.MigratedFrom != -7 || u.MigratedTo != 0 {
					t.Errorf("to %d from %d", u.MigratedTo, u.MigratedFrom)
				}
			}},
		{"bot made a forum's administrator", `{"update_id":9,"my_chat_member":{"chat":{"id":-1009,"type":"supergroup","is_forum":true},"from":{"id":5,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"status":"member","user":{"id":99,"is_bot":true,"first_name":"B"}},"new_chat_member":{"status":"administrator","user":{"id":99,"is_bot":true,"first_name":"B"},"can_manage_topics":true,"can_pin_messages":false}}}`,
			chat.KindMembership, "", false, func(t *testing.T, u chat.Update) {
				if u.BotStatus != "administrator" || !u.Forum || !u.BotMayOpenTopics || u.BotMayPin {
					t.Errorf("status %q forum %v topics %v pin %v", u.BotStatus, u.Forum, u.BotMayOpenTopics, u.BotMayPin)
				}
			}},
		{"bot demoted in a forum", `{"update_id":10,"my_chat_member":{"chat":{"id":-1009,"type":"supergroup","is_forum":true},"from":{"id":5,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"status":"administrator","user":{"id":99,"is_bot":true,"first_name":"B"},"can_manage_topics":true,"can_pin_messages":true},"new_chat_member":{"status":"member","user":{"id":99,"is_bot":true,"first_name":"B"}}}}`,
			chat.KindMembership, "", false, func(t *testing.T, u chat.Update) {
				if u.BotStatus != "member" || u.BotMayOpenTopics || u.BotMayPin {
					t.Errorf("status %q topics %v pin %v", u.BotStatus, u.BotMayOpenTopics, u.BotMayPin)
				}
			}},
		{"forward", `{"update_id":6,"message":{"message_id":1,"date":1,` + private + `,"text":"x","forward_date":5}}`,
			chat.KindText, "", true, func(t *testing.T, u chat.Update) {
				if !u.Forwarded {
					t.Error("not marked forwarded")
				}
			}},
		{"own contact", `{"update_id":7,"message":{"message_id":1,"date":1,` + private + `,"contact":{"phone_number":"+100","first_name":"A","user_id":5}}}`,
			chat.KindContact, "", true, func(t *testing.T, u chat.Update) {
				if !u.Contact.Own {
					t.Error("own contact not recognised")
				}
			}},
		{"someone else's contact", `{"update_id":8,"message":{"message_id":1,"date":1,` + private + `,"contact":{"phone_number":"+100","first_name":"B","user_id":6}}}`,
			chat.KindContact, "", true, func(t *testing.T, u chat.Update) {
				if u.Contact.Own {
					t.Error("another's contact taken as own")
				}
			}},
		{"photo keeps the largest size", `{"update_id":9,"message":{"message_id":1,"date":1,` + private + `,"caption":"c","photo":[{"file_id":"s","file_unique_id":"us","width":1,"height":1,"file_size":10},{"file_id":"l","file_unique_id":"ul","width":9,"height":9,"file_size":90}]}}`,
			chat.KindPhoto, "", true, func(t *testing.T, u chat.Update) {
				if u.File.ID != "l" || u.Text != "c" {
					t.Errorf("file %+v text %q", u.File, u.Text)
				}
			}},
		{"voice note is a file", `{"update_id":14,"message":{"message_id":1,"date":1,` + private + `,"voice":{"file_id":"v","file_unique_id":"uv","duration":4,"mime_type":"audio/ogg","file_size":9800}}}`,
			chat.KindVoice, "", true, func(t *testing.T, u chat.Update) {
				if u.File == nil || u.File.ID != "v" || u.File.UniqueID != "uv" || u.File.Kind != chat.FileVoice || u.File.MIME != "audio/ogg" || u.File.Size != 9800 {
					t.Errorf("voice file %+v", u.File)
				}
			}},
		{"audio recording is a voice file", `{"update_id":15,"message":{"message_id":1,"date":1,` + private + `,"audio":{"file_id":"a","file_unique_id":"ua","duration":60,"mime_type":"audio/mpeg","file_size":500000}}}`,
			chat.KindVoice, "", true, func(t *testing.T, u chat.Update) {
				if u.File == nil || u.File.ID != "a" || u.File.Kind != chat.FileVoice || u.File.MIME != "audio/mpeg" {
					t.Errorf("audio file %+v", u.File)
				}
			}},
		{"sticker", `{"update_id":10,"message":{"message_id":1,"date":1,` + private + `,"sticker":{"file_id":"x","file_unique_id":"y","width":1,"height":1,"is_animated":false}}}`,
			chat.KindSticker, "", true, nil},
		{"edited", `{"update_id":11,"edited_message":{"message_id":1,"date":1,` + private + `,"text":"x"}}`,
			chat.KindEdited, "", true, nil},
		{"callback", `{"update_id":12,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"v1:lang:ka","message":{"message_id":3,"date":1,"chat":{"id":5,"type":"private"}}}}`,
			chat.KindCallback, "", true, func(t *testing.T, u chat.Update) {
				if u.CallbackData != "v1:lang:ka" || u.MessageID != 3 || u.ChatID != 5 {
					t.Errorf("%+v", u)
				}
			}},
		{"unknown kind", `{"update_id":13,"message_reaction":{"chat":{"id":5,"type":"private"},"user":{"id":5}}}`,
			chat.KindOther, "", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := d.Decode([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			if u.Kind != c.kind || u.Command != c.command || u.Addressed != c.addressed {
				t.Fatalf("kind %s command %q addressed %v; want %s %q %v", u.Kind, u.Command, u.Addressed, c.kind, c.command, c.addressed)
			}
			if c.check != nil {
				c.check(t, u)
			}
		})
	}
	if _, err := d.Decode([]byte(`not json`)); err == nil {
		t.Error("garbage decoded")
	}
}

// The poller's quick read of ids agrees with the full decode on every kind.
func TestUpdateHeadAgreesWithDecode(t *testing.T) {
	d := telegram.Decoder{BotID: 99, BotUsername: "rightsdesk_bot"}
	for _, raw := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"x"}}`,
		`{"update_id":2,"edited_message":{"message_id":1,"date":1,"chat":{"id":-7,"type":"group"},"text":"x"}}`,
		`{"update_id":3,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"d","message":{"message_id":3,"date":1,"chat":{"id":6,"type":"private"}}}}`,
		`{"update_id":4,"callback_query":{"id":"q","from":{"id":8,"is_bot":false,"first_name":"A"},"chat_instance":"c","inline_message_id":"i","data":"d"}}`,
		`{"update_id":5,"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"status":"member","user":{"id":99,"is_bot":true,"first_name":"B"}},"new_chat_member":{"status":"kicked","user":{"id":99,"is_bot":true,"first_name":"B"}}}}`,
		`{"update_id":6,"message_reaction":{"chat":{"id":5,"type":"private"},"user":{"id":5}}}`,
		`{"update_id":7,"business_message":{"from":{"id":11}}}`,
	} {
		id, chatID, stored, err := telegram.UpdateHeadForTest(d, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := d.Decode([]byte(raw))
		if id != u.ID || chatID != u.ChatID {
			t.Errorf("%s: head (%d, %d), decode (%d, %d)", raw[:30], id, chatID, u.ID, u.ChatID)
		}
		if s, err := d.Decode(stored); err != nil || !reflect.DeepEqual(s, u) {
			t.Errorf("%s: what is stored decodes to %+v (%v), the update to %+v", raw[:30], s, err, u)
		}
	}
}

// A press stores none of the message the button sits under but what the
// handler reads: its ids, chat, topic and reply; not the page's text, not
// the keyboard, not what a worker's words echoed in it said.
func TestPressIsStoredWithoutTheMessageUnderIt(t *testing.T) {
	d := telegram.Decoder{BotID: 99, BotUsername: "rightsdesk_bot"}
	for _, raw := range []string{
		`{"update_id":21,"callback_query":{"id":"q1","from":{"id":5,"is_bot":false,"first_name":"Aygul","language_code":"ru"},"chat_instance":"c","data":"v1:guide:t:3",` +
			`"message":{"message_id":812,"date":1764900000,"from":{"id":99,"is_bot":true,"first_name":"rightsdesk"},"chat":{"id":5,"type":"private","first_name":"Aygul"},` +
			`"text":"Your employer took your passport SECRET-STORY","entities":[{"type":"bold","offset":0,"length":4}],` +
			`"reply_markup":{"inline_keyboard":[[{"text":"SECRET-BUTTON","callback_data":"v1:guide:t:1"}]]}}}}`,
		`{"update_id":22,"callback_query":{"id":"q2","from":{"id":7,"is_bot":false,"first_name":"Nino"},"chat_instance":"c","data":"v1:desk:take:1",` +
			`"message":{"message_id":40,"date":1764900000,"chat":{"id":-1001,"type":"supergroup","title":"Union","is_forum":true},` +
			`"message_thread_id":31,"is_topic_message":true,"text":"Case RD-1: SECRET-STORY",` +
			`"reply_to_message":{"message_id":31,"date":1764900000,"chat":{"id":-1001,"type":"supergroup"},"forum_topic_created":{"name":"RD-1","icon_color":1}}}}}`,
		`{"update_id":23,"callback_query":{"id":"q3","from":{"id":7,"is_bot":false,"first_name":"Nino"},"chat_instance":"c","data":"v1:desk:take:2",` +
			`"message":{"message_id":41,"date":1764900000,"chat":{"id":-7,"type":"group","title":"Union"},"text":"Case RD-2: SECRET-STORY",` +
			`"reply_to_message":{"message_id":12,"date":1764900000,"chat":{"id":-7,"type":"group"},"text":"SECRET-STORY"}}}}`,
	} {
		want, err := d.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		_, _, stored, err := telegram.UpdateHeadForTest(d, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored), "SECRET") {
			t.Errorf("update %d: stored with the message under the button: %s", want.ID, stored)
		}
		got, err := d.Decode(stored)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("update %d: stored form decodes to %+v (%v), want %+v", want.ID, got, err, want)
		}
	}
}
