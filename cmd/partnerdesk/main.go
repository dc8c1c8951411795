// Command partnerdesk runs the partner-program platform: the web server,
// the demo, migrations, user administration and the credit audit. It only
// wires packages together.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Partnerdesk: a self-hostable partner-program platform.

Usage:
  partnerdesk demo    [flags]   create partnerdesk.db with demo data if it is new, then serve
  partnerdesk serve   [flags]   serve the product (no demo data)
  partnerdesk migrate [flags]   apply database migrations
  partnerdesk user create --email E --name N --role R [--partner ID] [--password-stdin]
  partnerdesk import KIND FILE [--dry-run]   import a CSV file (KIND: staff, partners, certifications, clients,
                                            relationships, subscriptions, events, usage, renewals), all or nothing
  partnerdesk token create --name N --scope ingest|read|partner [--partner ID]   create an API token (shown once)
  partnerdesk token list | token revoke ID
  partnerdesk credit replay --from YYYY-MM --to YYYY-MM [--expiry-months 12] [--tz UTC] [--explain CLIENT] FILE
  partnerdesk refresh [--full] [--at TIME]   run the daily refresh now (credit, tiers, renewals), showing progress
  partnerdesk backup  [flags] FILE   copy a SQLite database consistently, while the server runs
  partnerdesk restore [flags] FILE   put a SQLite backup in place of the database (server stopped)
  partnerdesk version                print the version of this build
  partnerdesk healthcheck [--addr]   exit 0 if the server at --addr answers /healthz (for containers)

Common flags (and environment variables):
  --database-url URL   PARTNERDESK_DATABASE_URL  SQLite file path (default partnerdesk.db) or postgres://…
  --addr HOST:PORT     PARTNERDESK_ADDR          listen address (default 127.0.0.1:8080)

Run "partnerdesk COMMAND --help" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr, false)
	case "demo":
		err = runServe(ctx, args[1:], stdout, stderr, true)
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout, stderr)
	case "user":
		err = runUser(ctx, args[1:], stdin, stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "token":
		err = runToken(ctx, args[1:], stdout, stderr)
	case "credit":
		return runCredit(ctx, args[1:], stdin, stdout, stderr)
	case "refresh":
		err = runRefresh(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version())
		return 0
	case "healthcheck":
		err = runHealthcheck(ctx, args[1:], stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		err = runRestore(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "partnerdesk: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if _, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "partnerdesk %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(stderr, "partnerdesk %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ error }
