package web_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Forgot password, in a browser: the email reaches the test's SMTP
// server through the outbox's worker, its link opens the reset page, the
// new password is set, and signs in.
func TestBrowserPasswordResetByEmail(t *testing.T) {
	exe := chromium(t)
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	a, mailbox := mailingApp(t, db)
	base := a.ts.URL
	ctx := chrome(t, exe)

	do(t, ctx, "ask for a reset link",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(sel(`a[href="/password/forgot"]`)),
		chromedp.Click(sel(`a[href="/password/forgot"]`)),
		chromedp.WaitVisible(sel(`input[name=email]`)),
		chromedp.SendKeys(sel(`input[name=email]`), st.AlphaAdmin),
		chromedp.Submit(sel(`input[name=email]`)),
		chromedp.WaitVisible(sel(`[data-testid=reset-sent]`)),
	)
	got := mailbox.WaitFor(1, 10*time.Second)
	if len(got) != 1 || got[0].To[0] != st.AlphaAdmin {
		t.Fatalf("mailbox: %+v", got)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/password/reset/[A-Za-z0-9_-]+`).FindString(got[0].Text)
	if link == "" {
		t.Fatalf("no reset link in the email:\n%s", got[0].Text)
	}
	do(t, ctx, "set a new password from the emailed link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(sel(`input[name=password]`)),
		chromedp.SendKeys(sel(`input[name=password]`), "a brand new passphrase"),
		chromedp.Submit(sel(`input[name=password]`)),
		chromedp.WaitVisible(sel(`p.notice`)),
	)
	if url := run(t, ctx, chromedp.Location()); url != base+"/login?notice=reset" {
		t.Fatalf("after the reset: %s", url)
	}
	do(t, ctx, "sign in with the new password",
		chromedp.SendKeys(sel(`input[name=email]`), st.AlphaAdmin),
		chromedp.SendKeys(sel(`input[name=password]`), "a brand new passphrase"),
		chromedp.Submit(sel(`input[name=password]`)),
		chromedp.WaitVisible(sel(`table.clients`)),
	)
	if url := run(t, ctx, chromedp.Location()); url != base+"/partners/1/clients" {
		t.Errorf("signed in at %s", url)
	}
}
