package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Principals of the fixture's users (ids in creation order).
var (
	alphaAdmin    = &pd.Principal{UserID: 2, Name: "Alice Alpha", Role: pd.RolePartnerAdmin, PartnerID: st.AlphaID}
	alphaEmployee = &pd.Principal{UserID: 3, Name: "Emil Employee", Role: pd.RolePartnerEmployee, PartnerID: st.AlphaID}
	betaAdmin     = &pd.Principal{UserID: 4, Name: "Bob Beta", Role: pd.RolePartnerAdmin, PartnerID: st.BetaID}
	programAdmin  = &pd.Principal{UserID: 1, Name: "Ada Admin", Role: pd.RoleProgramAdmin}
)

// as is the context of p looking at partner's dashboard.
func as(p *pd.Principal, partner int64) context.Context {
	return pd.WithViewedPartner(pd.WithPrincipal(context.Background(), p), partner)
}

// loaded opens a fixture database whose clock tells *now.
func loaded(t *testing.T, e st.Engine, now *time.Time) *store.DB {
	t.Helper()
	*now = st.Now
	db := e.Open(t, func() time.Time { return *now })
	st.Load(t, db)
	return db
}

func renewalIDs(rs []pd.Renewal) string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, fmt.Sprint(r.ID))
	}
	return strings.Join(ids, ",")
}

func TestListRenewalsFiltersSortsAndPages(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		cases := []struct {
			name  string
			who   *pd.Principal
			f     pd.RenewalFilter
			want  string
			total int
		}{
			{"inside the horizon, soonest first", alphaAdmin, pd.RenewalFilter{}, "1,2,3,1001,1002", 5},
			{"pending", alphaAdmin, pd.RenewalFilter{Status: pd.RenewalPending}, "1,2,3,1001", 4},
			{"owned by the partner", alphaAdmin, pd.RenewalFilter{Owner: pd.OwnerPartner}, "1,2,1002", 3},
			{"the alerts", alphaAdmin, store.AlertFilter(), "1,2", 2},
			{"a contract type", alphaAdmin, pd.RenewalFilter{Type: pd.ContractEmailOverage}, "1001,1002", 2},
			{"deadline passed or today", alphaAdmin, pd.RenewalFilter{HasDeadline: true}, "1", 1},
			{"deadline within 10 days", alphaAdmin, pd.RenewalFilter{HasDeadline: true, DeadlineWithin: 10}, "1,2", 2},
			{"search", alphaAdmin, pd.RenewalFilter{Query: "GLOB"}, "2", 1},
			{"low engagement", alphaAdmin, pd.RenewalFilter{Bucket: pd.BucketLow}, "2", 1},
			{"assigned to the employee", alphaEmployee, pd.RenewalFilter{AssignedToMe: true}, "3,1001", 2},
			{"by current MRR, largest first", alphaAdmin, pd.RenewalFilter{Sort: "current", Desc: true}, "1002,1,1001,3,2", 5},
			{"by client", alphaAdmin, pd.RenewalFilter{Sort: "client"}, "2,3,1001,1,1002", 5},
			{"a page", alphaAdmin, pd.RenewalFilter{Limit: 2, Offset: 4}, "1002", 5},
			{"past the last page", alphaAdmin, pd.RenewalFilter{Limit: 2, Offset: 10}, "", 5},
			{"another partner's", betaAdmin, pd.RenewalFilter{}, "6", 1},
		}
		for _, c := range cases {
			page, err := db.ListRenewals(as(c.who, st.AlphaID), c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := renewalIDs(page.Renewals); got != c.want || page.Total != c.total {
				t.Errorf("%s: renewals %s of %d, want %s of %d", c.name, got, page.Total, c.want, c.total)
			}
		}
		page, err := db.ListRenewals(as(alphaAdmin, 0), pd.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		r := page.Renewals[0]
		if r.ClientName != "Northwind Traders" || r.Manager == nil || r.Manager.Name != "Rita Renewals" ||
			r.PrimaryContact != "Contact of Northwind Traders" || r.CurrentContacts != 5000 || r.CurrentMRR != 89000 ||
			r.ProposedMRR != 93450 || r.Deadline != r.RenewalDate.AddDays(-45) || len(r.Products()) != 2 {
			t.Errorf("first renewal: %+v", r)
		}
		for _, bad := range []pd.RenewalFilter{{Sort: "password"}, {Status: "lost"}, {Owner: "nobody"}, {Type: "x"},
			{HasDeadline: true, DeadlineWithin: -1}, {Limit: 501}, {Query: strings.Repeat("x", 201)}} {
			if _, err := db.ListRenewals(as(alphaAdmin, 0), bad); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("filter %+v: %v, want invalid", bad, err)
			}
		}
		if _, err := db.ListRenewals(context.Background(), pd.RenewalFilter{}); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("signed out: %v", err)
		}
	})
}

