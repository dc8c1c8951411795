package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The phone the layout is tested on (an iPhone 12 to 15, in CSS pixels),
// and a laptop's screen.
const (
	phoneWidth, phoneHeight   = 390, 844
	laptopWidth, laptopHeight = 1440, 900
)

// phoneLanguages are the languages the phone screens are checked in,
// each sent as the browser's Accept-Language. French words are longer
// than English ones: the layout wraps them rather than scroll.
var phoneLanguages = []string{"en", "fr"}

// LongClient is a client with the long name, domain and contact of a
// real customer base (the fixture's are short): wide content is what
// pushes a table or a drop-down past the screen.
const longClient = 106

// withLongClient adds longClient to Alpha's clients, with a pending
// partner-owned renewal and a contact whose option in the contact
// drop-down is long, and gives Northwind such a contact too.
func withLongClient(t *testing.T) func(db *store.DB) {
	return func(db *store.DB) {
		day := func(d int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(d) }
		name, domain := "Harbordale Academy & Co Logistics Holdings SAS", "harbordaleacademyandcologisticsholdings.example"
		contact := []string{"client_id", "name", "email", "title"}
		err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			b.Insert("clients", []string{"id", "account_id", "name", "domain", "industry", "country", "employees", "account_url", "mrr", "product_mask", "engagement", "created_at"},
				longClient, "acct-"+domain, name, domain, "Software", "FR", 120, "", 12000, 0, 0, st.Now)
			b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on", "ended_on",
				"name", "domain", "mrr", "product_mask", "engagement", "employees"},
				longClient, st.AlphaID, "sold_managed", day(-400), nil, name, domain, 12000, 0, 0, 120)
			b.Insert("client_contacts", contact, longClient, "Maximilian Alexander Montgomery-Whitfield", "maximilian.montgomery-whitfield@"+domain, "Vice President of Global Procurement and Vendor Relations")
			b.Insert("client_contacts", contact, st.Northwind, "Maximilian Alexander Montgomery-Whitfield", "maximilian.montgomery-whitfield@northwind.example", "Vice President of Global Procurement and Vendor Relations")
			b.Insert("renewals", []string{"client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "renewal_manager_id", "current_mrr", "proposed_mrr"},
				longClient, day(60), "contact_tier_upgrade", "partner", st.AlphaID, "pending", 3, 12000, 15000)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// phoneBrowser is tierBrowser (the Tier tab needs the daily refresh) on
// the fixture with longClient, at the phone's size.
func phoneBrowser(t *testing.T, width, height int64) (context.Context, string) {
	ctx, base := tierBrowser(t, withLongClient(t))
	do(t, ctx, "set the screen's size", chromedp.EmulateViewport(width, height, chromedp.EmulatePortrait, chromedp.EmulateTouch))
	return ctx, base
}

// speak makes the browser ask for lang on every request.
func speak(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(sctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
		t.Fatalf("ask for %s: %v", lang, err)
	}
}

// fits fails the test when the page at the browser's URL scrolls
// sideways: its document is wider than the viewport.
func fits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w := run(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, innerWidth]`))
	if w[0] > w[1] {
		t.Errorf("%s is %d px wide in a %d px viewport (%s)", what, w[0], w[1], run(t, ctx, chromedp.Location()))
	}
}

// targets are what a finger points at: buttons, fields, the navigation,
// tabs, menus and the panel's close link. Links inside running text are
// not (WCAG 2.5.8 exempts them).
const targets = `button, select, input:not([type=hidden], [type=checkbox], [type=radio]), a.button, nav a, [role=tab], summary, a.close, details.actions a, label.check, th a, a.client-name`

// smallTargets lists the visible targets on the page smaller than 44 by
// 44 px.
func smallTargets(t *testing.T, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(`+"`"+targets+"`"+`)).filter(e => {
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden" && (r.width < 44 || r.height < 44);
	}).map(e => e.tagName.toLowerCase() + "." + e.className + " «" + e.textContent.trim().slice(0, 30) + "» " + Math.round(e.getBoundingClientRect().width) + "×" + Math.round(e.getBoundingClientRect().height)).join("; ")`))
}

