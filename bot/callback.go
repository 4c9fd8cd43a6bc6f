package bot

import "strings"

// Callback data is versioned and short ("v1:lang:ka") and parsed here only.
// Anything that does not parse, or names a feature or version this build
// does not know, is a stale button: it came from an older message.
const callbackVersion = "v1"

// maxCallbackData is Telegram's limit on a button's callback data, in bytes.
const maxCallbackData = 64

// Features that own callback namespaces.
const (
	cbLanguage = "lang"
	cbMenu     = "menu"
	cbDelete   = "del"
	cbIntake   = "i"
	cbGuide    = "g"
	cbRoute    = "r"
	cbCases    = "c"
	cbHelp     = "h"
	cbNews     = "n"
)

type callback struct {
	Feature string
	Payload string
}

func parseCallback(data string) (callback, bool) {
	version, rest, ok := strings.Cut(data, ":")
	if !ok || version != callbackVersion {
		return callback{}, false
	}
	feature, payload, _ := strings.Cut(rest, ":")
	switch feature {
	case cbLanguage, cbMenu, cbDelete, cbIntake, cbGuide, cbRoute, cbCases, cbHelp, cbNews:
		return callback{Feature: feature, Payload: payload}, true
	}
	return callback{}, false
}

func callbackData(feature, payload string) string {
	return callbackVersion + ":" + feature + ":" + payload
}
