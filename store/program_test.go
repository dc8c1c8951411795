package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A program admin's settings change is checked, audited, keeps the credit
// expiry, and a new default communication owner moves the upcoming
// renewals of the clients that follow the default — not those of clients
// with an owner of their own, nor past ones.
func TestUpdateProgram(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin, alpha := as(programAdmin, 0), as(alphaAdmin, 0)
		manager := as(&pd.Principal{UserID: 5, Role: pd.RolePartnerManager, StaffID: 1}, 0)
		cur, err := db.Program(admin)
		if err != nil {
			t.Fatal(err)
		}
		edit := func(f func(p *pd.Program)) pd.Program {
			p := cur
			f(&p)
			return p
		}
		for _, c := range []struct {
			name string
			ctx  context.Context
			p    pd.Program
			code string
		}{
			{"a partner admin", alpha, cur, pd.EForbidden},
			{"a partner manager", manager, cur, pd.EForbidden},
			{"no name", admin, edit(func(p *pd.Program) { p.Name = " " }), pd.EInvalid},
			{"a currency of two letters", admin, edit(func(p *pd.Program) { p.Currency = "US" }), pd.EInvalid},
			{"an unknown time zone", admin, edit(func(p *pd.Program) { p.TimeZone = "Mars/Olympus" }), pd.EInvalid},
			{"the server's time zone", admin, edit(func(p *pd.Program) { p.TimeZone = "Local" }), pd.EInvalid},
			{"a window ending before it starts", admin, edit(func(p *pd.Program) { p.RefreshStart, p.RefreshEnd = "08:00", "06:00" }), pd.EInvalid},
			{"a window that is not a time", admin, edit(func(p *pd.Program) { p.RefreshStart = "6am" }), pd.EInvalid},
			{"no horizon", admin, edit(func(p *pd.Program) { p.RenewalHorizonDays = 0 }), pd.EInvalid},
			{"a horizon beyond two years", admin, edit(func(p *pd.Program) { p.RenewalHorizonDays = 731 }), pd.EInvalid},
			{"a deadline beyond the horizon", admin, edit(func(p *pd.Program) { p.DecisionDeadlineDays = p.RenewalHorizonDays }), pd.EInvalid},
			{"a deadline beyond a year", admin, edit(func(p *pd.Program) { p.RenewalHorizonDays, p.DecisionDeadlineDays = 730, 366 }), pd.EInvalid},
			{"a negative deadline", admin, edit(func(p *pd.Program) { p.DecisionDeadlineDays = -1 }), pd.EInvalid},
			{"an unknown owner", admin, edit(func(p *pd.Program) { p.DefaultCommOwner = "nobody" }), pd.EInvalid},
		} {
			if err := db.UpdateProgram(c.ctx, c.p); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want code %q", c.name, err, c.code)
			}
		}
		if p, _ := db.Program(admin); p != cur {
			t.Fatalf("refused changes were saved: %+v", p)
		}

		alerts := func(ctx context.Context) int {
			n, err := db.RenewalAlerts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		owner := func(id int64) string {
			r, err := db.Renewal(alpha, id)
			if err != nil {
				t.Fatal(err)
			}
			return r.Owner
		}
		// Northwind keeps the vendor as its own choice.
		if err := db.SetCommOwner(alpha, st.NorthwindRenewal, pd.OwnerVendor); err != nil {
			t.Fatal(err)
		}
		beta := as(betaAdmin, 0)
		if a, b := alerts(alpha), alerts(beta); a != st.AlphaAlerts-1 || b != 1 {
			t.Fatalf("alerts before: %d, %d", a, b)
		}

		// To the partner: Initech's two vendor-owned renewals move; Northwind's do not.
		p := edit(func(p *pd.Program) {
			p.DefaultCommOwner, p.Currency, p.CreditExpiryMonths = pd.OwnerPartner, "eur", 6
			p.RefreshStart = "6:00" // written as 06:00: no change
		})
		if err := db.UpdateProgram(admin, p); err != nil {
			t.Fatal(err)
		}
		saved, _ := db.Program(admin)
		if saved.DefaultCommOwner != pd.OwnerPartner || saved.Currency != "EUR" || saved.CreditExpiryMonths != cur.CreditExpiryMonths ||
			saved.RefreshStart != "06:00" {
			t.Errorf("saved %+v", saved)
		}
		if a := alerts(alpha); a != st.AlphaAlerts-1+2 || owner(st.NorthwindRenewal) != pd.OwnerVendor ||
			owner(3) != pd.OwnerPartner || owner(st.InitechOverage) != pd.OwnerPartner {
			t.Errorf("after the default became the partner: %d alerts, owners %s %s %s", a,
				owner(st.NorthwindRenewal), owner(3), owner(st.InitechOverage))
		}
		d, err := db.Renewal(alpha, st.InitechOverage)
		if err != nil {
			t.Fatal(err)
		}
		if h := d.History[len(d.History)-1]; h.Kind != pd.HistoryOwner || h.Detail != "default:partner" || h.Actor != "Ada Admin" {
			t.Errorf("history %+v", d.History)
		}

		// Back to the vendor: every upcoming renewal of a default-following
		// client goes to the vendor; the past one stays the partner's.
		if err := db.UpdateProgram(admin, edit(func(p *pd.Program) { p.DefaultCommOwner = pd.OwnerVendor })); err != nil {
			t.Fatal(err)
		}
		if a, b := alerts(alpha), alerts(beta); a != 0 || b != 0 {
			t.Errorf("after the default became the vendor: alerts %d, %d", a, b)
		}
		var pastOwner string
		rows, err := db.QueryRaw(context.Background(), "SELECT comm_owner FROM renewals WHERE client_id = ? AND renewal_date < ?",
			st.Globex, pd.DateOf(st.Now, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			rows.Scan(&pastOwner)
		}
		rows.Close()
		if pastOwner != pd.OwnerPartner {
			t.Errorf("the past renewal's owner is %q", pastOwner)
		}

		// Each saved change is in the audit log, with what changed.
		rows, err = db.QueryRaw(context.Background(), "SELECT detail FROM audit_log WHERE action = 'program_settings' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			details = append(details, s)
		}
		rows.Close()
		want := []string{"currency USD → EUR; default communication owner vendor → partner; 2 renewals now owned by the partner",
			"currency EUR → USD; default communication owner partner → vendor; 5 renewals now owned by the vendor"}
		if strings.Join(details, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(details, "\n"), strings.Join(want, "\n"))
		}
	})
}
