package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/twofactor"
)

// In a browser: single sign-on through the provider's own login page, back
// to the partner's dashboard.
func TestBrowserSignsInWithSSO(t *testing.T) {
	exe := chromium(t)
	a, _ := newSSOApp(t, st.Engine{Name: "sqlite", Open: st.OpenSQLite}, "Corp ID")
	ctx := chrome(t, exe)
	do(t, ctx, "sign in with Corp ID",
		chromedp.Navigate(a.ts.URL+"/login"),
		chromedp.Click(sel(`[data-testid=sso]`)),
		chromedp.WaitVisible(sel(`#username`)),
		chromedp.SendKeys(sel(`#username`), st.AlphaAdmin),
		chromedp.SendKeys(sel(`#password`), ssoPassword),
		chromedp.Submit(sel(`#password`)),
		chromedp.WaitVisible(sel(`[data-testid=alerts]`)),
	)
	if loc := run(t, ctx, chromedp.Location()); loc != a.ts.URL+clientsURL(st.AlphaID) {
		t.Errorf("after single sign-on: %s", loc)
	}
	if who := run(t, ctx, chromedp.Text(sel(`nav.user a[href="/account"]`))); who != "Alice Alpha" {
		t.Errorf("signed in as %q", who)
	}
}

// In a browser: set up two-factor sign-in from the QR code's key, keep the
// recovery codes, then sign in with the password and a code.
func TestBrowserTurnsOnTwoFactorAndSignsInWithACode(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "sign in", signInAs(base, st.AlphaAdmin)...)
	do(t, ctx, "set up", chromedp.WaitVisible(sel(`[data-testid=alerts]`)),
		chromedp.Navigate(base+"/account/two-factor"),
		chromedp.Click(sel(`form[action="/account/two-factor/setup"] button`)),
		chromedp.WaitVisible(sel(`img[data-testid=qr]`)))
	if w := run(t, ctx, chromedp.Evaluate[int](`document.querySelector("img[data-testid=qr]").naturalWidth`)); w != 240 {
		t.Errorf("the QR code is %d pixels wide, not drawn", w)
	}
	secret := strings.ReplaceAll(run(t, ctx, chromedp.Text(sel(`[data-testid=secret]`))), " ", "")
	do(t, ctx, "confirm",
		chromedp.SendKeys(sel(`form[action="/account/two-factor/confirm"] input[name=code]`), code(t, secret, step-1)),
		chromedp.Submit(sel(`form[action="/account/two-factor/confirm"] input[name=code]`)),
		chromedp.WaitVisible(sel(`[data-testid=recovery-codes]`)))
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=recovery-codes] li").length`)); n != twofactor.RecoveryCodes {
		t.Errorf("%d recovery codes shown", n)
	}
	do(t, ctx, "sign out and in again",
		chromedp.Click(sel(`form[action="/logout"] button`)),
		chromedp.WaitVisible(sel(`input[name=email]`)),
		chromedp.SendKeys(sel(`input[name=email]`), st.AlphaAdmin),
		chromedp.SendKeys(sel(`input[name=password]`), st.Password),
		chromedp.Submit(sel(`input[name=password]`)),
		chromedp.WaitVisible(sel(`input[name=code]`)),
		chromedp.SendKeys(sel(`input[name=code]`), code(t, secret, step)),
		chromedp.Submit(sel(`input[name=code]`)),
		chromedp.WaitVisible(sel(`[data-testid=alerts]`)))
}
