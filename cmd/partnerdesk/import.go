package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/csvimport"
)

// operator is the principal of the command line: whoever can run it can
// reach the database, so it acts as a program admin.
func operator(ctx context.Context) context.Context {
	return pd.WithPrincipal(ctx, &pd.Principal{Name: "Operator (command line)", Role: pd.RoleProgramAdmin})
}

// runImport imports a CSV file and returns the exit status: 0 imported (or
// checked, with --dry-run), 1 rejected with the bad rows listed (the first
// pd.MaxProblems), 2 misuse.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cfg config
	var dryRun bool
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	cfg.flags(fs)
	fs.BoolVar(&dryRun, "dry-run", false, "check the file, write nothing")
	fs.SetOutput(stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "partnerdesk import: %v\n", err)
		return 2
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "partnerdesk import: want KIND FILE, KIND one of %s\n", strings.Join(csvimport.Kinds, ", "))
		return 2
	}
	kind, path := pos[0], pos[1]
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(stderr, "partnerdesk import: %v\n", err)
		return 2
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "partnerdesk import: %v\n", err)
		return 1
	}
	defer f.Close()
	db, err := openMigrated(ctx, cfg.DatabaseURL, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "partnerdesk import: %v\n", err)
		return 1
	}
	defer db.Close()
	opt := csvimport.Options{DryRun: dryRun}
	var bar *progressBar
	if st, err := f.Stat(); err == nil && isTerminal(stderr) {
		bar = &progressBar{w: stderr, total: st.Size(), start: time.Now(), label: kind}
		opt.Progress = bar.update
	}
	rep, err := csvimport.Import(operator(ctx), db, kind, f, opt)
	bar.done()
	if err != nil {
		fmt.Fprintf(stderr, "partnerdesk import: %s\n", pd.ErrorMessage(err))
		if pd.ErrorCode(err) == pd.EInvalid {
			return 2
		}
		return 1
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(stderr, "%s: %d problems in %d rows; nothing was imported.\n", path, rep.ProblemsTotal, rep.Rows)
		for _, p := range rep.Problems {
			fmt.Fprintf(stderr, "%s:%s\n", path, strings.TrimPrefix(p.String(), "line "))
		}
		if more := rep.ProblemsTotal - len(rep.Problems); more > 0 {
			fmt.Fprintf(stderr, "%s: the first %d problems are listed, %d more are not.\n", path, len(rep.Problems), more)
		}
		return 1
	}
	verb := "Imported"
	if dryRun {
		verb = "Checked (dry run, nothing written)"
	}
	r := rep.Result
	fmt.Fprintf(stdout, "%s %d rows of %s in %.1f s: %d created, %d updated, %d unchanged, %d stale.\n",
		verb, rep.Rows, kind, rep.Took.Seconds(), r.Created, r.Updated, r.Unchanged, r.Stale)
	return 0
}

// parseInterleaved parses flags that may come before, between or after
// the positional arguments, and returns those.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// isTerminal reports whether w is a terminal, where a progress bar helps
// (and not a file or pipe, where it would be noise).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws one line, redrawn in place, at most five times a second.
type progressBar struct {
	w     io.Writer
	label string
	total int64
	start time.Time
	last  time.Time
	drawn bool
}

func (b *progressBar) update(rows int, bytes int64) {
	if time.Since(b.last) < 200*time.Millisecond {
		return
	}
	b.last = time.Now()
	frac := 0.0
	if b.total > 0 {
		frac = min(float64(bytes)/float64(b.total), 1)
	}
	const width = 30
	n := int(frac * width)
	elapsed := time.Since(b.start).Seconds()
	fmt.Fprintf(b.w, "\r%s [%s%s] %3.0f%%  %d rows  %.0f rows/s  %.1f s ", b.label,
		strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, rows, float64(rows)/max(elapsed, 0.001), elapsed)
	b.drawn = true
}

func (b *progressBar) done() {
	if b != nil && b.drawn {
		fmt.Fprintln(b.w)
	}
}
