package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/rightsdesk/rightsdesk/metrics"
	"github.com/rightsdesk/rightsdesk/store"
)

// readiness is what /readyz answers: ready from the moment updates flow
// (polling started or the webhook registered) until shutdown begins.
type readiness struct{ up atomic.Bool }

func (r *readiness) set(up bool) { r.up.Store(up) }

// opsMux is the listen address's own routes: health, readiness, metrics
// and, behind -pprof, the profiler. The webhook is added once it exists.
func opsMux(db *store.DB, m *metrics.Metrics, ready *readiness, withPprof bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		n, err := db.OutboxLen(r.Context())
		if err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"ok","outbox":%d}`+"\n", n)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		// A load balancer stops sending here while the bot starts, waits
		// for the Bot API or drains on shutdown.
		if !ready.up.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"ready"}`)
	})
	mux.Handle("GET /metrics", m.Handler())
	if withPprof {
		// Off by default: a CPU profile or trace costs the bot time on
		// demand of whoever reaches the address, and the heap and goroutine
		// dumps show its internals.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