// The Alerts count is the Renewals page's total for pending, partner-owned
// renewals, whoever asks, narrowed for an employee to the clients assigned
// to it: the decisions the user may take. The partner's total comes with
// it.
func TestAlertsAreThePendingPartnerOwnedRenewals(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		// Of the Alerts' two (Northwind's and Globex's), the employee has
		// Northwind.
		if _, err := db.Assign(as(alphaAdmin, 0), pd.Assignment{UserID: st.AlphaEmployeeID, ClientIDs: []int64{st.Northwind}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			who           *pd.Principal
			partner       int64
			want, overall int
		}{{alphaAdmin, 0, st.AlphaAlerts, st.AlphaAlerts}, {alphaEmployee, 0, 1, st.AlphaAlerts}, {betaAdmin, 0, 1, 1},
			{programAdmin, st.AlphaID, st.AlphaAlerts, st.AlphaAlerts}} {
			ctx := as(c.who, c.partner)
			n, all, err := db.RenewalAlertCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if one, _ := db.RenewalAlerts(ctx); one != n {
				t.Errorf("%s: RenewalAlerts %d, RenewalAlertCounts %d", c.who.Name, one, n)
			}
			page, err := db.ListRenewals(ctx, store.AlertFilter())
			if err != nil {
				t.Fatal(err)
			}
			if n != c.want || all != c.overall || page.Total != all || page.Alerts != n || page.PartnerAlerts != all {
				t.Errorf("%s: %d alerts of %d, %d renewals listed (their Alerts %d of %d), want %d of %d",
					c.who.Name, n, all, page.Total, page.Alerts, page.PartnerAlerts, c.want, c.overall)
			}
			if mine, err := db.ListRenewals(ctx, pd.RenewalFilter{Status: pd.RenewalPending, Owner: pd.OwnerPartner, AssignedToMe: true}); c.who == alphaEmployee && (err != nil || mine.Total != n) {
				t.Errorf("the employee's Alerts (%d) are not its assigned alerts' list (%d, %v)", n, mine.Total, err)
			}
			// Every page carries the Alerts count, whatever its filter.
			for _, f := range []pd.RenewalFilter{{Query: "zzz"}, {Type: pd.ContractEmailOverage, Limit: 1}, {Offset: 100}, {AssignedToMe: true}} {
				if page, err := db.ListRenewals(ctx, f); err != nil || page.Alerts != n || page.PartnerAlerts != all {
					t.Errorf("%s, filter %+v: alerts %v (%v), want %d", c.who.Name, f, page, err, n)
				}
			}
		}
	})
}

func TestRecordDecision(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		cases := []struct {
			name     string
			ctx      context.Context
			renewal  int64
			decision string
			note     string
			code     string
		}{
			{"employee, client not assigned", as(alphaEmployee, 0), st.NorthwindRenewal, pd.DecisionRenew, "", pd.EForbidden},
			{"vendor-owned renewal", as(alphaAdmin, 0), 3, pd.DecisionRenew, "", pd.EForbidden},
			{"a decision the contract does not offer", as(alphaAdmin, 0), st.NorthwindRenewal, pd.DecisionConfirm, "", pd.EInvalid},
			{"an unknown decision", as(alphaAdmin, 0), st.NorthwindRenewal, "maybe", "", pd.EInvalid},
			{"a note too long", as(alphaAdmin, 0), st.NorthwindRenewal, pd.DecisionRenew, strings.Repeat("n", 1001), pd.EInvalid},
			{"vendor staff on a dashboard", as(programAdmin, st.AlphaID), st.NorthwindRenewal, pd.DecisionRenew, "", pd.EForbidden},
			{"another partner's renewal", as(betaAdmin, st.AlphaID), st.NorthwindRenewal, pd.DecisionRenew, "", pd.ENotFound},
			{"already decided", as(alphaAdmin, 0), st.NorthwindOverage, pd.DecisionConfirm, "", pd.EConflict},
			{"renewal whose date has passed", as(alphaAdmin, 0), 5, pd.DecisionRenew, "", pd.EConflict},
			{"the partner admin renews", as(alphaAdmin, 0), st.NorthwindRenewal, pd.DecisionRenew, "  Signed off by Nadia.  ", ""},
			{"twice", as(alphaAdmin, 0), st.NorthwindRenewal, pd.DecisionCancel, "", pd.EConflict},
			{"an upgrade is confirmed", as(alphaAdmin, 0), st.GlobexUpgrade, pd.DecisionConfirm, "", ""},
		}
		for _, c := range cases {
			if err := db.RecordDecision(c.ctx, c.renewal, c.decision, c.note); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want code %q", c.name, err, c.code)
			}
		}
		d, err := db.Renewal(as(alphaAdmin, 0), st.NorthwindRenewal)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != pd.RenewalRenewed || len(d.History) != 1 || d.History[0].Kind != pd.DecisionRenew ||
			d.History[0].Actor != "Alice Alpha" || d.History[0].Note != "Signed off by Nadia." {
			t.Errorf("after the decision: status %s, history %+v", d.Status, d.History)
		}
		if n, _ := db.RenewalAlerts(as(alphaAdmin, 0)); n != 0 {
			t.Errorf("%d alerts left, want 0", n)
		}
		log, _, err := db.AuditLog(as(alphaAdmin, 0), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[1].Action != "renewal_renewed" || log[1].Detail != "Northwind Traders: Signed off by Nadia." ||
			log[0].Action != "renewal_confirmed" || log[0].ActorName != "Alice Alpha" {
			t.Errorf("audit log: %+v", log)
		}
		// A pending renewal that does not auto-renew stays open after its
		// deadline, until its date.
		if err := db.SetCommOwner(as(alphaAdmin, 0), st.InitechOverage, pd.OwnerPartner); err != nil {
			t.Fatal(err)
		}
		now = st.Now.AddDate(0, 0, 50) // deadline (day 35) passed, date (day 80) not
		if err := db.RecordDecision(as(alphaEmployee, 0), st.InitechOverage, pd.DecisionCancel, ""); err != nil {
			t.Errorf("assigned employee, overdue renewal: %v", err)
		}
	})
}

