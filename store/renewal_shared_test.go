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

// sharedLoaded is loaded with Stark, the client Alpha sells and Beta
// manages.
func sharedLoaded(t *testing.T, e st.Engine, now *time.Time) *store.DB {
	t.Helper()
	db := loaded(t, e, now)
	st.LoadShared(t, db)
	return db
}

// owners describes the owner of each of Stark's renewals as Alpha sees them.
func starkOwners(t *testing.T, db *store.DB) string {
	t.Helper()
	var out []string
	for _, id := range []int64{st.StarkRenewal, st.StarkOverage, st.StarkUpgrade} {
		d, err := db.Renewal(as(alphaAdmin, 0), id)
		if err != nil {
			t.Fatal(err)
		}
		owner := d.Owner
		if d.Owner == pd.OwnerPartner {
			owner = d.OwnerPartner
		}
		out = append(out, fmt.Sprintf("%d:%s:%s", id, owner, d.Status))
	}
	return strings.Join(out, " ")
}

func auditOf(t *testing.T, db *store.DB, p *pd.Principal) []pd.AuditEntry {
	t.Helper()
	log, _, err := db.AuditLog(as(p, 0), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// A partner of a shared client cannot decide, pick the contact of, or
// change the owner of a renewal another partner of the client owns: each
// is refused and changes nothing.
func TestOnlyTheOwningPartnerActsOnASharedRenewal(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := sharedLoaded(t, e, &now)
		before := starkOwners(t, db)
		beta, alpha := as(betaAdmin, 0), as(alphaAdmin, 0)
		cases := []struct {
			name string
			err  error
		}{
			{"Beta checks a decision on Alpha's renewal", func() error {
				_, err := db.CheckDecision(beta, st.StarkRenewal, pd.DecisionCancel, "")
				return err
			}()},
			{"Beta decides Alpha's renewal", db.RecordDecision(beta, st.StarkRenewal, pd.DecisionCancel, "final")},
			{"Beta picks the contact of Alpha's renewal", db.SetPrimaryContact(beta, st.StarkRenewal, st.StarkContact)},
			{"Beta takes Alpha's renewal", db.SetCommOwner(beta, st.StarkRenewal, pd.OwnerPartner)},
			{"Beta hands Alpha's renewal to the vendor", db.SetCommOwner(beta, st.StarkRenewal, pd.OwnerVendor)},
			{"Beta sets Alpha's renewal to the default", db.SetCommOwner(beta, st.StarkRenewal, pd.OwnerDefault)},
			{"Alpha decides Beta's renewal", db.RecordDecision(alpha, st.StarkUpgrade, pd.DecisionConfirm, "")},
			{"Alpha takes Beta's renewal", db.SetCommOwner(alpha, st.StarkUpgrade, pd.OwnerPartner)},
			{"Alpha picks the contact of Beta's renewal", db.SetPrimaryContact(alpha, st.StarkUpgrade, st.StarkContact)},
		}
		for _, c := range cases {
			if pd.ErrorCode(c.err) != pd.EForbidden {
				t.Errorf("%s: %v, want forbidden", c.name, c.err)
			}
		}
		if after := starkOwners(t, db); after != before {
			t.Errorf("owners and statuses %s, want %s", after, before)
		}
		for _, p := range []*pd.Principal{alphaAdmin, betaAdmin} {
			if log := auditOf(t, db, p); len(log) != 0 {
				t.Errorf("%s's audit log: %+v", p.Name, log)
			}
		}
		// Each partner's Alerts count its own renewals only.
		for _, c := range []struct {
			p           *pd.Principal
			alerts, own int
		}{{alphaAdmin, st.AlphaAlerts + 1, 2}, {betaAdmin, 2, 1}} {
			if n, err := db.RenewalAlerts(as(c.p, 0)); err != nil || n != c.alerts {
				t.Errorf("%s: %d alerts (%v), want %d", c.p.Name, n, err, c.alerts)
			}
			page, err := db.ListRenewals(as(c.p, 0), pd.RenewalFilter{Query: "stark", Owner: pd.OwnerPartner})
			if err != nil || page.Total != c.own {
				t.Fatalf("%s's own Stark renewals: %+v %v", c.p.Name, page, err)
			}
			for _, r := range page.Renewals {
				if !r.OwnedBy(c.p.PartnerID) {
					t.Errorf("%s's own Stark renewals list %d, owned by %s", c.p.Name, r.ID, r.OwnerPartner)
				}
			}
		}
	})
}

