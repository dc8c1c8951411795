package refresh

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// Scheduler runs the daily refresh once a program day, from the start of
// the program's refresh window (default 06:00, program time zone): at the
// window's start when the server is up then, or as soon as it starts
// later that day, so that a server that was down at 06:00 catches up. A
// day missed altogether is caught up by the next day's run, which
// recomputes everything up to its day. With several server processes on
// one database, the day's claim (store.ClaimRefresh) lets exactly one of
// them run it; the others see it done.
type Scheduler struct {
	DB     *store.DB
	Log    *slog.Logger
	Now    pd.Clock // nil: the system clock
	Worker string   // this process in refresh_runs; default Worker()
	// Retry is how long to wait after a failed run (default five
	// minutes); while another process runs the day, the scheduler looks
	// again every third of the lease, to take over from a dead one.
	Retry time.Duration
	// Lease is how long the day's claim lasts without renewal; 0 for
	// DefaultLease.
	Lease time.Duration
	// Observe, if set, is told of each refresh this scheduler ran (or
	// that failed), for the metrics.
	Observe func(st Stats, err error)
	// Mailer renders the refresh's digests; nil queues none.
	Mailer pd.Mailer
	// after waits for d; tests shorten it.
	after func(d time.Duration) <-chan time.Time
}

// maxSleep bounds a wait, so that changed settings (window, time zone) and
// clock jumps are noticed within the hour.
const maxSleep = time.Hour

// Run schedules the refresh until ctx ends, and returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	now := s.Now
	if now == nil {
		now = pd.SystemClock
	}
	if s.Worker == "" {
		s.Worker = Worker()
	}
	if s.Retry == 0 {
		s.Retry = 5 * time.Minute
	}
	after := s.after
	if after == nil {
		after = time.After
	}
	for {
		wait, err := s.step(ctx, now())
		if err != nil {
			s.Log.Error("daily refresh", "err", err)
			wait = s.Retry
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-after(wait):
		}
	}
}

// step runs the day's refresh if it is due and returns how long to wait
// before looking again.
func (s *Scheduler) step(ctx context.Context, t time.Time) (time.Duration, error) {
	prog, err := s.DB.Program(ctx)
	if err != nil {
		return 0, err
	}
	loc := prog.Location()
	today := pd.DateOf(t, loc)
	done, err := s.DB.RefreshDone(ctx, today)
	if err != nil {
		return 0, err
	}
	run, next := Due(t, prog.RefreshStart, loc, done)
	if !run {
		return min(next.Sub(t), maxSleep), nil
	}
	opts := Options{Lease: s.Lease, Log: s.Log, Mailer: s.Mailer}
	st, ran, err := Claimed(ctx, s.DB, t, s.Worker, false, opts)
	if s.Observe != nil && (ran || err != nil) {
		s.Observe(st, err)
	}
	switch {
	case err != nil:
		return 0, err
	case !ran:
		s.Log.Info("daily refresh runs in another process", "day", today)
		return min(s.Retry, opts.lease()/3), nil
	}
	s.Log.Info("daily refresh done", "day", st.Day, "credit", st.Mode, "events", st.Events, "expired", st.Expired,
		"partners", st.Partners, "digests", st.Digests, "sessions_deleted", st.SessionsDeleted, "elapsed", st.Elapsed.Round(time.Millisecond))
	return 0, nil
}

// Due says whether the refresh of t's program day should run at t: its
// window has started (windowStart is "HH:MM", program time zone) and it is
// not done. If not, next is when to look again: the day's window start,
// or the next day's.
func Due(t time.Time, windowStart string, loc *time.Location, done bool) (run bool, next time.Time) {
	day := pd.DateOf(t, loc)
	start := windowAt(day, windowStart, loc)
	switch {
	case t.Before(start):
		return false, start
	case !done:
		return true, t
	}
	return false, windowAt(day.AddDays(1), windowStart, loc)
}

// windowAt is the instant the refresh window opens on day: hh:mm local
// time, or the first instant after it when a clock change skips it.
func windowAt(day pd.Date, hhmm string, loc *time.Location) time.Time {
	h, m := 6, 0
	if hs, ms, ok := strings.Cut(hhmm, ":"); ok {
		if hv, err := strconv.Atoi(hs); err == nil && hv >= 0 && hv < 24 {
			h = hv
		}
		if mv, err := strconv.Atoi(ms); err == nil && mv >= 0 && mv < 60 {
			m = mv
		}
	}
	y, mo, d := day.Time().Date()
	return time.Date(y, mo, d, h, m, 0, 0, loc)
}
