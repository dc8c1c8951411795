package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/partnerdesk/partnerdesk/email"
)

// config is every setting, from flags with environment fallbacks, checked
// once at start and passed down.
type config struct {
	DatabaseURL   string
	Addr          string
	LogLevel      string
	LogFormat     string // text or json
	SecureCookies bool
	TrustProxy    bool
	// ProxyHops is how many trusted proxies append to X-Forwarded-For.
	ProxyHops int
	// StripeWebhookSecret verifies Stripe's deliveries to /webhooks/stripe.
	StripeWebhookSecret string
	// StripeAPIKey is a restricted read-only key the webhook reads
	// unexpanded discounts with.
	StripeAPIKey string
	// MetricsAddr is where /metrics is served, apart from the product's
	// listener; empty: not at all.
	MetricsAddr string
	// TLSCert and TLSKey are PEM files; with both, the server speaks
	// HTTPS itself (and reloads them on SIGHUP).
	TLSCert, TLSKey string
	// TwoFactorKey seals the users' TOTP secrets in the database.
	TwoFactorKey string
	// OIDC* configure single sign-on; all three of issuer, client id and
	// secret, or none.
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCName string
	// SMTPURL names the SMTP server the outbox is delivered through
	// (smtp://user:pass@host:587 or smtps://…); empty: email stays in the
	// outbox. MailFrom is the From of every email.
	SMTPURL  string
	MailFrom string
	// BaseURL is the public address of the links in emails (default
	// http://ADDR, https with --tls-cert).
	BaseURL string

	// envErrs are settings from the environment that could not be read,
	// reported by validate.
	envErrs []error
}

// flags registers the common flags on fs, with defaults taken from the
// environment. A secret can instead come from a file that NAME_FILE names
// (as container orchestrators mount them).
func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.secret("PARTNERDESK_DATABASE_URL", "partnerdesk.db"), "SQLite file path or postgres:// URL (or PARTNERDESK_DATABASE_URL_FILE)")
	fs.StringVar(&c.Addr, "addr", env("PARTNERDESK_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.LogLevel, "log-level", env("PARTNERDESK_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", env("PARTNERDESK_LOG_FORMAT", "text"), "text or json")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.boolean("PARTNERDESK_SECURE_COOKIES"), "always mark cookies Secure (set behind a TLS proxy)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.boolean("PARTNERDESK_TRUST_PROXY"), "trust X-Forwarded-For, X-Forwarded-Proto and X-Request-Id")
	fs.IntVar(&c.ProxyHops, "proxy-hops", c.integer("PARTNERDESK_PROXY_HOPS", 1), "with --trust-proxy, how many proxies in front of the server append to X-Forwarded-For: the client's address is that many entries from the right")
	fs.StringVar(&c.StripeWebhookSecret, "stripe-webhook-secret", c.secret("PARTNERDESK_STRIPE_WEBHOOK_SECRET", ""), "signing secret (whsec_…) of the Stripe webhook endpoint /webhooks/stripe (or PARTNERDESK_STRIPE_WEBHOOK_SECRET_FILE)")
	fs.StringVar(&c.StripeAPIKey, "stripe-api-key", c.secret("PARTNERDESK_STRIPE_API_KEY", ""), "restricted read-only Stripe key (rk_…, Subscriptions: read) with which the webhook reads the discounts events name by id; without it their MRR is recorded as unconfirmed (or PARTNERDESK_STRIPE_API_KEY_FILE)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("PARTNERDESK_METRICS_ADDR", ""), "serve Prometheus metrics at http://HOST:PORT/metrics (off when empty)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("PARTNERDESK_TLS_CERT", ""), "PEM certificate (chain) file: serve HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", env("PARTNERDESK_TLS_KEY", ""), "PEM private key file of --tls-cert")
	fs.StringVar(&c.TwoFactorKey, "two-factor-key", c.secret("PARTNERDESK_TWO_FACTOR_KEY", ""), "key (32 characters or more) that encrypts two-factor secrets in the database; default: a key kept in the database (or PARTNERDESK_TWO_FACTOR_KEY_FILE)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", env("PARTNERDESK_OIDC_ISSUER", ""), "OpenID Connect issuer URL: offer single sign-on through it")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", env("PARTNERDESK_OIDC_CLIENT_ID", ""), "client id of Partnerdesk at the OpenID Connect provider")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", c.secret("PARTNERDESK_OIDC_CLIENT_SECRET", ""), "client secret of Partnerdesk at the OpenID Connect provider (or PARTNERDESK_OIDC_CLIENT_SECRET_FILE)")
	fs.StringVar(&c.OIDCName, "oidc-name", env("PARTNERDESK_OIDC_NAME", ""), `the provider's name on the sign-in page ("Sign in with NAME"); default: the issuer's host`)
	fs.StringVar(&c.SMTPURL, "smtp-url", c.secret("PARTNERDESK_SMTP_URL", ""), "deliver email through this SMTP server: smtp://USER:PASSWORD@HOST:587 (STARTTLS when offered) or smtps://… (TLS); empty: email stays in the outbox, read at /admin/outbox (or PARTNERDESK_SMTP_URL_FILE)")
	fs.StringVar(&c.MailFrom, "mail-from", env("PARTNERDESK_MAIL_FROM", ""), "the From of every email, e.g. \"Partner Program <partners@example.com>\" (required with --smtp-url)")
	fs.StringVar(&c.BaseURL, "base-url", env("PARTNERDESK_BASE_URL", ""), "the public address of the links in emails, e.g. https://partners.example.com (default http://ADDR)")
}

