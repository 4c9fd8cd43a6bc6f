package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func TestJobRunsRecordedNewestFirst(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	a, err := db.StartJobRun(ctx, "backup", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishJobRun(ctx, a, t0.Add(3*time.Second), 1, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := db.StartJobRun(ctx, "retention", t0.Add(time.Hour))
	if err := db.FinishJobRun(ctx, b, t0.Add(time.Hour+time.Second), 0, errors.New("disk full")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartJobRun(ctx, "backup", t0.Add(24*time.Hour)); err != nil { // never finishes
		t.Fatal(err)
	}
	runs, err := db.JobRuns(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].Job != "backup" || runs[0].Finished || runs[1].Err != "disk full" ||
		runs[2].Items != 1 || !runs[2].Finished || runs[2].FinishedAt.Sub(runs[2].StartedAt) != 3*time.Second {
		t.Fatalf("runs %+v", runs)
	}
	only, _ := db.JobRuns(ctx, "backup", 10)
	if len(only) != 2 {
		t.Fatalf("backup runs %+v", only)
	}
	if n, err := db.PurgeJobRuns(ctx, t0.Add(2*time.Hour)); err != nil || n != 2 {
		t.Fatalf("purged %d, %v", n, err)
	}
}

// The baseline is when the job last succeeded, or when the database first
// scheduled it: a failed or interrupted run does not move it.
func TestJobBaseline(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	first := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	base, err := db.JobBaseline(ctx, "audit", first)
	if err != nil || !base.Equal(first) {
		t.Fatalf("first baseline %v, %v", base, err)
	}
	later := first.Add(48 * time.Hour)
	if base, _ := db.JobBaseline(ctx, "audit", later); !base.Equal(first) {
		t.Fatalf("baseline moved to %v without a run", base)
	}
	ok, _ := db.StartJobRun(ctx, "audit", first.Add(time.Hour))
	db.FinishJobRun(ctx, ok, first.Add(time.Hour), 3, nil)
	failed, _ := db.StartJobRun(ctx, "audit", first.Add(2*time.Hour))
	db.FinishJobRun(ctx, failed, first.Add(2*time.Hour), 0, errors.New("no"))
	db.StartJobRun(ctx, "audit", first.Add(3*time.Hour)) // died
	if base, _ := db.JobBaseline(ctx, "audit", later); !base.Equal(first.Add(time.Hour)) {
		t.Fatalf("baseline %v, want the last success", base)
	}
}

func TestMarkOnce(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	var got []bool
	for range 2 {
		err := db.Update(ctx, func(tx *store.Tx) error {
			fresh, err := tx.MarkOnce("audit", "2026-W09")
			got = append(got, fresh)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A rolled-back transaction leaves no mark.
	boom := errors.New("boom")
	if err := db.Update(ctx, func(tx *store.Tx) error {
		tx.MarkOnce("audit", "2026-W10")
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	db.Update(ctx, func(tx *store.Tx) error {
		fresh, err := tx.MarkOnce("audit", "2026-W10")
		got = append(got, fresh)
		return err
	})
	if len(got) != 3 || !got[0] || got[1] || !got[2] {
		t.Fatalf("marks %v, want fresh, repeated, fresh", got)
	}
}