// Another partner's entries in a renewal's history name that partner,
// never its user or its note.
func TestSharedRenewalHistoryHidesAnotherPartnersUsersAndNotes(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := sharedLoaded(t, e, &now)
		for _, c := range []struct {
			p                         *pd.Principal
			actor, actorPartner, note string
		}{
			{alphaAdmin, "Alice Alpha", "", st.AlphaNote},
			{betaAdmin, "", "Alpha Agency", ""},
		} {
			d, err := db.Renewal(as(c.p, 0), st.StarkOverage)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.History) != 1 || d.History[0].Kind != pd.DecisionConfirm || d.History[0].Actor != c.actor ||
				d.History[0].ActorPartner != c.actorPartner || d.History[0].Note != c.note {
				t.Errorf("%s sees %+v", c.p.Name, d.History)
			}
			if d.OwnerPartner != "Alpha Agency" || d.OwnedBy(st.BetaID) || !d.OwnedBy(st.AlphaID) {
				t.Errorf("%s: owner %s %d", c.p.Name, d.OwnerPartner, d.OwnerPartnerID)
			}
		}
	})
}

// A decision on a shared client's renewal is in the audit log of each of
// its partners; the others' entries name the deciding partner and leave
// its note out.
func TestSharedRenewalDecisionIsInEveryPartnersAuditLog(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := sharedLoaded(t, e, &now)
		const note = "Beta only: they asked us to cancel."
		if err := db.RecordDecision(as(betaAdmin, 0), st.StarkUpgrade, pd.DecisionCancel, note); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			p             *pd.Principal
			actor, detail string
		}{
			{betaAdmin, "Bob Beta", "Stark Industries: " + note},
			{alphaAdmin, "Beta Works", "Stark Industries"},
		} {
			log := auditOf(t, db, c.p)
			if len(log) != 1 || log[0].Action != "renewal_cancellation_requested" || log[0].ActorName != c.actor ||
				log[0].Detail != c.detail || log[0].EntityID != fmt.Sprint(st.StarkUpgrade) {
				t.Errorf("%s's audit log: %+v", c.p.Name, log)
			}
		}
		d, err := db.Renewal(as(alphaAdmin, 0), st.StarkUpgrade)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != pd.RenewalCancel || len(d.History) != 1 || d.History[0].ActorPartner != "Beta Works" ||
			d.History[0].Actor != "" || d.History[0].Note != "" {
			t.Errorf("Alpha sees %s, %+v", d.Status, d.History)
		}
		if n, _ := db.RenewalAlerts(as(betaAdmin, 0)); n != 1 {
			t.Errorf("Beta has %d alerts left, want 1", n)
		}
		if n, _ := db.RenewalAlerts(as(alphaAdmin, 0)); n != st.AlphaAlerts+1 {
			t.Errorf("Alpha has %d alerts, want %d", n, st.AlphaAlerts+1)
		}
	})
}

