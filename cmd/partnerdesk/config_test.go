package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func configFrom(t *testing.T, args ...string) (config, error) {
	t.Helper()
	var c config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.validate()
}

// Secrets come from the environment or from the file NAME_FILE names;
// booleans read as strconv.ParseBool reads them; a bad value stops the
// start with a message naming the setting.
func TestSettingsFromEnvironmentAndFiles(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "stripe")
	if err := os.WriteFile(secret, []byte("whsec_from_file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dsn := filepath.Join(dir, "dsn")
	if err := os.WriteFile(dsn, []byte("postgres://pd:s3cret@db/pd"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PARTNERDESK_STRIPE_WEBHOOK_SECRET_FILE", secret)
	key := filepath.Join(dir, "stripe-key")
	if err := os.WriteFile(key, []byte("rk_test_from_file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PARTNERDESK_STRIPE_API_KEY_FILE", key)
	t.Setenv("PARTNERDESK_DATABASE_URL_FILE", dsn)
	t.Setenv("PARTNERDESK_TRUST_PROXY", "1")
	t.Setenv("PARTNERDESK_SECURE_COOKIES", "FALSE")
	c, err := configFrom(t)
	if err != nil {
		t.Fatal(err)
	}
	if c.StripeWebhookSecret != "whsec_from_file" || c.StripeAPIKey != "rk_test_from_file" || c.DatabaseURL != "postgres://pd:s3cret@db/pd" || !c.TrustProxy || c.SecureCookies {
		t.Fatalf("settings: %+v", c)
	}
	// A flag still wins over the environment.
	if c, err := configFrom(t, "--database-url", "x.db"); err != nil || c.DatabaseURL != "x.db" {
		t.Fatalf("flag over file: %q %v", c.DatabaseURL, err)
	}

	for _, bad := range []struct{ name, value, want string }{
		{"PARTNERDESK_TRUST_PROXY", "yes", "PARTNERDESK_TRUST_PROXY=\"yes\": want true or false"},
		{"PARTNERDESK_SECURE_COOKIES", "on", "PARTNERDESK_SECURE_COOKIES"},
		{"PARTNERDESK_STRIPE_WEBHOOK_SECRET", "whsec_both", "PARTNERDESK_STRIPE_WEBHOOK_SECRET and PARTNERDESK_STRIPE_WEBHOOK_SECRET_FILE are both set"},
		{"PARTNERDESK_DATABASE_URL_FILE", filepath.Join(dir, "missing"), "PARTNERDESK_DATABASE_URL_FILE:"},
		{"PARTNERDESK_LOG_FORMAT", "xml", "--log-format \"xml\""},
	} {
		t.Run(bad.name, func(t *testing.T) {
			t.Setenv(bad.name, bad.value)
			_, err := configFrom(t)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Fatalf("%s=%s: %v, want %q", bad.name, bad.value, err, bad.want)
			}
		})
	}
	if _, err := configFrom(t, "--metrics-addr", "127.0.0.1:8080", "--addr", "127.0.0.1:8080"); err == nil {
		t.Error("metrics on the public listener accepted")
	}
	if _, err := configFrom(t, "--stripe-api-key", "sk_live_everything"); err == nil || !strings.Contains(err.Error(), "want a restricted key") {
		t.Errorf("a secret Stripe key: %v, want refused", err)
	}
	if _, err := configFrom(t, "--tls-cert", "c.pem"); err == nil {
		t.Error("a certificate without its key accepted")
	}
}

// Single sign-on takes its three settings together, an HTTPS issuer (HTTP
// on loopback only) and its client secret from a file; the two-factor key
// is long enough.
func TestSignInSettings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "oidc")
	if err := os.WriteFile(file, []byte("client-secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PARTNERDESK_OIDC_CLIENT_SECRET_FILE", file)
	t.Setenv("PARTNERDESK_OIDC_ISSUER", "https://login.example.com")
	t.Setenv("PARTNERDESK_OIDC_CLIENT_ID", "partnerdesk")
	c, err := configFrom(t)
	if err != nil || c.OIDCClientSecret != "client-secret-from-file" || c.OIDCIssuer != "https://login.example.com" || c.OIDCClientID != "partnerdesk" {
		t.Fatalf("settings: %+v %v", c, err)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--oidc-client-id", ""}, "go together"},
		{[]string{"--oidc-issuer", "http://login.example.com"}, "want an https:// URL"},
		{[]string{"--oidc-issuer", "login.example.com"}, "want an https:// URL"},
		{[]string{"--two-factor-key", "short"}, "--two-factor-key"},
	} {
		if _, err := configFrom(t, bad.args...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.args, err, bad.want)
		}
	}
	if _, err := configFrom(t, "--oidc-issuer", "http://127.0.0.1:9998"); err != nil {
		t.Errorf("a provider on loopback: %v", err)
	}
}

// The README's start command says how to choose the address, and every
// flag the README names is one the demo command has.
func TestReadmeNamesTheDemoCommandsFlags(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var c config
	c.flags(fs)
	var n int64
	for _, name := range []string{"seed", "partners", "clients"} { // runServe's demo flags
		fs.Int64Var(&n, name, 0, "")
	}
	start := string(readme)
	if i := strings.Index(start, "Run the whole test suite"); i > 0 {
		start = start[:i]
	}
	if !strings.Contains(start, "--addr") {
		t.Error("the README's start command does not say how to choose the address (--addr)")
	}
	for _, m := range regexp.MustCompile("`[^`]*--([a-z][a-z-]*)").FindAllStringSubmatch(string(readme), -1) {
		if m[1] != "help" && fs.Lookup(m[1]) == nil { // the flag package answers --help itself
			t.Errorf("the README names --%s, which partnerdesk demo does not have", m[1])
		}
	}
}
