package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/demo"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/oidc"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/web"
)

// runServe migrates and serves; with withDemo it first fills an empty
// database with the demo program.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	var cfg config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg.flags(fs)
	opts := demo.Options{}
	if withDemo {
		fs.Int64Var(&opts.Seed, "seed", 1, "demo data seed (same seed, same data)")
		fs.IntVar(&opts.Partners, "partners", 25, "number of demo partners")
		fs.IntVar(&opts.Clients, "clients", 1500, "number of demo clients")
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	log := cfg.logger(stderr)
	db, err := openServed(ctx, cfg.DatabaseURL, stderr, withDemo)
	if err != nil {
		return err
	}
	release := func() {}
	if path, ok := store.SQLitePath(cfg.DatabaseURL); ok {
		// Held while serving, so that a restore refuses to replace the file.
		if release, err = lockDatabase(path, false); err != nil {
			db.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	// The lock's own handle on the file is closed after the database:
	// closing any handle on a file drops the process's POSIX locks on it,
	// SQLite's included.
	defer func() {
		db.Close()
		release()
	}()
	db.SetLogger(log)

	var logins []store.Login
	if withDemo {
		empty, err := db.Empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			fmt.Fprintf(stdout, "Creating the demo program (%d partners, %d clients, seed %d)…\n", opts.Partners, opts.Clients, opts.Seed)
			opts.Now = time.Now()
			start := time.Now()
			if _, err := demo.Generate(ctx, db, opts, stderr); err != nil {
				return fmt.Errorf("generate demo data: %w", err)
			}
			if err := db.Optimize(ctx); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Demo program created in %s.\n", time.Since(start).Round(time.Millisecond))
		} else {
			fmt.Fprintln(stdout, "The database already holds data; the demo is not generated again.")
		}
	}

	log.Info("starting", "version", version(), "database", db.Dialect())
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" {
		m = metrics.New(version())
		for name, pool := range db.Pools() {
			m.DBPool(name, pool)
		}
	}
	m.Outbox(db.OutboxCounts)
	mailer, err := email.NewComposer(cfg.BaseURL)
	if err != nil {
		return err
	}
	srv, err := web.New(db, web.Config{SecureCookies: cfg.SecureCookies, TrustProxy: cfg.TrustProxy,
		ProxyHops: cfg.ProxyHops, StripeWebhookSecret: cfg.StripeWebhookSecret, StripeAPIKey: cfg.StripeAPIKey, Metrics: m,
		TwoFactorKey: []byte(cfg.TwoFactorKey), OIDC: oidc.Config{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, Name: cfg.OIDCName},
		BaseURL: cfg.BaseURL, MailDelivery: cfg.SMTPURL != ""}, log, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	scheme := "http"
	if cfg.TLSCert != "" {
		certs, err := newCertReloader(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return err
		}
		hs.TLSConfig = certs.tlsConfig()
		scheme = "https"
		reloadOnHangUp(ctx, certs, log)
	}
	var metricsServer *http.Server
	if m != nil {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (metrics): %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go metricsServer.Serve(mln)
		defer metricsServer.Close()
		log.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	fmt.Fprintf(stdout, "Partnerdesk is running on %s (%s). Open %s://%s/\n", db.Dialect(), cfg.DatabaseURL, scheme, ln.Addr())
	if withDemo {
		if logins, err = db.SampleLogins(ctx, 3); err != nil {
			return err
		}
		printLogins(stdout, logins, demo.DemoPassword)
		printOutbox(stdout, cfg, logins)
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	errc := make(chan error, 1)
	go func() {
		if hs.TLSConfig != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	// The daily refresh, scheduled in the program's refresh window; it
	// stops with ctx, and the database stays open until it has.
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		(&refresh.Scheduler{DB: db, Log: log, Mailer: mailer, Observe: func(st refresh.Stats, err error) {
			m.Refresh(st.Elapsed, st.Events, st.Partners, time.Now(), err)
		}}).Run(ctx)
	}()
	defer func() { <-refreshed }()
	// The outbox's delivery, when there is an SMTP server to deliver to;
	// it stops with ctx too.
	if cfg.SMTPURL != "" {
		sender, _ := email.NewSMTP(cfg.SMTPURL) // checked by validate
		u, _ := email.ParseBaseURL(cfg.BaseURL)
		sender.Hello = u.Hostname()
		from, _ := mail.ParseAddress(cfg.MailFrom)
		delivered := make(chan struct{})
		go func() {
			defer close(delivered)
			(&email.Worker{DB: db, Sender: sender, From: from, Log: log, Metrics: m}).Run(ctx)
		}()
		defer func() { <-delivered }()
		log.Info("email", "smtp", sender.Addr(), "from", from.String(), "base_url", cfg.BaseURL)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// printOutbox says where the demo's emails are.
func printOutbox(w io.Writer, cfg config, logins []store.Login) {
	admin := "a program admin"
	for _, l := range logins {
		if l.Role == pd.RoleProgramAdmin {
			admin = l.Email
			break
		}
	}
	if cfg.SMTPURL == "" {
		fmt.Fprintf(w, "Emails (invitations, password resets, digests) are not sent without --smtp-url: read them\nsigned in as %s at %s/admin/outbox\n\n", admin, cfg.BaseURL)
		return
	}
	fmt.Fprintf(w, "Emails are sent through the SMTP server; signed in as %s, see them at %s/admin/outbox\n\n", admin, cfg.BaseURL)
}

// printLogins lists who to sign in as.
func printLogins(w io.Writer, logins []store.Login, password string) {
	fmt.Fprintf(w, "\nSign in with the password %q as:\n", password)
	for _, l := range logins {
		who := strings.ReplaceAll(string(l.Role), "_", " ")
		if l.Partner != "" {
			who += " of " + l.Partner
		}
		fmt.Fprintf(w, "  %-36s %s\n", l.Email, who)
	}
	fmt.Fprintln(w)
}

// openServed opens and migrates the database a server runs on. serve
// refuses a SQLite path where no database is (demo creates one), and both
// refuse a database that cannot take writes, rather than start and then
// fail every sign-in and write.
func openServed(ctx context.Context, url string, stderr io.Writer, create bool) (*store.DB, error) {
	open := store.OpenExisting
	if create {
		open = store.Open
	}
	db, err := open(ctx, url, nil)
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, fmt.Errorf("%w: check --database-url, or create the database with partnerdesk migrate (or partnerdesk demo)", err)
	} else if err != nil {
		return nil, err
	}
	if err := db.Ready(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("the server does not start on a database that cannot take writes: %w", err)
	}
	if err := migrate(ctx, db, stderr); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openMigrated(ctx context.Context, url string, stderr io.Writer) (*store.DB, error) {
	db, err := store.Open(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, stderr); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func migrate(ctx context.Context, db *store.DB, stderr io.Writer) error {
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(stderr, "Applied %d migration(s).\n", n)
	}
	return nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg.flags(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Applied %d migration(s); the %s database is up to date.\n", n, db.Dialect())
	return nil
}

// reloadOnHangUp reads the certificate files again on each SIGHUP until
// ctx ends.
func reloadOnHangUp(ctx context.Context, certs *certReloader, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := certs.reload(); err != nil {
					log.Error("TLS certificate not reloaded; the previous one stays in use", "err", err)
				} else {
					log.Info("TLS certificate reloaded", "cert", certs.certFile)
				}
			}
		}
	}()
}
