package web_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// stripeMock runs stripe-mock, Stripe's own mock of its API, on a free
// port with the fixtures of testdata/stripe-mock-fixtures.json (a
// subscription with a 25 % forever discount, di_mock), and returns its
// URL and the requests it has logged so far. Without the binary the test
// is skipped, except in CI (.ci/run installs it), where it fails.
func stripeMock(t *testing.T) (string, func() string) {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		if home, herr := os.UserHomeDir(); herr == nil {
			if _, serr := os.Stat(filepath.Join(home, "go", "bin", "stripe-mock")); serr == nil {
				bin, err = filepath.Join(home, "go", "bin", "stripe-mock"), nil
			}
		}
	}
	if err != nil {
		msg := "stripe-mock is not installed: go install github.com/stripe/stripe-mock@v0.203.0 (as .ci/run does) to test reading discounts from Stripe's API"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0", "-fixtures", filepath.Join("testdata", "stripe-mock-fixtures.json"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var mu sync.Mutex
	var log strings.Builder
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok {
				addr <- a
			}
			mu.Lock()
			log.WriteString(line + "\n")
			mu.Unlock()
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not start listening")
	}
	return "", nil
}

// With a restricted API key, discounts an event names by id are read from
// Stripe's API (stripe-mock), the subscription with its discounts
// expanded: the coupon comes off and the MRR is confirmed. A discount the
// subscription no longer has stays unconfirmed.
func TestStripeDiscountsAreReadFromStripesAPI(t *testing.T) {
	url, requests := stripeMock(t)
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{StripeWebhookSecret: whsec, StripeAPIKey: "rk_test_partnerdesk", StripeAPIURL: url})
		sub := sSub("sub_mock", "active", sItem("si_mock", sPrice("service-pro", 10000, "month", 1), 1))
		sub.Discounts = []*stripe.Discount{sForever("di_mock", 25, 0)}
		webhookShape := stripeVersions[0]
		deliverOK(t, a, event(t, "evt_mock", "customer.subscription.created", st.Now, stripe.APIVersion, webhookShape.shape(object(t, sub)), nil))
		if got := lineMRR(t, a, "service-pro"); got != 7500 {
			t.Errorf("line MRR %d, want 7500 (25 %% off, read from the API)", got)
		}
		log := requests()
		if !strings.Contains(log, "GET /v1/subscriptions/sub_mock") || !strings.Contains(log, "expand:[discounts items.data.discounts]") {
			t.Errorf("stripe-mock was not asked for the subscription with its discounts expanded:\n%s", log)
		}
		if page := stripeAttention(a); strings.Contains(page, "evt_mock") {
			t.Errorf("a confirmed MRR is listed for admins")
		}
		sub.Discounts = append(sub.Discounts, sForever("di_gone", 10, 0))
		deliverOK(t, a, event(t, "evt_gone", "customer.subscription.updated", st.Now.Add(time.Minute), stripe.APIVersion, webhookShape.shape(object(t, sub)), nil))
		if got := lineMRR(t, a, "service-pro"); got != 7500 {
			t.Errorf("with a discount the API no longer has: line MRR %d, want 7500", got)
		}
		if page := stripeAttention(a); !strings.Contains(page, "evt_gone") || !strings.Contains(page, "di_gone") || strings.Contains(page, "No Stripe API key") {
			t.Errorf("the discount the API does not have is not listed as unconfirmed")
		}
	})
}
