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
	"fmt"
	"io"
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

// Options adjust a run.
type Options struct {
	// Full runs the ledger even when no billing event came since the last
	// refresh (after events were deleted by hand, say).
	Full bool
	// Progress receives a line per step (and every few million events);
	// nil for none.
	Progress io.Writer
	// Mailer renders the day's digests; nil queues none.
	Mailer pd.Mailer
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
// or runs in another process (ran is then false). force claims a day that
// is done too: the command line's "refresh now". The outcome is recorded
// with the claim, a failure included, so that the day is tried again.
func Claimed(ctx context.Context, db *store.DB, now time.Time, worker string, force bool, opts Options) (st Stats, ran bool, err error) {
	prog, err := db.Program(ctx)
	if err != nil {
		return st, false, err
	}
	day := pd.DateOf(now, prog.Location())
	claim, err := db.ClaimRefresh(ctx, day, worker, force)
	if err != nil || claim == nil {
		return st, false, err
	}
	st, err = Run(ctx, db, now, opts)
	if ferr := db.FinishRefresh(ctx, claim, st.Mode, st.Events, err); err == nil {
		err = ferr
	}
	return st, true, err
}

// Worker names this process in refresh_runs.
func Worker() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
