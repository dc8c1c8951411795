package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// runToken creates, lists and revokes API tokens, as the operator.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("want: token create --name N --scope ingest|read|partner [--partner ID] | token list | token revoke ID")}
	}
	var cfg config
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	cfg.flags(fs)
	fs.SetOutput(stderr)
	var nt store.NewToken
	var scope string
	if args[0] == "create" {
		fs.StringVar(&nt.Name, "name", "", "what uses the token, e.g. \"Billing sync\"")
		fs.StringVar(&scope, "scope", "", "ingest (program-wide writes), read (one partner's data) or partner (one partner's data and its confirmation links)")
		fs.StringVar(&nt.PartnerExternalID, "partner", "", "the partner's id, for a read token")
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return usageError{err}
	}
	switch {
	case args[0] == "revoke" && len(pos) != 1:
		return usageError{fmt.Errorf("want: token revoke ID")}
	case args[0] != "revoke" && len(pos) != 0:
		return usageError{fmt.Errorf("unexpected argument %q", pos[0])}
	case args[0] != "create" && args[0] != "list" && args[0] != "revoke":
		return usageError{fmt.Errorf("unknown token command %q: create, list or revoke", args[0])}
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = operator(ctx)
	switch args[0] {
	case "create":
		nt.Scope = pd.TokenScope(scope)
		tok, secret, err := db.CreateToken(ctx, nt)
		if err != nil {
			return fmt.Errorf("%s", pd.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Created API token %d, %q (%s%s).\n", tok.ID, tok.Name, tok.Scope, forPartner(tok))
		fmt.Fprintf(stdout, "Token (shown once; send it as Authorization: Bearer …):\n%s\n", secret)
	case "list":
		ts, err := db.ListTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tPARTNER\tCREATED\tLAST USED\tREVOKED")
		for _, k := range ts {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Scope, k.PartnerName,
				k.CreatedAt.UTC().Format(time.DateTime), when(k.LastUsedAt), when(k.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return usageError{fmt.Errorf("token revoke: %q is not a token id", pos[0])}
		}
		if err := db.RevokeToken(ctx, id); err != nil {
			return fmt.Errorf("%s", pd.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Revoked API token %d.\n", id)
	}
	return nil
}

func forPartner(t *store.Token) string {
	if t.PartnerName == "" {
		return ""
	}
	return ", partner " + t.PartnerName
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}
