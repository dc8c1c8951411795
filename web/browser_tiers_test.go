package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A program admin raises Silver's managed-MRR minimum, sees in the
// preview that it demotes one partner (Alpha, at Silver with 1,190.00),
// saves it from a later day, and Alpha's Tier tab names the coming
// change and what it means for Alpha.
func TestBrowserPreviewAndScheduleATierChange(t *testing.T) {
	// Globex and Umbrella use every tool their products include today:
	// Alpha's average app usage reaches 3, and its figures earn Silver.
	ctx, base := tierBrowser(t, func(db *store.DB) {
		var all int64
		for _, tl := range pd.Tools {
			all |= tl.Mask()
		}
		today := pd.DateOf(st.Now, time.UTC)
		if err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			for _, c := range []int64{st.Globex, st.Umbrella} {
				b.Insert("usage_snapshots", []string{"client_id", "day", "tools", "active_users", "seats"}, c, today, all, 5, 10)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	do(t, ctx, "sign in and see Alpha at Silver", append(signInAs(base, st.AdminEmail), chromedp.WaitVisible(sel(`nav.side`)),
		chromedp.Navigate(base+"/partners/1/tier"), chromedp.WaitVisible(sel(`[data-testid=performance]`)))...)
	if perf := run(t, ctx, chromedp.Text(sel(`[data-testid=performance] .big`))); perf != "Silver" {
		t.Fatalf("Alpha performs at %q, want Silver", perf)
	}

	do(t, ctx, "raise Silver's managed MRR and preview", chromedp.Navigate(base+"/admin/tiers"), chromedp.WaitVisible(sel(`[data-testid=rules-form]`)),
		chromedp.SetValue(sel(`input[name=mrr_silver]`), "1,200.00"),
		chromedp.Click(sel(`[data-testid=preview-button]`)), chromedp.WaitVisible(sel(`[data-testid=preview]`)))
	promoted := run(t, ctx, chromedp.Text(sel(`[data-testid=promoted]`)))
	demoted := run(t, ctx, chromedp.Text(sel(`[data-testid=demoted]`)))
	changed := run(t, ctx, chromedp.Text(sel(`[data-testid=preview-changed]`)))
	if promoted != "0" || demoted != "1" || !strings.Contains(changed, "Alpha Agency") {
		t.Fatalf("preview: %s promoted, %s demoted, changed %q", promoted, demoted, changed)
	}
	checkAxe(t, ctx, "admin Tiers, a preview")
	if v := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("input[name=mrr_silver]").value`)); v != "1,200.00" {
		t.Errorf("the form after the preview holds %q", v)
	}

	from := pd.DateOf(st.Now, time.UTC).AddDays(12)
	do(t, ctx, "save it from a later day", chromedp.SetValue(sel(`input[name=from]`), from.String()),
		chromedp.Click(sel(`[data-testid=save-button]`)), chromedp.WaitVisible(sel(`p.notice`)))
	if h := run(t, ctx, chromedp.Text(sel(`[data-testid=history]`))); !strings.Contains(h, "From "+from.Format("Jan 2, 2006")) {
		t.Errorf("history: %q", h)
	}

	do(t, ctx, "open Alpha's Tier tab", chromedp.Navigate(base+"/partners/1/tier"), chromedp.WaitVisible(sel(`[data-testid=rules-change]`)))
	note := run(t, ctx, chromedp.Text(sel(`[data-testid=rules-change]`)))
	for _, want := range []string{"The tier rules change on " + from.Format("Jan 2, 2006"), "Silver: managed MRR at least $1,200.00 (was $1,125.00)",
		"your figures today would earn Partner"} {
		if !strings.Contains(note, want) {
			t.Errorf("the Tier tab's note lacks %q: %q", want, note)
		}
	}
}
