package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

// A Bot API that stops answering must not hold a request past the client's
// timeout, whether it stalls before the headers or in the middle of the
// body; and the end of the client's lifetime ends a request at once.
func TestClientTimesOutAndStopsWithItsLifetime(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bott/slowHead":
		case "/bott/slowBody":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`{"ok":true,"result":`))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()

	for _, method := range []string{"slowHead", "slowBody"} {
		c := telegram.NewClient(context.Background(), "t", srv.URL, 200*time.Millisecond)
		err := callWithin(t, c, method)
		var e *telegram.Error
		if !errors.As(err, &e) || e.Kind != telegram.KindServer {
			t.Fatalf("%s: err = %v, want a server error", method, err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	c := telegram.NewClient(ctx, "t", srv.URL, time.Minute)
	time.AfterFunc(100*time.Millisecond, cancel)
	if err := callWithin(t, c, "slowHead"); err == nil {
		t.Fatal("a request outlived the client's lifetime")
	}
}

// callWithin makes the call and fails the test when it is still held after
// a few seconds, far past any timeout the test sets.
func callWithin(t *testing.T, c *telegram.Client, method string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.Call(method, nil)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still held after 5s", method)
		return nil
	}
}
