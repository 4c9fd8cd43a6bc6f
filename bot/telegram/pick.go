package telegram

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// Telegram sends whole messages where the bot reads a few ids: a press
// carries the page its button sits under, and every message sent or
// edited comes back entire, keyboard and all. encoding/json reads every
// byte of those twice (once to check, once to decode) and the library
// reads a whole answer twice more. pick finds the members the bot reads
// by jumping from quote to quote over the rest, so a page of several KB
// is crossed once, without decoding, and what is decoded is a few bytes.

// pick rebuilds the JSON object obj from the members keep returns a value
// for, in their order. ok is false when obj is not an object pick can
// read, or a key is not plain ASCII: encoding/json matches keys without
// regard to case and unescapes them, and pick must not miss a member that
// encoding/json would find. Keys are compared with sameKey for that reason.
// obj must be valid JSON for the result to mean what it meant; the parts
// skipped are not checked.
func pick(obj []byte, keep func(key, value []byte) ([]byte, bool)) (out []byte, ok bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, false
	}
	out = make([]byte, 0, 64)
	out = append(out, '{')
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return append(out, '}'), skipSpace(obj, i+1) == len(obj)
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return nil, false
		}
		keyEnd := stringEnd(obj, i)
		if keyEnd < 0 {
			return nil, false
		}
		key := obj[i+1 : keyEnd]
		for _, c := range key {
			if c == '\\' || c >= 0x80 {
				return nil, false
			}
		}
		i = skipSpace(obj, keyEnd+1)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = skipSpace(obj, i+1)
		end := valueEnd(obj, i)
		if end < 0 {
			return nil, false
		}
		if v, kept := keep(key, obj[i:end]); kept {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, '"')
			out = append(out, key...)
			out = append(out, '"', ':')
			out = append(out, v...)
		}
		i = skipSpace(obj, end)
		if i >= len(obj) {
			return nil, false
		}
		switch obj[i] {
		case ',':
			i = skipSpace(obj, i+1)
		case '}':
			return append(out, '}'), skipSpace(obj, i+1) == len(obj)
		default:
			return nil, false
		}
	}
}

// valueEnd is the index just past the JSON value that starts at i, or -1.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return -1
	}
	switch raw[i] {
	case '"':
		if end := stringEnd(raw, i); end >= 0 {
			return end + 1
		}
		return -1
	case '{', '[':
		depth := 0
		for ; i < len(raw); i++ {
			switch raw[i] {
			case '"':
				if i = stringEnd(raw, i); i < 0 {
					return -1
				}
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	// A number or a literal runs to the next delimiter.
	start := i
	for i < len(raw) && !isSpace(raw[i]) && raw[i] != ',' && raw[i] != '}' && raw[i] != ']' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// sameKey is encoding/json's match of a plain ASCII key to a lower-case
// field name: without regard to case.
func sameKey(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// jsonNames are the members encoding/json fills in a struct of type t.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = t.Field(i).Name
		}
		names = append(names, strings.ToLower(name))
	}
	return names
}

// keepOnly keeps the members named and drops the rest.
func keepOnly(names ...string) func(key, value []byte) ([]byte, bool) {
	return func(key, value []byte) ([]byte, bool) {
		for _, n := range names {
			if sameKey(key, n) {
				return value, true
			}
		}
		return nil, false
	}
}

// What pressHead keeps of the message under a button is what a stored
// press holds of it (callbackMessage), and of what that message replied
// to, callbackReplyTo: the structs are the one list.
var (
	keepOfPressedMessage = keepOnly(jsonNames(reflect.TypeFor[callbackMessage]())...)
	keepOfRepliedTo      = keepOnly(jsonNames(reflect.TypeFor[callbackReplyTo]())...)
	keepOfSentMessage    = keepOnly("message_id", "message_thread_id") // sentMessageID, sentThreadID
)

// pressHead is a button press cut down to what updateHead reads of it:
// of the message under the button its ids, chat, thread and what it
// replied to, without its text, entities and keyboard. ok is false for
// any other update, which is read whole, and for an update that is
// anything besides a press. raw must be valid JSON: what is skipped is
// not checked.
func pressHead(raw []byte) ([]byte, bool) {
	var press, failed bool
	head, ok := pick(raw, func(key, value []byte) ([]byte, bool) {
		if sameKey(key, "update_id") {
			return value, true
		}
		if !sameKey(key, "callback_query") || len(value) == 0 || value[0] != '{' {
			failed = true
			return value, true
		}
		press = true
		q, ok := pick(value, func(key, value []byte) ([]byte, bool) {
			if !sameKey(key, "message") || len(value) == 0 || value[0] != '{' {
				return value, true
			}
			m, ok := pick(value, func(key, value []byte) ([]byte, bool) {
				if sameKey(key, "reply_to_message") && len(value) > 0 && value[0] == '{' {
					r, ok := pick(value, keepOfRepliedTo)
					failed = failed || !ok
					return r, true
				}
				return keepOfPressedMessage(key, value)
			})
			failed = failed || !ok
			return m, true
		})
		failed = failed || !ok
		return q, true
	})
	return head, ok && press && !failed
}

// leanResults cut the answers to the requests named: a message sent or
// edited is read only for its ids (sentMessageID, sentThreadID), and the
// poller reads of a press only its head (updateHead).
var leanResults = map[string]func(result []byte) ([]byte, bool){
	"sendMessage": messageIDs, "editMessageText": messageIDs, "editMessageReplyMarkup": messageIDs,
	"sendPhoto": messageIDs, "sendDocument": messageIDs, "sendVoice": messageIDs, "sendLocation": messageIDs,
	"getUpdates": pressHeads,
}

func messageIDs(result []byte) ([]byte, bool) {
	if len(result) == 0 || result[0] != '{' {
		return result, true
	}
	return pick(result, keepOfSentMessage)
}

func pressHeads(result []byte) ([]byte, bool) {
	items, err := splitArray(result)
	if err != nil {
		return nil, false
	}
	out := make([]byte, 0, len(result)/2)
	out = append(out, '[')
	for i, item := range items {
		if i > 0 {
			out = append(out, ',')
		}
		if head, ok := pressHead(item); ok {
			item = head
		}
		out = append(out, item...)
	}
	return append(out, ']'), true
}

// leanAnswer is a successful answer with its result cut. ok is false for
// anything else, which is passed on whole.
func leanAnswer(body []byte, cut func(result []byte) ([]byte, bool)) ([]byte, bool) {
	var success, failed bool
	out, ok := pick(body, func(key, value []byte) ([]byte, bool) {
		switch {
		case sameKey(key, "ok"):
			success = string(value) == "true"
		case sameKey(key, "result"):
			v, ok := cut(value)
			failed = failed || !ok
			return v, true
		}
		return value, true
	})
	return out, ok && success && !failed
}

// leanTransport hands the library leanAnswers in place of whole messages.
type leanTransport struct{ base http.RoundTripper }

func (t leanTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	cut := leanResults[method]
	if err != nil || resp.StatusCode != http.StatusOK || cut == nil || resp.ContentLength > maxLeanAnswer {
		return resp, err
	}
	var body []byte
	if resp.ContentLength >= 0 {
		body = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, body)
	} else {
		// A gzipped answer has no known length until it is read.
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxLeanAnswer+1))
	}
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if len(body) > maxLeanAnswer {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	if lean, ok := leanAnswer(body, cut); ok {
		body = lean
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// maxLeanAnswer bounds what is read ahead of the library: a message with
// its entities and keyboard is well under it, and so are a hundred updates
// but the rarest.
const maxLeanAnswer = 1 << 20
