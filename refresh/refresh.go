// Package refresh is the daily refresh: the job that applies the day's
// renewal rules, stores the engagement history, runs the tier-credit
// ledger over the billing events and evaluates every partner's tier,
// writes the snapshots the pages read, queues the day's digests of renewal
// decisions, and purges what has ended. Run is a plain function; the
// scheduler (Scheduler, started by serve) and the command line
// ("partnerdesk refresh") both call it through Claimed, which makes it run
// once a day however many server processes share the database.
package refresh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// Credit modes: what the credit step had to do.
const (
	ModeFull      = "full"      // the ledger ran over every billing event
	ModeExpiries  = "expiries"  // no new event: the last snapshot moved to the day, with its expiries
	ModeUnchanged = "unchanged" // no new event, same day: tier figures only
)

// DefaultLease is how long a claim of the day's refresh lasts unless its
// worker renews it, which it does every third of it while the refresh
// runs: a worker that died leaves the day to another after at most this,
// and a scheduler that looks again every third of it takes it over within
// two minutes.
const DefaultLease = 90 * time.Second

// Options adjust a run.
type Options struct {
	// Full runs the ledger even when no billing event came since the last
	// refresh (after events were deleted by hand, say).
	Full bool
	// Progress receives a line per step (and every few million events);
	// nil for none.
	Progress io.Writer
	// Lease is how long the day's claim lasts without renewal (Claimed);
	// 0 for DefaultLease.
	Lease time.Duration
	// Log hears of a claim taken over from a dead worker and of renewals
	// that failed; nil for nowhere.
	Log *slog.Logger
	// Mailer renders the day's digests; nil queues none.
	Mailer pd.Mailer
}

func (o Options) lease() time.Duration {
	if o.Lease <= 0 {
		return DefaultLease
	}
	return o.Lease
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// Stats say what a run did.
type Stats struct {
	Day     pd.Date // the program day refreshed
	Mode    string  // ModeFull, ModeExpiries or ModeUnchanged
	Events  int64   // billing events read (ModeFull)
	Clients int64   // client rows of the credit snapshot written (ModeFull)
	Expired int     // clients whose credit expired (ModeExpiries)
	// Partners evaluated, and for a review day how many were promoted
	// and demoted.
	Partners, Promoted, Demoted int
	Review                      pd.Date // the review applied, if any
	Renewals                    store.RenewalRefresh
	EngagementMonths            int
	SessionsDeleted             int64 // expired sign-in sessions purged
	SignInCountersPurged        int64 // whose windows had ended
	Digests                     int   // digests queued
	OutboxPurged                int64 // emails older than the outbox keeps
	Elapsed                     time.Duration
}

// Run refreshes the program day of now: renewals, engagement history,
// credit, tiers; queues the day's digests of renewal decisions (once per
// user and day, however often it runs); and it purges the sign-in
// sessions that have expired and the outbox's old emails. It does not
// claim the day; Claimed does.
func Run(ctx context.Context, db *store.DB, now time.Time, opts Options) (Stats, error) {
	start := time.Now()
	say := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "refresh: "+format+"\n", args...)
		}
	}
	prog, err := db.Program(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Day: pd.DateOf(now, prog.Location())}
	say("%s, program time zone %s", st.Day, prog.Location())

	// Renewal rules and the engagement history: the store's to define,
	// the refresh's to run once a day.
	if st.Renewals, err = db.RefreshRenewals(ctx, st.Day); err != nil {
		return st, err
	}
	say("renewals: %d renewed automatically at their deadline, %d created", st.Renewals.AutoRenewed, st.Renewals.Created)
	if st.EngagementMonths, err = db.RefreshEngagement(ctx, st.Day); err != nil {
		return st, err
	}
	say("engagement: %d partner-months stored", st.EngagementMonths)

	if err := runCredit(ctx, db, prog, &st, opts, say); err != nil {
		return st, err
	}
	// After the renewal rules: a decision renewed automatically today is
	// no longer due.
	if opts.Mailer != nil {
		if st.Digests, err = db.QueueDigests(ctx, opts.Mailer, st.Day); err != nil {
			return st, err
		}
		say("digests: %d queued", st.Digests)
	}
	if st.SessionsDeleted, err = db.DeleteExpiredSessions(ctx); err != nil {
		return st, err
	}
	say("sessions: %d expired sessions deleted", st.SessionsDeleted)
	if st.SignInCountersPurged, err = db.PurgeSignInCounters(ctx); err != nil {
		return st, err
	}
	say("sign-in counters: %d whose windows had ended purged", st.SignInCountersPurged)
	if st.OutboxPurged, err = db.PurgeOutbox(ctx); err != nil {
		return st, err
	}
	say("outbox: %d emails older than %d days deleted", st.OutboxPurged, int(store.OutboxRetention.Hours()/24))
	st.Elapsed = time.Since(start)
	say("done in %s", st.Elapsed.Round(100*time.Millisecond))
	return st, nil
}

// Claimed claims now's program day and runs it, unless its refresh is done
// or runs in another process under a live lease (ran is then false). force
// claims a day that is done too: the command line's "refresh now". The
// claim is renewed while the refresh runs; if it is lost all the same (the
// process stalled past its lease and another took the day over), the run
// stops. The outcome is recorded with the claim, a failure included, so
// that the day is tried again.
func Claimed(ctx context.Context, db *store.DB, now time.Time, worker string, force bool, opts Options) (st Stats, ran bool, err error) {
	prog, err := db.Program(ctx)
	if err != nil {
		return st, false, err
	}
	day := pd.DateOf(now, prog.Location())
	claim, err := db.ClaimRefresh(ctx, day, worker, force, opts.lease())
	if err != nil || claim == nil {
		return st, false, err
	}
	if claim.TookOverFrom != "" {
		opts.log().Warn("daily refresh taken over from a worker that stopped renewing its claim", "day", day,
			"dead_worker", claim.TookOverFrom, "lease_ran_out", claim.LeaseRanOut.UTC().Format(time.RFC3339), "worker", worker)
	}
	runCtx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	stop := renew(runCtx, db, claim, opts, lost)
	st, err = Run(runCtx, db, now, opts)
	stop()
	if cause := context.Cause(runCtx); errors.Is(cause, store.ErrLeaseLost) {
		return st, true, cause
	}
	if ferr := db.FinishRefresh(ctx, claim, st.Mode, st.Events, err); err == nil {
		err = ferr
	}
	return st, true, err
}

// renew renews c's lease every third of it until stop is called, and
// sooner again after a failure (the database busy with the refresh's own
// long write, say). When the claim is lost, it ends the run through lost.
func renew(ctx context.Context, db *store.DB, c *store.RefreshClaim, opts Options, lost context.CancelCauseFunc) (stop func()) {
	lease, every := opts.lease(), opts.lease()/3
	quit, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTimer(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := db.RenewRefresh(ctx, c, lease)
			switch {
			case errors.Is(err, store.ErrLeaseLost):
				opts.log().Error("daily refresh stopped: its claim was taken over", "day", c.Day, "err", err)
				lost(err)
				return
			case err != nil:
				opts.log().Warn("daily refresh: renewing its claim failed; trying again", "day", c.Day, "err", err)
				t.Reset(every / 6)
			default:
				t.Reset(every)
			}
		}
	}()
	return func() {
		close(quit)
		<-stopped
	}
}

// Worker names this process in refresh_runs.
func Worker() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