// secret reads NAME from the environment, or from the file NAME_FILE
// names (one trailing newline dropped); both set is an error.
func (c *config) secret(name, def string) string {
	v, set := os.LookupEnv(name)
	file, fromFile := os.LookupEnv(name + "_FILE")
	switch {
	case set && fromFile:
		c.envErrs = append(c.envErrs, fmt.Errorf("%s and %s_FILE are both set: set one", name, name))
	case fromFile:
		b, err := os.ReadFile(file)
		if err != nil {
			c.envErrs = append(c.envErrs, fmt.Errorf("%s_FILE: %w", name, err))
			return def
		}
		return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	case set:
		return v
	}
	return def
}

// boolean reads NAME as strconv.ParseBool does (1, t, true, 0, f, false…);
// another value is an error, not false.
func (c *config) boolean(name string) bool {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q: want true or false", name, v))
	}
	return b
}

func (c *config) validate() error {
	if len(c.envErrs) > 0 {
		return usageError{errors.Join(c.envErrs...)}
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		return usageError{fmt.Errorf("--database-url is empty")}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usageError{fmt.Errorf("--addr %q: want HOST:PORT", c.Addr)}
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return usageError{fmt.Errorf("--log-format %q: want text or json", c.LogFormat)}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return usageError{fmt.Errorf("--metrics-addr %q: want HOST:PORT", c.MetricsAddr)}
		}
		if c.MetricsAddr == c.Addr {
			return usageError{fmt.Errorf("--metrics-addr must differ from --addr: metrics are never served on the public listener")}
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return usageError{fmt.Errorf("--tls-cert and --tls-key go together")}
	}
	if c.ProxyHops < 1 {
		return usageError{fmt.Errorf("--proxy-hops (PARTNERDESK_PROXY_HOPS): want a number of proxies, 1 or more")}
	}
	// A secret key could write to the vendor's Stripe account; the webhook
	// only reads subscriptions.
	if c.StripeAPIKey != "" && !strings.HasPrefix(c.StripeAPIKey, "rk_") {
		return usageError{fmt.Errorf("--stripe-api-key (PARTNERDESK_STRIPE_API_KEY): want a restricted key (rk_…) with Subscriptions: Read only, not a secret key")}
	}
	if c.TwoFactorKey != "" && len(c.TwoFactorKey) < 32 {
		return usageError{fmt.Errorf("--two-factor-key (PARTNERDESK_TWO_FACTOR_KEY): want 32 characters or more, such as the output of openssl rand -base64 32")}
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	return c.validateOIDC()
}

// validateMail checks the email settings and fills the base URL's
// default: the listen address, which is where a browser on this machine
// reaches the server.
func (c *config) validateMail() error {
	if c.SMTPURL != "" {
		if _, err := email.NewSMTP(c.SMTPURL); err != nil {
			return usageError{fmt.Errorf("--smtp-url (PARTNERDESK_SMTP_URL): %v", err)}
		}
		if c.MailFrom == "" {
			return usageError{fmt.Errorf("--mail-from (PARTNERDESK_MAIL_FROM) is required with --smtp-url: the address emails come from")}
		}
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return usageError{fmt.Errorf("--mail-from %q: want an address such as \"Partner Program <partners@example.com>\"", c.MailFrom)}
		}
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
			host = "localhost"
		}
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.BaseURL = scheme + "://" + net.JoinHostPort(host, port)
	}
	if _, err := email.ParseBaseURL(c.BaseURL); err != nil {
		return usageError{fmt.Errorf("--base-url (PARTNERDESK_BASE_URL): %v", err)}
	}
	return nil
}

// validateOIDC checks the single sign-on settings: all three or none, and
// an issuer over HTTPS (plain HTTP only on this machine, for a test
// provider).
func (c *config) validateOIDC() error {
	set := 0
	for _, v := range []string{c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret} {
		if v != "" {
			set++
		}
	}
	if set == 0 {
		return nil
	}
	if set < 3 {
		return usageError{fmt.Errorf("--oidc-issuer, --oidc-client-id and --oidc-client-secret go together")}
	}
	u, err := url.Parse(c.OIDCIssuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return usageError{fmt.Errorf("--oidc-issuer %q: want an https:// URL", c.OIDCIssuer)}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: l}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// integer reads NAME as a whole number; another value is an error.
func (c *config) integer(name string, def int) int {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q: want a whole number", name, v))
		return def
	}
	return n
}

// parse parses a command's flags; -h prints them.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
