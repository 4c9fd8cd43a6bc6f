package telegram_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

var knownKinds = []chat.Kind{chat.KindText, chat.KindCommand, chat.KindCallback, chat.KindLocation, chat.KindContact,
	chat.KindPhoto, chat.KindDocument, chat.KindSticker, chat.KindVoice, chat.KindMedia, chat.KindEdited,
	chat.KindMembership, chat.KindMigrated, chat.KindOther}

// FuzzDecode feeds arbitrary bytes as an update: Decode never panics; what
// it accepts has a known kind, a command in lower case without a slash or
// this bot's name, and survives the JSON the inbox stores; and the poller's
// quick read routes the update to the same chat Decode does, or the
// per-chat order the executor keeps would not be the chat's.
func FuzzDecode(f *testing.F) {
	private := `"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A","language_code":"ru"}`
	group := `"chat":{"id":-100,"type":"supergroup","is_forum":true},"from":{"id":5,"is_bot":false,"first_name":"A"}`
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,` + private + `,"text":"/Start@rightsdesk_bot hello","entities":[{"type":"bot_command","offset":0,"length":21}]}}`,
		`{"update_id":2,"message":{"message_id":1,"date":1,` + group + `,"message_thread_id":7,"is_topic_message":true,"text":"@RightsDesk_bot help"}}`,
		`{"update_id":3,"message":{"message_id":2,"date":1,` + group + `,"text":"ok","reply_to_message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":99,"is_bot":true,"first_name":"B"}}}}`,
		`{"update_id":4,"message":{"message_id":1,"date":1,` + private + `,"contact":{"phone_number":"+100","first_name":"A","user_id":5}}}`,
		`{"update_id":5,"message":{"message_id":1,"date":1,` + private + `,"caption":"c","photo":[{"file_id":"s","file_unique_id":"us","width":1,"height":1,"file_size":10}]}}`,
		`{"update_id":6,"message":{"message_id":1,"date":1,` + private + `,"location":{"latitude":41.7,"longitude":44.8}}}`,
		`{"update_id":7,"edited_message":{"message_id":1,"date":1,` + private + `,"text":"x"}}`,
		`{"update_id":8,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"v1:lang:ka","message":{"message_id":3,"date":1,"chat":{"id":5,"type":"private"}}}}`,
		`{"update_id":9,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","inline_message_id":"i","data":"x"}}`,
		`{"update_id":10,"my_chat_member":{"chat":{"id":-7,"type":"group"},"from":{"id":5,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"user":{"id":99,"is_bot":true,"first_name":"B"},"status":"left"},"new_chat_member":{"user":{"id":99,"is_bot":true,"first_name":"B"},"status":"member"}}}`,
		`{"update_id":11,"message":{"message_id":1,"date":1,"chat":{"id":-7,"type":"group"},"migrate_to_chat_id":-1007}}`,
		`{"update_id":12,"message_reaction":{"chat":{"id":5,"type":"private"},"user":{"id":5}}}`,
		`{"update_id":13,"inline_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}`,
		`{"update_id":14,"message":{"message_id":1,"date":1,` + private + `,"text":"x","forward_origin":{"type":"user","date":1}}}`,
		`{"update_id":15,"channel_post":{"message_id":1,"date":1,"chat":{"id":-1009,"type":"channel"},"text":"x"}}`,
		`{"update_id":16,"message":{"message_id":1,"date":1,` + private + `,"text":"/tl/+sdesk_bot x","entities":[{"type":"bot_command","offset":0,"length":14}]}}`,
		`{"update_id":17,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"v1:g:p:2","message":{"message_id":3,"date":1,"chat":{"id":-100,"type":"supergroup","is_forum":true},"message_thread_id":7,"is_topic_message":true,"text":"a \"}] page","entities":[{"type":"bold","offset":0,"length":1}],"reply_markup":{"inline_keyboard":[[{"text":"x","callback_data":"y"}]]},"reply_to_message":{"message_id":7,"date":1,"chat":{"id":-100,"type":"supergroup"},"text":"t","forum_topic_created":{"name":"n","icon_color":1}}}}}`,
		`{"update_id":18,"Callback_Query":{"ID":"q","From":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"x","Message":{"Message_Id":3,"DATE":1,"Chat":{"id":5,"type":"private"},"text":"t"}}}`,
		`{"update_id":19,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"x","message":{"message_\u0069d":3,"date":1,"chat":{"id":5,"type":"private"}}}}`,
		`{"update_id":20,"message":{"message_id":1,"date":1,` + private + `,"text":"x"},"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"x","message":{"message_id":3,"date":1,"chat":{"id":5,"type":"private"},"text":"t"}}}`,
		`{}`, `null`, `[]`, `{"update_id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	d := telegram.Decoder{BotID: 99, BotUsername: "rightsdesk_bot"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := d.Decode(raw)
		id, chatID, stored, headErr := telegram.UpdateHeadForTest(d, raw)
		if err != nil {
			return
		}
		if head, ok := telegram.PressHeadForTest(raw); ok {
			// The client hands the poller presses cut so (LeanUpdates):
			// the poller must read them as it reads them whole.
			hid, hchat, hstored, herr := telegram.UpdateHeadForTest(d, head)
			if hid != id || hchat != chatID || !bytes.Equal(hstored, stored) || (herr == nil) != (headErr == nil) {
				t.Fatalf("%s cut to %s reads as update %d of chat %d, %s (%v); whole as %d of %d, %s (%v)",
					raw, head, hid, hchat, hstored, herr, id, chatID, stored, headErr)
			}
		}
		if headErr == nil {
			// What the inbox keeps must be the same update to the handler.
			if s, err := d.Decode(stored); err != nil || !reflect.DeepEqual(s, u) {
				t.Fatalf("stored form %s decodes to %+v (%v), the update to %+v", stored, s, err, u)
			}
		}
		if !contains(knownKinds, u.Kind) {
			t.Fatalf("unknown kind %q", u.Kind)
		}
		// A command keeps an "@" only when it names another bot in a
		// private chat, where it is answered as a command the bot does not
		// know, shown as typed.
		cmd, target, named := strings.Cut(u.Command, "@")
		if u.Kind == chat.KindCommand && (cmd == "" || u.Command != strings.ToLower(u.Command) ||
			strings.ContainsAny(u.Command, "/ ") || named && (target == "" ||
			strings.EqualFold(target, d.BotUsername) || u.ChatType != chat.ChatPrivate)) {
			t.Fatalf("command %q in a %s chat", u.Command, u.ChatType)
		}
		if _, err := json.Marshal(u); err != nil {
			t.Fatalf("decoded update does not encode: %v", err)
		}
		if headErr == nil && (id != u.ID || chatID != u.ChatID) {
			t.Fatalf("the poller routes update %d to chat %d, Decode reads update %d of chat %d", id, chatID, u.ID, u.ChatID)
		}
		if u.CallbackData != "" && !utf8.ValidString(u.CallbackData) && u.Kind != chat.KindCallback {
			t.Fatalf("callback data outside a callback")
		}
	})
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// FuzzSplitArray holds the poller's quick split of getUpdates' answer to
// encoding/json's: for every valid JSON array the elements are the same
// bytes; for anything else it may refuse, but never panics and never reads
// an element that is not inside the input.
func FuzzSplitArray(f *testing.F) {
	for _, s := range []string{
		`[]`, ` [ ] `, `[1]`, `[1,2]`, "[\n {\"update_id\":1,\"message\":{\"text\":\"a,]}\\\"[\"}} ,\t{\"update_id\":2}\n]",
		`[{"a":[1,{"b":"]"}]},"x\\\\",null,true,-1.5e3]`, `[1,]`, `[,1]`, `[1]]`, `[{]}]`, `["\"]`, `{"a":1}`, ``, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := telegram.SplitArrayForTest(raw)
		var want []json.RawMessage
		if json.Unmarshal(raw, &want) != nil || want == nil {
			return // not a JSON array: the library never hands one over
		}
		if err != nil {
			t.Fatalf("split refused %q: %v", raw, err)
		}
		if len(got) != len(want) {
			t.Fatalf("split %q into %d elements, encoding/json into %d", raw, len(got), len(want))
		}
		for i := range want {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("element %d of %q: split %q, encoding/json %q", i, raw, got[i], want[i])
			}
		}
	})
}
