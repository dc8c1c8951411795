package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnerdesk/partnerdesk/refresh"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A partner creates a confirmation link; the client confirms it in a
// fresh browser without signing in; a billing event without a partner
// arrives through the API; after the daily refresh the partner's Tier tab
// shows the credit as credited by the link.
func TestBrowserConfirmationLinkCreditsThePartner(t *testing.T) {
	exe := chromium(t)
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	ctx, base := startBrowser(t, exe, db)

	do(t, ctx, "open the links page", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Click(sel(`nav.side a[href$="/confirmation-links"]`)), chromedp.WaitVisible(sel(`#new-link`)))...)
	run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("select[name=client]").value = "%d"; true`, st.Globex)))
	do(t, ctx, "create a link", chromedp.SendKeys(sel(`input[name="qty_sales-pro"]`), "1"),
		chromedp.SendKeys(sel(`textarea[name=services]`), "Onboarding workshops"),
		chromedp.Click(sel(`form[action$="/confirmation-links"] button[type=submit]`)),
		chromedp.WaitVisible(sel(`[data-testid=link-url]`)))
	link := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=link-url]").value`))
	if !strings.HasPrefix(link, base+"/confirm/") {
		t.Fatalf("link %q", link)
	}
	checkAxe(t, ctx, "confirmation links")

	client := chrome(t, exe)
	do(t, client, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(sel(`[data-testid=partner]`)))
	if text := run(t, client, chromedp.Text(sel(`[data-testid=confirm]`))); !strings.Contains(text, "Alpha Agency") ||
		!strings.Contains(text, "1 × Sales Professional") || !strings.Contains(text, "Onboarding workshops") || strings.Contains(text, "Globex") {
		t.Errorf("the client's page: %q", text)
	}
	checkAxe(t, client, "a confirmation link's public page")
	do(t, client, "confirm", chromedp.Click(sel(`button[value=confirm]`)), chromedp.WaitVisible(sel(`[data-testid=answered]`)))

	at := st.Now.Add(-time.Hour).UTC().Format(time.RFC3339)
	req, _ := http.NewRequest("POST", base+"/api/v1/billing-events", strings.NewReader(`{"records":[{"id":"ev-browser-link","occurred_at":"`+
		at+`","client":"acct-globex.example","product":"sales-pro","mrr":25000}]}`))
	req.Header.Set("Authorization", "Bearer "+st.IngestToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("ingest: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := refresh.Run(context.Background(), db, st.Now, refresh.Options{}); err != nil {
		t.Fatal(err)
	}

	do(t, ctx, "open this month on the Tier tab", chromedp.Navigate(fmt.Sprintf("%s/partners/%d/tier?month=%s", base, st.AlphaID, st.Now.Format(monthParam))),
		chromedp.WaitVisible(sel(`#month [data-testid=by-link]`)))
	if text := run(t, ctx, chromedp.Text(sel(`#month tbody[data-client="`+fmt.Sprint(st.Globex)+`"]`))); !strings.Contains(text, "credited by confirmation link") {
		t.Errorf("Globex's movement: %q", text)
	}
}
