package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
)

// config is every setting, from flags with environment fallbacks, checked
// once at start and passed down.
type config struct {
	DatabaseURL   string
	Addr          string
	LogLevel      string
	SecureCookies bool
	TrustProxy    bool
	// ProxyHops is how many trusted proxies append to X-Forwarded-For.
	ProxyHops int
	// StripeWebhookSecret verifies Stripe's deliveries to /webhooks/stripe.
	StripeWebhookSecret string
}

// flags registers the common flags on fs, with defaults taken from the
// environment.
func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", env("PARTNERDESK_DATABASE_URL", "partnerdesk.db"), "SQLite file path or postgres:// URL")
	fs.StringVar(&c.Addr, "addr", env("PARTNERDESK_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.LogLevel, "log-level", env("PARTNERDESK_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", env("PARTNERDESK_SECURE_COOKIES", "") == "true", "always mark cookies Secure (set behind a TLS proxy)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", env("PARTNERDESK_TRUST_PROXY", "") == "true", "trust X-Forwarded-For and X-Forwarded-Proto")
	fs.IntVar(&c.ProxyHops, "proxy-hops", envInt("PARTNERDESK_PROXY_HOPS", 1), "with --trust-proxy, how many proxies in front of the server append to X-Forwarded-For: the client's address is that many entries from the right")
	fs.StringVar(&c.StripeWebhookSecret, "stripe-webhook-secret", env("PARTNERDESK_STRIPE_WEBHOOK_SECRET", ""), "signing secret (whsec_…) of the Stripe webhook endpoint /webhooks/stripe")
}

func (c *config) validate() error {
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
	if c.ProxyHops < 1 {
		return usageError{fmt.Errorf("--proxy-hops (PARTNERDESK_PROXY_HOPS): want a number of proxies, 1 or more")}
	}
	return nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// envInt reads a whole-number variable; one that is not a number reads as
// 0, which validate refuses.
func envInt(key string, def int) int {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
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
