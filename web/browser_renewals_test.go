package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestBrowserRecordADecisionAndTheAlertsDrop(t *testing.T) {
	ctx, base := browser(t)
	alerts := func() string { return run(t, ctx, chromedp.Text(sel(`[data-testid=alerts] strong`))) }

	do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`[data-testid=alerts]`)))...)
	if n := alerts(); n != "2" {
		t.Fatalf("alerts %s, want 2", n)
	}
	// The alert opens the Renewals page filtered to the two decisions.
	// Wait for the Renewals page's own rows: the click navigates, and a
	// loaded machine may still show the page it left.
	do(t, ctx, "follow the alert", chromedp.Click(sel(`[data-testid=alerts]`)), chromedp.WaitVisible(sel(`table.renewals tbody tr`)))
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.renewals tbody tr").length`)); n != 2 {
		t.Fatalf("the alert lists %d renewals, want 2", n)
	}
	checkAxe(t, ctx, "Renewals")
	do(t, ctx, "open Northwind's renewal",
		chromedp.Click(sel(`tr[data-renewal="1"] a.button`)),
		chromedp.WaitVisible(sel(`form.decision`)),
	)
	checkAxe(t, ctx, "a renewal")
	do(t, ctx, "ask to decide",
		chromedp.SendKeys(sel(`form.decision textarea[name=note]`), "Agreed with Nadia"),
		chromedp.Click(sel(`form.decision button[type=submit]`)),
		chromedp.WaitVisible(sel(`#confirm-decision`)),
	)
	if what, note := run(t, ctx, chromedp.Text(sel(`#confirm-decision .what`))), run(t, ctx, chromedp.Text(sel(`#confirm-decision .note`))); what != "Renew as proposed" || !strings.Contains(note, "Agreed with Nadia") {
		t.Fatalf("the dialog says %q, %q", what, note)
	}
	checkAxe(t, ctx, "a renewal's decision dialog")
	// Cancel changes nothing; then choose cancellation and confirm.
	do(t, ctx, "cancel", chromedp.Click(sel(`#confirm-decision button.cancel`)), chromedp.WaitNotVisible(sel(`#confirm-decision`)))
	if s := run(t, ctx, chromedp.Text(sel(`[data-testid=renewal-status]`))); s != "Pending" {
		t.Fatalf("after Cancel the status is %q", s)
	}
	do(t, ctx, "confirm",
		chromedp.Click(sel(`input[name=decision][value=cancellation_requested]`)),
		chromedp.Click(sel(`form.decision button[type=submit]`)),
		chromedp.WaitVisible(sel(`#confirm-decision`)),
	)
	if what := run(t, ctx, chromedp.Text(sel(`#confirm-decision .what`))); what != "Request cancellation" {
		t.Fatalf("the dialog says %q", what)
	}
	do(t, ctx, "record", chromedp.Click(sel(`#confirm-decision button.ok`)), chromedp.WaitVisible(sel(`p.notice`)))
	if s := run(t, ctx, chromedp.Text(sel(`[data-testid=renewal-status]`))); s != "Cancellation requested" {
		t.Errorf("status after the decision: %q", s)
	}
	if h := run(t, ctx, chromedp.Text(sel(`[data-testid=history]`))); !strings.Contains(h, "Cancellation requested") || !strings.Contains(h, "Alice Alpha") || !strings.Contains(h, "Agreed with Nadia") {
		t.Errorf("history: %q", h)
	}
	do(t, ctx, "back to the clients", chromedp.Navigate(base+"/partners/1/clients"), chromedp.WaitVisible(sel(`[data-testid=alerts]`)))
	if n := alerts(); n != "1" {
		t.Errorf("alerts after the decision: %s, want 1", n)
	}
}

func TestBrowserOpenABucketAndAClientsBreakdown(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "sign in", append(signInAs(base, st.AlphaEmployee), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Click(sel(`nav.side a[href="/partners/1/engagement"]`)),
		chromedp.WaitVisible(sel(`[data-testid=buckets]`)))...)
	checkAxe(t, ctx, "engagement")
	do(t, ctx, "open the Low bucket", chromedp.Click(sel(`a.bucket[data-bucket=low]`)), chromedp.WaitVisible(sel(`[data-testid=bucket-list]`)))
	listed := run(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("[data-testid=bucket-list] a.client-name")).map(a => a.textContent).join("|")`))
	if listed != "Globex Corp|Umbrella Co" {
		t.Fatalf("the Low bucket lists %q", listed)
	}
	checkAxe(t, ctx, "engagement, a bucket")
	do(t, ctx, "open Globex's breakdown",
		chromedp.Click(sel(`[data-testid=bucket-list] tr[data-client="102"] a.client-name`)),
		chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=engagement]`)),
	)
	if idx := run(t, ctx, chromedp.Text(sel(`[data-testid=engagement-index]`))); idx != "2" {
		t.Errorf("Globex's index in the panel: %q", idx)
	}
	if body := run(t, ctx, chromedp.Text(sel(`#panel .panel-body`))); !strings.Contains(body, "CRM basics") || !strings.Contains(body, "Service") || !strings.Contains(body, "Tickets") {
		t.Errorf("breakdown: %q", body)
	}
	// Escape closes the panel and returns to the bucket, not to the client list.
	do(t, ctx, "close", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(sel(`#panel`)))
	if url := run(t, ctx, chromedp.Location()); !strings.HasSuffix(url, "/partners/1/engagement?bucket=low") {
		t.Errorf("after closing the panel the URL is %s", url)
	}
}

func TestBrowserSendEmailToTheTeam(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Click(sel(`nav.tabs a[href="/partners/1/team"]`)),
		chromedp.WaitVisible(sel(`[data-testid=team-partner_manager]`)))...)
	checkAxe(t, ctx, "Team")
	for _, c := range []struct{ card, to string }{
		{"team-partner_manager", "maya@vendor.test"}, {"team-partner_consultant", "colin@vendor.test"},
	} {
		href := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=`+c.card+`] [data-testid=send-email]").href`))
		to := run(t, ctx, chromedp.Evaluate[string](`(u => decodeURIComponent(u.pathname))(new URL(document.querySelector("[data-testid=`+c.card+`] [data-testid=send-email]").href))`))
		subject := run(t, ctx, chromedp.Evaluate[string](`new URL(document.querySelector("[data-testid=`+c.card+`] [data-testid=send-email]").href).searchParams.get("subject")`))
		if !strings.HasPrefix(href, "mailto:") || to != c.to || subject != "Alpha Agency: partner program" {
			t.Errorf("%s: Send email is %s (to %q, subject %q)", c.card, href, to, subject)
		}
	}
}
