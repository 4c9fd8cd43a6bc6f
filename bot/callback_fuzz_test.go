package bot

import (
	"strings"
	"testing"
)

// FuzzParseCallback: any button data parses or is refused without a panic;
// what parses names a known feature and is exactly the data a button of
// that feature and payload would carry.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"v1:lang:ka", "v1:menu:guide", "v1:del:yes", "v1:i:3:cat:wages", "v1:g:t:wages:2",
		"v1:r:RD-ABCD-EFGH:1:y1", "v1:c:m:RD-ABCD-EFGH", "v1:h:p:tbilisi", "v1:n:y", "v1:d:t:RD-ABCD-EFGH:3", "v1:",
		"v1", "v9:lang:ka", "v1:zz:x", ":", "", "v1:lang", "v1:lang:", "\xff:lang:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cb, ok := parseCallback(data)
		if !ok {
			if cb != (callback{}) {
				t.Fatalf("refused %q but returned %+v", data, cb)
			}
			return
		}
		if !strings.HasPrefix(data, callbackVersion+":") {
			t.Fatalf("accepted %q of another version", data)
		}
		rebuilt := callbackData(cb.Feature, cb.Payload)
		if rebuilt != data && rebuilt != data+":" {
			t.Fatalf("%q parsed as %+v, which a button would carry as %q", data, cb, rebuilt)
		}
	})
}