// screenshot saves the viewport as PNG in PARTNERDESK_SCREENSHOTS (a
// folder), when that is set, for a person to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PARTNERDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := run(t, ctx, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The partner's main screens on a phone: nothing scrolls the page
// sideways, the menu button opens the navigation, the client panel takes
// the whole screen, the Renewals table scrolls in its own box keeping
// the client column, the Tier chart's labels stay readable, and every
// target is at least 44 px.
func TestBrowserPhoneScreens(t *testing.T) {
	ctx, base := phoneBrowser(t, phoneWidth, phoneHeight)
	alpha := fmt.Sprintf("%s/partners/%d", base, st.AlphaID)
	for _, lang := range phoneLanguages {
		shot := func(name string) { screenshot(t, ctx, lang+"-"+name) }
		check := func(what string) {
			t.Helper()
			fits(t, ctx, lang+": "+what)
			if small := smallTargets(t, ctx); small != "" {
				t.Errorf("%s: %s: targets under 44 px: %s", lang, what, small)
			}
		}
		speak(t, ctx, lang)
		do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)))...)

		// The side navigation waits behind the menu button.
		if got := run(t, ctx, chromedp.Evaluate[[]string](`[document.querySelector(".menu-button").getAttribute("aria-expanded"), getComputedStyle(document.querySelector("nav.side")).display]`)); got[0] != "false" || got[1] != "none" {
			t.Errorf("%s: before the menu opens: aria-expanded %s, the side navigation's display %s", lang, got[0], got[1])
		}
		check("the Clients tab")
		shot("clients")
		do(t, ctx, "open the menu", chromedp.Click(sel(`.menu-button`)), chromedp.WaitVisible(sel(`nav.side a[href$="/renewals"]`)))
		if exp := run(t, ctx, chromedp.Evaluate[string](`document.querySelector(".menu-button").getAttribute("aria-expanded")`)); exp != "true" {
			t.Errorf("%s: the open menu's button says aria-expanded=%s", lang, exp)
		}
		check("the open menu")
		shot("menu")
		do(t, ctx, "close the menu with Escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(sel(`nav.side`)))
		if got := run(t, ctx, chromedp.Evaluate[[]string](`[document.activeElement.className, document.querySelector(".menu-button").getAttribute("aria-expanded")]`)); got[0] != "menu-button" || got[1] != "false" {
			t.Errorf("%s: after Escape the focus is on %q, aria-expanded=%s", lang, got[0], got[1])
		}

		// The client panel covers the screen.
		do(t, ctx, "open a panel", chromedp.Click(sel(`tr[data-client="`+fmt.Sprint(longClient)+`"] a.client-name`)),
			chromedp.WaitVisible(sel(`#panel .panel-body[data-tab=details]`)))
		if r := run(t, ctx, chromedp.Evaluate[[]float64](`(r => [r.left, r.top, r.width, r.height])(document.getElementById("panel").getBoundingClientRect())`)); r[0] != 0 || r[1] != 0 || r[2] != phoneWidth || r[3] != phoneHeight {
			t.Errorf("%s: the panel covers %v of the %d×%d screen", lang, r, phoneWidth, phoneHeight)
		}
		check("the client panel")
		shot("panel")

		// Renewals: the table scrolls in its box, the client column stays.
		do(t, ctx, "open Renewals", chromedp.Navigate(alpha+"/renewals"), chromedp.WaitVisible(sel(`table.renewals tbody tr`)))
		check("Renewals")
		kept := run(t, ctx, chromedp.Evaluate[[]float64](`(() => {
			const box = document.querySelector("table.renewals"), cell = box.querySelector("tbody td");
			box.scrollLeft = 300;
			return [box.scrollWidth - box.clientWidth, box.scrollLeft, cell.getBoundingClientRect().left - box.getBoundingClientRect().left];
		})()`))
		if kept[0] <= 0 || kept[1] == 0 || kept[2] > 1 {
			t.Errorf("%s: Renewals' table: %.0f px to scroll, scrolled %.0f, its client column %.0f px from the box's left edge", lang, kept[0], kept[1], kept[2])
		}
		shot("renewals")

		do(t, ctx, "open a renewal", chromedp.Click(sel(fmt.Sprintf(`tr:has(a[href*="/clients/%d?"]) a.button`, longClient))), chromedp.WaitVisible(sel(`form.decision`)))
		check("a renewal's page")
		shot("renewal")

		// The Tier tab with a month open: the chart scrolls in its box
		// rather than shrink its labels.
		do(t, ctx, "open the Tier tab", chromedp.Navigate(alpha+"/tier?month="+billedMonth.Format(monthParam)),
			chromedp.WaitVisible(sel(`#month table[data-testid=month-moves]`)))
		check("the Tier tab")
		if h := run(t, ctx, chromedp.Evaluate[float64](`document.querySelector("svg.bars text.month").getBoundingClientRect().height`)); h < 11 {
			t.Errorf("%s: the Tier chart's month labels are %.1f px high", lang, h)
		}
		shot("tier")

		do(t, ctx, "open the engagement page", chromedp.Navigate(alpha+"/engagement?bucket=low"), chromedp.WaitVisible(sel(`[data-testid=bucket-list]`)))
		check("the engagement page")
		shot("engagement")
		do(t, ctx, "sign out", chromedp.Submit(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`input[name=email]`)))
	}
}

