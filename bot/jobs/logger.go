package jobs

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"
)

// CronLogger lets cron log through zerolog, its key/value pairs as fields
// and its messages prefixed "cron: ". Cron's routine chatter (wake,
// schedule, run) is debug; a skipped run is worth knowing, so it is info;
// errors (a recovered panic, with its stack) are errors.
func CronLogger(log zerolog.Logger) cron.Logger { return cronLogger{log: log} }

type cronLogger struct{ log zerolog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	e := l.log.Debug()
	if msg == "skip" {
		e = l.log.Info()
		msg = "skipped a run: the previous one is still running"
	}
	withFields(e, keysAndValues).Msg("cron: " + msg)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	withFields(l.log.Error().Err(err), keysAndValues).Msg("cron: " + msg)
}

func withFields(e *zerolog.Event, kv []any) *zerolog.Event {
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		if i+1 == len(kv) {
			// An odd value out is kept rather than dropped.
			e = e.Interface("extra", kv[i])
			break
		}
		switch v := kv[i+1].(type) {
		case time.Time:
			e = e.Time(key, v)
		case time.Duration:
			e = e.Dur(key, v)
		case error:
			e = e.AnErr(key, v)
		default:
			e = e.Interface(key, v)
		}
	}
	return e
}
