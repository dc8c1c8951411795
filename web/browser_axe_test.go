package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The program's pages pass axe-core, as a program admin sees them.
func TestBrowserAdminPagesPassAxe(t *testing.T) {
	ctx, base := browser(t)
	do(t, ctx, "sign in", append(signInAs(base, st.AdminEmail), chromedp.WaitVisible(sel(`nav.side`)))...)
	for _, p := range []string{
		"/admin/partners", "/admin/partners/1", "/admin/partners/1/edit", "/admin/partners/1/tier", "/admin/partners/1/team",
		"/admin/tiers", "/admin/certifications", "/admin/directory", "/admin/staff", "/admin/users",
		"/admin/program", "/admin/audit", "/admin/import", "/admin/tokens", "/admin/outbox",
	} {
		do(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(sel(`main h1`)))
		checkAxe(t, ctx, p)
	}
}