// Every other page on a phone, as each kind of user sees it: none
// scrolls sideways, on the phone of the other tests nor on a 360 px one
// (the narrowest phones in use).
func TestBrowserPhonePagesFit(t *testing.T) {
	ctx, base := phoneBrowser(t, phoneWidth, phoneHeight)
	for _, width := range []int64{360, phoneWidth} {
		do(t, ctx, "set the screen's size", chromedp.EmulateViewport(width, phoneHeight, chromedp.EmulatePortrait, chromedp.EmulateTouch))
		t.Run(fmt.Sprint(width), func(t *testing.T) { pagesFit(t, ctx, base) })
	}
}

func pagesFit(t *testing.T, ctx context.Context, base string) {
	alpha := fmt.Sprintf("/partners/%d", st.AlphaID)
	public := []string{"/login", "/password/forgot", "/directory", "/directory/" + st.AlphaSlug}
	partner := []string{alpha + "/clients", alpha + "/tier", alpha + "/team", alpha + "/confirmation-links", alpha + "/leads",
		alpha + "/profile", alpha + "/users", alpha + "/audit", "/account", fmt.Sprintf("%s/renewals/%d", alpha, st.NorthwindOverage)}
	staff := []string{"/admin/partners", "/admin/partners/1", "/admin/partners/1/edit", "/admin/partners/1/tier", "/admin/partners/1/team",
		"/admin/tiers", "/admin/certifications", "/admin/directory", "/admin/staff", "/admin/users", "/admin/program", "/admin/audit",
		"/admin/import", "/admin/tokens", "/admin/outbox", "/admin/outbox/1", alpha + "/clients", alpha + "/renewals", "/account"}
	for _, lang := range phoneLanguages {
		speak(t, ctx, lang)
		for _, c := range []struct {
			who   string
			pages []string
		}{
			{"", public},
			{st.AlphaAdmin, partner},
			{st.AlphaEmployee, []string{alpha + "/clients", alpha + "/renewals", alpha + "/engagement", alpha + "/team", "/account"}},
			{st.AdminEmail, staff},
			{st.ManagerEmail, []string{"/admin/book", "/admin/partners", alpha + "/clients", alpha + "/team"}},
		} {
			if c.who != "" {
				do(t, ctx, "sign in as "+c.who, append(signInAs(base, c.who), chromedp.WaitReady(sel(`header nav.user`)))...)
			}
			for _, p := range c.pages {
				do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(sel(`main`)))
				if status := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("[data-testid=error]")?.dataset.status ?? ""`)); status != "" {
					t.Errorf("%s as %s: %s answers the error page %s", lang, c.who, p, status)
				}
				fits(t, ctx, lang+" as "+c.who+": "+p)
			}
			if c.who != "" {
				do(t, ctx, "sign out", chromedp.Submit(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`input[name=email]`)))
			}
		}
	}
}

// On a laptop, Renewals shows every column without a scroll (the
// Decide button in the last one), and a renewal's page fits its long
// contact drop-down.
func TestBrowserLaptopRenewalsShowEveryColumn(t *testing.T) {
	ctx, base := phoneBrowser(t, laptopWidth, laptopHeight)
	alpha := fmt.Sprintf("%s/partners/%d", base, st.AlphaID)
	for _, lang := range phoneLanguages {
		speak(t, ctx, lang)
		do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)))...)
		do(t, ctx, "open Renewals", chromedp.Navigate(alpha+"/renewals"), chromedp.WaitVisible(sel(`table.renewals tbody tr`)))
		fits(t, ctx, lang+": Renewals")
		box := run(t, ctx, chromedp.Evaluate[[]float64](`(() => {
			const box = document.querySelector(".scroll"), decide = document.querySelector("table.renewals tbody tr:last-child td:last-child a.button");
			return [box.scrollWidth, box.clientWidth, decide.getBoundingClientRect().right, box.getBoundingClientRect().right];
		})()`))
		if box[0] > box[1] || box[2] > box[3] {
			t.Errorf("%s: Renewals' table is %.0f px wide in a %.0f px box; its last button ends at %.0f, the box at %.0f", lang, box[0], box[1], box[2], box[3])
		}
		screenshot(t, ctx, lang+"-laptop-renewals")
		for _, id := range []int{st.NorthwindRenewal} {
			do(t, ctx, "open a renewal", chromedp.Navigate(fmt.Sprintf("%s/renewals/%d", alpha, id)), chromedp.WaitVisible(sel(`select[name=contact]`)))
			fits(t, ctx, lang+": a renewal's page")
		}
		do(t, ctx, "sign out", chromedp.Click(sel(`header .user button.link`)), chromedp.WaitVisible(sel(`input[name=email]`)))
	}
}

// On a touch screen as wide as a laptop's (a tablet on its side), the
// layout is the laptop's, and its targets are 44 px all the same.
func TestBrowserTabletTargets(t *testing.T) {
	ctx, base := phoneBrowser(t, 1024, 768)
	alpha := fmt.Sprintf("%s/partners/%d", base, st.AlphaID)
	for _, lang := range phoneLanguages {
		speak(t, ctx, lang)
		do(t, ctx, "sign in", append(signInAs(base, st.AlphaAdmin), chromedp.WaitVisible(sel(`table.clients`)))...)
		if !run(t, ctx, chromedp.Evaluate[bool](`matchMedia("(pointer: coarse)").matches`)) {
			t.Fatal("the emulated touch screen is not a coarse pointer")
		}
		for _, p := range []string{alpha + "/clients", alpha + "/renewals", alpha + "/tier", alpha + "/engagement"} {
			tabletPage(t, ctx, lang, p)
		}
		do(t, ctx, "sign out", chromedp.Submit(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`input[name=email]`)))
		do(t, ctx, "sign in as staff", append(signInAs(base, st.AdminEmail), chromedp.WaitVisible(sel(`nav.side`)))...)
		for _, p := range []string{"/admin/partners", "/admin/partners/1", "/admin/tiers", "/admin/program"} {
			tabletPage(t, ctx, lang, base+p)
		}
		do(t, ctx, "sign out", chromedp.Submit(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`input[name=email]`)))
	}
}

// tabletPage opens url and checks that it fits and that its targets are
// 44 px.
func tabletPage(t *testing.T, ctx context.Context, lang, url string) {
	t.Helper()
	do(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(sel(`nav.side`)))
	fits(t, ctx, lang+": "+url)
	if small := smallTargets(t, ctx); small != "" {
		t.Errorf("%s: %s: targets under 44 px: %s", lang, url, small)
	}
}
