package main

import (
	"net/http"
	"strings"
	"testing"
)

// In webhook mode updates arrive by POST with the secret token, take the
// same way into the inbox, and requests without the secret get 401.
func TestWebhookMode(t *testing.T) {
	h := startHarness(t, harnessOptions{webhook: true})
	u := h.api.NewUser("Aigerim", "kk")
	u.SendText("/start")
	waitText(t, u, h.catalog.T("kk", "start_welcome", nil)[:20])

	for _, secret := range []string{"", "wrong"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+h.listen+"/telegram",
			strings.NewReader(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"/start"}}`))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: got %s, want 401", secret, resp.Status)
		}
	}
}
