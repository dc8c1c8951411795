package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/refresh"
)

// runRefresh runs the daily refresh now, whatever the time and even if
// today's has run, printing its progress; it waits for nothing and fails
// if another process is running it.
func runRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("refresh", flag.ContinueOnError)
	cfg.flags(fs)
	full := fs.Bool("full", false, "run the credit ledger over every billing event even if none came since the last refresh")
	at := fs.String("at", "", "refresh as of this instant (RFC 3339) instead of now: its date in the program time zone is the day refreshed")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return usageError{fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-01-15T06:00:00+01:00", *at)}
		}
		now = t
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	mailer, err := email.NewComposer(cfg.BaseURL)
	if err != nil {
		return err
	}
	st, _, err := refresh.Claimed(ctx, db, now, refresh.Worker(), true,
		refresh.Options{Full: *full, Progress: stdout, Log: cfg.logger(stderr), Mailer: mailer})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Refreshed %s in %s: credit %s", st.Day, st.Elapsed.Round(100*time.Millisecond), st.Mode)
	if st.Mode == refresh.ModeFull {
		fmt.Fprintf(stdout, " (%d billing events, %d client rows)", st.Events, st.Clients)
	}
	fmt.Fprintf(stdout, ", %d partners' tiers evaluated", st.Partners)
	if !st.Review.IsZero() {
		fmt.Fprintf(stdout, ", review of %s: %d promoted, %d demoted", st.Review, st.Promoted, st.Demoted)
	}
	fmt.Fprintln(stdout, ".")
	return nil
}
