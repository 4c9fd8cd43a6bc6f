package intake

import (
	"testing"
	"time"
)

// BenchmarkIntake runs a whole intake, from /complaint to Submit, per
// iteration; ns/step is the cost of one Step call.
func BenchmarkIntake(b *testing.B) {
	env := testEnv()
	script := []func(last Ask) Input{
		func(Ask) Input { return cmd(CommandStart) },
		pick("no"), pick("yes"), pick(IdentityShared),
		func(Ask) Input { return text("Nino") }, pick("wages"), pick("documents"), pick("done"),
		func(Ask) Input { return text("Baku") }, pick("yes"), pick("az"), pick(SectorConstruct),
		func(Ask) Input { return text("Stroy LLC") }, pick(SinceOneToSix),
		func(Ask) Input { return text("They kept my passport and did not pay me.") },
		func(Ask) Input { return photo("1") }, pick("done"), pick(ContactBot), pick("submit"),
	}
	steps := 0
	b.ReportAllocs()
	for b.Loop() {
		var s State
		var last Ask
		var out []Effect
		for _, next := range script {
			s, out = Step(s, next(last), env, t0.Add(time.Duration(steps)))
			steps++
			for _, e := range out {
				if a, ok := e.(Ask); ok {
					last = a
				}
			}
		}
		if _, ok := out[len(out)-1].(Submit); !ok {
			b.Fatalf("intake did not submit: %s", describe(out))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
}

func pick(value string) func(Ask) Input {
	return func(last Ask) Input {
		for _, row := range last.Buttons {
			for _, btn := range row {
				if valueOf(btn.Payload) == value {
					return press(btn.Payload)
				}
			}
		}
		return text(value)
	}
}
