package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The program's audit log reads every entry, the program's own included,
// and tells who made each: a person, an API token, a webhook, the command
// line or the daily refresh; it filters by each of them, by partner,
// action, dates and text. Program admins only; a partner's own log stays
// its own.
func TestProgramAuditReadsEveryEntry(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		ctx := context.Background()
		today := pd.DateOf(st.Now, time.UTC)
		client := func(name string) []pd.ClientRecord { return []pd.ClientRecord{{ID: "acct-" + name, Name: name}} }
		load := func(p *pd.Principal, name string) {
			t.Helper()
			if _, err := db.Ingest(pd.WithPrincipal(ctx, p), false, func(in *store.Ingest) error { return in.Clients(client(name), 0) }); err != nil {
				t.Fatal(err)
			}
		}
		// A person on a partner's data and on the program's; a token; a
		// webhook; the command line; the daily refresh.
		if err := db.EndServices(as(alphaEmployee, 0), st.Initech); err != nil {
			t.Fatal(err)
		}
		prog, err := db.ProgramSettings(admin)
		if err != nil {
			t.Fatal(err)
		}
		prog.RenewalHorizonDays = 90
		if err := db.UpdateProgram(admin, prog); err != nil {
			t.Fatal(err)
		}
		load(&pd.Principal{TokenID: st.IngestTokenID, Name: "Billing sync", Scope: pd.ScopeIngest}, "by-token")
		load(&pd.Principal{Name: "Stripe", Integration: "stripe"}, "by-webhook")
		load(&pd.Principal{Name: "Operator (command line)", Role: pd.RoleProgramAdmin}, "by-operator")
		if _, err := db.RefreshRenewals(ctx, today); err != nil {
			t.Fatal(err)
		}

		all, total, err := db.ProgramAudit(admin, pd.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(all) || total < 6 {
			t.Fatalf("%d entries of %d", len(all), total)
		}
		kinds := map[string]pd.AuditEntry{}
		for _, e := range all {
			kinds[e.Actor] = e
		}
		for kind, want := range map[string]string{pd.ActorPerson: "", pd.ActorToken: "Billing sync", pd.ActorWebhook: "stripe",
			pd.ActorCommandLine: "", pd.ActorRefresh: ""} {
			e, ok := kinds[kind]
			if !ok {
				t.Errorf("no entry by a %s", kind)
				continue
			}
			if want != "" && e.ActorName != want {
				t.Errorf("%s's entry names %q, want %q", kind, e.ActorName, want)
			}
			es, n, err := db.ProgramAudit(admin, pd.AuditFilter{Actor: kind})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range es {
				if x.Actor != kind {
					t.Errorf("filter %s: an entry by a %s", kind, x.Actor)
				}
			}
			if n == 0 || n != len(es) {
				t.Errorf("filter %s: %d of %d", kind, len(es), n)
			}
		}
		if all[0].ID < all[len(all)-1].ID {
			t.Error("the log is not newest first")
		}

		count := func(f pd.AuditFilter) int {
			t.Helper()
			es, n, err := db.ProgramAudit(admin, f)
			if err != nil {
				t.Fatal(err)
			}
			if f.Limit == 0 && n != len(es) {
				t.Errorf("%+v: %d listed of %d", f, len(es), n)
			}
			return n
		}
		settings := count(pd.AuditFilter{Action: "program_settings"})
		if settings != 1 {
			t.Errorf("%d program settings entries", settings)
		}
		if es, _, _ := db.ProgramAudit(admin, pd.AuditFilter{Action: "program_settings"}); es[0].PartnerID != 0 || es[0].ActorName != "Ada Admin" {
			t.Errorf("the program's own entry: %+v", es[0])
		}
		alpha := count(pd.AuditFilter{Partner: "p-alpha"})
		if es, _, _ := db.ProgramAudit(admin, pd.AuditFilter{Partner: "p-alpha"}); es[len(es)-1].Action != "end_services" ||
			es[len(es)-1].PartnerName != "Alpha Agency" || es[len(es)-1].ActorName != "Emil Employee" {
			t.Errorf("Alpha's entries: %+v", es)
		}
		for _, c := range []struct {
			f    pd.AuditFilter
			want int
		}{
			{pd.AuditFilter{Partner: "p-nobody"}, 0},
			{pd.AuditFilter{Actor: "user:3"}, 1},
			{pd.AuditFilter{Actor: "user:1"}, settings},
			{pd.AuditFilter{Actor: "token:1"}, 1},
			{pd.AuditFilter{Query: "INITECH"}, 1},
			{pd.AuditFilter{Query: "alpha agency"}, alpha},
			{pd.AuditFilter{From: today, To: today}, total},
			{pd.AuditFilter{To: today.AddDays(-1)}, 0},
			{pd.AuditFilter{From: today.AddDays(1)}, 0},
			{pd.AuditFilter{Offset: 1, Limit: 2}, total},
			{pd.AuditFilter{Offset: 500, Limit: 2}, total},
			{pd.AuditFilter{BeforeID: all[1].ID}, total - 2},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("%+v: %d entries, want %d", c.f, got, c.want)
			}
		}
		actions, err := db.AuditActions(admin)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(actions) || !slices.Contains(actions, "end_services") || !slices.Contains(actions, "program_settings") ||
			!slices.Contains(actions, "ingest") {
			t.Errorf("actions %v", actions)
		}

		for _, who := range []*pd.Principal{manager, alphaAdmin} {
			if _, _, err := db.ProgramAudit(as(who, 0), pd.AuditFilter{}); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s reading the program's log: %v", who.Role, err)
			}
			if _, err := db.AuditActions(as(who, 0)); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%s listing actions: %v", who.Role, err)
			}
		}
		for _, bad := range []pd.AuditFilter{{Actor: "robot"}, {Actor: "user:x"}, {Actor: "staff:1"}, {From: today, To: today.AddDays(-1)}} {
			if _, _, err := db.ProgramAudit(admin, bad); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		// Alpha's own log has its entries and none of the program's.
		own, n, err := db.AuditLog(as(alphaAdmin, 0), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range own {
			if e.Action == "program_settings" || e.Action == "ingest" {
				t.Errorf("Alpha's own log shows %s", e.Action)
			}
		}
		if n != alpha {
			t.Errorf("Alpha's own log has %d entries, the program's %d for Alpha", n, alpha)
		}
	})
}