func TestSetCommOwner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		alpha := as(alphaAdmin, 0)
		owners := func() string {
			page, err := db.ListRenewals(alpha, pd.RenewalFilter{Query: "initech"})
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, r := range page.Renewals {
				s = append(s, r.Owner)
			}
			return strings.Join(s, ",")
		}
		steps := []struct {
			name    string
			ctx     context.Context
			setting string
			code    string
			owners  string
			alerts  int
			client  string
		}{
			{"an unknown owner", alpha, "nobody", pd.EInvalid, "vendor,vendor", 2, ""},
			{"vendor staff", as(programAdmin, st.AlphaID), pd.OwnerPartner, pd.EForbidden, "vendor,vendor", 2, ""},
			{"the assigned employee takes it", as(alphaEmployee, 0), pd.OwnerPartner, "", "partner,partner", 4, pd.OwnerPartner},
			{"back to the program default", alpha, pd.OwnerDefault, "", "vendor,vendor", 2, ""},
			{"the vendor, explicitly", alpha, pd.OwnerVendor, "", "vendor,vendor", 2, pd.OwnerVendor},
		}
		for _, s := range steps {
			if err := db.SetCommOwner(s.ctx, 3, s.setting); pd.ErrorCode(err) != s.code {
				t.Errorf("%s: %v, want code %q", s.name, err, s.code)
			}
			n, _ := db.RenewalAlerts(alpha)
			d, err := db.Client(alpha, st.Initech)
			if err != nil {
				t.Fatal(err)
			}
			if got := owners(); got != s.owners || n != s.alerts || d.CommOwner != s.client {
				t.Errorf("%s: owners %s, %d alerts, client setting %q; want %s, %d, %q", s.name, got, n, d.CommOwner, s.owners, s.alerts, s.client)
			}
		}
		if err := db.SetCommOwner(as(alphaEmployee, 0), st.NorthwindRenewal, pd.OwnerVendor); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("employee on a client not assigned to them: %v", err)
		}
		d, err := db.Renewal(alpha, st.InitechOverage)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, h := range d.History {
			kinds = append(kinds, h.Kind+":"+h.Detail)
		}
		if strings.Join(kinds, " ") != "owner:default:vendor owner:partner" || d.ClientOwner != pd.OwnerVendor {
			t.Errorf("history %v, client owner %s", kinds, d.ClientOwner)
		}
		// With a program whose default is the partner, "default" means the partner.
		prog := store.DefaultProgram
		prog.DefaultCommOwner = pd.OwnerPartner
		if err := db.SaveProgram(context.Background(), prog); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCommOwner(alpha, 3, pd.OwnerDefault); err != nil || owners() != "partner,partner" {
			t.Errorf("default partner: %v, owners %s", err, owners())
		}
	})
}