// The owning partner hands a shared client's communication to the vendor;
// then another partner of the client may take it, and the first may no
// longer change it. A change never moves another partner's renewal, and
// is in every partner's audit log.
func TestSharedCommOwnerChangesHands(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := sharedLoaded(t, e, &now)
		alpha, beta := as(alphaAdmin, 0), as(betaAdmin, 0)
		steps := []struct {
			name    string
			ctx     context.Context
			setting string
			code    string
			owners  string
			alerts  [2]int // Alpha's, Beta's
			audited int    // entries in each partner's audit log
		}{
			{"Alpha hands it to the vendor", alpha, pd.OwnerVendor, "",
				"3001:vendor:pending 3002:vendor:confirmed 3003:Beta Works:pending", [2]int{st.AlphaAlerts, 2}, 1},
			{"Beta takes it", beta, pd.OwnerPartner, "",
				"3001:Beta Works:pending 3002:Beta Works:confirmed 3003:Beta Works:pending", [2]int{st.AlphaAlerts, 3}, 2},
			{"Alpha can no longer change it", alpha, pd.OwnerPartner, pd.EForbidden,
				"3001:Beta Works:pending 3002:Beta Works:confirmed 3003:Beta Works:pending", [2]int{st.AlphaAlerts, 3}, 2},
			{"Beta gives it back to the program default", beta, pd.OwnerDefault, "",
				"3001:vendor:pending 3002:vendor:confirmed 3003:vendor:pending", [2]int{st.AlphaAlerts, 1}, 3},
		}
		for _, s := range steps {
			if err := db.SetCommOwner(s.ctx, st.StarkRenewal, s.setting); pd.ErrorCode(err) != s.code {
				t.Errorf("%s: %v, want code %q", s.name, err, s.code)
			}
			if got := starkOwners(t, db); got != s.owners {
				t.Errorf("%s: owners %s, want %s", s.name, got, s.owners)
			}
			for i, p := range []*pd.Principal{alphaAdmin, betaAdmin} {
				if n, _ := db.RenewalAlerts(as(p, 0)); n != s.alerts[i] {
					t.Errorf("%s: %s has %d alerts, want %d", s.name, p.Name, n, s.alerts[i])
				}
				if log := auditOf(t, db, p); len(log) != s.audited {
					t.Errorf("%s: %s's audit log %+v, want %d entries", s.name, p.Name, log, s.audited)
				}
			}
			if s.name == "Beta takes it" {
				c, err := db.Client(alpha, st.Stark)
				if err != nil {
					t.Fatal(err)
				}
				if c.CommOwner != pd.OwnerPartner || c.CommPartnerID != st.BetaID || c.CommPartner != "Beta Works" {
					t.Errorf("Stark's setting as Alpha sees it: %q %d %q", c.CommOwner, c.CommPartnerID, c.CommPartner)
				}
				log := auditOf(t, db, alphaAdmin)
				if log[0].Action != "set_comm_owner_partner" || log[0].ActorName != "Beta Works" || log[0].Detail != "Stark Industries" {
					t.Errorf("Alpha's entry for Beta's change: %+v", log[0])
				}
			}
		}
		// The history names who got the communication, as each sees it.
		for _, c := range []struct {
			p    *pd.Principal
			want string
		}{{alphaAdmin, "default:vendor/Beta Works/ partner/Beta Works/Beta Works vendor//"}, {betaAdmin, "default:vendor// partner// vendor/Alpha Agency/"}} {
			d, err := db.Renewal(as(c.p, 0), st.StarkRenewal)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range d.History {
				got = append(got, h.Detail+"/"+h.ActorPartner+"/"+h.OwnerPartner)
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%s sees the history %q, want %q", c.p.Name, strings.Join(got, " "), c.want)
			}
		}
	})
}

