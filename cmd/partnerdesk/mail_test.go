package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/email/emailtest"
)

// A server with --smtp-url (here from PARTNERDESK_SMTP_URL_FILE) delivers
// the outbox: a reset link asked for on the page reaches the SMTP server,
// from --mail-from, with its link on --base-url.
func TestServeDeliversEmailThroughSMTP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pd.db")
	if code, _, errOut := runCmd(t, "user", "create", "--database-url", path, "--email", "ops@vendor.test", "--name", "Olga Ops", "--role", "program_admin"); code != 0 {
		t.Fatalf("user create: %s", errOut)
	}
	mailbox := emailtest.Start(t, emailtest.Options{User: "relay", Password: "s3cret"})
	t.Setenv("PARTNERDESK_SMTP_URL_FILE", writeFile(t, dir, "smtp-url", mailbox.URL()+"\n"))
	addr := freeAddr(t)
	serveForTest(t, addr, "--database-url", path, "--mail-from", "Partner Program <partners@vendor.test>",
		"--base-url", "https://partners.example.com/")

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get("http://" + addr + "/password/forgot")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
	if csrf == nil {
		t.Fatalf("no CSRF token on the form:\n%s", page)
	}
	res, err = c.PostForm("http://"+addr+"/password/forgot", url.Values{"csrf": {csrf[1]}, "email": {"ops@vendor.test"}})
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %v %v", res, err)
	}
	res.Body.Close()
	got := mailbox.WaitFor(1, 20*time.Second)[0]
	if got.Header.Get("From") != `"Partner Program" <partners@vendor.test>` || got.From != "partners@vendor.test" || got.Auth != "relay" ||
		!strings.Contains(got.Text, "https://partners.example.com/password/reset/") {
		t.Errorf("the email: from %q (%s), signed in as %q\n%s", got.Header.Get("From"), got.From, got.Auth, got.Text)
	}
}

// The demo says where to read its emails when it sends none.
func TestDemoSaysWhereItsEmailsAre(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan int, 1)
	addr := freeAddr(t)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", addr, "--database-url", filepath.Join(t.TempDir(), "demo.db"),
			"--partners", "3", "--clients", "30"}, strings.NewReader(""), &out, &logs)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("demo exited %d: %s", code, logs.String())
		}
	}()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(out.String(), "Press Ctrl-C"); {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not start:\n%s\n%s", out.String(), logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if want := "signed in as admin@"; !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "http://"+addr+"/admin/outbox") ||
		!strings.Contains(out.String(), "not sent without --smtp-url") {
		t.Errorf("the demo's banner:\n%s", out.String())
	}
}

// Mail settings are checked at start: an SMTP URL needs a sender, the
// base URL defaults to the listen address.
func TestMailSettings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // an error's words, or the base URL
	}{
		{[]string{"--addr", "127.0.0.1:9090"}, "http://127.0.0.1:9090"},
		{[]string{"--addr", ":8080", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "https://localhost:8080"},
		{[]string{"--addr", "0.0.0.0:8080"}, "http://localhost:8080"},
		{[]string{"--base-url", "https://partners.example.com/"}, "https://partners.example.com/"},
		{[]string{"--smtp-url", "smtp://mail.example.com"}, "--mail-from (PARTNERDESK_MAIL_FROM) is required"},
		{[]string{"--smtp-url", "http://mail.example.com", "--mail-from", "a@b.test"}, "--smtp-url"},
		{[]string{"--mail-from", "not an address"}, "--mail-from"},
		{[]string{"--base-url", "partners.example.com"}, "--base-url"},
	} {
		cfg, err := configFrom(t, c.args...)
		got := cfg.BaseURL
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
}
