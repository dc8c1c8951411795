package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// tierBrowser is browser with the daily refresh run on the fixture, after
// prepare (if any) changed it.
func tierBrowser(t *testing.T, prepare ...func(db *store.DB)) (context.Context, string) {
	exe := chromium(t)
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	for _, p := range prepare {
		p(db)
	}
	if _, err := refresh.Run(context.Background(), db, st.Now, refresh.Options{}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(db, web.Config{PasswordParams: st.PasswordParams}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx, ts.URL
}

// A partner opens the Tier tab, reads a bar's value by keyboard, clicks a
// month and sees its movements client by client, in place; Escape closes
// them; a client's name opens its panel on the Clients tab.
func TestBrowserTierTabMonthMovements(t *testing.T) {
	ctx, base := tierBrowser(t)
	bar := func(m string) string { return `svg.bars a.bar[data-month="` + m + `"]` }
	do(t, ctx, "open the Tier tab", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Click(sel(`nav.tabs a[href$="/tier"]`)), chromedp.WaitVisible(sel(`svg.bars`)))...)
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.bars a.bar").length`)); n != 24 {
		t.Fatalf("%d bars, want 24", n)
	}

	// Focus shows the value the bar's accessible name gives.
	do(t, ctx, "focus a bar", chromedp.Focus(sel(bar("2026-08"))))
	vis := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.activeElement.querySelector(".val")).visibility`))
	label := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("aria-label")`))
	if vis != "visible" || label != "August 2026: closing credit $2,105.00" {
		t.Errorf("focused bar: value %s, label %q", vis, label)
	}

	do(t, ctx, "click August", chromedp.Click(sel(bar("2026-08"))), chromedp.WaitVisible(sel(`#month table[data-testid=month-moves]`)))
	text := run(t, ctx, chromedp.Text(sel(`#month`)))
	for _, want := range []string{"What changed in August 2026", "Globex Corp", "Upgraded (returning client)", "Northwind Traders", "+$890.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("August's movements lack %q: %q", want, text)
		}
	}
	if url := run(t, ctx, chromedp.Location()); !strings.Contains(url, "month=2026-08") {
		t.Errorf("url %s does not name the month", url)
	}
	if on := run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('`+bar("2026-08")+`').classList.contains("selected")`)); !on {
		t.Error("the chosen bar is not marked")
	}
	do(t, ctx, "another month", chromedp.Click(sel(bar("2026-11"))), chromedp.WaitNotPresent(sel(`#month table`)), chromedp.WaitVisible(sel(`#month`)))
	if text := run(t, ctx, chromedp.Text(sel(`#month`))); !strings.Contains(text, "No change of credit this month") {
		t.Errorf("November: %q", text)
	}
	do(t, ctx, "Escape closes it", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(sel(`#month`)))

	do(t, ctx, "open a client from the Total list", chromedp.Click(sel(`table[data-testid=list-total] a.client-name`)),
		chromedp.WaitVisible(sel(`#panel .panel-body`)))
	if url := run(t, ctx, chromedp.Location()); !strings.Contains(url, "/partners/1/clients/") {
		t.Errorf("client link went to %s", url)
	}
}