// A program default of "partner" gives a client's renewals to its selling
// partner, else to its managing partner with the lowest id, and never to
// one whose relationship has ended; the daily refresh creates renewals
// owned the same way.
func TestProgramDefaultPartnerNamesTheClientsPartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		day := func(d int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(d) }
		type client struct {
			id    int64
			rels  [][3]any // partner, relationship, ended
			owner string   // after the default changes
		}
		clients := []client{
			{401, [][3]any{{st.AlphaID, "managed", nil}, {st.BetaID, "sold", nil}}, "Beta Works"},
			{402, [][3]any{{st.BetaID, "managed", nil}, {st.AlphaID, "managed", nil}}, "Alpha Agency"},
			{403, [][3]any{{st.AlphaID, "sold_managed", day(-5)}, {st.BetaID, "managed", nil}}, "Beta Works"},
			{404, [][3]any{{st.BetaID, "sold", day(-5)}}, "vendor"},
		}
		err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			for _, c := range clients {
				name := fmt.Sprintf("Shared %d", c.id)
				b.Insert("clients", []string{"id", "account_id", "name", "created_at"}, c.id, fmt.Sprint("acct-", c.id), name, st.Now)
				for _, r := range c.rels {
					b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on", "ended_on", "name"},
						c.id, r[0], r[1], day(-100), r[2], name)
				}
				b.Insert("renewals", []string{"id", "client_id", "renewal_date", "contract_type"}, c.id*10, c.id, day(30), "renewal")
				b.Insert("subscription_lines", []string{"external_id", "client_id", "product_code", "mrr", "billing_period", "commitment_months", "renewal_date"},
					fmt.Sprint("line-", c.id), c.id, "marketing-pro", 1000, "annual", 12, day(50))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		prog := store.DefaultProgram
		prog.DefaultCommOwner = pd.OwnerPartner
		if err := db.SaveProgram(context.Background(), prog); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RefreshRenewals(context.Background(), day(0)); err != nil {
			t.Fatal(err)
		}
		for _, c := range clients {
			for _, date := range []pd.Date{day(30), day(50)} {
				got := scalar[string](t, db, `SELECT COALESCE(p.name, r.comm_owner) FROM renewals r
					LEFT JOIN partners p ON p.id = r.comm_partner_id WHERE r.client_id = ? AND r.renewal_date = ?`, c.id, date)
				if got != c.owner {
					t.Errorf("client %d, renewal on %s: owned by %s, want %s", c.id, date, got, c.owner)
				}
			}
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM renewals WHERE (comm_owner = 'partner') <> (comm_partner_id IS NOT NULL)`); n != 0 {
			t.Errorf("%d renewals owned by a partner they do not name", n)
		}
	})
}

// Migration 0011 names the partner of every renewal and client setting
// owned by "partner": the client's selling partner, else its managing
// partner with the lowest id, among its active relationships; the vendor
// when none is left. Past owner changes in the history name theirs.
func TestMigrationNamesTheOwningPartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.OpenEmpty(t, st.Clock)
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, 10); err != nil {
			t.Fatal(err)
		}
		day := func(d int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(d) }
		type client struct {
			id      int64
			setting any
			rels    [][3]any // partner, relationship, ended
			owner   string   // comm_owner before; want: the partner's id or vendor
			want    string
		}
		clients := []client{
			{1, "partner", [][3]any{{1, "managed", nil}, {3, "sold", nil}}, "partner", "3"},
			{2, nil, [][3]any{{3, "managed", nil}, {2, "managed", nil}}, "partner", "2"},
			{3, "partner", [][3]any{{1, "sold", day(-9)}, {2, "sold_managed", nil}, {3, "managed", nil}}, "partner", "2"},
			{4, "partner", [][3]any{{1, "sold", day(-9)}}, "partner", "vendor"},
			{5, "vendor", [][3]any{{1, "sold", nil}}, "vendor", "vendor"},
		}
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			b.Insert("tiers", []string{"code", "name", "rank"}, "partner", "Partner", 0)
			for id := 1; id <= 3; id++ {
				b.Insert("partners", []string{"id", "external_id", "name", "created_at"}, id, fmt.Sprint("p-", id), fmt.Sprint("Partner ", id), st.Now)
			}
			b.Insert("users", []string{"id", "email", "name", "password_hash", "role", "partner_id", "created_at"},
				1, "admin@p1.test", "Admin of 1", "x", "partner_admin", 1, st.Now)
			for _, c := range clients {
				b.Insert("clients", []string{"id", "account_id", "name", "comm_owner", "created_at"}, c.id, fmt.Sprint("acct-", c.id), fmt.Sprint("Client ", c.id), c.setting, st.Now)
				for _, r := range c.rels {
					b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on", "ended_on"}, c.id, r[0], r[1], day(-100), r[2])
				}
				b.Insert("renewals", []string{"id", "client_id", "renewal_date", "contract_type", "comm_owner"}, c.id, c.id, day(30), "renewal", c.owner)
			}
			decisions := []string{"renewal_id", "decision", "detail", "user_id", "decided_at"}
			b.Insert("renewal_decisions", decisions, 1, "owner", "partner", 1, st.Now)           // by partner 1's admin
			b.Insert("renewal_decisions", decisions, 2, "owner", "default:partner", nil, st.Now) // by the program default
			b.Insert("renewal_decisions", decisions, 3, "owner", "vendor", 1, st.Now)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.Migrate(ctx); err != nil || n == 0 {
			t.Fatalf("migrate from 10: %d %v", n, err)
		}
		owner := func(table string, id int64) string {
			return scalar[string](t, db, `SELECT CASE WHEN comm_partner_id IS NULL THEN COALESCE(comm_owner, 'default')
				ELSE CAST(comm_partner_id AS TEXT) END FROM `+table+` WHERE id = ?`, id)
		}
		for _, c := range clients {
			if got := owner("renewals", c.id); got != c.want {
				t.Errorf("client %d's renewal: owned by %s, want %s", c.id, got, c.want)
			}
			want := c.want
			if c.setting == nil {
				want = "default"
			}
			if got := owner("clients", c.id); got != want {
				t.Errorf("client %d's setting: %s, want %s", c.id, got, want)
			}
		}
		history := scalar[string](t, db, `SELECT CAST(COALESCE(SUM(CASE renewal_id WHEN 1 THEN comm_partner_id * 100
			WHEN 2 THEN comm_partner_id * 10 ELSE COALESCE(comm_partner_id, 0) END), 0) AS TEXT) FROM renewal_decisions`)
		if history != "120" { // 1's change by partner 1's user, 2's default to partner 2, 3's to the vendor
			t.Errorf("history's partners: %s, want 120", history)
		}
	})
}

// An ingested renewal owned by "partner" names one partner that serves the
// client: the record's, else the one it has, else the client's default.
func TestIngestedRenewalNamesOnePartnerOfTheClient(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := sharedLoaded(t, e, &now)
		day := func(d int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(d) }
		const stark, hooli, initech = "acct-stark.example", "acct-hooli.example", "acct-initech.example"
		rec := func(client string, d int, contract, owner, partner string) pd.RenewalRecord {
			return pd.RenewalRecord{Client: client, RenewalDate: day(d), ContractType: contract, CommOwner: owner, CommPartner: partner,
				CurrentMRR: 100, ProposedMRR: 100}
		}
		_, err := db.Ingest(adminCtx(), false, func(in *store.Ingest) error {
			return in.Renewals([]pd.RenewalRecord{
				rec(hooli, 100, pd.ContractRenewal, pd.OwnerPartner, "p-alpha"), // Alpha does not serve Hooli
				rec(stark, 100, pd.ContractRenewal, pd.OwnerVendor, "p-beta"),   // a partner for the vendor
				rec(stark, 110, pd.ContractRenewal, pd.OwnerPartner, "p-nobody"),
			}, 0)
		})
		be := pd.AsBatchError(err)
		if be == nil || len(be.Problems) != 3 || be.Problems[0].Field != "comm_partner" || be.Problems[1].Field != "comm_partner" ||
			be.Problems[2].Field != "comm_partner" || be.Problems[2].Code != pd.ENotFound {
			t.Fatalf("want three comm_partner problems, got %v", err)
		}
		_, err = db.Ingest(adminCtx(), false, func(in *store.Ingest) error {
			return in.Renewals([]pd.RenewalRecord{
				rec(stark, 100, pd.ContractRenewal, pd.OwnerPartner, ""),       // new: the seller, Alpha
				rec(stark, 110, pd.ContractRenewal, pd.OwnerPartner, "p-beta"), // new, named
				rec(stark, 90, pd.ContractTierUpgrade, pd.OwnerPartner, ""),    // Beta's: kept
				rec(initech, 80, pd.ContractEmailOverage, pd.OwnerPartner, ""), // the vendor's, given to Alpha
				rec(stark, 40, pd.ContractRenewal, pd.OwnerVendor, ""),         // Alpha's, to the vendor
				rec(stark, 70, pd.ContractEmailOverage, "", ""),                // Alpha's: kept
				rec(hooli, 30, pd.ContractRenewal, pd.OwnerPartner, "p-beta"),  // Beta's, named again
			}, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			client   string
			d        int
			contract string
			want     string
		}{
			{stark, 100, pd.ContractRenewal, "Alpha Agency"}, {stark, 110, pd.ContractRenewal, "Beta Works"},
			{stark, 90, pd.ContractTierUpgrade, "Beta Works"}, {initech, 80, pd.ContractEmailOverage, "Alpha Agency"},
			{stark, 40, pd.ContractRenewal, "vendor"}, {stark, 70, pd.ContractEmailOverage, "Alpha Agency"},
			{hooli, 30, pd.ContractRenewal, "Beta Works"},
		} {
			got := scalar[string](t, db, `SELECT COALESCE(p.name, r.comm_owner) FROM renewals r JOIN clients c ON c.id = r.client_id
				LEFT JOIN partners p ON p.id = r.comm_partner_id
				WHERE c.account_id = ? AND r.renewal_date = ? AND r.contract_type = ?`, c.client, day(c.d), c.contract)
			if got != c.want {
				t.Errorf("%s on day %d: owned by %s, want %s", c.client, c.d, got, c.want)
			}
		}
	})
}

// When a partner's relationship with a client ends (End services, or an
// import), the communication it owned goes back to what the program's
// default gives, which the client's other partners see in their audit log:
// otherwise nobody could decide those renewals.
func TestEndedRelationshipGivesBackTheCommunication(t *testing.T) {
	day := func(d int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(d) }
	for _, c := range []struct {
		name         string
		defaultOwner string
		end          func(db *store.DB) error
		owners       string
		other        *pd.Principal // the partner still serving Stark
		audited      string        // the other's newest audit entry
	}{
		{"Beta ends services", pd.OwnerVendor, func(db *store.DB) error { return db.EndServices(as(betaAdmin, 0), st.Stark) },
			"3001:Alpha Agency:pending 3002:Alpha Agency:confirmed 3003:vendor:pending", alphaAdmin, "set_comm_owner_default Beta Works"},
		{"an import ends Beta's relationship", pd.OwnerVendor, func(db *store.DB) error {
			_, err := db.Ingest(adminCtx(), false, func(in *store.Ingest) error {
				return in.Relationships([]pd.RelationshipRecord{{Client: "acct-stark.example", Partner: "p-beta", Relationship: pd.RelManaged,
					StartedOn: day(-200), EndedOn: day(0)}}, 0)
			})
			return err
		}, "3001:Alpha Agency:pending 3002:Alpha Agency:confirmed 3003:vendor:pending", alphaAdmin, "set_comm_owner_default Ada Admin"},
		{"Alpha ends services, the default is the partner", pd.OwnerPartner, func(db *store.DB) error {
			if err := db.SetCommOwner(as(alphaAdmin, 0), st.StarkRenewal, pd.OwnerPartner); err != nil {
				return err
			}
			return db.EndServices(as(alphaAdmin, 0), st.Stark)
		}, "3001:Beta Works:pending 3002:Beta Works:confirmed 3003:Beta Works:pending", betaAdmin, "set_comm_owner_default Alpha Agency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, e st.Engine) {
				var now time.Time
				db := sharedLoaded(t, e, &now)
				prog := store.DefaultProgram
				prog.DefaultCommOwner = c.defaultOwner
				if err := db.SaveProgram(context.Background(), prog); err != nil {
					t.Fatal(err)
				}
				if err := c.end(db); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, id := range []int64{st.StarkRenewal, st.StarkOverage, st.StarkUpgrade} {
					d, err := db.Renewal(as(c.other, 0), id)
					if err != nil {
						t.Fatal(err)
					}
					owner := d.Owner
					if d.Owner == pd.OwnerPartner {
						owner = d.OwnerPartner
					}
					got = append(got, fmt.Sprintf("%d:%s:%s", id, owner, d.Status))
				}
				if strings.Join(got, " ") != c.owners {
					t.Errorf("owners %s, want %s", strings.Join(got, " "), c.owners)
				}
				if log := auditOf(t, db, c.other); len(log) == 0 || log[0].Action+" "+log[0].ActorName != c.audited {
					t.Errorf("%s's audit log: %+v, want %s first", c.other.Name, log, c.audited)
				}
				cl, err := db.Client(as(c.other, 0), st.Stark)
				if err != nil || cl.CommOwner != "" {
					t.Errorf("Stark's setting: %+v %v, want the program default", cl, err)
				}
			})
		})
	}
}