func TestSetPrimaryContact(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		alpha := as(alphaAdmin, 0)
		for _, c := range []struct {
			name             string
			renewal, contact int64
			code             string
		}{
			{"another client's contact", st.NorthwindRenewal, st.Globex, pd.EInvalid},
			{"a vendor-owned renewal", 3, st.Initech, pd.EForbidden},
			{"one of the client's contacts", st.NorthwindRenewal, st.NorthwindCFO, ""},
		} {
			if err := db.SetPrimaryContact(alpha, c.renewal, c.contact); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %q", c.name, err, c.code)
			}
		}
		d, err := db.Renewal(alpha, st.NorthwindRenewal)
		if err != nil {
			t.Fatal(err)
		}
		if d.PrimaryContact != "Nadia Ng" || len(d.Contacts) != 3 || len(d.History) != 1 || d.History[0].Detail != "Nadia Ng" {
			t.Errorf("renewal: contact %q, %d contacts, history %+v", d.PrimaryContact, len(d.Contacts), d.History)
		}
		if _, err := db.Renewal(as(betaAdmin, 0), st.NorthwindRenewal); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta reading Alpha's renewal: %v", err)
		}
	})
}

func TestRefreshRenewalsAppliesTheRules(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		alpha := as(alphaAdmin, 0)
		day0 := pd.DateOf(st.Now, time.UTC)
		before, err := db.ListRenewals(alpha, pd.RenewalFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// Northwind (day 23), Globex's past renewal (day −10) and Hooli
		// (day 30) are pending, auto-renewing and past their deadline; the
		// six annual lines renewing on day 60 get a renewal each.
		res, err := db.RefreshRenewals(context.Background(), day0)
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.RenewalRefresh{AutoRenewed: 3, Created: 6}) {
			t.Fatalf("first refresh: %+v", res)
		}
		after, _ := db.ListRenewals(alpha, pd.RenewalFilter{})
		status := map[int64]string{}
		for _, r := range after.Renewals {
			status[r.ID] = r.Status
		}
		for _, r := range before.Renewals {
			if want := r.AutoRenews(day0); want != (status[r.ID] == pd.RenewalRenewed && r.Status == pd.RenewalPending) {
				t.Errorf("renewal %d: the domain rule says %v, the refresh did otherwise", r.ID, want)
			}
		}
		if again, _ := db.RefreshRenewals(context.Background(), day0); again != (store.RenewalRefresh{}) {
			t.Errorf("second refresh the same day: %+v", again)
		}
		d, err := db.Renewal(alpha, st.NorthwindRenewal)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != pd.RenewalRenewed || len(d.History) != 1 || d.History[0].Kind != pd.HistoryAutoRenewed || d.History[0].Actor != "" {
			t.Errorf("auto-renewed: %s %+v", d.Status, d.History)
		}
		log, _, _ := db.AuditLog(alpha, 0, 10)
		if len(log) != 2 || log[0].Action != "renewal_auto_renewed" || log[0].ActorName != "" {
			t.Errorf("audit log after the refresh: %+v", log)
		}
		// The created renewal follows the client's last renewal's people.
		nw, _ := db.Client(alpha, st.Northwind)
		var created *pd.Renewal
		for i, r := range nw.Renewals {
			if r.RenewalDate == day0.AddDays(60) {
				created = &nw.Renewals[i]
			}
		}
		if created == nil || created.ContractType != pd.ContractRenewal || created.Owner != pd.OwnerVendor ||
			created.Status != pd.RenewalPending || created.CurrentMRR != 87000 || created.PrimaryContact != "Nadia Ng" ||
			created.Manager == nil || created.Manager.Name != "Rita Renewals" || !created.AutoRenew {
			t.Errorf("created renewal: %+v", created)
		}
		// Five days on, Globex's upgrade (day 49, deadline day 4) renews.
		if res, _ := db.RefreshRenewals(context.Background(), day0.AddDays(5)); res.AutoRenewed != 1 || res.Created != 0 {
			t.Errorf("refresh on day 5: %+v", res)
		}
		// Renewals leave the list once their date has passed and enter it
		// as they come inside the horizon.
		listed := func(id int64) bool {
			page, err := db.ListRenewals(alpha, pd.RenewalFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Renewals {
				if r.ID == id {
					return true
				}
			}
			return false
		}
		now = st.Now.AddDate(0, 0, 24)
		if listed(st.NorthwindRenewal) {
			t.Error("a renewal whose date has passed is listed")
		}
		umbrella := int64(4)
		if listed(umbrella) {
			t.Error("Umbrella's renewal in 162 days is listed")
		}
		now = st.Now.AddDate(0, 0, 66)
		if !listed(umbrella) {
			t.Error("Umbrella's renewal in 120 days is not listed")
		}
	})
}
