package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
)

func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{fmt.Errorf("want: user create --email E --name N --role R [--partner ID] [--password-stdin]")}
	}
	var cfg config
	var email, name, role, partner string
	var fromStdin bool
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	cfg.flags(fs)
	fs.StringVar(&email, "email", "", "the user's email (their sign-in)")
	fs.StringVar(&name, "name", "", "the user's full name")
	fs.StringVar(&role, "role", "", "one of: "+roleList())
	fs.StringVar(&partner, "partner", "", "the partner's external id (partner_admin and partner_employee)")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input (otherwise one is generated and printed)")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if email == "" || name == "" || role == "" {
		return usageError{fmt.Errorf("--email, --name and --role are required")}
	}
	pw, generated := "", false
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		pw = strings.TrimRight(line, "\r\n")
		if err := password.Check(pw); err != nil {
			return usageError{fmt.Errorf("%s", pd.ErrorMessage(err))}
		}
	} else {
		b := make([]byte, 15)
		rand.Read(b)
		pw, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	db, err := openMigrated(ctx, cfg.DatabaseURL, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	u := store.NewUser{Email: email, Name: name, Role: pd.Role(role)}
	if partner != "" {
		if u.PartnerID, err = db.PartnerIDByExternalID(ctx, partner); err != nil {
			return err
		}
	}
	if u.PasswordHash, err = password.New(pw, password.Default); err != nil {
		return fmt.Errorf("hash the password: %w", err)
	}
	if _, err := db.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("%s", pd.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Created %s (%s).\n", u.Email, role)
	if generated {
		fmt.Fprintf(stdout, "Password (shown once): %s\n", pw)
	}
	return nil
}

func roleList() string {
	var s []string
	for _, r := range pd.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
