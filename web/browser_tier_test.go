package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
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
	return startBrowser(t, exe, db)
}

// A partner opens the Tier tab, reads a bar's value by keyboard, clicks a
// month and sees its movements client by client, in place; Escape closes
// them; a client's name opens its panel over the Tier tab, and closing
// the panel comes back to the tab as it was.
func TestBrowserTierTabMonthMovements(t *testing.T) {
	ctx, base := tierBrowser(t)
	bar := func(m pd.Date) string { return `svg.bars a.bar[data-month="` + m.Format(monthParam) + `"]` }
	do(t, ctx, "open the Tier tab", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)),
		chromedp.Click(sel(`nav.tabs a[href$="/tier"]`)), chromedp.WaitVisible(sel(`svg.bars`)))...)
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.bars a.bar").length`)); n != chartMonths {
		t.Fatalf("%d bars, want %d", n, chartMonths)
	}
	// On a wide screen the chart fills the width it is given.
	do(t, ctx, "a wide window", chromedp.EmulateViewport(1440, 900))
	if fill := run(t, ctx, chromedp.Evaluate[float64](`document.querySelector("svg.bars").getBoundingClientRect().width / document.querySelector("figure.chart").getBoundingClientRect().width`)); fill < 0.99 {
		t.Errorf("at 1,440 px the chart fills %.0f%% of its width", 100*fill)
	}

	checkAxe(t, ctx, "Tier")

	// Focus shows the value the bar's accessible name gives: the month
	// every client line was billed. The name holds what the bar shows, its
	// axis label and value, in that order (for voice control).
	billed := billedMonth.Format(monthLong)
	do(t, ctx, "focus a bar", chromedp.Focus(sel(bar(billedMonth))))
	vis := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.activeElement.querySelector(".val")).visibility`))
	label := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("aria-label")`))
	if vis != "visible" || label != billedMonth.Format(monthShort)+": $2,105.00 closing credit" {
		t.Errorf("focused bar: value %s, label %q", vis, label)
	}
	labelled := `svg.bars a.bar:has(text.month)`
	do(t, ctx, "focus a bar with an axis label", chromedp.Focus(sel(labelled)))
	shown := run(t, ctx, chromedp.Evaluate[string](`Array.from(document.activeElement.querySelectorAll("text")).map(e => e.textContent).join(" ")`))
	if name := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("aria-label")`)); !strings.HasPrefix(strings.ReplaceAll(name, ":", ""), shown) {
		t.Errorf("a bar shows %q, and its name is %q", shown, name)
	}
	checkAxe(t, ctx, "Tier, a bar focused")

	do(t, ctx, "click "+billed, chromedp.Click(sel(bar(billedMonth))), chromedp.WaitVisible(sel(`#month table[data-testid=month-moves]`)))
	checkAxe(t, ctx, "Tier with a month")
	text := run(t, ctx, chromedp.Text(sel(`#month`)))
	for _, want := range []string{"What changed in " + billed, "Globex Corp", "Upgraded (returning client)", "Northwind Traders", "+$890.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s's movements lack %q: %q", billed, want, text)
		}
	}
	if url := run(t, ctx, chromedp.Location()); !strings.Contains(url, "month="+billedMonth.Format(monthParam)) {
		t.Errorf("url %s does not name the month", url)
	}
	if on := run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('`+bar(billedMonth)+`').classList.contains("selected")`)); !on {
		t.Error("the chosen bar is not marked")
	}
	// A client's name opens its panel over the Tier tab; closing it
	// comes back to the tab with the same month shown.
	tierURL := run(t, ctx, chromedp.Location())
	do(t, ctx, "open a client from the month", chromedp.Click(sel(`#month a.client-name`)),
		chromedp.WaitVisible(sel(`#panel .panel-body`)))
	if url := run(t, ctx, chromedp.Location()); !strings.Contains(url, "/partners/1/clients/") {
		t.Errorf("client link went to %s", url)
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.bars, #month").length`)); n != 2 {
		t.Errorf("with the panel open the Tier tab's chart and month are not both shown (%d)", n)
	}
	do(t, ctx, "Escape closes the panel only", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(sel(`#panel`)))
	if url := run(t, ctx, chromedp.Location()); url != tierURL {
		t.Errorf("after closing the panel the URL is %s, want %s", url, tierURL)
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#month table[data-testid=month-moves]").length`)); n != 1 {
		t.Error("closing the panel closed the month's movements too")
	}

	// Today's month: nothing changed in it.
	do(t, ctx, "another month", chromedp.Click(sel(bar(month(0)))), chromedp.WaitNotPresent(sel(`#month table`)), chromedp.WaitVisible(sel(`#month`)))
	if text := run(t, ctx, chromedp.Text(sel(`#month`))); !strings.Contains(text, "No change of credit this month") {
		t.Errorf("%s: %q", month(0).Format(monthLong), text)
	}
	do(t, ctx, "Escape closes it", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(sel(`#month`)))
	if !focused(t, ctx, bar(month(0))) {
		t.Errorf("after closing the month focus is on %s, not its bar", focusedOn(t, ctx))
	}

	tierURL = run(t, ctx, chromedp.Location())
	do(t, ctx, "open a client from the Total list", chromedp.Click(sel(`table[data-testid=list-total] a.client-name`)),
		chromedp.WaitVisible(sel(`#panel .panel-body`)))
	do(t, ctx, "close it with its button", chromedp.Click(sel(`#panel a.close`)), chromedp.WaitNotPresent(sel(`#panel`)))
	if url := run(t, ctx, chromedp.Location()); url != tierURL {
		t.Errorf("after closing the panel the URL is %s, want %s", url, tierURL)
	}
}
