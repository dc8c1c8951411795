package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/partnerdesk/partnerdesk/credit"
)

const creditUsage = `usage: partnerdesk credit replay --from YYYY-MM --to YYYY-MM [flags] FILE

Replays the tier-credit ledger (docs/credit.md) over a file of billing events
and prints every partner's credit, month by month, as one line of JSON.
FILE is - for standard input.

Input, one JSON object a line (blank lines skipped, other keys ignored):
  {"id":"ev-101","occurred_at":"2025-01-20T10:00:00Z","partner":"p7",
   "client":"northwind","product":"marketing-pro","mrr":89000}
occurred_at is RFC 3339, or YYYY-MM-DD for the start of that day in --tz;
mrr is the product line's MRR after the change in minor units (0 = cancelled).
Events apply by time then id whatever their order in the file; an id repeated
with the same content counts once, with other content it is an error.

Output:
  {"partners":[{"partner":"p7","months":[{"month":"2025-01","opening":0,
   "new":89000,"upgraded":0,"decreased":0,"expired_lost":0,"closing":89000},…]}]}
Partners are sorted by id, every month of the range is listed, and the first
opening includes all history before --from.

--explain CLIENT adds "explain": {"client", "movements": [{"date", "partner",
"kind", "column", "amount", "event_ids"}], "credit"}: the client's movements
through --to (its whole history), and its credit, partner and expiry date at
the end of --to. kind is new, upgraded, returning (counted as upgraded),
decreased, lost, expired or transferred (these three counted as expired_lost);
event_ids are the day's events behind a movement, or for an expiry the event
that credited the purchase that expired.

Exit status: 0 done, 1 the file cannot be read, 2 bad flags or a bad line
(stderr then says "line N: what is wrong" and stdout stays empty).

Flags:
`

// runCredit runs "partnerdesk credit ARGS" and returns the exit status.
func runCredit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "replay" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			printCreditUsage(stdout, newReplayFlags(new(replayFlags)))
			return 0
		}
		printCreditUsage(stderr, newReplayFlags(new(replayFlags)))
		return 2
	}
	var f replayFlags
	fs := newReplayFlags(&f)
	files, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printCreditUsage(stdout, fs)
		return 0
	}
	opts, err2 := f.options()
	if err == nil {
		err = err2
	}
	if err == nil && len(files) != 1 {
		err = errors.New("want exactly one FILE (- for standard input)")
	}
	if err != nil {
		fmt.Fprintf(stderr, "partnerdesk credit replay: %v\n\n", err)
		printCreditUsage(stderr, fs)
		return 2
	}

	in := stdin
	if files[0] != "-" {
		file, err := os.Open(files[0])
		if err != nil {
			fmt.Fprintf(stderr, "partnerdesk credit replay: %v\n", err)
			return 1
		}
		defer file.Close()
		in = file
	}
	if f.links != "" {
		lf, err := os.Open(f.links)
		if err != nil {
			fmt.Fprintf(stderr, "partnerdesk credit replay: %v\n", err)
			return 1
		}
		opts.Links, err = credit.ReadLinks(lf)
		lf.Close()
		if err != nil {
			fmt.Fprintf(stderr, "partnerdesk credit replay: --links: %v\n", err)
			return 2
		}
	}
	rep, err := credit.Replay(ctx, opts, in)
	if err != nil {
		fmt.Fprintln(stderr, err)
		if errors.As(err, new(*credit.LineError)) {
			return 2
		}
		return 1
	}
	if err := rep.WriteJSON(stdout); err != nil {
		fmt.Fprintf(stderr, "partnerdesk credit replay: write: %v\n", err)
		return 1
	}
	return 0
}

type replayFlags struct {
	from, to, tz, explain, links string
	expiryMonths                 int
}

func newReplayFlags(f *replayFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("partnerdesk credit replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // runCredit prints errors and usage itself
	fs.StringVar(&f.from, "from", "", "first month reported, YYYY-MM (required)")
	fs.StringVar(&f.to, "to", "", "last month reported, YYYY-MM (required)")
	fs.IntVar(&f.expiryMonths, "expiry-months", credit.DefaultExpiryMonths, "months after the last purchase when credit expires")
	fs.StringVar(&f.tz, "tz", "UTC", "program time zone (IANA name) that decides each event's day")
	fs.StringVar(&f.explain, "explain", "", "client whose movements to list")
	fs.StringVar(&f.links, "links", "", "file of confirmed confirmation links, one JSON object a line: they credit events whose partner is \"-\"")
	return fs
}

func (f *replayFlags) options() (credit.ReplayOptions, error) {
	var o credit.ReplayOptions
	var err error
	if f.from == "" || f.to == "" {
		return o, errors.New("--from and --to are required")
	}
	if o.From, err = credit.ParseMonth(f.from); err != nil {
		return o, fmt.Errorf("--from: %w", err)
	}
	if o.To, err = credit.ParseMonth(f.to); err != nil {
		return o, fmt.Errorf("--to: %w", err)
	}
	if o.To < o.From {
		return o, fmt.Errorf("--to %s is before --from %s", f.to, f.from)
	}
	if f.expiryMonths < 1 || f.expiryMonths > 1200 {
		return o, fmt.Errorf("--expiry-months %d is not between 1 and 1200", f.expiryMonths)
	}
	if o.Location, err = time.LoadLocation(f.tz); err != nil {
		return o, fmt.Errorf("--tz: unknown time zone %q", f.tz)
	}
	o.ExpiryMonths, o.Explain = f.expiryMonths, f.explain
	return o, nil
}

// parseInterspersed lets flags follow FILE too (flag stops at the first
// argument that is not one); everything after "--" is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

func printCreditUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, creditUsage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
