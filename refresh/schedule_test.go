package refresh

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestDueByWallClockInTheProgramTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name string
		now  string
		done bool
		run  bool
		next string
	}{
		{"before the window", "2026-11-27 05:59", false, false, "2026-11-27 06:00"},
		{"the window opens", "2026-11-27 06:00", false, true, ""},
		{"started inside the window", "2026-11-27 07:10", false, true, ""},
		{"started after the window: the missed run now", "2026-11-27 15:00", false, true, ""},
		{"done: tomorrow's window", "2026-11-27 06:05", true, false, "2026-11-28 06:00"},
		{"done late in the evening", "2026-11-27 23:59", true, false, "2026-11-28 06:00"},
		// Clocks go forward on 2026-03-29: the next window is still 06:00
		// local time, 23 hours later.
		{"across the change to summer time", "2026-03-28 06:30", true, false, "2026-03-29 06:00"},
		{"after midnight: the new day's window", "2026-11-28 00:10", false, false, "2026-11-28 06:00"},
	} {
		run, next := Due(at(c.now), "06:00", paris, c.done)
		if run != c.run || !c.run && !next.Equal(at(c.next)) {
			t.Errorf("%s: run %v next %s, want %v %s", c.name, run, next.In(paris), c.run, c.next)
		}
	}
	if _, next := Due(at("2026-03-28 06:30"), "06:00", paris, true); next.Sub(at("2026-03-28 06:30")) != 22*time.Hour+30*time.Minute {
		t.Errorf("the wait across the clock change is %s", next.Sub(at("2026-03-28 06:30")))
	}
}

// Started inside the window, the scheduler refreshes at once, then waits
// for the next day's window, and stops with its context.
func TestSchedulerRunsOnceADayAndStops(t *testing.T) {
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	y, m, d := st.Now.Date()
	now := time.Date(y, m, d, 6, 30, 0, 0, time.UTC) // inside the refresh window, on the fixture's today
	today := pd.DateOf(now, time.UTC)
	waits := make(chan time.Duration, 10)
	ctx, cancel := context.WithCancel(context.Background())
	var observed []Stats
	s := &Scheduler{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
		Observe: func(st Stats, err error) {
			if err != nil {
				t.Errorf("observed a failed refresh: %v", err)
			}
			observed = append(observed, st)
		},
		after: func(d time.Duration) <-chan time.Time {
			waits <- d
			c := make(chan time.Time, 1)
			if d > 0 {
				cancel() // the test ends at the first real wait
			} else {
				c <- now
			}
			return c
		}}
	if err := s.Run(ctx); err != context.Canceled {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	close(waits)
	var got []time.Duration
	for d := range waits {
		got = append(got, d)
	}
	if len(got) != 2 || got[0] != 0 || got[1] != maxSleep {
		t.Errorf("waits %v, want the run then an hour's sleep (tomorrow's window is further)", got)
	}
	done, err := db.RefreshDone(context.Background(), today)
	if err != nil || !done {
		t.Errorf("today's refresh done: %v %v", done, err)
	}
	runs, err := db.RefreshRuns(context.Background(), 5)
	if err != nil || len(runs) != 1 || runs[0].Mode != ModeFull || runs[0].Attempts != 1 {
		t.Errorf("runs: %+v %v", runs, err)
	}
	if len(observed) != 1 || observed[0].Mode != ModeFull || observed[0].Partners == 0 {
		t.Errorf("observed %+v, want the one full refresh", observed)
	}
	// The same day again: nothing to claim.
	c, err := db.ClaimRefresh(context.Background(), today, "another", false, time.Minute)
	if c != nil || err != nil {
		t.Errorf("claiming a done day: %+v %v", c, err)
	}
	if _, err := db.ClaimRefresh(context.Background(), today, "cli", true, time.Minute); err != nil {
		t.Errorf("forcing a done day: %v", err)
	}
	if _, err := db.ClaimRefresh(context.Background(), today, "other", true, time.Minute); pd.ErrorCode(err) != pd.EConflict {
		t.Errorf("forcing a running day: %v, want a conflict", err)
	}
}

// While another process runs the day's refresh, the scheduler looks again
// every third of the lease rather than after Retry, so that it takes the
// day over within the lease and a third (two minutes by default) should
// that process die.
func TestSchedulerLooksAgainSoonWhileAnotherProcessRuns(t *testing.T) {
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	at := time.Date(st.Now.Year(), st.Now.Month(), st.Now.Day(), 6, 30, 0, 0, time.UTC) // in the refresh window
	if _, err := db.ClaimRefresh(context.Background(), pd.DateOf(at, time.UTC), "another", false, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lease, want time.Duration
	}{{0, DefaultLease / 3}, {3 * time.Second, time.Second}} {
		s := &Scheduler{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Retry: 5 * time.Minute, Lease: c.lease}
		wait, err := s.step(context.Background(), at)
		if err != nil || wait != c.want {
			t.Errorf("lease %s: wait %s (%v), want %s", c.lease, wait, err, c.want)
		}
	}
	if DefaultLease+DefaultLease/3 > 2*time.Minute {
		t.Errorf("a dead worker's day is taken over after up to %s", DefaultLease+DefaultLease/3)
	}
}
